import type { Parsed } from '../types.ts';

/** Pika's highest plan runs 10 generations at once; useapi caps maxJobs there. */
export const MAX_CONCURRENT_JOBS = 10;

/**
 * Reads maxJobs from JSON (number) or a form field (numeric string, as third-party clients send).
 * Above the cap uses useapi's message (its typo included); below 1 or not whole gets a clear one.
 */
export function parseMaxJobs(raw: unknown): Parsed<number> {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const value = Number(text);
  if (text === '' || !Number.isInteger(value) || value < 1) {
    return { ok: false, error: `Required param maxJobs (${String(raw)}) must be a whole number from 1 to ${MAX_CONCURRENT_JOBS}` };
  }
  if (value > MAX_CONCURRENT_JOBS) {
    return { ok: false, error: `Required param maxJobs ${value} can't be more that ${MAX_CONCURRENT_JOBS}` };
  }
  return { ok: true, value };
}
