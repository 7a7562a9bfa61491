/** The job fields a bot message fills in (spec §1.7): id, text, time, files, embeds, buttons. */
import type { DiscordComponent, DiscordMessage } from '../discord/index.ts';
import type { Provider } from '../providers/index.ts';
import type { JobPatch } from '../store/index.ts';

/** Discord attachment objects, reduced to the fields useapi documents. */
export function attachmentsOf(message: DiscordMessage): unknown[] {
  return (message.attachments ?? []).map((a) => ({
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.proxy_url,
    ...(a.width !== undefined && a.width !== null ? { width: a.width } : {}),
    ...(a.height !== undefined && a.height !== null ? { height: a.height } : {}),
    content_type: a.content_type,
  }));
}

/** Clickable buttons of a message as `{label, customId}`, in display order. */
export function buttonsOf(message: DiscordMessage): { name: string; customId: string }[] {
  const buttons: { name: string; customId: string }[] = [];
  const walk = (components: DiscordComponent[] | undefined) => {
    for (const c of components ?? []) {
      if (c.type === 2 && typeof c.custom_id === 'string' && !c.disabled) {
        const emoji = (c.emoji as { name?: string } | undefined)?.name;
        buttons.push({ name: String(c.label ?? emoji ?? c.custom_id), customId: c.custom_id });
      }
      walk(c.components as DiscordComponent[] | undefined);
    }
  };
  walk(message.components);
  return buttons;
}

export function messagePatch(message: DiscordMessage, provider: Pick<Provider, 'buttonName'>): JobPatch {
  const buttons = provider.buttonName && message.components?.length ? buttonsOf(message).flatMap((b) => provider.buttonName!(`${b.name} ${b.customId}`) ?? []) : undefined;
  return {
    messageId: message.id,
    content: message.content ?? '',
    timestamp: message.timestamp ?? null,
    attachments: attachmentsOf(message),
    embeds: message.embeds ?? [],
    ...(buttons ? { buttons: [...new Set(buttons)] } : {}),
  };
}
