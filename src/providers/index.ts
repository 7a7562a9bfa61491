/** The bots switchboard drives. Adding a bot means adding a folder here and a line below. */
import { faceswapAccount } from './faceswap/account.ts';
import { pikaAccount } from './pika/account.ts';
import type { Provider } from './types.ts';

export type { AccountFields, Parsed, Provider, ProviderAccountSpec } from './types.ts';

export const providers: readonly Provider[] = [
  { name: 'faceswap', account: faceswapAccount },
  { name: 'pika', account: pikaAccount },
];
