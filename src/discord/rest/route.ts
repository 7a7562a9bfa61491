/**
 * Rate-limit route keys, like @discordjs/rest's buckets: the method plus the path with its major
 * parameters (channel, guild, webhook ids) kept and every other id folded into `:id`, so
 * `GET /channels/1/messages/2` and `GET /channels/1/messages/3` share a key.
 */
export function routeKey(method: string, path: string): string {
  const clean = path.split('?')[0] ?? path;
  const parts = clean.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const prev = parts[i - 1];
    const isId = /^\d{5,}$/.test(part);
    const major = prev === 'channels' || prev === 'guilds' || prev === 'webhooks';
    if (prev === 'attachments' && part !== '') out.push(':upload'); // DELETE /attachments/{uuid/name}
    else if (isId && !major) out.push(':id');
    else out.push(part);
    if (prev === 'attachments' && part !== '') break;
  }
  return `${method.toUpperCase()} ${out.join('/')}`;
}
