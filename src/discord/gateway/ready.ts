/**
 * Reads READY in either layout. With the DEDUPE_USER_OBJECTS capability (bit 4, which the web
 * client and switchboard send) Discord lists every user once in `users`, and DM channels carry
 * `recipient_ids` instead of full `recipients`; without it channels embed their recipients
 * (userdoccers using-gateway.mdx "Gateway Capabilities", gateway-events.mdx "Ready"). With
 * PRIORITIZED_READY_PAYLOAD (bit 5) the rest arrives later as `READY_SUPPLEMENTAL`, which the
 * client does not need: it is passed on as an ordinary dispatch.
 */
import type { DiscordChannel, DiscordUser } from '../types.ts';

export interface ReadyChannel extends DiscordChannel {
  recipients: DiscordUser[];
}

export interface ReadyFields {
  sessionId: string;
  resumeGatewayUrl: string | undefined;
  user: DiscordUser;
  requiredAction: string | undefined;
  privateChannels: ReadyChannel[];
}

export function readReady(d: Record<string, unknown>): ReadyFields {
  const users = new Map<string, DiscordUser>();
  for (const u of Array.isArray(d.users) ? (d.users as DiscordUser[]) : []) if (u && typeof u.id === 'string') users.set(u.id, u);
  const channels = Array.isArray(d.private_channels) ? (d.private_channels as Array<Record<string, unknown>>) : [];
  const privateChannels = channels.map((c) => {
    const embedded = Array.isArray(c.recipients) ? (c.recipients as DiscordUser[]) : undefined;
    const ids = Array.isArray(c.recipient_ids) ? (c.recipient_ids as unknown[]).map(String) : [];
    const recipients = embedded ?? ids.map((id) => users.get(id) ?? ({ id } as DiscordUser));
    return { ...(c as DiscordChannel), id: String(c.id), type: Number(c.type), recipients };
  });
  return {
    sessionId: String(d.session_id),
    resumeGatewayUrl: typeof d.resume_gateway_url === 'string' ? d.resume_gateway_url : undefined,
    user: d.user as DiscordUser,
    requiredAction: typeof d.required_action === 'string' ? d.required_action : undefined,
    privateChannels,
  };
}
