/**
 * The Discord client for user accounts (spec `discord-protocol.md` §1–4). Import it only through
 * this file. The usual entry point is {@link DiscordAccountClient}: one per account token.
 *
 * ```ts
 * const client = new DiscordAccountClient({ token, apiUrl: config.discordApiUrl });
 * client.on('signal', (s) => { const e = healthEventFromSignal(s); if (e) void monitor.report(id, e); });
 * await client.start(); // gateway READY
 * const handle = await client.invokeCommand({ channelId, guildId, applicationId, name: 'swapid',
 *   options: { idname: 'alice' }, files: { image: { filename: 'in.png', data: bytes } } });
 * try {
 *   for await (const event of handle.events()) { ... } // or: await handle.waitFor(hasResult)
 * } finally {
 *   handle.close(); // the caller decides when the interaction is done
 * }
 * ```
 */
export { DiscordAccountClient } from './account-client.ts';
export type { AccountSignal, AccountClientEvents, DiscordAccountClientOptions, InvokeCommandRequest, ResumeFollowingRequest } from './account-client.ts';
export { InteractionHandle, buildCommandData, findButton } from './interactions.ts';
export type { ReplyEvent, CommandInput, OptionValue } from './interactions.ts';
export { ReplyCorrelator, quotesPrompt } from './correlation.ts';
export type { CorrelationEvent, MatchRule, PendingSpec, ResumeSpec } from './correlation.ts';
export { CommandCache, findCommand } from './commands.ts';
export { compareCommands, fetchCommandIndex } from './command-check.ts';
export type { CommandNeed, CommandComparison, OptionKind } from './command-check.ts';
export type { CommandQuery, CommandScope } from './commands.ts';
export { uploadAttachments, deleteUpload } from './uploads.ts';
export type { UploadFile, UploadedAttachment } from './uploads.ts';
export { RestClient } from './rest/client.ts';
export type { RestClientOptions, RequestOptions, FetchInit, FetchLike, FetchResponse } from './rest/client.ts';
export { RateLimiter } from './rest/rate-limit.ts';
export type { Clock } from './rest/rate-limit.ts';
export { routeKey } from './rest/route.ts';
export { GatewaySession } from './gateway/session.ts';
export { GatewayOp, withGatewayQuery } from './gateway/protocol.ts';
export type { GatewaySessionOptions, GatewaySessionEvents, ReadyInfo, SessionState } from './gateway/session.ts';
export type { GatewaySocket } from './gateway/protocol.ts';
export { CLOSE_CODE_TABLE, decideClose, NO_CODE_DECISION, UNKNOWN_CODE_DECISION } from './gateway/close-codes.ts';
export type { CloseAction, CloseDecision } from './gateway/close-codes.ts';
export { checkClient, verifyAccount } from './verify.ts';
export type { VerifyAccountOptions, VerifyAccountResult, VerifyFailureReason } from './verify.ts';
export {
  DiscordError,
  DiscordApiError,
  GatewayFatalError,
  InteractionFailedError,
  CommandNotFoundError,
  InvalidCommandOptionsError,
  formErrorCodes,
  isStaleCommandError,
} from './errors.ts';
export type { DiscordErrorKind } from './errors.ts';
export { generateSnowflake, snowflakeFromTimestamp, timestampFromSnowflake, compareSnowflakes } from './snowflake.ts';
export { tokenKey } from './token-key.ts';
export {
  acceptLanguage,
  BROWSERS,
  Capability,
  ClientIdentity,
  DEFAULT_CAPABILITIES,
  defaultClientProperties,
  defaultProfile,
  HEARTBEAT_SESSION_ROTATE_MS,
  OPERATING_SYSTEMS,
  parseProfileInput,
  PINNED_BUILD_NUMBER,
  resolveProfile,
  secChUa,
  superPropertiesHeader,
  userAgentFor,
  WEB_ORIGIN,
} from './client-properties.ts';
export type { ClientProfile, ClientProperties, SuperProperties } from './client-properties.ts';
export { discoverBuildNumber } from './build-number.ts';
export type { BuildNumberResult } from './build-number.ts';
export { directTransport, isProxyFailure, parseProxyUrl, ProxyConnectError, proxyTransport, redactProxy } from './transport.ts';
export type { Transport, ProxyTransportOptions } from './transport.ts';
export { chromeTransport, emulationFor, loadWreq } from './chrome-transport.ts';
export type { ChromeTransportOptions } from './chrome-transport.ts';
export { uploadName } from './uploads.ts';
export { readReady } from './gateway/ready.ts';
export type { ReadyChannel } from './gateway/ready.ts';
export * from './types.ts';
