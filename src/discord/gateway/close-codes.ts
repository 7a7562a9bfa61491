/**
 * The one place that decides what a gateway close means (spec §2.7; shaped like discord.js's
 * `WebSocketShard.onClose`). Every code Discord documents has a row; anything else falls to
 * {@link decideClose}'s defaults. One unit test per row.
 *
 * Actions:
 * - `resume`: reconnect to `resume_gateway_url` at once and RESUME with the last sequence
 *   (falls back to IDENTIFY when there is no session yet).
 * - `reconnect`: the same, after a backoff delay (`backoff: 'long'` for "slow down").
 * - `identify`: the session is gone; drop it, reconnect and IDENTIFY anew.
 * - `fatal`: stop; the account needs attention (`health` says which state it goes to).
 */

export type CloseAction = 'resume' | 'reconnect' | 'identify' | 'fatal';

export interface CloseDecision {
  action: CloseAction;
  /** `none` = reconnect right away, `normal` = exponential backoff, `long` = slow down first. */
  backoff: 'none' | 'normal' | 'long';
  meaning: string;
  /** For fatal rows: the account health the close implies. */
  health?: 'auth_failed' | 'needs_human';
}

export const CLOSE_CODE_TABLE: Readonly<Record<number, CloseDecision>> = Object.freeze({
  // A server close with 1000 ends the session (spec §2.3: 1000/1001 invalidate it).
  1000: { action: 'identify', backoff: 'none', meaning: 'normal closure' },
  // Proxies and deploys drop connections with 1001; discord.js resumes, and a failed resume
  // turns into op 9 and an identify anyway.
  1001: { action: 'resume', backoff: 'none', meaning: 'going away' },
  4000: { action: 'resume', backoff: 'none', meaning: 'unknown error' },
  4001: { action: 'reconnect', backoff: 'normal', meaning: 'unknown opcode' },
  4002: { action: 'reconnect', backoff: 'normal', meaning: 'decode error' },
  4003: { action: 'identify', backoff: 'normal', meaning: 'not authenticated' },
  4004: { action: 'fatal', backoff: 'none', meaning: 'authentication failed', health: 'auth_failed' },
  4005: { action: 'reconnect', backoff: 'normal', meaning: 'already authenticated' },
  4007: { action: 'identify', backoff: 'none', meaning: 'invalid sequence on resume' },
  4008: { action: 'reconnect', backoff: 'long', meaning: 'gateway rate limited' },
  4009: { action: 'identify', backoff: 'none', meaning: 'session timed out' },
  4010: { action: 'fatal', backoff: 'none', meaning: 'invalid shard', health: 'needs_human' },
  4011: { action: 'fatal', backoff: 'none', meaning: 'sharding required', health: 'needs_human' },
  4012: { action: 'fatal', backoff: 'none', meaning: 'invalid API version', health: 'needs_human' },
  4013: { action: 'fatal', backoff: 'none', meaning: 'invalid intents', health: 'needs_human' },
  4014: { action: 'fatal', backoff: 'none', meaning: 'disallowed intents', health: 'needs_human' },
  4015: { action: 'reconnect', backoff: 'long', meaning: 'too many user gateway sessions' },
  // Console hand-off cancelled: irrelevant to this client, harmless to reconnect.
  4016: { action: 'reconnect', backoff: 'normal', meaning: 'console connection request canceled' },
});

/** The socket ended without a close frame (1005/1006: network drop, process kill). */
export const NO_CODE_DECISION: CloseDecision = Object.freeze({ action: 'resume', backoff: 'normal', meaning: 'connection lost' });

/** Any code Discord does not document keeps the session resumable (spec §2.3). */
export const UNKNOWN_CODE_DECISION: CloseDecision = Object.freeze({ action: 'resume', backoff: 'normal', meaning: 'unknown close code' });

export function decideClose(code: number | undefined): CloseDecision {
  if (code === undefined || code === 1005 || code === 1006) return NO_CODE_DECISION;
  return CLOSE_CODE_TABLE[code] ?? UNKNOWN_CODE_DECISION;
}
