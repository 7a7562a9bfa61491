/**
 * Tiny valid PNGs made in code (no image library): a solid colour with a diagonal stripe, so every
 * simulated result is a real image that decoders and `file(1)` accept, and different inputs give
 * visibly different outputs.
 */
import { encodePng, PNG_SIGNATURE } from '../../shared/png.ts';

export { crc32 } from '../../shared/png.ts';

/** An RGB PNG of `width`×`height`; `seed` picks the colours. */
export function makePng(width: number, height: number, seed: number): Buffer {
  const base = [(seed * 97) & 0xff, (seed * 57 + 80) & 0xff, (seed * 23 + 160) & 0xff] as const;
  const stripe = [255 - base[0], 255 - base[1], 255 - base[2]] as const;
  return encodePng(width, height, (x, y) => (Math.abs(x - y) < Math.max(2, width >> 4) ? stripe : base));
}

/** Width and height of a PNG, or undefined for anything else. */
export function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
