/**
 * Public types of the simulated Discord. Everything a test, the CLI or another switchboard process
 * needs to drive the simulator is declared here and re-exported by `index.ts`; the names are
 * stable once committed (the Discord client and the integration tests depend on them).
 */

import type { FaceswapStyle } from './bots/faceswap.ts';
export type { FaceswapStyle };

/** Options of {@link startSimulator}. Every field is optional; defaults suit tests. */
export interface SimulatorOptions {
  /** Seed for ids, tokens and random choices; the same seed and call order give the same world. */
  seed?: number;
  /** `heartbeat_interval` announced in HELLO. Default 41250; tests use ~100–500. */
  heartbeatIntervalMs?: number;
  /** Bot "thinking" time before its first response and between progress steps. Default 0. */
  botLatencyMs?: number;
  /** How long a bot may take before `INTERACTION_FAILURE {reason_code: 2}`. Default 3000 (Discord's 3 s). */
  interactionTimeoutMs?: number;
  /** Lifetime of signed CDN URLs (`ex` − `is`). Default 24 h. */
  cdnUrlTtlMs?: number;
  /** Listen address. Defaults 127.0.0.1 and 0 (an ephemeral port). */
  port?: number;
  host?: string;
  /**
   * REST budgets. `perToken` is one fixed window per token and route (answered with scope `user`);
   * `global` is one window per token across all routes (scope `global`, `X-RateLimit-Global: true`).
   * Defaults: perToken 20 per 1000 ms, global 50 per 1000 ms (Discord's 50 req/s).
   */
  rateLimit?: {
    perToken?: { limit: number; windowMs: number };
    global?: { limit: number; windowMs: number };
  };
  /** Pika's concurrent generations per user. Default 3. */
  pikaConcurrency?: number;
  /** Midjourney's concurrent jobs per user before "Job queued". Default 3. */
  midjourneyConcurrency?: number;
  /** Credits a faceswap user gets per day unless set with `setCredits`. Default 50. */
  faceswapDailyCredits?: number;
  /** The build number the simulated web app (`/login` and its script assets) announces. Default 500000. */
  webBuildNumber?: number;
}

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:PORT` — also the CDN origin and the upload origin. */
  readonly baseUrl: string;
  /** `${baseUrl}/api/v9` — what a client uses as DISCORD_API_URL. */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway` — what `GET /gateway` returns. */
  readonly gatewayUrl: string;
  /** `${baseUrl}/_simulator` — the HTTP twin of {@link Simulator.control}. */
  readonly controlUrl: string;
  /** In-process control surface (same operations as the HTTP control API). */
  readonly control: SimulatorControl;
  /** Closes every socket and the listener. Idempotent. */
  close(): Promise<void>;
}

/** A simulated Discord user account. `token` is what goes into `Authorization` (raw, no prefix). */
export interface SimUser {
  id: string;
  token: string;
  username: string;
}

export interface SimGuild {
  id: string;
  name: string;
  ownerId: string;
}

export interface SimChannel {
  id: string;
  /** 0 = guild text, 1 = DM. */
  type: 0 | 1;
  guildId?: string;
  name?: string;
}

/** A user ready for faceswap: its own guild with a text channel and the InsightFaceSwap bot installed. */
export interface FaceswapAccount {
  user: SimUser;
  guildId: string;
  channelId: string;
}

/** A user ready for Pika: a DM channel with the Pika bot. */
export interface PikaAccount {
  user: SimUser;
  channelId: string;
  /** Pika's application id (= its bot user id); generated per simulator, discover it from the command index. */
  applicationId: string;
}

/**
 * A ready-made account of one simulated bot ({@link SimulatorControl.demoAccounts}): a user and
 * the channel the bot answers in — a guild text channel (with its `guildId`) or a DM channel.
 */
export interface SimDemoAccount {
  bot: BotName;
  user: SimUser;
  channelId: string;
  guildId?: string;
  /** The bot's application (and bot user) id. */
  applicationId: string;
}

/** A user ready for Midjourney: a DM channel with the Midjourney bot (application id 936929561302675456). */
export interface MidjourneyAccount {
  user: SimUser;
  channelId: string;
  applicationId: string;
}

/** A Midjourney user's state with the bot (what `/info` and `/settings` would show). */
export interface MidjourneyUserSettings {
  mode: 'fast' | 'relaxed' | 'turbo';
  remix: boolean;
  fastHoursTotal: number;
  fastHoursUsed: number;
  /** Every command answers "Pending mod message" until its Acknowledge button is pressed. */
  pendingModeration: boolean;
  /** The next command opens the CAPTCHA iframe modal ("Action required to continue"). */
  captcha: boolean;
  /** Statistics (read-only): most jobs running at once, and jobs answered "Job queued". */
  peakRunning: number;
  queuedJobs: number;
}

/** Reply style of the simulated Midjourney bot (see `src/simulator/bots/midjourney.ts`). */
export interface MidjourneyStyleOptions {
  finalNonce: boolean;
  wording: 'current' | 'legacy';
  deleteProgress: boolean;
}

/** Knobs of the simulated Midjourney bot; HTTP twins under `/_simulator/midjourney/…`. */
export interface MidjourneyControl {
  /** user + DM channel with the Midjourney bot. */
  createAccount(options?: { username?: string; token?: string }): MidjourneyAccount;
  /** Opens (or returns) the DM channel between a user and the Midjourney bot. */
  openDm(userId: string): string;
  getUser(userId: string): MidjourneyUserSettings;
  setUser(userId: string, settings: Partial<MidjourneyUserSettings>): MidjourneyUserSettings;
  setStyle(style: Partial<MidjourneyStyleOptions>): void;
  /** Jobs per user before "Job queued", and how many may wait before "Queue full". */
  setConcurrency(limit: number, queueSize?: number): void;
  /** Prompts containing one of these words get "Banned prompt detected". */
  setBannedWords(words: string[]): void;
  /** Prompts containing one of these words get "Action needed to continue". */
  setDoubtfulWords(words: string[]): void;
  /** The next `count` generations end with a red error embed titled `title` (default "Invalid parameter"). */
  failNextJobs(count: number, title?: string): void;
}

/** Which simulated bot a knob applies to. */
export type BotName = 'faceswap' | 'pika' | 'midjourney';

/**
 * A REST fault answered instead of the real handler.
 * - `rate-limit`: 429 (scope `user`, or `global` with `global: true`); the deadline counts for violations.
 * - `server-error`: 5xx with `{message, code: 0}` (default 502).
 * - `captcha`: 400 with `captcha_key`, `captcha_sitekey`, `captcha_service`.
 * - `verification-required`: 403 code 40002.
 * - `anti-abuse`: 403 code 10008.
 * - `unauthorized`: 401 code 0 (one-off, the token stays valid).
 */
export type RestFault =
  | { kind: 'rate-limit'; retryAfterMs?: number; global?: boolean }
  | { kind: 'server-error'; status?: number }
  | { kind: 'captcha' }
  | { kind: 'verification-required' }
  | { kind: 'anti-abuse' }
  | { kind: 'unauthorized' };

/** Restricts a fault to matching requests; unmatched requests pass and do not consume it. */
export interface RestFaultMatch {
  /** HTTP method, e.g. `POST`. */
  method?: string;
  /** Substring of the path after the version prefix, e.g. `/interactions`. */
  path?: string;
}

/** The configurable InsightFaceSwap reply texts. Placeholders: `{user}` (a mention), `{idname}`, `{used}`, `{total}`, `{max}`, `{jobid}`, `{cost}`. */
export interface FaceswapTemplates {
  commandSent: string;
  unknownId: string;
  noFace: string;
  outOfCredits: string;
  invalidName: string;
  tooManyIds: string;
  botError: string;
}

/** The configurable Pika reply texts. Placeholders: `{user}`, `{limit}`, `{word}`. */
export interface PikaTemplates {
  moderated: string;
  tooManyJobs: string;
  invalidParameter: string;
}

/** One `POST /interactions` that the simulator accepted (answered 204). */
export interface ReceivedInteraction {
  id: string;
  nonce: string | null;
  userId: string;
  channelId: string;
  guildId: string | null;
  applicationId: string;
  /** 2 application command, 3 component, 5 modal submit. */
  type: number;
  /** Command name, custom_id (type 3) or modal custom_id (type 5). */
  name: string;
  /** What became of it: pending, success (bot answered in time) or failure (timeout / no handler). */
  outcome: 'pending' | 'success' | 'failure';
  receivedAt: string;
  /** File names of ATTACHMENT options as the bot received them, by option name. */
  attachments?: Record<string, string>;
}

/** A request sent before the deadline that an earlier 429 announced. */
export interface RateLimitViolation {
  userId: string;
  method: string;
  path: string;
  at: string;
  deadline: string;
}

/** A faceswap command sent to a channel while the bot was still working on an earlier one there. */
export interface FaceswapOverlap {
  channelId: string;
  userId: string;
  command: string;
  activeCommand: string;
  at: string;
}

/** Something in a user's requests that no real browser would send (see `fingerprint.ts`). */
export interface FingerprintViolation {
  userId: string;
  /** `rest`, `gateway` (upgrade and IDENTIFY), `upload`, or `consistency` (REST against Gateway). */
  where: 'rest' | 'gateway' | 'upload' | 'consistency';
  problem: string;
  /** `METHOD /route` of the REST request that showed it first. */
  route?: string;
  at: string;
}

/** What the simulator last received from a user: REST headers and properties, the upgrade and IDENTIFY. */
export interface FingerprintRecord {
  /** REST requests this user made (authenticated). */
  restRequests?: number;
  rest?: { headers: Record<string, string>; superProperties?: Record<string, unknown> };
  gateway?: { upgradeHeaders: Record<string, string>; capabilities: number; properties: Record<string, unknown> };
}

/** The violation report: what a correct client must never cause. */
export interface SimulatorReport {
  /** Fingerprint inconsistencies: missing browser headers, User-Agent vs properties vs upgrade, capabilities 0… */
  fingerprintViolations: FingerprintViolation[];
  /** The last fingerprint seen per user id. */
  fingerprints: Record<string, FingerprintRecord>;
  rateLimitViolations: RateLimitViolation[];
  faceswapOverlaps: FaceswapOverlap[];
  duplicateNonces: { userId: string; nonce: string; at: string }[];
  staleVersions: { userId: string; command: string; sent: string; current: string; at: string }[];
  /** Every interaction answered 204, oldest first. */
  interactions: ReceivedInteraction[];
  /** Count of REST requests per `METHOD /route` (routes with placeholders). */
  requests: Record<string, number>;
}

/**
 * The control surface. Every method has an HTTP twin under `/_simulator` (see docs/simulator.md).
 * Ids are Discord snowflake strings.
 */
export interface SimulatorControl {
  /** Creates a user account; `token` defaults to a generated one. */
  createUser(options?: { username?: string; token?: string }): SimUser;
  /** Creates a guild owned (and joined) by `ownerId`. */
  createGuild(ownerId: string, options?: { name?: string }): SimGuild;
  /** Adds a member to a guild. */
  addGuildMember(guildId: string, userId: string): void;
  /** Creates a text channel (type 0) in a guild. */
  createTextChannel(guildId: string, options?: { name?: string }): SimChannel;
  /** Installs the InsightFaceSwap bot in a guild (its commands appear in the guild's command index). */
  installFaceswapBot(guildId: string): void;
  /** Opens (or returns the existing) DM channel between a user and the Pika bot; returns the channel id. */
  openPikaDm(userId: string): string;
  /** user + guild + text channel + InsightFaceSwap installed. */
  createFaceswapAccount(options?: { username?: string; token?: string }): FaceswapAccount;
  /** user + DM channel with Pika. */
  createPikaAccount(options?: { username?: string; token?: string }): PikaAccount;
  /** One ready-made account per simulated bot (user `<bot>-demo`), the demo world of `switchboard simulator` and `serve --simulate`. */
  demoAccounts(): SimDemoAccount[];
  /** Looks a user up by id. */
  getUser(userId: string): SimUser | undefined;

  /** Revokes the token: REST answers 401, the gateway closes every session with 4004. */
  revokeToken(userId: string): void;
  /** Makes a revoked token valid again. */
  restoreToken(userId: string): void;
  /**
   * Puts an account into (or, with null, out of) a "verification required" state such as
   * `REQUIRE_VERIFIED_PHONE`: READY carries `required_action`, and every non-GET REST request
   * answers 403 code 40002 until it is cleared.
   */
  setRequiredAction(userId: string, action: string | null): void;
  /** Sets faceswap credits (total per day and/or used today). */
  setCredits(userId: string, credits: { total?: number; used?: number }): void;
  /** Current faceswap credits, after any daily reset. */
  getCredits(userId: string): { total: number; used: number };

  /** Bot thinking time for both bots (ms). */
  setBotLatency(ms: number): void;
  /** The next `count` interactions for `bot` (default: any bot) get no response → INTERACTION_FAILURE. */
  dropNextInteractions(count: number, bot?: BotName): void;
  /** Gives a command a new version snowflake (old versions become stale); returns the new version. */
  bumpCommandVersion(bot: BotName, commandName: string): string;
  /** Renames an option of a bot's command (a new version): how a bot's update looks to clients. */
  renameCommandOption(bot: BotName, commandName: string, option: string, newName: string): void;
  /** Removes a command from a bot's application (e.g. all of Pika's: the retired bot). */
  removeCommand(bot: BotName, commandName: string): void;
  /** Removes InsightFaceSwap from a guild (its commands leave the guild's command index). */
  removeFaceswapBot(guildId: string): void;
  /** Current application-command index entries of a bot (ids and versions). */
  listCommands(bot: BotName): { id: string; name: string; version: string; type: number }[];
  /** The Pika application (and bot user) id. */
  readonly pikaApplicationId: string;
  /** Prompts containing one of these words (case-insensitive) are refused by Pika as moderated. */
  setBannedWords(words: string[]): void;
  /** Overrides InsightFaceSwap reply templates. */
  setFaceswapTemplates(templates: Partial<FaceswapTemplates>): void;
  /** Overrides Pika reply templates. */
  setPikaTemplates(templates: Partial<PikaTemplates>): void;
  /**
   * How InsightFaceSwap posts results of image jobs: `message` (default) is a plain channel message
   * (type 0) that mentions the user and carries no nonce or interaction metadata; `follow-up` is an
   * interaction follow-up whose `interaction_metadata.original_response_message_id` names the reply.
   */
  setFaceswapResultStyle(style: 'message' | 'follow-up'): void;
  /**
   * How InsightFaceSwap answers (every plausible real style, `real-world.md` §2): `ack`
   * (`public` | `ephemeral` | `none`), `result` (`message` | `message-no-mention` | `follow-up` |
   * `edit` | `reply`), `errors` (`content` | `embed`: a red embed with only a mention in content),
   * `textReplies` (`direct` | `after-ack`). Returns the style now in force.
   */
  setFaceswapStyle(style: Partial<FaceswapStyle>): FaceswapStyle;
  /** The next `count` faceswap image jobs are not answered in time (INTERACTION_FAILURE); their result is posted afterwards as a plain message. */
  answerLateNextFaceswapJobs(count: number): void;
  /** The next `count` faceswap image jobs reply with the given error template instead of a result. */
  failNextFaceswapJobs(count: number, kind: 'noFace' | 'botError'): void;
  /** Pika's concurrent generation limit per user. */
  setPikaConcurrency(limit: number): void;

  /** The next `count` REST requests of this user (optionally only matching ones) get `fault`. */
  injectRestFault(userId: string, fault: RestFault, count?: number, match?: RestFaultMatch): void;
  /** Drops queued REST faults of a user (or of everyone). */
  clearRestFaults(userId?: string): void;
  /** Closes every gateway socket of a user with `code`; returns how many were closed. */
  closeSessions(userId: string, code: number, reason?: string): number;
  /** Sends op 7 RECONNECT to every socket of a user. */
  sendReconnect(userId: string): number;
  /** Sends op 9 INVALID_SESSION (d = resumable) to every socket of a user. */
  sendInvalidSession(userId: string, resumable: boolean): number;
  /** Stops answering the next `count` heartbeats of a user's sockets (a zombied connection). */
  suppressHeartbeatAcks(userId: string, count: number): void;
  /** Number of open gateway sockets of a user that completed IDENTIFY or RESUME. */
  connectedSessions(userId: string): number;
  /** Deletes a message (MESSAGE_DELETE to the channel's members). */
  deleteMessage(channelId: string, messageId: string): void;
  /** Moves the simulator's clock forward (CDN URL expiry, daily credit reset). */
  advanceTime(ms: number): void;

  /** The simulated Midjourney bot's knobs. */
  readonly midjourney: MidjourneyControl;

  /** The violation report and the list of received interactions. */
  report(): SimulatorReport;
  /** Empties the report (not the world). */
  resetReport(): void;
}
