/**
 * The provider registry: the one place that turns a bot's name (a route segment, a job's `bot`,
 * an account's `bot`) into its {@link Provider}. Everything else asks it instead of searching
 * lists. Adding a bot = its folder + one line in `index.ts`.
 */
import type { Provider, ProviderCommand } from './types.ts';

const NAME = /^[a-z][a-z0-9_]*$/;

export class ProviderRegistry {
  readonly all: readonly Provider[];
  readonly #byName: ReadonlyMap<string, Provider>;

  constructor(providers: readonly Provider[]) {
    const byName = new Map<string, Provider>();
    for (const provider of providers) {
      if (!NAME.test(provider.name)) throw new Error(`provider name ${JSON.stringify(provider.name)} must be lowercase letters, digits and _`);
      if (byName.has(provider.name)) throw new Error(`two providers are named ${provider.name}`);
      const commands = new Set<string>();
      for (const command of provider.commands) {
        if (commands.has(command.name)) throw new Error(`provider ${provider.name} has two commands named ${command.name}`);
        commands.add(command.name);
      }
      byName.set(provider.name, provider);
    }
    this.all = Object.freeze([...providers]);
    this.#byName = byName;
  }

  /** The provider called `name`, if there is one. */
  get(name: string): Provider | undefined {
    return this.#byName.get(name);
  }

  /** The provider called `name`; throws when there is none (a programming or data error). */
  require(name: string): Provider {
    const provider = this.#byName.get(name);
    if (!provider) throw new Error(`unknown provider ${name}`);
    return provider;
  }

  /** The provider and command of a job's `verb` (`<bot>-<command>`). */
  command(bot: string, verb: string): { provider: Provider; command: ProviderCommand } | undefined {
    const provider = this.#byName.get(bot);
    const command = provider?.commands.find((c) => `${provider.name}-${c.name}` === verb);
    return provider && command ? { provider, command } : undefined;
  }

  /** A registry with more providers (tests register their own this way). */
  with(...providers: Provider[]): ProviderRegistry {
    return new ProviderRegistry([...this.all, ...providers]);
  }
}
