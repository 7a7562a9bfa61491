/**
 * Where switchboard may connect on a caller's behalf (webhook callbacks, result-retention
 * downloads). By default a URL must be http(s) and must not reach loopback, private, link-local
 * or any other internal address — otherwise any API client could make the gateway probe the
 * operator's own network (SSRF). The check runs on the URL at submission and again on every
 * resolved address when connecting, so DNS cannot be used to slip past it.
 *
 * Address classes follow the IANA special-purpose registries (RFC 6890 and its updates):
 * https://www.iana.org/assignments/iana-ipv4-special-registry and …/iana-ipv6-special-registry.
 * IPv6 forms that carry an IPv4 address (6to4, Teredo, NAT64, SIIT, IPv4-compatible) are refused
 * as whole ranges: a relay or translator on the path would deliver them to private IPv4 space,
 * and no ordinary public receiver is reachable only through them.
 */
import dns from 'node:dns';
import net, { type LookupFunction } from 'node:net';
import os from 'node:os';

export const MAX_REPLY_URL_LENGTH = 1024;

const blockedV4: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (shared address space)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const blockedV6: [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form ::a.b.c.d
  ['::ffff:0:0:0', 96], // SIIT IPv4-translated addresses
  ['64:ff9b::', 96], // NAT64 well-known prefix
  ['64:ff9b:1::', 48], // NAT64 local-use prefix
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo
  ['2001:2::', 48], // benchmarking
  ['2001:10::', 28], // ORCHID
  ['2001:20::', 28], // ORCHIDv2
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['3fff::', 20], // documentation (2024)
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8], // multicast
];

const blockList = new net.BlockList();
for (const [address, prefix] of blockedV4) blockList.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of blockedV6) blockList.addSubnet(address, prefix, 'ipv6');

/** Names that mean "this machine" or "this local network" however they are spelt. */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'broadcasthost']);
const LOCAL_SUFFIXES = ['.localhost', '.local', '.localdomain', '.internal', '.home.arpa', '.lan', '.intranet', '.corp', '.private'];

/** This host's own interface addresses (public ones included): a callback must not loop back to us. */
function ownAddresses(): net.BlockList {
  // A BlockList compares addresses, not their spelling (`::1` = `0:0::1`).
  const own = new net.BlockList();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) own.addAddress(entry.address.replace(/%.*$/, ''), entry.family === 'IPv6' ? 'ipv6' : 'ipv4');
  }
  return own;
}

/** True for an address a callback must not reach (unless private callbacks are allowed). */
export function isInternalAddress(address: string): boolean {
  const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1, ::ffff:a00:1) is checked as the IPv4 address it carries.
  const mapped = family === 'ipv6' ? mappedIPv4(address) : undefined;
  if (mapped !== undefined) return isInternalAddress(mapped);
  return blockList.check(address, family) || ownAddresses().check(address, family);
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (any spelling), else undefined. */
const mappedRange = new net.BlockList();
mappedRange.addSubnet('::ffff:0:0', 96, 'ipv6');

function mappedIPv4(address: string): string | undefined {
  if (!mappedRange.check(address, 'ipv6')) return undefined;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1];
  const groups = /:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!groups) return '0.0.0.0';
  const high = parseInt(groups[1]!, 16);
  const low = parseInt(groups[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** True for a host name (not an IP literal) that names this machine or a local network. */
export function isLocalName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, '');
  if (host === '' || LOCAL_NAMES.has(host) || LOCAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return true;
  // A single label (`intranet`, `printer`) is resolved through local search domains.
  if (!host.includes('.')) return true;
  const own = os.hostname().toLowerCase().replace(/\.+$/, '');
  return host === own || host.startsWith(`${own}.`);
}

/** Why a URL's host may not be reached, or undefined when it may. */
export function internalHostReason(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return isInternalAddress(host) ? `${host} is an internal address` : undefined;
  return isLocalName(host) ? `${host} is a local name` : undefined;
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
  if (internalHostReason(url)) {
    return 'replyUrl must not point to a loopback or private address (set SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS=1 to allow it)';
  }
  return undefined;
}

/** A DNS lookup that refuses internal addresses, so a public name cannot resolve to 10.0.0.1. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const allowed = allowPrivate ? list : list.filter((a) => !isInternalAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves only to internal addresses`), { code: 'EADDRNOTALLOWED' });
        return callback(refused, '', 4);
      }
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
