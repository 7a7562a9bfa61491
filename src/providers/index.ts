/** The bots switchboard drives. Adding a bot means adding a folder here and a line below. */
import { faceswap } from './faceswap/index.ts';
import { pika } from './pika/index.ts';
import type { Provider } from './types.ts';

export type * from './types.ts';
export { checkFields, type CheckedFile } from './shared/command-fields.ts';

export const providers: readonly Provider[] = [faceswap, pika];
