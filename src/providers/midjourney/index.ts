/**
 * Midjourney (useapi's Midjourney API v2 over the real Midjourney bot): the DM channel with the
 * bot, up to `maxJobs` (1–15) generations at once per account, buttons that spawn child jobs,
 * progress edits with a percentage and a preview, and notices that put an account in the hands
 * of a human (pending moderation message, CAPTCHA, "Action needed to continue").
 */
import type { DiscordMessage } from '../../discord/index.ts';
import type { Credits } from '../../store/index.ts';
import type { CommandStep, ModalAnswer, Provider, ReportedStatus, Verdict } from '../types.ts';
import { midjourneyRuleBook } from './rule-book.ts';
import { DEFAULT_MAX_JOBS, midjourneyAccount, parseMaxJobs } from './account.ts';
import { buttonKind } from './buttons.ts';
import { midjourneyCommands } from './commands.ts';
import { midjourneyDemo } from './demo.ts';
import { renderMidjourneyExtras } from './job-state.ts';
import { isCaptchaModal, readMessage, type MjCommand, type Reading } from './replies.ts';
import { midjourneyRoutes } from './http.ts';
import { midjourneyOpenApi } from './openapi.ts';

/** The Midjourney bot's application id = its bot user id (C.1). */
export const MIDJOURNEY_APPLICATION_ID = '936929561302675456';

/** The Midjourney command a step runs. */
export function stepCommand(step: CommandStep): MjCommand {
  if (step.kind === 'button') return 'button';
  const name = step.command as MjCommand;
  return ['imagine', 'blend', 'describe', 'info', 'fast', 'relax', 'turbo'].includes(name) ? name : 'imagine';
}

/** A reading as the generic job runner's verdict. */
export function verdictOf(reading: Reading): Verdict {
  switch (reading.kind) {
    case 'ignore':
      return { kind: 'ignore' };
    case 'unknown':
      // Kept with the job and shown to the operator (issue 12: nothing the bot says is lost).
      return { kind: 'unclassified', text: reading.text };
    case 'progress':
      return reading.percent !== undefined ? { kind: 'progress', percent: reading.percent } : { kind: 'progress' };
    case 'queued':
      return { kind: 'progress' };
    case 'result':
      return { kind: 'done' };
    case 'failed':
      return { kind: 'failed', error: reading.error, code: reading.code };
    case 'moderated':
      return { kind: 'moderated', error: reading.error };
    case 'account': {
      // The account waits for a human (useapi: pendingModMessage, 596) until POST …/reset.
      const hold = { detail: reading.error };
      return reading.jobStatus === 'moderated' ? { kind: 'moderated', error: reading.error, hold } : { kind: 'failed', error: reading.error, code: reading.code, hold };
    }
  }
}

/**
 * Fast hours as the account's credits, from the `/info` card (C.5, C.10): `total` hours and
 * `used` = total − remaining, at the card's time. Relax mode still works without them, so they
 * never make the account ineligible.
 */
export function fastHours(message: DiscordMessage): Credits | undefined {
  const embed = (message.embeds ?? []).find((e) => typeof e.description === 'string');
  const card = readMessage(message, 'info');
  if (card.kind !== 'result' || !card.info?.fastTimeRemaining || (!embed && !message.content)) return undefined;
  const { remaining, total } = card.info.fastTimeRemaining;
  return { timestamp: message.timestamp ?? new Date().toISOString(), total, used: Math.max(0, Math.round((total - remaining) * 100) / 100) };
}

/**
 * The account's state as Midjourney states it (C.5, C.10): the speed mode a `/fast`, `/relax` or
 * `/turbo` reply confirms or the `/info` card shows, and the card's fast time remaining as printed.
 * Job results are not read for it: a job sent before a mode switch may finish after it.
 */
export function accountStatus(message: DiscordMessage, step: CommandStep): ReportedStatus | undefined {
  const command = stepCommand(step);
  if (step.kind !== 'slash' || !['info', 'fast', 'relax', 'turbo'].includes(command)) return undefined;
  const reading = readMessage(message, command);
  if (reading.kind !== 'result') return undefined;
  const mode = reading.mode ?? reading.info?.mode;
  // As printed, under whichever of the operator's fast-time keys the card uses.
  const fast = midjourneyRuleBook.current.table.infoFastTimeKeys.map((key) => reading.info?.fields[key]).find(Boolean);
  const status = { ...(mode ? { mode } : {}), ...(fast ? { fastTimeRemaining: fast } : {}) };
  return Object.keys(status).length > 0 ? status : undefined;
}

/**
 * A modal instead of an answer (C.8, C.10). A human check (CAPTCHA) ends the job and holds the
 * account. The remix, pan, reroll, Custom Zoom and describe → imagine forms are submitted: the
 * prompt field gets the caller's `prompt` when there is one, otherwise keeps the prompt Midjourney
 * prefilled. A form with no prompt field is not guessed at: the job fails saying so.
 */
export function modalAnswer(modal: Record<string, unknown>, step: CommandStep): Verdict | ModalAnswer {
  if (isCaptchaModal(modal)) {
    const error = 'Action required to continue: Midjourney asks for a human check (CAPTCHA) on this account';
    return { kind: 'failed', error, code: 596, hold: { detail: error } };
  }
  const field = modalPromptField(modal);
  if (!field) return { kind: 'failed', error: `Midjourney opened a form switchboard cannot fill in (${String(modal.title ?? modal.custom_id ?? 'untitled')})` };
  const text = step.kind === 'button' ? step.text : undefined;
  return { kind: 'submit', values: text ? { [field]: text } : {} };
}

/** The text input of a modal that holds the prompt (C.8), found by its custom_id (Label-wrapped inputs too). */
export function modalPromptField(modal: Record<string, unknown>): string | undefined {
  const inputs: string[] = [];
  const walk = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const c of list as Record<string, unknown>[]) {
      if (c?.type === 4 && typeof c.custom_id === 'string') inputs.push(c.custom_id);
      walk(c?.components);
      if (c?.component) walk([c.component]);
    }
  };
  walk(modal.components);
  return inputs.find((id) => midjourneyRuleBook.current.modalPromptFields.some((p) => p.test(id))) ?? (inputs.length === 1 ? inputs[0] : undefined);
}

export const midjourney: Provider = {
  title: 'Midjourney',
  name: 'midjourney',
  account: midjourneyAccount,
  commands: midjourneyCommands,
  location: 'dm',
  applicationId: MIDJOURNEY_APPLICATION_ID,
  capacity: (account) => account.maxJobs ?? DEFAULT_MAX_JOBS,
  parseMaxJobs,
  // The runner hands "label custom_id"; the custom id decides (structure first), the label is the fallback.
  buttonName: (text) => {
    const space = text.lastIndexOf(' ');
    const customId = space < 0 ? text : text.slice(space + 1);
    const label = space < 0 ? '' : text.slice(0, space);
    return buttonKind({ type: 2, custom_id: customId, label })?.name;
  },
  interpret: (message: DiscordMessage, step: CommandStep) => verdictOf(readMessage(message, stepCommand(step))),
  modal: modalAnswer,
  credits: (_previous, message) => fastHours(message),
  accountStatus: (message, _verdict, step) => accountStatus(message, step),
  // Its rule data has its own shape (notices by embed title …), checked and merged by its own book.
  operatorRules: midjourneyRuleBook,
  renderExtras: (job) => renderMidjourneyExtras(job),
  routes: {
    register: (app, services) => midjourneyRoutes(app, { ...services, provider: midjourney }),
    openapi: midjourneyOpenApi,
    accountPath: '/v2/account/midjourney',
  },
  demo: midjourneyDemo,
};
