/** Field checks shared by the bots' account schemas, with useapi's exact messages. */

/** Discord ids are snowflakes: 17 to 20 decimal digits that fit in 64 bits. */
export function isSnowflake(value: string): boolean {
  return /^\d{17,20}$/.test(value) && BigInt(value) < 2n ** 64n;
}

export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export const missing = (name: string) => `Required param ${name} is missing or empty`;

/** useapi uses the "channel" wording for every id it validates, the server id included. */
export const invalidId = (value: unknown) => `Required param channel (${String(value)}) is not valid Discord channel id`;

/** A snowflake given as a string; JSON numbers are refused because they lose digits past 2^53. */
export function snowflakeOrError(value: unknown): string | undefined {
  return typeof value === 'string' && isSnowflake(value.trim()) ? value.trim() : undefined;
}

export const notMatchingPath = (channel: string, bot: string, pathChannel: string) =>
  `Required param channel (${channel}) not matching to /${bot}/account/${pathChannel}`;

/**
 * Every account may carry a default `replyUrl` (switchboard's addition, as useapi allows): calls
 * on it that bring none use it. The account service reads and checks it for every bot; each
 * provider's account schema lists this property so the API document shows it.
 */
export const replyUrlProperty = { type: 'string', maxLength: 1024, description: "the account's default replyUrl, used by calls that bring none (optional; switchboard's addition)" } as const;
