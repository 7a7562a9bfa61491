/**
 * Job ids in useapi's shape, `job:<yyyyMMddHHmmssSSS>-user:<tenant>-channel:<channel>-bot:<bot>`,
 * so clients that derive file names from `jobid.split('-')[0]` keep working. Clients should treat
 * the id as opaque; a clash (same millisecond, same channel) is resolved by the caller retrying.
 */
export function newJobId(now: number, tenantId: string, channel: string, bot: string): string {
  const stamp = new Date(now).toISOString().replace(/[-:TZ.]/g, '');
  return `job:${stamp}-user:${tenantId.replace(/^tnt_/, '')}-channel:${channel}-bot:${bot}`;
}

/** useapi shows only the first and last three characters of a Discord token. */
export function maskToken(token: string): string {
  return token.length <= 8 ? '<…secured…>' : `<${token.slice(0, 3)}…secured…${token.slice(-3)}>`;
}
