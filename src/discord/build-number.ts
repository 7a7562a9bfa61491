/**
 * Discovers the web client's current build number the way maintained user-account libraries do
 * (discord.py-self `discord/utils.py` `_get_build_number`, as of 2025): load the web app's login
 * page, collect the `assets/<name>.js` scripts it references, and search them — last first, the
 * build info sits in a late chunk — for `build_number:"<digits>"`. Any failure falls back to the
 * pinned number, and the caller logs which one is in use.
 */
import type { FetchLike } from './rest/client.ts';

export interface BuildNumberResult {
  buildNumber: number;
  source: 'discovered' | 'pinned';
  /** Why discovery failed (when `source` is `pinned`). */
  reason?: string;
}

const ASSET_PATTERN = /assets\/([a-z0-9.]+)\.js/g;
const BUILD_PATTERN = /build_number:"(\d+)"/;

export async function discoverBuildNumber(options: {
  /** The web app's origin, e.g. `https://discord.com`. */
  webOrigin: string;
  fallback: number;
  fetch?: FetchLike;
  headers?: Record<string, string>;
  /** Whole discovery budget. Default 8 s. */
  timeoutMs?: number;
  /** Scripts fetched at most. Default 8. */
  maxAssets?: number;
}): Promise<BuildNumberResult> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const signal = AbortSignal.timeout(options.timeoutMs ?? 8_000);
  const headers = { ...options.headers, Accept: 'text/html,application/xhtml+xml,*/*' };
  try {
    const page = await doFetch(`${options.webOrigin}/login`, { headers, signal });
    if (!page.ok) return { buildNumber: options.fallback, source: 'pinned', reason: `login page answered ${page.status}` };
    const html = await page.text();
    const assets = [...new Set([...html.matchAll(ASSET_PATTERN)].map((m) => m[1]!))].reverse().slice(0, options.maxAssets ?? 8);
    if (assets.length === 0) return { buildNumber: options.fallback, source: 'pinned', reason: 'no script assets on the login page' };
    for (const asset of assets) {
      const script = await doFetch(`${options.webOrigin}/assets/${asset}.js`, { headers: { ...options.headers, Accept: '*/*' }, signal });
      if (!script.ok) continue;
      const match = BUILD_PATTERN.exec(await script.text());
      const value = match ? Number(match[1]) : NaN;
      if (Number.isSafeInteger(value) && value > 0) return { buildNumber: value, source: 'discovered' };
    }
    return { buildNumber: options.fallback, source: 'pinned', reason: 'no build_number in the script assets' };
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : error.message) : String(error);
    return { buildNumber: options.fallback, source: 'pinned', reason };
  }
}
