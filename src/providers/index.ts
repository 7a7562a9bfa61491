/** The bots switchboard drives. Adding a bot means adding a folder here and a line below. */
import { faceswap } from './faceswap/index.ts';
import { pika } from './pika/index.ts';
import { midjourney } from './midjourney/index.ts';
import { ProviderRegistry } from './registry.ts';
import type { Provider } from './types.ts';

export type * from './types.ts';
export { checkFields, type CheckedFile } from './shared/command-fields.ts';
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
