/** The bots switchboard drives. Adding a bot means adding a folder here and a line below. */
import { faceswap } from './faceswap/index.ts';
import { pika } from './pika/index.ts';
import { midjourney } from './midjourney/index.ts';
import { ProviderRegistry } from './registry.ts';
import type { Provider } from './types.ts';
import { ConfigError, type Config } from '../config/index.ts';
import { parseCreditReset, setCreditReset } from './faceswap/credits.ts';
import { installRules, installRulesFile } from './rules-file.ts';

export type * from './types.ts';
export { checkFields, type CheckedFile } from './shared/command-fields.ts';
export { classify, RuleBook, RuleError, type CompiledRules, type ReplyRuleTable } from './shared/reply-rules.ts';
export { aliasOptions, readMessage } from './shared/reply-rules.ts';
export { stripMentions, embedText } from './shared/reply-view.ts';
export { DemoFailed, type DemoClient, type DemoContext, type DemoJob, type ProviderDemo, type SimulatedAccount } from './shared/demo.ts';
export { ProviderRegistry } from './registry.ts';

/** The registry of built-in providers: one line per bot. */
export const registry = new ProviderRegistry([
  faceswap,
  pika,
  midjourney,
]);

export const providers: readonly Provider[] = registry.all;

/** The built-in provider called `name`, if any. */
export function getProvider(name: string): Provider | undefined {
  return registry.get(name);
}

/**
 * Applies the operator's configuration to the providers: the bot rules file (or, when none is
 * given, `fallbackRules` — the simulator's own wording in `serve --simulate`) and the credit reset
 * rule. Throws ConfigError naming a bad entry.
 */
export function configureProviders(config: Pick<Config, 'botRulesFile' | 'creditsReset'>, fallbackRules?: unknown): void {
  const books = providers.flatMap((p) => p.operatorRules ?? p.rules ?? []);
  if (config.botRulesFile) installRulesFile(config.botRulesFile, books);
  else if (fallbackRules !== undefined) {
    for (const book of books) book.reset();
    installRules(fallbackRules, books, 'simulator rules');
  } else for (const book of books) book.reset();
  const reset = parseCreditReset(config.creditsReset);
  if ('error' in reset) throw new ConfigError(`SWITCHBOARD_CREDITS_RESET: ${reset.error}`);
  setCreditReset(reset);
}
