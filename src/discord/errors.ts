/**
 * Typed errors of the Discord client. Every error carries a stable `kind` (what callers branch
 * on), a `retry` flag (whether trying again later can succeed) and the underlying `cause`.
 * Messages never contain a token: routes are logged with their ids, never with credentials.
 */

/** Stable classification of a failed Discord REST call. */
export type DiscordErrorKind =
  | 'unauthorized' // 401: token missing, invalid or revoked
  | 'captcha' // 400 + captcha_key: a human has to solve a captcha
  | 'verification_required' // 403 40002: the account must verify email/phone
  | 'anti_abuse' // 403 10008: request blocked by Discord's anti-abuse systems
  | 'missing_access' // 403 50001 / other 403: no access to the channel or guild
  | 'missing_permissions' // 403 50013
  | 'unknown_channel' // 404 10003
  | 'unknown_message' // 404 10008
  | 'unknown_command' // 404/400 10063
  | 'not_found' // other 404
  | 'invalid_form' // 400 50035 (see formErrorCodes)
  | 'upload_not_found' // 400 50146
  | 'cloudflare_blocked' // 40333
  | 'rate_limited' // 429 whose wait exceeds what the caller allows
  | 'server_error' // 5xx after retries
  | 'bad_request' // any other 4xx
  | 'network' // no HTTP response: DNS, refused, reset, timeout
  | 'unexpected'; // a 2xx with a body we could not read

/** Base class: a stable `kind`, a `retry` flag and a `cause`. */
export class DiscordError extends Error {
  override name = 'DiscordError';
  readonly kind: DiscordErrorKind | 'gateway_fatal' | 'interaction_failed' | 'command_not_found' | 'invalid_options' | 'timeout' | 'closed';
  readonly retry: boolean;

  constructor(
    kind: DiscordError['kind'],
    message: string,
    options: { retry?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.retry = options.retry ?? false;
  }
}

export interface DiscordApiErrorInit {
  kind: DiscordErrorKind;
  status: number;
  /** Discord's JSON error code (0 when absent). */
  code: number;
  method: string;
  /** Path with ids, never with a token, e.g. `/channels/123/messages`. */
  route: string;
  discordMessage: string;
  body: unknown;
  retry: boolean;
  /** For 429: how long Discord asked us to wait. */
  retryAfterMs?: number;
  global?: boolean;
  cause?: unknown;
}

/** A Discord REST call that failed with an HTTP error (or no response at all, kind `network`). */
export class DiscordApiError extends DiscordError {
  override name = 'DiscordApiError';
  override readonly kind: DiscordErrorKind;
  readonly status: number;
  readonly code: number;
  readonly method: string;
  readonly route: string;
  readonly body: unknown;
  readonly retryAfterMs: number | undefined;
  readonly global: boolean;

  constructor(init: DiscordApiErrorInit) {
    const label = init.status > 0 ? `${init.status}${init.code ? ` code ${init.code}` : ''}` : 'no response';
    super(init.kind, `Discord ${init.method} ${init.route} failed (${label}): ${init.discordMessage}`, {
      retry: init.retry,
      cause: init.cause,
    });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.route = init.route;
    this.body = init.body;
    this.retryAfterMs = init.retryAfterMs;
    this.global = init.global ?? false;
  }

  /** The nested `_errors[].code` strings of a 50035 form error, depth first. */
  formErrorCodes(): string[] {
    return formErrorCodes(this.body);
  }
}

/** The gateway refused the account for good (4004 revoked token, 4010–4014 configuration). */
export class GatewayFatalError extends DiscordError {
  override name = 'GatewayFatalError';
  constructor(
    readonly closeCode: number,
    readonly reason: string,
  ) {
    super('gateway_fatal', `Discord gateway closed with ${closeCode}: ${reason}`, { retry: false });
  }
}

/** The bot did not take the interaction (`INTERACTION_FAILURE`; reason 2 = did not respond in 3 s). */
export class InteractionFailedError extends DiscordError {
  override name = 'InteractionFailedError';
  constructor(
    readonly interactionId: string | undefined,
    readonly reasonCode: number,
  ) {
    super(
      'interaction_failed',
      reasonCode === 2 ? 'The application did not respond' : `The interaction failed (reason ${reasonCode})`,
      { retry: reasonCode === 2 },
    );
  }
}

/** No command with that application id and name in the channel's or guild's command index. */
export class CommandNotFoundError extends DiscordError {
  override name = 'CommandNotFoundError';
  constructor(
    readonly applicationId: string,
    readonly commandName: string,
    scope: string,
  ) {
    super('command_not_found', `command /${commandName} of application ${applicationId} is not available in ${scope}`);
  }
}

/** The caller's options do not fit the command's definition (unknown option, missing file…). */
export class InvalidCommandOptionsError extends DiscordError {
  override name = 'InvalidCommandOptionsError';
  constructor(message: string) {
    super('invalid_options', message);
  }
}

export function formErrorCodes(body: unknown): string[] {
  const codes: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === '_errors' && Array.isArray(value)) {
        for (const e of value) {
          const code = (e as { code?: unknown })?.code;
          if (typeof code === 'string') codes.push(code);
        }
      } else {
        visit(value);
      }
    }
  };
  if (body && typeof body === 'object') visit((body as { errors?: unknown }).errors);
  return codes;
}

/** True for the 50035 errors that mean "your cached command id/version is stale". */
export function isStaleCommandError(error: unknown): boolean {
  if (!(error instanceof DiscordApiError)) return false;
  if (error.code === 10063) return true;
  if (error.code !== 50035) return false;
  return error
    .formErrorCodes()
    .some((c) => c === 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION' || c === 'INTERACTION_APPLICATION_COMMAND_INVALID');
}
