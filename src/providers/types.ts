/**
 * What a bot contributes to switchboard. Everything bot-specific lives in its provider folder:
 * account shape, HTTP commands and their fields, how a command maps onto Discord interactions,
 * how the bot's messages are read back into job updates, and the capacity model. The HTTP layer,
 * the job service and the runner only iterate over {@link Provider}s.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountService } from '../accounts/index.ts';
import type { CommandNeed, DiscordChannel, DiscordMessage } from '../discord/index.ts';
import type { JobService } from '../jobs/index.ts';
import type { AccountRecord, Credits, JobRecord, Store, TenantRecord } from '../store/index.ts';
import type { ProviderDemo } from './shared/demo.ts';
import type { OperatorRules, RuleBook } from './shared/reply-rules.ts';

/** The validated fields of a `POST /v1/<bot>/account/<channel>` body. */
export interface AccountFields {
  channel: string;
  server: string | null;
  discord: string;
  maxJobs: number | null;
  /** The account's default callback URL (providers that offer one). */
  replyUrl?: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; status?: number; details?: string };

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

export interface ProviderAccountSpec {
  /**
   * The account's shapes, declared beside {@link parse} and {@link render} that enforce them:
   * `request` is the `POST /v1/<bot>/account/<channel>` body, `response` what `render` returns.
   * The OpenAPI document is built from them (as the `<Name>Account` component).
   */
  readonly schema: { readonly request: JsonSchema; readonly response: JsonSchema };
  /** Validates a POST account body in useapi's order, returning its exact 400 message on failure. */
  parse(body: Record<string, unknown>, pathChannel: string): Parsed<AccountFields>;
  /** The account in useapi's response shape; `discord` is the plaintext token, as useapi shows it. */
  render(account: AccountRecord, discord: string): Record<string, unknown>;
  /**
   * When accounts are verified on save: the bot's own rule on what Discord showed — the channel
   * and the commands of its command index. Returns the 400 message when the account cannot work.
   */
  verify?(found: { channel: DiscordChannel; commands: readonly { name: string; application_id: string }[] }): string | undefined;
  /**
   * Finds the account's channel from its token alone (e.g. the DM with the bot, opened when
   * missing), for saves that name no channel. `rest` is the account's own Discord client: its
   * browser identity and its transport (proxy). Discord's errors are thrown as they come (the
   * account service turns them into 400s); a refusal of the provider's own is returned.
   */
  discoverChannel?(rest: AccountRest): Promise<Parsed<string>>;
}

/** The Discord REST calls a provider may make with an account's own client (see `discoverChannel`). */
export interface AccountRest {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

/**
 * What the bot last said about the account's state on its side (e.g. a speed mode), as flat
 * fields the provider names; the account API and the dashboard show them as reported.
 */
export type ReportedStatus = Readonly<Record<string, string | number | boolean>>;

/** An uploaded file of a command request. */
export interface InputFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A command request after transport decoding (multipart or JSON), before validation. */
export interface CommandInput {
  fields: Readonly<Record<string, string>>;
  files: Readonly<Record<string, InputFile>>;
}

/** A request field, for validation and documentation. */
export interface FieldSpec {
  name: string;
  kind: 'text' | 'file';
  required?: boolean;
  maxLength?: number;
  /** For files: what they must be. */
  accept?: 'image' | 'image-or-video';
  description: string;
}

/** One Discord interaction a command sends; commands such as `swap` send several in order. */
export type CommandStep =
  | {
      kind: 'slash';
      command: string;
      options: Record<string, string | number | boolean>;
      /** ATTACHMENT option name → the request's file field. */
      files: Record<string, string>;
      /** What finishes the step: a text reply, or a message carrying an image or video. */
      expects: 'text' | 'media';
    }
  | { kind: 'context'; command: string; targetId: string; expects: 'text' | 'media' }
  /** Clicks the named button (as the job's `buttons` show it) on the parent job's result message. */
  | {
      kind: 'button';
      button: string;
      messageId: string;
      expects: 'text' | 'media';
      /** Text the caller gave for a form the bot may open for this button (e.g. Midjourney's remix prompt). */
      text?: string;
    };

export interface BuiltCommand {
  /** Request fields the job echoes (prompt, idname, options, image metadata…). */
  echo: Record<string, unknown>;
  steps: CommandStep[];
  /**
   * A child job (`selection: 'parent'`) that may exist once per parent under this key (e.g.
   * Midjourney's U1–U4): the store refuses a second live or completed child with the same key,
   * atomically, and the submission answers 409. A failed, moderated or cancelled child frees it.
   */
  oncePerParent?: string;
}

export interface ProviderCommand {
  /** Path segment (`/v1/<bot>/<name>`) and `verb` suffix (`<bot>-<name>`). */
  readonly name: string;
  readonly method: 'POST' | 'DELETE';
  /** When the HTTP call answers: once the job has ended, or once the bot has accepted it. */
  readonly answer: 'terminal' | 'started';
  /**
   * `pinned`: the command works on one account's state (saved identities), so `channel` is
   * required when several accounts exist. `random`: any eligible account will do. `parent`: the
   * account of the job named by the `jobid` field (button presses).
   */
  readonly selection: 'pinned' | 'random' | 'parent';
  /** May wait in its account's FIFO queue when every slot is taken (if queueing is enabled). */
  readonly queueable?: boolean;
  readonly fields: readonly FieldSpec[];
  /** Longest time from sending to a terminal status before the job fails. */
  readonly timeoutMs: number;
  /** Also accepts an `application/json` body (useapi allows it for headshot). */
  readonly acceptsJson?: boolean;
  /** Validates beyond presence and length (already checked from `fields`) and plans the steps. */
  build(input: CommandInput, parent?: JobRecord): Parsed<BuiltCommand>;
}

/** What one bot message means for the job's current step. */
export type Verdict =
  | { kind: 'ignore' }
  /** Acknowledgement or progress edit: the job is running. */
  | { kind: 'progress'; percent?: number }
  /** The bot accepted an asynchronous job ("Job Submitted"): `answer: 'started'` calls return now. */
  | { kind: 'submitted' }
  /** The step's result has arrived; `text` is the reply's words (content and embeds) for text commands. */
  | { kind: 'done'; text?: string }
  /**
   * A refusal; `outOfCredits`: the bot said the account has no credits left; `tooManyJobs`: too
   * many jobs at once; `code`: the job's status code; `hold`: the account needs a human.
   */
  | { kind: 'failed'; error: string; outOfCredits?: boolean; tooManyJobs?: boolean; code?: number; hold?: AccountHold }
  | { kind: 'moderated'; error: string; hold?: AccountHold }
  /** No rule recognised the message: kept with the job and shown to the operator; the job goes on waiting. */
  | { kind: 'unclassified'; text: string };

/** Submit the modal with these text values (by input `custom_id`; inputs not named keep their prefilled value). */
export interface ModalAnswer {
  kind: 'submit';
  values: Record<string, string>;
}

/**
 * The bot's message is about the account, not only this job (a pending moderation message, a
 * human check): the account needs a human and stays out of rotation until an operator resets it.
 */
export interface AccountHold {
  detail: string;
}

/** Why an account cannot take work right now (a provider's own rule, e.g. no credits left). */
export interface Ineligible {
  /** Completes "Channel <channel> …", e.g. `has no credits left until the daily reset`. */
  reason: string;
  detail?: string;
}

export interface Provider {
  /** Path segment and `verb` prefix: `/v1/<name>/…`, `<name>-<command>`. */
  readonly name: string;
  /** The bot's name as people know it, for documentation (e.g. `InsightFaceSwap`). */
  readonly title?: string;
  readonly account: ProviderAccountSpec;
  readonly commands: readonly ProviderCommand[];
  /** Where the bot lives: a guild text channel (needs the account's server) or a DM channel. */
  readonly location: 'guild' | 'dm';
  /** The bot's application id when it is public knowledge; otherwise discovered from the DM's command index. */
  readonly applicationId?: string;
  /** The Discord commands this provider sends, compared with the live command index (account save, doctor, first use). */
  readonly discordCommands?: readonly CommandNeed[];
  /** Jobs one account may run at once. */
  capacity(account: AccountRecord): number;
  /**
   * Calls may bring their own `discord` + `channel` (+ `maxJobs`) instead of a configured
   * account (Pika, useapi §1.9); such channels get an unlisted account row and are tracked alike.
   */
  readonly bringYourOwnAccount?: boolean;
  /** Reads a per-call `maxJobs`; returns an error message when it is out of range. */
  parseMaxJobs?(raw: string): Parsed<number>;
  /** The name a button is shown under in the job's `buttons`, from its label, emoji or custom id. */
  buttonName?(label: string): string | undefined;
  /** Reads a bot message for the given step. */
  interpret(message: DiscordMessage, step: CommandStep): Verdict;
  /** The bot's reply rules as data (the provider's table, possibly extended by the operator's rules file). */
  readonly rules?: RuleBook;
  /**
   * The provider's part of the operator's rules file when its rule data has a shape of its own
   * (Midjourney's notice table); otherwise `rules` is that part.
   */
  readonly operatorRules?: OperatorRules;
  /**
   * What a message (already interpreted as `verdict`) says about the account's credits, as the
   * account's new credits given its current ones; undefined when it says nothing.
   */
  credits?(previous: Credits | null, message: DiscordMessage, verdict: Verdict, now: number): Credits | undefined;
  /**
   * What a message (already interpreted as `verdict` for `step`) says about the account's state
   * in the bot, as fields merged into the account's reported status; undefined when it says nothing.
   */
  accountStatus?(message: DiscordMessage, verdict: Verdict, step: CommandStep): ReportedStatus | undefined;
  /**
   * The bot answered a step with a modal (`INTERACTION_MODAL_CREATE`, or an iframe modal such as
   * a human check): the verdict it means for the job. Undefined leaves the job waiting.
   */
  modal?(modal: Record<string, unknown>, step: CommandStep): Verdict | ModalAnswer | undefined;
  /**
   * The provider's own eligibility rule, on top of the shared one (healthy account), which lives
   * in `accounts/account-selector.ts`: returns why the account cannot take work now, or
   * undefined when it can. E.g. faceswap: out of credits until the reset rule puts it back.
   */
  eligible?(account: AccountRecord, now: number): Ineligible | undefined;
  /**
   * Said when the bot's commands are missing from the channel's command index (on account save,
   * and when a call cannot find the bot), e.g. that the bot was retired.
   */
  readonly missingBotExplanation?: string;
  /** Extra job fields this bot shows (e.g. pika's `maxJobs`), added to the common job JSON. */
  renderExtras(job: JobRecord): Record<string, unknown>;
  /**
   * A bot whose compatible API is not `/v1/<name>/…` (Midjourney: useapi's `/v2/…`) serves its
   * own routes instead of the generic account, command and job routes; the shared services
   * (submission, selection, capacity, the runner, webhooks) stay the same.
   */
  readonly routes?: ProviderRoutes;
  /** Its demo (`<bot>/demo.ts`): the account `serve --simulate` configures and the jobs `switchboard demo` runs. */
  readonly demo?: ProviderDemo;
}

/** What a provider's own routes may use. */
export interface ProviderHttpServices {
  store: Store;
  accounts: AccountService;
  jobs: JobService;
  /** The authenticated caller of a request. */
  tenant(request: FastifyRequest): TenantRecord;
  /** The operator allows private addresses as callback and fetch targets. */
  allowPrivateTargets: boolean;
  /** Tells health tracking and live clients that an account's stored health changed. */
  accountChanged(account: AccountRecord): void;
}

export interface ProviderRoutes {
  /** Registers the routes (inside the authenticated scope). */
  register(app: FastifyInstance, services: ProviderHttpServices): void;
  /** OpenAPI path items of those routes. */
  openapi(): Record<string, Record<string, unknown>>;
  /** Where an account is configured (`POST <accountPath>/<channel>`), for hints such as the dashboard's. */
  readonly accountPath: string;
}
