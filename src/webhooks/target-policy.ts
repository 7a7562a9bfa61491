/**
 * Where callbacks may go. By default a replyUrl must be http(s) and must not reach loopback,
 * private, link-local or other internal addresses — otherwise any API client could make the
 * gateway probe the operator's own network (SSRF). The check runs on the URL at submission and
 * again on every resolved address at delivery, so DNS cannot be used to slip past it.
 */
import net from 'node:net';

export const MAX_REPLY_URL_LENGTH = 1024;

const blockedV4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

const blockList = new net.BlockList();
for (const [address, prefix] of blockedV4) blockList.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  blockList.addSubnet(address, prefix, 'ipv6');
}

/** True for an address a callback must not reach (unless private callbacks are allowed). */
export function isInternalAddress(address: string): boolean {
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blockList.check(mapped[1]!, 'ipv4');
  return blockList.check(address, family);
}

/** Checks a replyUrl as given; returns an error message, or undefined when acceptable. */
export function checkReplyUrl(value: string, allowPrivate: boolean): string | undefined {
  if (value.length > MAX_REPLY_URL_LENGTH) return 'replyUrl is too long';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `replyUrl (${value}) is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'replyUrl must use http or https';
  if (url.username || url.password) return 'replyUrl must not contain credentials';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || (net.isIP(host) && isInternalAddress(host))) {
    return 'replyUrl must not point to a loopback or private address (set SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS=1 to allow it)';
  }
  return undefined;
}
