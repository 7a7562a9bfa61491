/**
 * `switchboard doctor [--channel ID]`: checks every configured account (or one) against Discord
 * as it is now — the token, the channel, whether the bot is there, and whether its commands still
 * look the way switchboard sends them — and says in plain words what is wrong and how to fix it.
 * The command comparison is also stored on the account (its `commandCheck`).
 */
import { checkProviderCommands, toCommandCheck } from '../../accounts/index.ts';
import { loadConfig } from '../../config/index.ts';
import { verifyAccount } from '../../discord/index.ts';
import { configureProviders, providers } from '../../providers/index.ts';
import { openSecretBox } from '../../secrets/index.ts';
import { openStore, type AccountRecord } from '../../store/index.ts';
import { CliError, parseCommandArgs, type Command } from '../command.ts';
import { createStyle } from '../style.ts';

const HELP = `Usage: switchboard doctor [--channel ID] [--json]

Checks each configured Discord account against Discord (DISCORD_API_URL): that Discord accepts the
token, that the account sees the channel, that the bot is in the server (or DM), and that the bot's
commands have the names, options and option types switchboard sends (with the optionAliases of
SWITCHBOARD_BOT_RULES). Prints what is wrong and how to fix it. Exit code 0 when everything is fine,
1 when something needs fixing.

Options:
  --channel ID  only the account of this channel
  --json        one JSON document instead of text
  --data-dir D  the embedded store in folder D (default SWITCHBOARD_DATA_DIR or ./data)
  -h, --help    show this help`;

interface Finding {
  check: 'token' | 'channel' | 'bot' | 'commands';
  ok: boolean;
  message: string;
}

export const doctor: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, {
    options: { channel: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const config = loadConfig(process.env, values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {});
  configureProviders(config);
  const store = await openStore(config);
  try {
    const secrets = await openSecretBox(config, store);
    const tenants = await store.tenants.list();
    const accounts: { tenant: string; account: AccountRecord }[] = [];
    for (const tenant of tenants) {
      for (const provider of providers) {
        for (const account of await store.accounts.list(tenant.id, provider.name)) {
          if (values.channel === undefined || account.channel === values.channel) accounts.push({ tenant: tenant.name, account });
        }
      }
    }
    if (accounts.length === 0) {
      if (values.channel !== undefined) throw new CliError(`no account is configured for channel ${values.channel}`);
      io.out('no accounts configured: add one with POST /v1/<bot>/account/<channel>');
      return 0;
    }
    const reports = [];
    for (const { tenant, account } of accounts) {
      const provider = providers.find((p) => p.name === account.bot)!;
      const token = secrets.decrypt(account.discordToken);
      const findings: Finding[] = [];
      const guildId = provider.location === 'guild' && account.server ? account.server : undefined;
      const verified = await verifyAccount({ token, channelId: account.channel, ...(guildId ? { guildId } : {}), apiUrl: config.discordApiUrl });
      if (!verified.ok && verified.reason === 'token_rejected') {
        findings.push({ check: 'token', ok: false, message: `Discord rejects the token (${verified.message}). Log in to Discord with this account, copy a fresh token and save the account again with POST /v1/${provider.name}/account/${account.channel}.` });
      } else if (!verified.ok && (verified.reason === 'network_failure' || verified.reason === 'rate_limited')) {
        findings.push({ check: 'token', ok: false, message: `Discord could not be asked (${verified.message}). Check the network and DISCORD_API_URL (${config.discordApiUrl}), then run doctor again.` });
      } else if (!verified.ok && verified.reason === 'needs_human') {
        findings.push({ check: 'token', ok: false, message: `Discord wants a person to act on this account (${verified.message}). Log in with it in a browser and complete what Discord asks.` });
      } else {
        findings.push({ check: 'token', ok: true, message: verified.ok ? `Discord accepts the token (user ${verified.user.username}).` : 'Discord accepts the token.' });
        if (!verified.ok) {
          const where = guildId ? ` in server ${guildId}` : '';
          findings.push({ check: 'channel', ok: false, message: `The account cannot use channel ${account.channel}${where} (${verified.message}). Check the channel id, that the account is a member of the server, and that it may post there.` });
        } else {
          findings.push({ check: 'channel', ok: true, message: `The account sees channel ${account.channel}${guildId ? ` in server ${guildId}` : ''}.` });
          const outcome = await checkProviderCommands(provider, { token, channelId: account.channel, ...(guildId ? { guildId } : {}), apiUrl: config.discordApiUrl });
          if (!outcome.ok) findings.push({ check: 'bot', ok: false, message: `${outcome.message}. Run doctor again later.` });
          else {
            const check = toCommandCheck(outcome.comparison, provider, account.channel, account.server, Date.now());
            await store.accounts.setCommandCheck(account.id, check, Date.now());
            if (!outcome.comparison.botPresent) findings.push({ check: 'bot', ok: false, message: check.problems[0]! });
            else {
              findings.push({ check: 'bot', ok: true, message: `${(provider.title ?? provider.name)} is there (application ${outcome.comparison.applicationId}).` });
              if (check.ok) findings.push({ check: 'commands', ok: true, message: `Its commands match what switchboard sends (${(provider.discordCommands ?? []).length} checked).` });
              for (const problem of check.problems) findings.push({ check: 'commands', ok: false, message: problem });
            }
          }
        }
      }
      reports.push({ tenant, bot: provider.name, channel: account.channel, server: account.server, ok: findings.every((f) => f.ok), findings });
    }
    if (values.json) io.out(JSON.stringify(reports, null, 2));
    else {
      const style = createStyle(io.color === true);
      for (const report of reports) {
        io.out(`${report.bot} channel ${report.channel}${report.server ? ` (server ${report.server})` : ''}, tenant ${report.tenant}: ${report.ok ? style.green('ok') : style.red('needs fixing')}`);
        for (const f of report.findings) io.out(`  ${f.ok ? style.green('✓') : style.red('✗')} ${f.check}: ${f.message}`);
      }
    }
    return reports.every((r) => r.ok) ? 0 : 1;
  } finally {
    await store.close();
  }
};
