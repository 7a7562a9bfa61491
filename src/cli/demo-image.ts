/** The demo's input pictures: a cartoon face drawn in code and encoded as PNG (no image library). */
import zlib from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

type Rgb = readonly [number, number, number];

/** Encodes RGB pixels (row-major, 3 bytes each) as an 8-bit truecolour PNG. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1); // each scanline starts with filter type 0
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A smiling face on a coloured background; `hue` 0–1 varies skin and background between pictures. */
export function demoFace(size = 192, hue = 0): Buffer {
  const background: Rgb = [Math.round(90 + 120 * hue), 150, Math.round(220 - 100 * hue)];
  const skin: Rgb = [240, Math.round(200 - 40 * hue), Math.round(160 - 50 * hue)];
  const dark: Rgb = [40, 30, 30];
  const c = size / 2;
  const r = size * 0.38;
  return encodePng(size, size, (x, y) => {
    const dx = x - c;
    const dy = y - c;
    const inside = (cx: number, cy: number, rr: number) => (x - cx) ** 2 + (y - cy) ** 2 <= rr * rr;
    if (dx * dx + dy * dy > r * r) return background;
    if (inside(c - r * 0.38, c - r * 0.25, r * 0.12) || inside(c + r * 0.38, c - r * 0.25, r * 0.12)) return dark;
    const smile = Math.hypot(dx, dy + r * 0.1);
    if (dy > r * 0.15 && smile > r * 0.5 && smile < r * 0.6) return dark;
    return skin;
  });
}
