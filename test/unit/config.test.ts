import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

describe('config', () => {
  it('uses the documented defaults when the environment is empty', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.discordApiUrl).toBe('https://discord.com/api/v9');
    expect(config.allowPrivateCallbacks).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the bot rules file, the credit reset rule and the quarantine, refusing bad values by name', () => {
    const config = loadConfig({ SWITCHBOARD_BOT_RULES: 'rules.json', SWITCHBOARD_CREDITS_RESET: 'daily@07:30', SWITCHBOARD_QUARANTINE: '90s' });
    expect(config.botRulesFile).toMatch(/\/rules\.json$/);
    expect(config.creditsReset).toBe('daily@07:30');
    expect(config.quarantineMs).toBe(90_000);
    expect(loadConfig({})).toMatchObject({ botRulesFile: undefined, creditsReset: 'after:24h', quarantineMs: 600_000 });
    expect(() => loadConfig({ SWITCHBOARD_CREDITS_RESET: 'midnight' })).toThrow(/SWITCHBOARD_CREDITS_RESET must be/);
    expect(() => loadConfig({ SWITCHBOARD_QUARANTINE: 'soon' })).toThrow(/SWITCHBOARD_QUARANTINE must be a duration/);
  });

  it('rejects a port that is not a number with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be an integer from 0 to 65535, got '70000'/);
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('reads the private-callback flag strictly', () => {
    expect(loadConfig({ SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: '1' }).allowPrivateCallbacks).toBe(true);
    expect(() => loadConfig({ SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS: 'maybe' })).toThrow(/1 or 0/);
  });

  it('retains results by default only with the embedded store, and keeps jobs at least 31 days', () => {
    expect(loadConfig({}).retainResults).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).retainResults).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', SWITCHBOARD_RETAIN_RESULTS: '1' }).retainResults).toBe(true);
    expect(loadConfig({ SWITCHBOARD_JOB_RETENTION_DAYS: '5' }).jobRetentionDays).toBe(31);
    expect(() => loadConfig({ SWITCHBOARD_QUEUE_LIMIT: '-1' })).toThrow(/SWITCHBOARD_QUEUE_LIMIT must be a whole number/);
    expect(() => loadConfig({ SWITCHBOARD_INSTANCE_ID: 'has spaces' })).toThrow(/SWITCHBOARD_INSTANCE_ID/);
  });

  it('reads the client profile, per-channel profiles, build-number discovery and the default proxy, refusing bad values without echoing secrets', () => {
    const config = loadConfig({
      SWITCHBOARD_CLIENT_PROFILE: '{"locale":"en-GB","timezone":"Europe/London"}',
      SWITCHBOARD_CLIENT_PROFILES: '{"1234567890123456789":{"browserVersion":"142.0.0.0","os":"Linux","osVersion":""}}',
      SWITCHBOARD_DISCOVER_BUILD_NUMBER: '0',
      SWITCHBOARD_PROXY: 'socks5://user:pw@10.0.0.1:1080',
    });
    expect(config.clientProfile).toEqual({ locale: 'en-GB', timezone: 'Europe/London' });
    expect(config.clientProfiles['1234567890123456789']).toEqual({ browserVersion: '142.0.0.0', os: 'Linux', osVersion: '' });
    expect(config.discoverBuildNumber).toBe(false);
    expect(config.proxy).toBe('socks5://user:pw@10.0.0.1:1080');
    expect(loadConfig({}).discoverBuildNumber).toBe(true);
    expect(() => loadConfig({ SWITCHBOARD_CLIENT_PROFILE: '{"timezone":"Nowhere/City"}' })).toThrow(/SWITCHBOARD_CLIENT_PROFILE.timezone must be an IANA time zone/);
    expect(() => loadConfig({ SWITCHBOARD_CLIENT_PROFILE: 'locale=en' })).toThrow(/SWITCHBOARD_CLIENT_PROFILE must be JSON/);
    expect(() => loadConfig({ SWITCHBOARD_CLIENT_PROFILES: '{"general":{}}' })).toThrow(/keys must be channel ids/);
    expect(() => loadConfig({ SWITCHBOARD_PROXY: 'ftp://user:hunter2@host:21' })).toThrow(/SWITCHBOARD_PROXY: proxy scheme must be one of http, https, socks5, socks5h/);
    try {
      loadConfig({ SWITCHBOARD_PROXY: 'ftp://user:hunter2@host:21' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});
