/**
 * The only reader of `process.env`: every setting is parsed once, validated, and frozen into a
 * typed {@link Config}. A bad value is a {@link ConfigError} with a message an operator can act on.
 */
import path from 'node:path';
// The two dependency-free files of the Discord concern, not its index: every CLI command reads the
// configuration, and none of them should pay for loading the Discord client's network stack.
import { parseProfileInput, type ClientProfile } from '../discord/client-properties.ts';
import { parseProxyUrl } from '../discord/proxy-url.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Config {
  /** Listen port; 0 picks a free one (tests). */
  readonly port: number;
  readonly host: string;
  /** Folder for the SQLite database and the generated key file. */
  readonly dataDir: string;
  /** `postgres://…` switches the store to PostgreSQL; undefined means embedded SQLite. */
  readonly databaseUrl: string | undefined;
  /** Key material that encrypts Discord tokens at rest; undefined means "use the key file". */
  readonly secret: string | undefined;
  /** The secret `switchboard secret rotate` moves to (SWITCHBOARD_NEW_SECRET); read by nothing else. */
  readonly newSecret: string | undefined;
  readonly discordApiUrl: string;
  readonly discordGatewayUrl: string | undefined;
  readonly allowPrivateCallbacks: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest request body accepted, in bytes (multipart uploads included). */
  readonly bodyLimit: number;
  /**
   * Jobs that may wait per account when all its slots are taken (asynchronous commands only).
   * 0 turns queueing off: such calls get 429 with `executingJobs`, as useapi answers.
   */
  readonly queueLimit: number;
  /** Check a saved account's token and channel against Discord (on by default). */
  readonly verifyAccounts: boolean;
  /** Name under which this process holds account leases; generated when unset. */
  readonly instanceId: string | undefined;
  /** Keep copies of result files (Discord's CDN links expire); default on with SQLite. */
  readonly retainResults: boolean;
  /** Days retained result files are kept. */
  readonly resultRetentionDays: number;
  /** Days finished jobs are kept (at least 31, as useapi promises). */
  readonly jobRetentionDays: number;
  /** The operator's bot rules file (JSON) extending or replacing the providers' reply rules. */
  readonly botRulesFile: string | undefined;
  /** When an out-of-credits account is put back: `after:24h`, `daily@HH:MM` (UTC) or `never`. */
  readonly creditsReset: string;
  /** How long a channel is held back after an interaction failure or a timeout (ms). */
  readonly quarantineMs: number;
  /**
   * Bearer token `/metrics` requires; with it, account series are labelled with real account and
   * channel ids. Unset: `/metrics` is open and those labels are opaque keyed hashes.
   */
  readonly metricsToken: string | undefined;
  /**
   * The base URL clients reach switchboard at (`https://sb.example.com`): makes `results[].url`
   * absolute in webhooks too. Unset: API answers use the request's own origin.
   */
  readonly publicUrl: string | undefined;
  /**
   * Fastify's `trustProxy`: believe `X-Forwarded-For/-Proto/-Host` from these proxies (`true` =
   * any; else a list of addresses/CIDRs). Off by default.
   */
  readonly trustProxy: boolean | string;
  /** Time a client has to send the request headers; slower connections are cut (408/closed). */
  readonly headersTimeoutMs: number;
  /** Time a client has to send the whole request (headers and body); the answer may take longer. */
  readonly requestTimeoutMs: number;
  /** A connection silent this long is closed; blocking command calls extend it while they wait. */
  readonly idleTimeoutMs: number;
  /** Concurrent connections the server accepts; more are closed at once. */
  readonly maxConnections: number;
  /** Requests per minute per API token (all `/v1` routes); 0 turns the limit off. */
  readonly rateLimit: number;
  /** Requests per minute per API token that reach Discord for the caller (account saves, bring-your-own calls). */
  readonly discordRateLimit: number;
  /** Discord calls failing authentication (401) allowed per minute across all tenants; then such calls are refused. */
  readonly authFailureLimit: number;
  /** Accounts (listed and bring-your-own) per tenant. */
  readonly maxAccountsPerTenant: number;
  /** Jobs per tenant that may be waiting or running at once. */
  readonly maxActiveJobsPerTenant: number;
  /** Bytes of retained result files per tenant; further results keep only Discord's own links. */
  readonly maxResultBytesPerTenant: number;
  /** Days an unused bring-your-own account row is kept. */
  readonly hiddenAccountDays: number;
  /** Webhook deliveries in flight per tenant, so one tenant's slow receivers cannot hold everyone's. */
  readonly webhookConcurrencyPerTenant: number;
  /** The browser every account passes as (`SWITCHBOARD_CLIENT_PROFILE`, JSON); unset fields keep the defaults. */
  readonly clientProfile: Readonly<Partial<ClientProfile>>;
  /** Per-account profiles keyed by the account's channel id (`SWITCHBOARD_CLIENT_PROFILES`, JSON), over `clientProfile`. */
  readonly clientProfiles: Readonly<Record<string, Readonly<Partial<ClientProfile>>>>;
  /** Read the web client's build number from Discord at start (unless a profile pins one). */
  readonly discoverBuildNumber: boolean;
  /** Default outbound proxy of accounts that name none (`SWITCHBOARD_PROXY`); undefined: direct. */
  readonly proxy: string | undefined;
  /** Discord traffic over Node's own TLS (`node`) or a browser's TLS/HTTP2 fingerprint (`chrome`, wreq-js). */
  readonly tls: 'node' | 'chrome';
}

export const defaults = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './data',
  databaseUrl: undefined,
  secret: undefined,
  newSecret: undefined,
  discordApiUrl: 'https://discord.com/api/v9',
  discordGatewayUrl: undefined,
  allowPrivateCallbacks: false,
  logLevel: 'info',
  bodyLimit: 32 * 1024 * 1024,
  queueLimit: 0,
  verifyAccounts: true,
  instanceId: undefined,
  retainResults: undefined,
  resultRetentionDays: 7,
  jobRetentionDays: 45,
  botRulesFile: undefined,
  creditsReset: 'after:24h',
  quarantineMs: 10 * 60_000,
  metricsToken: undefined,
  publicUrl: undefined,
  trustProxy: false,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
  rateLimit: 600,
  discordRateLimit: 30,
  authFailureLimit: 20,
  maxAccountsPerTenant: 100,
  maxActiveJobsPerTenant: 500,
  maxResultBytesPerTenant: 2 * 1024 * 1024 * 1024,
  hiddenAccountDays: 7,
  webhookConcurrencyPerTenant: 4,
  clientProfile: {},
  clientProfiles: {},
  discoverBuildNumber: true,
  proxy: undefined,
  tls: 'node',
} as const satisfies Required<{ [K in keyof Config]: Config[K] | undefined }>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Values given on the command line win over the environment. */
export type ConfigOverrides = Partial<Pick<Config, 'port' | 'host' | 'dataDir' | 'databaseUrl' | 'logLevel'>>;

export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const databaseUrl = overrides.databaseUrl ?? blankToUndefined(env.DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const config: Config = {
    port: overrides.port ?? parsePort(env.PORT),
    host: overrides.host ?? blankToUndefined(env.HOST) ?? defaults.host,
    dataDir: path.resolve(overrides.dataDir ?? blankToUndefined(env.SWITCHBOARD_DATA_DIR) ?? defaults.dataDir),
    databaseUrl,
    secret: blankToUndefined(env.SWITCHBOARD_SECRET),
    newSecret: blankToUndefined(env.SWITCHBOARD_NEW_SECRET),
    discordApiUrl: parseUrl('DISCORD_API_URL', env.DISCORD_API_URL) ?? defaults.discordApiUrl,
    discordGatewayUrl: parseUrl('DISCORD_GATEWAY_URL', env.DISCORD_GATEWAY_URL),
    allowPrivateCallbacks: parseFlag('SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS', env.SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS),
    logLevel: overrides.logLevel ?? parseLogLevel(env.LOG_LEVEL),
    bodyLimit: defaults.bodyLimit,
    verifyAccounts: blankToUndefined(env.SWITCHBOARD_VERIFY_ACCOUNTS) === undefined ? defaults.verifyAccounts : parseFlag('SWITCHBOARD_VERIFY_ACCOUNTS', env.SWITCHBOARD_VERIFY_ACCOUNTS),
    instanceId: parseInstanceId(env.SWITCHBOARD_INSTANCE_ID),
    // Stored in the database: cheap in an embedded file, a deliberate choice on a shared server.
    retainResults: blankToUndefined(env.SWITCHBOARD_RETAIN_RESULTS) === undefined ? databaseUrl === undefined : parseFlag('SWITCHBOARD_RETAIN_RESULTS', env.SWITCHBOARD_RETAIN_RESULTS),
    resultRetentionDays: parseCount('SWITCHBOARD_RESULT_RETENTION_DAYS', env.SWITCHBOARD_RESULT_RETENTION_DAYS, defaults.resultRetentionDays, 3650),
    jobRetentionDays: Math.max(31, parseCount('SWITCHBOARD_JOB_RETENTION_DAYS', env.SWITCHBOARD_JOB_RETENTION_DAYS, defaults.jobRetentionDays, 3650)),
    queueLimit: parseCount('SWITCHBOARD_QUEUE_LIMIT', env.SWITCHBOARD_QUEUE_LIMIT, defaults.queueLimit, 10_000),
    botRulesFile: blankToUndefined(env.SWITCHBOARD_BOT_RULES) === undefined ? undefined : path.resolve(blankToUndefined(env.SWITCHBOARD_BOT_RULES)!),
    creditsReset: parseCreditsReset(env.SWITCHBOARD_CREDITS_RESET),
    quarantineMs: parseDuration('SWITCHBOARD_QUARANTINE', env.SWITCHBOARD_QUARANTINE, defaults.quarantineMs),
    metricsToken: parseMetricsToken(env.SWITCHBOARD_METRICS_TOKEN),
    publicUrl: parsePublicUrl(env.SWITCHBOARD_PUBLIC_URL),
    trustProxy: parseTrustProxy(env.SWITCHBOARD_TRUST_PROXY),
    headersTimeoutMs: parseMs('SWITCHBOARD_HEADERS_TIMEOUT_MS', env.SWITCHBOARD_HEADERS_TIMEOUT_MS, defaults.headersTimeoutMs),
    requestTimeoutMs: parseMs('SWITCHBOARD_REQUEST_TIMEOUT_MS', env.SWITCHBOARD_REQUEST_TIMEOUT_MS, defaults.requestTimeoutMs),
    idleTimeoutMs: parseMs('SWITCHBOARD_IDLE_TIMEOUT_MS', env.SWITCHBOARD_IDLE_TIMEOUT_MS, defaults.idleTimeoutMs),
    maxConnections: Math.max(1, parseCount('SWITCHBOARD_MAX_CONNECTIONS', env.SWITCHBOARD_MAX_CONNECTIONS, defaults.maxConnections, 1_000_000)),
    rateLimit: parseCount('SWITCHBOARD_RATE_LIMIT', env.SWITCHBOARD_RATE_LIMIT, defaults.rateLimit, 1_000_000),
    discordRateLimit: parseCount('SWITCHBOARD_DISCORD_RATE_LIMIT', env.SWITCHBOARD_DISCORD_RATE_LIMIT, defaults.discordRateLimit, 1_000_000),
    authFailureLimit: parseCount('SWITCHBOARD_AUTH_FAILURE_LIMIT', env.SWITCHBOARD_AUTH_FAILURE_LIMIT, defaults.authFailureLimit, 1_000_000),
    maxAccountsPerTenant: parseCount('SWITCHBOARD_MAX_ACCOUNTS_PER_TENANT', env.SWITCHBOARD_MAX_ACCOUNTS_PER_TENANT, defaults.maxAccountsPerTenant, 1_000_000),
    maxActiveJobsPerTenant: parseCount('SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT', env.SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT, defaults.maxActiveJobsPerTenant, 1_000_000),
    maxResultBytesPerTenant: parseCount('SWITCHBOARD_MAX_RESULT_BYTES_PER_TENANT', env.SWITCHBOARD_MAX_RESULT_BYTES_PER_TENANT, defaults.maxResultBytesPerTenant, Number.MAX_SAFE_INTEGER),
    hiddenAccountDays: Math.max(1, parseCount('SWITCHBOARD_HIDDEN_ACCOUNT_DAYS', env.SWITCHBOARD_HIDDEN_ACCOUNT_DAYS, defaults.hiddenAccountDays, 3650)),
    webhookConcurrencyPerTenant: Math.max(1, parseCount('SWITCHBOARD_WEBHOOK_CONCURRENCY_PER_TENANT', env.SWITCHBOARD_WEBHOOK_CONCURRENCY_PER_TENANT, defaults.webhookConcurrencyPerTenant, 1000)),
    clientProfile: parseProfile('SWITCHBOARD_CLIENT_PROFILE', env.SWITCHBOARD_CLIENT_PROFILE),
    clientProfiles: parseProfiles(env.SWITCHBOARD_CLIENT_PROFILES),
    discoverBuildNumber: blankToUndefined(env.SWITCHBOARD_DISCOVER_BUILD_NUMBER) === undefined ? defaults.discoverBuildNumber : parseFlag('SWITCHBOARD_DISCOVER_BUILD_NUMBER', env.SWITCHBOARD_DISCOVER_BUILD_NUMBER),
    proxy: parseProxy(env.SWITCHBOARD_PROXY),
    tls: parseTls(env.SWITCHBOARD_TLS),
  };
  return Object.freeze(config);
}

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(`${name} must be JSON, e.g. {"locale":"en-GB","timezone":"Europe/London"}`);
  }
}

function parseProfile(name: string, raw: string | undefined): Partial<ClientProfile> {
  const value = blankToUndefined(raw);
  if (value === undefined) return Object.freeze({});
  const parsed = parseProfileInput(parseJson(name, value), name);
  if (!parsed.ok) throw new ConfigError(parsed.error);
  return Object.freeze(parsed.value);
}

function parseProfiles(raw: string | undefined): Record<string, Partial<ClientProfile>> {
  const name = 'SWITCHBOARD_CLIENT_PROFILES';
  const value = blankToUndefined(raw);
  if (value === undefined) return Object.freeze({});
  const json = parseJson(name, value);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ConfigError(`${name} must be a JSON object keyed by channel id`);
  const out: Record<string, Partial<ClientProfile>> = {};
  for (const [channel, profile] of Object.entries(json)) {
    if (!/^\d{17,20}$/.test(channel)) throw new ConfigError(`${name} keys must be channel ids, got '${channel}'`);
    const parsed = parseProfileInput(profile, `${name}.${channel}`);
    if (!parsed.ok) throw new ConfigError(parsed.error);
    out[channel] = Object.freeze(parsed.value);
  }
  return Object.freeze(out);
}

function parseTls(raw: string | undefined): Config['tls'] {
  const value = blankToUndefined(raw)?.toLowerCase();
  if (value === undefined) return defaults.tls;
  if (value === 'node' || value === 'chrome') return value;
  throw new ConfigError(`SWITCHBOARD_TLS must be node or chrome, got '${value}'`);
}

function parseProxy(raw: string | undefined): string | undefined {
  const value = blankToUndefined(raw);
  if (value === undefined) return undefined;
  const parsed = parseProxyUrl(value);
  // The message never repeats the value: it may hold proxy credentials.
  if (!parsed.ok) throw new ConfigError(`SWITCHBOARD_PROXY: ${parsed.error}`);
  return parsed.url.toString();
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function parsePort(raw: string | undefined, name = 'PORT'): number {
  const value = blankToUndefined(raw);
  if (value === undefined) return defaults.port;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`${name} must be an integer from 0 to 65535, got '${value}'`);
  }
  return port;
}

function parseInstanceId(raw: string | undefined): string | undefined {
  const value = blankToUndefined(raw);
  if (value !== undefined && !/^[\w.-]{1,64}$/.test(value)) throw new ConfigError(`SWITCHBOARD_INSTANCE_ID must be 1 to 64 letters, digits, '.', '_' or '-', got '${value}'`);
  return value;
}

function parsePublicUrl(raw: string | undefined): string | undefined {
  const value = parseUrl('SWITCHBOARD_PUBLIC_URL', raw);
  if (value !== undefined && !/^https?:\/\//.test(value)) throw new ConfigError(`SWITCHBOARD_PUBLIC_URL must be an http(s) URL, got '${value}'`);
  return value;
}

function parseTrustProxy(raw: string | undefined): boolean | string {
  const value = blankToUndefined(raw);
  if (value === undefined || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (!/^[0-9A-Fa-f:.\/]+(\s*,\s*[0-9A-Fa-f:.\/]+)*$/.test(value)) throw new ConfigError(`SWITCHBOARD_TRUST_PROXY must be 1, 0, or a comma-separated list of proxy addresses/CIDRs, got '${value}'`);
  return value;
}

function parseMetricsToken(raw: string | undefined): string | undefined {
  const value = blankToUndefined(raw);
  if (value !== undefined && (value.length < 16 || /\s/.test(value))) throw new ConfigError('SWITCHBOARD_METRICS_TOKEN must be at least 16 characters without spaces');
  return value;
}

function parseCount(name: string, raw: string | undefined, fallback: number, max: number): number {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new ConfigError(`${name} must be a whole number from 0 to ${max}, got '${value}'`);
  return Number(value);
}

/** A duration in milliseconds; at least 100 so a typo cannot make every connection time out. */
function parseMs(name: string, raw: string | undefined, fallback: number): number {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 100 || Number(value) > 86_400_000) throw new ConfigError(`${name} must be a whole number of milliseconds from 100 to 86400000, got '${value}'`);
  return Number(value);
}

/** `after:<N><s|m|h|d>`, `daily@HH:MM` (UTC) or `never` (see providers/faceswap/credits.ts). */
function parseCreditsReset(raw: string | undefined): string {
  const value = blankToUndefined(raw);
  if (value === undefined) return defaults.creditsReset;
  if (!/^(never|after:\d+\s*[smhd]|daily@([01]\d|2[0-3]):[0-5]\dz?)$/i.test(value)) {
    throw new ConfigError(`SWITCHBOARD_CREDITS_RESET must be after:<N><s|m|h|d> (e.g. after:24h), daily@HH:MM (UTC) or never, got '${value}'`);
  }
  return value;
}

/** A duration such as `90s`, `10m`, `1h` or plain milliseconds. */
function parseDuration(name: string, raw: string | undefined, fallback: number): number {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  const match = /^(\d+)\s*(ms|s|m|h)?$/i.exec(value);
  if (!match) throw new ConfigError(`${name} must be a duration such as 90s, 10m or 1h, got '${value}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 'ms').toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function parseUrl(name: string, raw: string | undefined): string | undefined {
  const value = blankToUndefined(raw);
  if (value === undefined) return undefined;
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got '${value}'`);
  }
}

function parseFlag(name: string, raw: string | undefined): boolean {
  const value = blankToUndefined(raw);
  if (value === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1 or 0, got '${value}'`);
}

function parseLogLevel(raw: string | undefined): Config['logLevel'] {
  const value = blankToUndefined(raw);
  if (value === undefined) return defaults.logLevel;
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase());
  if (!level) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  return level;
}
