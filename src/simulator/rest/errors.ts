/**
 * Discord's REST error bodies. Handlers throw {@link DiscordHttpError}; the server's error handler
 * writes status, headers and body verbatim, so every error shape lives in this one file.
 */
export class DiscordHttpError extends Error {
  override name = 'DiscordHttpError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

const plain = (status: number, code: number, message: string) => () => new DiscordHttpError(status, { message, code });

export const unauthorized = plain(401, 0, '401: Unauthorized');
export const notFound = plain(404, 0, '404: Not Found');
export const unknownChannel = plain(404, 10003, 'Unknown Channel');
export const unknownGuild = plain(404, 10004, 'Unknown Guild');
export const unknownMessage = plain(404, 10008, 'Unknown Message');
export const unknownInteraction = plain(404, 10062, 'Unknown interaction');
export const unknownCommand = plain(404, 10063, 'Unknown application command');
export const missingAccess = plain(403, 50001, 'Missing Access');
export const cannotMessageUser = plain(403, 50007, 'Cannot send messages to this user');
export const invalidJson = plain(400, 50109, 'The request body contains invalid JSON.');
export const uploadNotFound = plain(400, 50146, 'Uploaded file not found.');
export const verificationRequired = plain(403, 40002, 'You need to verify your account in order to perform this action.');
export const antiAbuse = plain(403, 10008, 'Unknown Message');
/** A bot-only route called with a user token (e.g. `GET /channels/{id}/messages/{id}`). */
export const botsOnly = plain(403, 20002, 'Only bots can use this endpoint');

export function serverError(status: number): DiscordHttpError {
  return new DiscordHttpError(status, { message: status === 503 ? 'Service Unavailable' : 'Internal Server Error', code: 0 });
}

export function captchaRequired(sitekey: string): DiscordHttpError {
  return new DiscordHttpError(400, {
    captcha_key: ['captcha-required'],
    captcha_sitekey: sitekey,
    captcha_service: 'hcaptcha',
    captcha_rqdata: 'simulated',
    captcha_rqtoken: 'simulated',
  });
}

/** One leaf of a 50035 error tree: `path` is walked into nested objects (array indexes as keys). */
export interface FormIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/** 400 code 50035 "Invalid Form Body" with Discord's nested `errors` tree. */
export function formError(issues: FormIssue[]): DiscordHttpError {
  const errors: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = errors;
    for (const key of issue.path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as unknown[];
    list.push({ code: issue.code, message: issue.message });
  }
  return new DiscordHttpError(400, { message: 'Invalid Form Body', code: 50035, errors });
}
