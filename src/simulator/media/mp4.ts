/**
 * A real (tiny) MP4 for every simulated video: 1 s of H.264 test pattern at 64×64, committed as a
 * fixture so the simulator needs no ffmpeg at run time. Read once, shared by all videos.
 */
import { readFileSync } from 'node:fs';

let cached: Buffer | undefined;

export function sampleMp4(): Buffer {
  cached ??= readFileSync(new URL('./sample.mp4', import.meta.url));
  return cached;
}
