import { describe, expect, it } from 'vitest';
import { CLOSE_CODE_TABLE, decideClose } from '../../../src/discord/index.ts';

/** One expectation per row of spec §2.7 (plus 1000/1001, unknown codes and no code at all). */
const expected: Array<[code: number | undefined, action: string, backoff: string, health?: string]> = [
  [1000, 'identify', 'none'],
  [1001, 'resume', 'none'],
  [4000, 'resume', 'none'],
  [4001, 'reconnect', 'normal'],
  [4002, 'reconnect', 'normal'],
  [4003, 'identify', 'normal'],
  [4004, 'fatal', 'none', 'auth_failed'],
  [4005, 'reconnect', 'normal'],
  [4007, 'identify', 'none'],
  [4008, 'reconnect', 'long'],
  [4009, 'identify', 'none'],
  [4010, 'fatal', 'none', 'needs_human'],
  [4011, 'fatal', 'none', 'needs_human'],
  [4012, 'fatal', 'none', 'needs_human'],
  [4013, 'fatal', 'none', 'needs_human'],
  [4014, 'fatal', 'none', 'needs_human'],
  [4015, 'reconnect', 'long'],
  [4016, 'reconnect', 'normal'],
  [undefined, 'resume', 'normal'],
  [1006, 'resume', 'normal'],
  [1005, 'resume', 'normal'],
  [4999, 'resume', 'normal'],
  [1011, 'resume', 'normal'],
];

describe('the gateway close-code table', () => {
  it.each(expected)('close code %s leads to %s with %s backoff', (code, action, backoff, health) => {
    const decision = decideClose(code);
    expect(decision.action).toBe(action);
    expect(decision.backoff).toBe(backoff);
    expect(decision.health).toBe(health);
  });

  it('has a row for every code of the spec table and for 1000 and 1001', () => {
    const codes = Object.keys(CLOSE_CODE_TABLE).map(Number).sort();
    expect(codes).toEqual([1000, 1001, 4000, 4001, 4002, 4003, 4004, 4005, 4007, 4008, 4009, 4010, 4011, 4012, 4013, 4014, 4015, 4016]);
    for (const code of codes) expect(expected.some(([c]) => c === code)).toBe(true);
  });
});
