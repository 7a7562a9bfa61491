/**
 * The composition root: from a config to the running services (store, secrets, account
 * service, providers). `switchboard serve`, the CLI's other commands and the tests all start here.
 */
import { AccountService } from '../accounts/index.ts';
import type { Config } from '../config/index.ts';
import { providers, type Provider } from '../providers/index.ts';
import { openSecretBox, type SecretBox } from '../secrets/index.ts';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.ts';

export interface Services {
  config: Config;
  store: Store;
  secrets: SecretBox;
  accounts: AccountService;
  providers: readonly Provider[];
  close(): Promise<void>;
}

export async function openServices(config: Config, storeOptions: OpenStoreOptions = {}): Promise<Services> {
  const store = await openStore(config, storeOptions);
  try {
    const secrets = await openSecretBox(config, store.meta);
    return {
      config,
      store,
      secrets,
      accounts: new AccountService(store, secrets),
      providers,
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
