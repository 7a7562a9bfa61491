/**
 * Proxy URLs: validation and masking. No dependencies, so configuration parsing can use it without
 * loading the proxy agents (see `transport.ts`).
 */

export const PROXY_SCHEMES = ['http:', 'https:', 'socks5:', 'socks5h:'] as const;

/** Validates an outbound proxy URL: `http(s)://[user:pass@]host:port` or `socks5(h)://[user:pass@]host:port`. */
export function parseProxyUrl(raw: unknown): { ok: true; url: URL } | { ok: false; error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'proxy must be a URL such as http://user:pass@host:3128 or socks5://host:1080' };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, error: 'proxy must be a URL such as http://user:pass@host:3128 or socks5://host:1080' };
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol)) return { ok: false, error: `proxy scheme must be one of ${PROXY_SCHEMES.map((s) => s.slice(0, -1)).join(', ')}` };
  if (!url.hostname) return { ok: false, error: 'proxy must name a host' };
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) return { ok: false, error: 'proxy must be scheme://[user:pass@]host:port without a path' };
  return { ok: true, url };
}

/** The proxy URL with its password masked: `http://user:****@host:3128`. Never shows a secret. */
export function redactProxy(raw: string | URL): string {
  const url = typeof raw === 'string' ? new URL(raw) : new URL(raw.toString());
  if (url.password) url.password = '****';
  const text = url.toString();
  return text.endsWith('/') ? text.slice(0, -1) : text;
}
