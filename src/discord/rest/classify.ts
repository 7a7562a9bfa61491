import type { DiscordErrorKind } from '../errors.ts';

/** HTTP statuses worth retrying with backoff (spec §4.2: 502/504/507/522/523/524; plus 500/503). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504, 507, 522, 523, 524]);

/**
 * Maps a failed response to a stable kind. Order matters: captcha is recognised by the
 * `captcha_key` field whatever else the body says, and 403 + 10008 is anti-abuse (a 404 + 10008
 * is an ordinary unknown message).
 */
export function classifyResponse(status: number, body: unknown): { kind: DiscordErrorKind; retry: boolean } {
  const code = discordCode(body);
  if (status === 400 && body && typeof body === 'object' && 'captcha_key' in body) return { kind: 'captcha', retry: false };
  if (code === 40333) return { kind: 'cloudflare_blocked', retry: false };
  if (status === 401) return { kind: 'unauthorized', retry: false };
  if (status === 403) {
    if (code === 40002) return { kind: 'verification_required', retry: false };
    if (code === 10008) return { kind: 'anti_abuse', retry: false };
    if (code === 50013) return { kind: 'missing_permissions', retry: false };
    return { kind: 'missing_access', retry: false };
  }
  if (status === 429) return { kind: 'rate_limited', retry: true };
  if (status >= 500) return { kind: 'server_error', retry: true };
  if (code === 10003) return { kind: 'unknown_channel', retry: false };
  if (code === 10008) return { kind: 'unknown_message', retry: false };
  if (code === 10063) return { kind: 'unknown_command', retry: false };
  if (code === 50035) return { kind: 'invalid_form', retry: false };
  if (code === 50146) return { kind: 'upload_not_found', retry: false };
  if (status === 404) return { kind: 'not_found', retry: false };
  return { kind: 'bad_request', retry: false };
}

export function discordCode(body: unknown): number {
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : 0;
}

export function discordMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    if ('captcha_key' in body) return 'captcha required';
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : fallback;
}

/** Retry delay of a 429: the body's float `retry_after` (seconds), else the `Retry-After` header. */
export function retryAfterMs(headers: Pick<Headers, 'get'>, body: unknown): number {
  const fromBody = body && typeof body === 'object' ? (body as { retry_after?: unknown }).retry_after : undefined;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody) && fromBody >= 0) return Math.ceil(fromBody * 1000);
  const header = Number(headers.get('retry-after'));
  if (Number.isFinite(header) && header >= 0) return Math.ceil(header * 1000);
  return 1000;
}

/**
 * Whether a 429 blocks the whole account. Only the `shared` scope (one contended resource) is
 * confined to its route: user accounts get no bucket headers, so a `user` limit is treated
 * account-wide rather than risk sending into it on another route.
 */
export function isAccountWide(headers: Pick<Headers, 'get'>): boolean {
  return headers.get('x-ratelimit-scope') !== 'shared';
}
