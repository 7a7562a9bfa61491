/**
 * Deterministic ids and randomness. Snowflakes follow Discord's layout
 * (`ms since 2015 << 22 | worker << 17 | process << 12 | increment`) but the millisecond part is a
 * logical clock, so a seeded simulator hands out the same ids in the same order on every run while
 * ids stay unique and increasing (clients sort and page by them).
 */
const DISCORD_EPOCH = 1_420_070_400_000n;
/** 2025-01-01T00:00:00Z: the logical clock's origin when a seed is given. */
const SEEDED_ORIGIN = 1_735_689_600_000;

/** mulberry32: tiny, fast and good enough for choosing replies and seeds. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return out.slice(0, length);
  }
  /** A version-4-shaped UUID (deterministic under a seed, unlike crypto.randomUUID). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  /** A decimal string of `digits` digits (no leading zero), e.g. Pika's 19-digit seeds. */
  digits(digits: number): string {
    let out = String(this.int(1, 9));
    while (out.length < digits) out += String(this.int(0, 9));
    return out;
  }
}

export class SnowflakeFactory {
  private count = 0;
  private readonly origin: number;
  private readonly worker: bigint;
  constructor(seed: number | undefined) {
    this.origin = seed === undefined ? Date.now() : SEEDED_ORIGIN;
    this.worker = BigInt((seed ?? 1) & 0x1f);
  }
  next(): string {
    const n = this.count++;
    const ms = BigInt(this.origin + n) - DISCORD_EPOCH;
    return ((ms << 22n) | (this.worker << 17n) | BigInt(n & 0xfff)).toString();
  }
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}
