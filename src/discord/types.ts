/**
 * The slices of Discord's object shapes this client reads (spec §3). Ids are strings. Fields the
 * client does not need are left out; unknown extra fields pass through untouched.
 */

export interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  discriminator?: string;
  bot?: boolean;
  [extra: string]: unknown;
}

export interface DiscordAttachment {
  id: string;
  filename: string;
  size?: number;
  content_type?: string;
  url: string;
  proxy_url?: string;
  width?: number | null;
  height?: number | null;
  [extra: string]: unknown;
}

export interface DiscordComponent {
  type: number;
  custom_id?: string;
  style?: number;
  label?: string;
  emoji?: { id?: string | null; name?: string | null };
  url?: string;
  disabled?: boolean;
  components?: DiscordComponent[];
  [extra: string]: unknown;
}

export interface MessageInteractionMetadata {
  id: string;
  type: number;
  name?: string;
  command_type?: number;
  user?: { id: string; [extra: string]: unknown };
  original_response_message_id?: string;
  interacted_message_id?: string;
  target_message_id?: string;
  triggering_interaction_metadata?: MessageInteractionMetadata;
  [extra: string]: unknown;
}

export interface DiscordMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  type?: number;
  author: DiscordUser;
  content: string;
  timestamp?: string;
  edited_timestamp?: string | null;
  mentions?: Array<{ id: string; [extra: string]: unknown }>;
  attachments?: DiscordAttachment[];
  embeds?: Array<Record<string, unknown>>;
  components?: DiscordComponent[];
  flags?: number;
  nonce?: string | number | null;
  application_id?: string;
  webhook_id?: string;
  interaction_metadata?: MessageInteractionMetadata;
  /** Deprecated by Discord but still sent. */
  interaction?: { id: string; type?: number; name?: string; user?: { id: string } };
  message_reference?: { message_id?: string; channel_id?: string; guild_id?: string; type?: number };
  [extra: string]: unknown;
}

export const MessageFlags = {
  Ephemeral: 1 << 6,
  /** A deferred interaction response ("is thinking…"), filled in later by MESSAGE_UPDATE. */
  Loading: 1 << 7,
} as const;

export interface CommandOptionDefinition {
  type: number;
  name: string;
  name_default?: string;
  description?: string;
  required?: boolean;
  choices?: Array<{ name: string; value: string | number }>;
  options?: CommandOptionDefinition[];
  [extra: string]: unknown;
}

export interface ApplicationCommand {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  name_default?: string;
  description?: string;
  options?: CommandOptionDefinition[];
  [extra: string]: unknown;
}

export interface ApplicationCommandIndex {
  applications: Array<{ id: string; name?: string; bot_id?: string; [extra: string]: unknown }>;
  application_commands: ApplicationCommand[];
  version?: string;
}

export const OptionType = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  Number: 10,
  Attachment: 11,
} as const;

export const CommandType = { ChatInput: 1, User: 2, Message: 3 } as const;

export interface DiscordChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  recipients?: DiscordUser[];
  [extra: string]: unknown;
}

/** A gateway payload envelope. */
export interface GatewayPayload {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}
