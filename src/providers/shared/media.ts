/** Recognises uploaded media by its first bytes: clients often send application/octet-stream. */

const signatures: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'image/png', test: (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 },
  { type: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => b.length > 6 && b.toString('latin1', 0, 4) === 'GIF8' },
  { type: 'image/webp', test: (b) => b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { type: 'video/mp4', test: (b) => b.length > 12 && b.toString('latin1', 4, 8) === 'ftyp' },
  { type: 'video/webm', test: (b) => b.length > 4 && b.readUInt32BE(0) === 0x1a45dfa3 },
];

/** The media type the bytes actually are, or undefined when they are none we accept. */
export function sniffMediaType(data: Buffer): string | undefined {
  return signatures.find((s) => s.test(data))?.type;
}

export function isImageType(type: string): boolean {
  return type.startsWith('image/');
}

/** Discord's default per-file upload limit for accounts without Nitro. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
