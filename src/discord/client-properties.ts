/**
 * One client profile — browser and version, OS, locale, timezone, client build number, user agent
 * — and everything derived from it: the `X-Super-Properties` header, the Gateway IDENTIFY
 * `properties`, the REST headers and the WebSocket upgrade headers. Everything is computed from one
 * {@link ClientIdentity}, so the four can never disagree (`real-world.md` §1: Discord's anti-abuse
 * systems weigh these heavily for user tokens, and a mismatch is itself a signature).
 *
 * Field lists follow what maintained user-account clients send (discord.py-self
 * `discord/utils.py`/`http.py`, discord.js-selfbot-v13 `src/util/Options.js`) and a 2025 web client's
 * IDENTIFY seen in public code: the 2025 fields `has_client_mods`, `client_launch_id`,
 * `launch_signature`, `client_heartbeat_session_id` (rotated every 30 minutes) and
 * `client_app_state`, plus the Gateway-only `is_fast_connect` and `gateway_connect_reasons`.
 */
import crypto from 'node:crypto';

/** The settings an operator controls (config `SWITCHBOARD_CLIENT_PROFILE`, per account `SWITCHBOARD_CLIENT_PROFILES`). */
export interface ClientProfile {
  /** `Chrome` or `Firefox`. */
  browser: string;
  /** Full version as the web client reports it, e.g. `143.0.0.0`. */
  browserVersion: string;
  /** `Windows`, `Mac OS X` or `Linux` (Discord's spelling). */
  os: string;
  /** `10` on Windows (Windows 11 still reports 10), `10.15.7` on macOS, empty on Linux. */
  osVersion: string;
  /** BCP 47 locale: `system_locale`, `X-Discord-Locale`, `Accept-Language`. */
  locale: string;
  /** IANA time zone: `X-Discord-Timezone`. */
  timezone: string;
  /** Web client build number. Discovered at start when Discord is reachable (see `build-number.ts`). */
  buildNumber: number;
  /** Derived from browser, version and OS when empty. */
  userAgent: string;
  releaseChannel: string;
  /** Gateway capabilities bit field sent in IDENTIFY (never 0: `real-world.md` §1). */
  capabilities: number;
}

/**
 * Gateway capability bits (userdoccers using-gateway.mdx "Gateway Capabilities"; spacebar
 * `Capabilities.ts`). Only the layout-changing ones are named; READY is read accordingly
 * (`gateway/ready.ts`).
 */
export const Capability = {
  LazyUserNotes: 1 << 0,
  VersionedReadStates: 1 << 2,
  VersionedUserGuildSettings: 1 << 3,
  /** READY lists users once in `users`; DM channels carry `recipient_ids` instead of `recipients`. */
  DedupeUserObjects: 1 << 4,
  /** READY is split: the rest (presences, lazy guild data) follows in `READY_SUPPLEMENTAL`. */
  PrioritizedReadyPayload: 1 << 5,
  MultipleGuildExperimentPopulations: 1 << 6,
  NonChannelReadStates: 1 << 7,
  /** READY may carry a replacement `auth_token`. Left off: a rotated token is not persisted yet. */
  AuthTokenRefresh: 1 << 8,
  UserSettingsProto: 1 << 9,
  ClientStateV2: 1 << 10,
  PassiveGuildUpdate: 1 << 11,
  AutoCallConnect: 1 << 12,
  DebounceMessageReactions: 1 << 13,
  PassiveGuildUpdateV2: 1 << 14,
} as const;

/**
 * 22525 is what a maintained user-account library sends (`real-world.md` §1) — minus
 * AUTH_TOKEN_REFRESH, because switchboard cannot yet store a token Discord rotates in READY.
 */
export const DEFAULT_CAPABILITIES = 22525 & ~Capability.AuthTokenRefresh;

/**
 * The pinned fallback build number and the browser it pairs with: Chrome 143 with web build 482285,
 * as seen together in public user-client code of late 2025. Used when discovery is off or fails.
 */
export const PINNED_BUILD_NUMBER = 482285;

export const defaultProfile: Readonly<ClientProfile> = Object.freeze({
  browser: 'Chrome',
  browserVersion: '143.0.0.0',
  os: 'Windows',
  osVersion: '10',
  locale: 'en-US',
  timezone: 'America/New_York',
  buildNumber: PINNED_BUILD_NUMBER,
  userAgent: '',
  releaseChannel: 'stable',
  capabilities: DEFAULT_CAPABILITIES,
});

export const BROWSERS = ['Chrome', 'Firefox'] as const;
export const OPERATING_SYSTEMS = ['Windows', 'Mac OS X', 'Linux'] as const;

/** A profile's layers, later ones winning; fills in the user agent when none was given. */
export function resolveProfile(...layers: ReadonlyArray<Partial<ClientProfile> | undefined>): ClientProfile {
  const merged: ClientProfile = { ...defaultProfile };
  for (const layer of layers) {
    if (!layer) continue;
    // A layer that changes the browser or OS without its own user agent gets a derived one, so an
    // older layer's user agent never contradicts the browser this layer names.
    if ((layer.browser !== undefined || layer.browserVersion !== undefined || layer.os !== undefined) && layer.userAgent === undefined) merged.userAgent = '';
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  if (!merged.userAgent) merged.userAgent = userAgentFor(merged);
  return Object.freeze(merged);
}

const majorOf = (version: string): string => version.split('.')[0] ?? version;

/** The user agent a real browser of this profile sends (Chrome freezes minor versions to 0.0.0). */
export function userAgentFor(p: Pick<ClientProfile, 'browser' | 'browserVersion' | 'os'>): string {
  const platform = p.os === 'Mac OS X' ? 'Macintosh; Intel Mac OS X 10_15_7' : p.os === 'Linux' ? 'X11; Linux x86_64' : 'Windows NT 10.0; Win64; x64';
  if (p.browser === 'Firefox') {
    const v = `${majorOf(p.browserVersion)}.0`;
    const ffPlatform = p.os === 'Mac OS X' ? 'Macintosh; Intel Mac OS X 10.15' : platform;
    return `Mozilla/5.0 (${ffPlatform}; rv:${v}) Gecko/20100101 Firefox/${v}`;
  }
  return `Mozilla/5.0 (${platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${majorOf(p.browserVersion)}.0.0.0 Safari/537.36`;
}

/**
 * Chrome's `Sec-CH-UA` brand list, generated as Chromium does (`user_agent_utils.cc`
 * GenerateBrandVersionList): the GREASE brand's characters, version and the list's order all
 * follow from the major version. Firefox sends no client hints.
 */
export function secChUa(p: Pick<ClientProfile, 'browser' | 'browserVersion'>): string | undefined {
  if (p.browser !== 'Chrome') return undefined;
  const major = Number(majorOf(p.browserVersion));
  const chars = [' ', '(', ':', '-', '.', '/', ')', ';', '=', '?', '_'];
  const greaseVersions = ['8', '99', '24'];
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] as const;
  const order = orders[major % 6]!;
  const brands: Array<[string, string]> = [];
  brands[order[0]] = [`Not${chars[major % 11]}A${chars[(major + 1) % 11]}Brand`, greaseVersions[major % 3]!];
  brands[order[1]] = ['Chromium', String(major)];
  brands[order[2]] = ['Google Chrome', String(major)];
  return brands.map(([brand, version]) => `"${brand}";v="${version}"`).join(', ');
}

/** `en-US,en;q=0.9` for `en-US`; `de,en;q=0.9`-style lists are not needed: one language and its base. */
export function acceptLanguage(locale: string): string {
  const base = locale.split('-')[0] ?? locale;
  return base && base !== locale ? `${locale},${base};q=0.9` : locale;
}

/**
 * Bits the web client sets in `launch_signature` when it detects client mods (as discord.py-self
 * documents the mask); a signature is a random UUID with all of them cleared.
 */
const LAUNCH_SIGNATURE_MOD_BITS = 0x801010081008002081004001000800n;

export function launchSignature(): string {
  const random = BigInt(`0x${crypto.randomUUID().replaceAll('-', '')}`);
  const hex = (random & ~LAUNCH_SIGNATURE_MOD_BITS & ((1n << 128n) - 1n)).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The web client regenerates `client_heartbeat_session_id` every 30 minutes. */
export const HEARTBEAT_SESSION_ROTATE_MS = 30 * 60_000;

/** The `X-Super-Properties` object (also the base of IDENTIFY's `properties`). */
export interface SuperProperties {
  os: string;
  browser: string;
  device: string;
  system_locale: string;
  has_client_mods: boolean;
  browser_user_agent: string;
  browser_version: string;
  os_version: string;
  referrer: string;
  referring_domain: string;
  referrer_current: string;
  referring_domain_current: string;
  release_channel: string;
  client_build_number: number;
  client_event_source: null;
  client_launch_id: string;
  launch_signature: string;
  client_heartbeat_session_id: string;
  client_app_state: string;
}

/** Kept for callers of the first version of this module. */
export type ClientProperties = SuperProperties;

/** Where the web client lives: `Origin` and `Referer` of every request, `Origin` of the Gateway upgrade. */
export const WEB_ORIGIN = 'https://discord.com';

/**
 * One account's browser: a profile plus what a browser launch generates — a launch id and
 * signature (fixed for the life of the process; one per account, so accounts are not linked to each
 * other through them) and the heartbeat session id, which rotates every 30 minutes.
 */
export class ClientIdentity {
  readonly profile: ClientProfile;
  readonly launchId: string;
  readonly launchSignature: string;
  #heartbeatSession: { id: string; at: number };
  readonly #now: () => number;
  #cache: { header: string; sessionId: string } | undefined;

  constructor(profile: Partial<ClientProfile> | ClientProfile = defaultProfile, options: { now?: () => number } = {}) {
    this.profile = resolveProfile(profile);
    this.#now = options.now ?? Date.now;
    this.launchId = crypto.randomUUID();
    this.launchSignature = launchSignature();
    this.#heartbeatSession = { id: crypto.randomUUID(), at: this.#now() };
  }

  /** The current `client_heartbeat_session_id` (a new one once 30 minutes have passed). */
  get heartbeatSessionId(): string {
    const now = this.#now();
    if (now - this.#heartbeatSession.at >= HEARTBEAT_SESSION_ROTATE_MS) this.#heartbeatSession = { id: crypto.randomUUID(), at: now };
    return this.#heartbeatSession.id;
  }

  superProperties(): SuperProperties {
    const p = this.profile;
    return {
      os: p.os,
      browser: p.browser,
      device: '',
      system_locale: p.locale,
      has_client_mods: false,
      browser_user_agent: p.userAgent,
      browser_version: p.browserVersion,
      os_version: p.osVersion,
      referrer: '',
      referring_domain: '',
      referrer_current: '',
      referring_domain_current: '',
      release_channel: p.releaseChannel,
      client_build_number: p.buildNumber,
      client_event_source: null,
      client_launch_id: this.launchId,
      launch_signature: this.launchSignature,
      client_heartbeat_session_id: this.heartbeatSessionId,
      client_app_state: 'focused',
    };
  }

  /** IDENTIFY's `properties`: the super properties plus the Gateway-only fields. */
  identifyProperties(): SuperProperties & { is_fast_connect: boolean; gateway_connect_reasons: string } {
    return { ...this.superProperties(), is_fast_connect: false, gateway_connect_reasons: 'AppSkeleton' };
  }

  /** base64 of the super properties JSON; recomputed only when the heartbeat session id rotates. */
  superPropertiesHeader(): string {
    const sessionId = this.heartbeatSessionId;
    if (this.#cache?.sessionId !== sessionId) {
      this.#cache = { sessionId, header: Buffer.from(JSON.stringify(this.superProperties()), 'utf8').toString('base64') };
    }
    return this.#cache.header;
  }

  /** What the web client sends on every REST call (without `Authorization` and `Content-Type`). */
  restHeaders(): Record<string, string> {
    const p = this.profile;
    const hints = secChUa(p);
    return {
      'Accept': '*/*',
      'Accept-Language': acceptLanguage(p.locale),
      'Origin': WEB_ORIGIN,
      'Priority': 'u=1, i',
      'Referer': `${WEB_ORIGIN}/channels/@me`,
      ...(hints ? { 'Sec-CH-UA': hints, 'Sec-CH-UA-Mobile': '?0', 'Sec-CH-UA-Platform': `"${platformHint(p.os)}"` } : {}),
      'Sec-Fetch-Dest': 'empty',
      'Sec-Fetch-Mode': 'cors',
      'Sec-Fetch-Site': 'same-origin',
      'User-Agent': p.userAgent,
      'X-Debug-Options': 'bugReporterEnabled',
      'X-Discord-Locale': p.locale,
      'X-Discord-Timezone': p.timezone,
      'X-Super-Properties': this.superPropertiesHeader(),
    };
  }

  /** The browser's WebSocket upgrade headers (`ws` adds the `Sec-WebSocket-*` ones). */
  gatewayHeaders(): Record<string, string> {
    const p = this.profile;
    return {
      'Origin': WEB_ORIGIN,
      'User-Agent': p.userAgent,
      'Accept-Language': acceptLanguage(p.locale),
      'Cache-Control': 'no-cache',
      'Pragma': 'no-cache',
    };
  }
}

function platformHint(os: string): string {
  return os === 'Mac OS X' ? 'macOS' : os === 'Linux' ? 'Linux' : 'Windows';
}

/** Process-wide identity for callers that build no account client (kept for compatibility). */
export const defaultClientProperties: Readonly<SuperProperties> = Object.freeze(new ClientIdentity().superProperties());

export function superPropertiesHeader(properties: SuperProperties = defaultClientProperties): string {
  return Buffer.from(JSON.stringify(properties), 'utf8').toString('base64');
}

/**
 * Validates a profile given in configuration (JSON): known keys, sensible values. Returns the
 * partial profile or an error message naming the bad field.
 */
export function parseProfileInput(value: unknown, where: string): { ok: true; value: Partial<ClientProfile> } | { ok: false; error: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: `${where} must be a JSON object` };
  const out: Partial<ClientProfile> = {};
  const strings = ['browser', 'browserVersion', 'os', 'osVersion', 'locale', 'timezone', 'userAgent', 'releaseChannel'] as const;
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if ((strings as readonly string[]).includes(key)) {
      if (typeof raw !== 'string') return { ok: false, error: `${where}.${key} must be a string` };
      (out as Record<string, unknown>)[key] = raw.trim();
    } else if (key === 'buildNumber' || key === 'capabilities') {
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0) return { ok: false, error: `${where}.${key} must be a positive integer` };
      out[key] = raw;
    } else {
      return { ok: false, error: `${where} has an unknown field '${key}' (known: ${[...strings, 'buildNumber', 'capabilities'].join(', ')})` };
    }
  }
  if (out.browser !== undefined && !(BROWSERS as readonly string[]).includes(out.browser)) return { ok: false, error: `${where}.browser must be one of ${BROWSERS.join(', ')}` };
  if (out.os !== undefined && !(OPERATING_SYSTEMS as readonly string[]).includes(out.os)) return { ok: false, error: `${where}.os must be one of ${OPERATING_SYSTEMS.join(', ')}` };
  if (out.browserVersion !== undefined && !/^\d{2,3}(\.\d+){0,3}$/.test(out.browserVersion)) return { ok: false, error: `${where}.browserVersion must look like 143.0.0.0` };
  if (out.locale !== undefined && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(out.locale)) return { ok: false, error: `${where}.locale must be a BCP 47 tag such as en-US` };
  if (out.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: out.timezone });
    } catch {
      return { ok: false, error: `${where}.timezone must be an IANA time zone such as Europe/Berlin` };
    }
  }
  if (out.userAgent !== undefined && /[\r\n]/.test(out.userAgent)) return { ok: false, error: `${where}.userAgent must be one line` };
  return { ok: true, value: out };
}
