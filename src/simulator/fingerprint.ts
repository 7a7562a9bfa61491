/**
 * The simulator judges the client's fingerprint (issue 13): it records the headers and client
 * properties every user sends — REST headers and `X-Super-Properties`, the Gateway upgrade
 * headers, IDENTIFY's `properties` and `capabilities`, upload names and types — and reports what
 * a real browser would never send: missing browser headers, a User-Agent that disagrees with the
 * super properties or with the upgrade, capabilities 0, the 2025 fields missing, uploads named
 * `blob` or a Content-Type contradicting the name. Real Discord's weighting is unknown
 * (`real-world.md` §4); the checks are the consistency rules a client can always satisfy.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FingerprintRecord, FingerprintViolation, SimulatorReport } from './types.ts';

/** Every REST request of a browser on discord.com carries these (`real-world.md` §1). */
const REST_HEADERS = [
  'user-agent', 'x-super-properties', 'x-discord-locale', 'x-discord-timezone', 'accept-language', 'origin', 'referer',
  'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'x-debug-options',
] as const;
/** Chromium browsers add the client hints. */
const CHROMIUM_HEADERS = ['sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform'] as const;
const UPGRADE_HEADERS = ['user-agent', 'origin', 'accept-language'] as const;
/** Super-properties fields a 2025 web client sends. */
const PROPERTY_FIELDS = [
  'os', 'browser', 'device', 'system_locale', 'browser_user_agent', 'browser_version', 'os_version', 'release_channel', 'client_build_number',
  'has_client_mods', 'client_launch_id', 'launch_signature', 'client_heartbeat_session_id', 'client_app_state',
] as const;
const GATEWAY_FIELDS = ['is_fast_connect', 'gateway_connect_reasons'] as const;
/** Fields that must be the same wherever one browser states them. */
const PROFILE_FIELDS = ['os', 'browser', 'browser_user_agent', 'browser_version', 'system_locale', 'client_build_number', 'release_channel'] as const;

const EXTENSIONS: Record<string, string[]> = {
  'image/png': ['png'], 'image/jpeg': ['jpg', 'jpeg'], 'image/gif': ['gif'], 'image/webp': ['webp'],
  'video/mp4': ['mp4'], 'video/webm': ['webm'], 'video/quicktime': ['mov'],
};

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function decodeSuperProperties(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const chromeMajor = (ua: string | undefined): string | undefined => /Chrome\/(\d+)/.exec(ua ?? '')?.[1];

export class FingerprintJudge {
  constructor(private readonly report: () => SimulatorReport) {}

  private record(userId: string): FingerprintRecord {
    const all = this.report().fingerprints;
    return (all[userId] ??= {});
  }

  private flag(userId: string, where: FingerprintViolation['where'], problem: string, route?: string): void {
    const list = this.report().fingerprintViolations;
    // One entry per distinct problem and place is enough: a client repeats its mistakes.
    if (list.some((v) => v.userId === userId && v.where === where && v.problem === problem)) return;
    list.push({ userId, where, problem, ...(route ? { route } : {}), at: new Date().toISOString() });
  }

  /** A REST request of an authenticated user. */
  rest(userId: string, route: string, headers: IncomingHttpHeaders): void {
    const ua = header(headers, 'user-agent');
    const props = decodeSuperProperties(header(headers, 'x-super-properties'));
    const record = this.record(userId);
    record.restRequests = (record.restRequests ?? 0) + 1;
    record.rest = {
      headers: Object.fromEntries([...REST_HEADERS, ...CHROMIUM_HEADERS, 'priority', 'accept-encoding'].flatMap((n) => (headers[n] !== undefined && n !== 'x-super-properties' ? [[n, header(headers, n)!]] : []))),
      ...(props ? { superProperties: props } : {}),
    };
    const missing = [...REST_HEADERS, ...(chromeMajor(ua) ? CHROMIUM_HEADERS : [])].filter((n) => !header(headers, n));
    if (missing.length > 0) this.flag(userId, 'rest', `missing browser headers: ${missing.join(', ')}`, route);
    if (ua && /^DiscordBot|node|undici/i.test(ua)) this.flag(userId, 'rest', `a non-browser User-Agent: ${ua}`, route);
    if (header(headers, 'x-super-properties') && !props) this.flag(userId, 'rest', 'X-Super-Properties is not base64 JSON', route);
    if (props) {
      this.checkProperties(userId, 'rest', props, route);
      if (ua && props.browser_user_agent !== ua) this.flag(userId, 'rest', 'User-Agent differs from X-Super-Properties.browser_user_agent', route);
      const locale = header(headers, 'x-discord-locale');
      if (locale && props.system_locale !== locale) this.flag(userId, 'rest', 'X-Discord-Locale differs from X-Super-Properties.system_locale', route);
      this.compareWithGateway(userId);
    }
    const hints = header(headers, 'sec-ch-ua');
    const major = chromeMajor(ua);
    if (hints && major && !hints.includes(`"Chromium";v="${major}"`)) this.flag(userId, 'rest', `Sec-CH-UA does not name Chromium ${major} like the User-Agent`, route);
    if (hints && !major) this.flag(userId, 'rest', 'Sec-CH-UA sent with a non-Chromium User-Agent', route);
  }

  /** A Gateway upgrade, before the user is known; returns what IDENTIFY is later checked against. */
  upgrade(headers: IncomingHttpHeaders): Record<string, string> {
    return Object.fromEntries(UPGRADE_HEADERS.flatMap((n) => (header(headers, n) ? [[n, header(headers, n)!]] : [])));
  }

  /** IDENTIFY of `userId` on a socket whose upgrade carried `upgrade` headers. */
  identify(userId: string, upgrade: Record<string, string>, d: Record<string, unknown>): void {
    const properties = d.properties && typeof d.properties === 'object' ? (d.properties as Record<string, unknown>) : {};
    const capabilities = typeof d.capabilities === 'number' ? d.capabilities : 0;
    this.record(userId).gateway = { upgradeHeaders: upgrade, capabilities, properties };
    const missing = UPGRADE_HEADERS.filter((n) => !upgrade[n]);
    if (missing.length > 0) this.flag(userId, 'gateway', `upgrade without browser headers: ${missing.join(', ')}`);
    if (capabilities === 0) this.flag(userId, 'gateway', 'IDENTIFY capabilities 0');
    if ('intents' in d) this.flag(userId, 'gateway', 'IDENTIFY carries intents (bots only)');
    this.checkProperties(userId, 'gateway', properties);
    const absent = GATEWAY_FIELDS.filter((f) => !(f in properties));
    if (absent.length > 0) this.flag(userId, 'gateway', `IDENTIFY properties without ${absent.join(', ')}`);
    if (upgrade['user-agent'] && properties.browser_user_agent !== upgrade['user-agent']) this.flag(userId, 'gateway', 'upgrade User-Agent differs from IDENTIFY browser_user_agent');
    this.compareWithGateway(userId);
  }

  /** A reserved upload: a browser names files; `blob` or no extension is what a script sends. */
  uploadName(userId: string, filename: string): void {
    if (!/\.[a-z0-9]{2,5}$/i.test(filename) || /^blob(\.|$)/i.test(filename)) this.flag(userId, 'upload', `upload named '${filename}' (no real file name)`);
  }

  /** The upload PUT: a Content-Type, if any, must agree with the name's extension. */
  uploadPut(userId: string, filename: string, contentType: string | undefined): void {
    if (!contentType) return;
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    const ext = filename.split('.').pop()?.toLowerCase() ?? '';
    const expected = EXTENSIONS[type];
    if (!expected || !expected.includes(ext)) this.flag(userId, 'upload', `upload PUT Content-Type ${type} contradicts the name ${filename}`);
  }

  private checkProperties(userId: string, where: 'rest' | 'gateway', props: Record<string, unknown>, route?: string): void {
    const absent = PROPERTY_FIELDS.filter((f) => !(f in props));
    if (absent.length > 0) this.flag(userId, where, `client properties without ${absent.join(', ')}`, route);
    if (!(typeof props.client_build_number === 'number' && props.client_build_number > 0)) this.flag(userId, where, 'client_build_number missing or 0', route);
    if (props.has_client_mods !== undefined && props.has_client_mods !== false) this.flag(userId, where, 'has_client_mods is not false', route);
  }

  /** The last REST super properties and the last IDENTIFY must describe the same browser. */
  private compareWithGateway(userId: string): void {
    const record = this.record(userId);
    const rest = record.rest?.superProperties;
    const gateway = record.gateway?.properties;
    if (!rest || !gateway) return;
    const differing = PROFILE_FIELDS.filter((f) => JSON.stringify(rest[f]) !== JSON.stringify(gateway[f]));
    if (differing.length > 0) this.flag(userId, 'consistency', `X-Super-Properties and IDENTIFY disagree on ${differing.join(', ')}`);
    const restUa = record.rest?.headers['user-agent'];
    const upgradeUa = record.gateway?.upgradeHeaders['user-agent'];
    if (restUa && upgradeUa && restUa !== upgradeUa) this.flag(userId, 'consistency', 'REST and Gateway upgrade User-Agents differ');
  }
}
