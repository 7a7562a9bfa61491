/** `switchboard secret rotate`: re-encrypt every secret at rest under a new key. */
import { loadConfig } from '../../config/index.ts';
import { rotateSecret, SecretKeyError } from '../../secrets/index.ts';
import { openStore } from '../../store/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';

const HELP = `Usage: switchboard secret rotate [--force]

Re-encrypts every Discord token, account proxy URL and webhook signing secret in the store under
a new key, in one
transaction, and re-computes the tokens' fingerprints.

  With SWITCHBOARD_SECRET set, the new secret comes from SWITCHBOARD_NEW_SECRET; afterwards start
  switchboard with SWITCHBOARD_SECRET set to that value. A 32-byte random key (64 hex digits or
  base64 of 32 bytes, e.g. \`openssl rand -base64 32\`) is used as is; anything else is a
  passphrase, stretched with scrypt under a fresh random salt.
  Without SWITCHBOARD_SECRET (the key file in the data dir), a new random key replaces the file.

Stop every switchboard instance on this store first: a running one still holds the old key.
  --force   rotate even though an instance reported itself alive within the last minute`;

export const secret: Command = async (argv, io) => {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    io.out(HELP);
    return action === undefined ? 2 : 0;
  }
  if (action !== 'rotate') throw new CliError(`unknown action '${action}'\n\n${HELP}`, 2);
  const { values } = parseCommandArgs(rest, { options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const live = await store.leases.countLive(Date.now() - 60_000);
    if (live > 0 && !values.force) throw new CliError(`${live} switchboard instance(s) on this store are running; stop them first (or pass --force)`);
    const result = await rotateSecret({ secret: config.secret, dataDir: config.dataDir, newSecret: config.newSecret }, store).catch((error: unknown) => {
      if (error instanceof SecretKeyError) throw new CliError(error.message);
      throw error;
    });
    const how = result.kdf === 'scrypt' ? 'a passphrase stretched with scrypt' : 'a 32-byte key';
    if (result.keyFile) io.out(`Rotated: every secret is now encrypted under a new random key in ${result.keyFile}.`);
    else io.out(`Rotated: every secret is now encrypted under SWITCHBOARD_NEW_SECRET (${how}). Start switchboard with SWITCHBOARD_SECRET set to it.`);
    return 0;
  } finally {
    await store.close();
  }
};
