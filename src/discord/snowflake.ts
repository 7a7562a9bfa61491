/** Discord snowflakes: `(ms - DISCORD_EPOCH) << 22 | worker << 17 | process << 12 | increment`. */

export const DISCORD_EPOCH = 1420070400000n;

let increment = 0n;
let lastMs = 0n;

/**
 * A fresh snowflake for `now` (interaction nonces). Unique within the process: the 12-bit
 * increment runs across calls in the same millisecond and the worker bits carry the process id.
 */
export function generateSnowflake(now: number = Date.now()): string {
  let ms = BigInt(Math.max(now, Number(DISCORD_EPOCH)));
  if (ms < lastMs) ms = lastMs; // clocks may step back; never reuse an older timestamp
  if (ms === lastMs) {
    increment = (increment + 1n) & 0xfffn;
    if (increment === 0n) ms += 1n; // 4096 ids in one ms: borrow the next millisecond
  } else {
    increment = 0n;
  }
  lastMs = ms;
  const worker = BigInt(process.pid & 0x1f);
  return (((ms - DISCORD_EPOCH) << 22n) | (worker << 17n) | increment).toString();
}

/** The smallest snowflake at time `ms` — for `after=` / `before=` history queries. */
export function snowflakeFromTimestamp(ms: number): string {
  const value = BigInt(Math.max(0, Math.floor(ms))) - DISCORD_EPOCH;
  return (value > 0n ? value << 22n : 0n).toString();
}

/** The creation time (epoch ms) encoded in a snowflake. */
export function timestampFromSnowflake(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Numeric comparison of two snowflake strings. */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
