/**
 * The provider contract: every registered provider — the built-in ones and a provider defined
 * in the tests, registered through the registry — plans only commands and options its bot
 * knows, has capacity, declares its account shapes, and reads its bot's replies as expected.
 */
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi/document.ts';
import { registry, type CommandInput, type InputFile, type Provider, type ProviderCommand } from '../../src/providers/index.ts';
import { makePng } from '../../src/simulator/media/png.ts';
import type { AccountRecord, JobRecord } from '../../src/store/index.ts';
import { echo, fixture as echoFixture } from './providers/echo.ts';
import type { ProviderFixture } from './providers/fixture.ts';

// A new provider: its folder (here: a test file) + one registry line.
const providers = registry.with(echo);

const fixtures: Record<string, ProviderFixture> = {
  ...Object.fromEntries(await Promise.all(registry.all.map(async (p) => [p.name, ((await import(`./providers/${p.name}.ts`)) as { fixture: ProviderFixture }).fixture] as const))),
  echo: echoFixture,
};

const png: InputFile = { filename: 'a.png', contentType: 'image/png', data: makePng(8, 8, 1) };

/** A call that fills every field of the command (formatted ones from the fixture). */
function fullInput(command: ProviderCommand, fixture: ProviderFixture): CommandInput {
  const fields: Record<string, string> = {};
  const files: Record<string, InputFile> = {};
  for (const field of command.fields) {
    if (field.kind === 'file') files[field.name] = png;
    else if (field.name !== 'replyUrl') fields[field.name] = fixture.values?.[field.name] ?? 'word';
  }
  return { fields, files };
}

/** The smallest call: required fields only. */
function minimalInput(command: ProviderCommand, fixture: ProviderFixture): CommandInput {
  const full = fullInput(command, fixture);
  const required = new Set(command.fields.filter((f) => f.required).map((f) => f.name));
  return { fields: Object.fromEntries(Object.entries(full.fields).filter(([k]) => required.has(k))), files: Object.fromEntries(Object.entries(full.files).filter(([k]) => required.has(k))) };
}

const account = (provider: Provider, maxJobs: number | null): AccountRecord => ({
  id: 'acc', tenantId: 't', bot: provider.name, channel: '1300000000000000002', server: provider.location === 'guild' ? '1300000000000000001' : null, discordToken: 'x', discordFingerprint: 'f',
  maxJobs, listed: true, credits: null, health: { state: 'active', reason: null, detail: null, failures: 0, since: 1, until: null, nextProbeAt: null }, commandCheck: null, quarantineUntil: null, botMessages: [], createdAt: 1, updatedAt: 1,
});

describe.each(providers.all.map((p) => [p.name, p] as const))('the %s provider', (name, provider) => {
  const fixture = fixtures[name];

  it('has reply fixtures and a command index in test/contract/providers/', () => {
    expect(fixture, `add test/contract/providers/${name}.ts`).toBeDefined();
  });

  it('is found by name through the registry', () => {
    expect(providers.get(name)).toBe(provider);
    for (const command of provider.commands) expect(providers.command(name, `${name}-${command.name}`)?.command).toBe(command);
  });

  it.each(provider.commands.map((c) => [c.name, c] as const))('plans only commands and options its bot knows: %s', (_n, command) => {
    const parent = command.selection === 'parent' ? ({ ...fixture!.parent } as JobRecord) : undefined;
    for (const input of [fullInput(command, fixture!), minimalInput(command, fixture!)]) {
      const built = command.build(input, parent);
      expect(built.ok, JSON.stringify(built)).toBe(true);
      if (!built.ok) continue;
      expect(built.value.steps.length).toBeGreaterThan(0);
      for (const step of built.value.steps) {
        if (step.kind === 'button') {
          expect(step.messageId).toBeTruthy();
          continue;
        }
        const known = fixture!.botCommands[step.command];
        expect(known, `the bot has no /${step.command}`).toBeDefined();
        if (step.kind === 'slash') {
          for (const option of [...Object.keys(step.options), ...Object.keys(step.files)]) expect(known, `/${step.command} has no option ${option}`).toContain(option);
          // Files come from the call's own file fields.
          const fileFields = command.fields.filter((f) => f.kind === 'file').map((f) => f.name);
          for (const field of Object.values(step.files)) expect(fileFields).toContain(field);
        }
      }
    }
  });

  it('runs at least one job per account', () => {
    expect(provider.capacity(account(provider, null))).toBeGreaterThanOrEqual(1);
    expect(provider.capacity(account(provider, 1))).toBeGreaterThanOrEqual(1);
  });

  it('declares its account shapes, which the API document shows', () => {
    expect(provider.account.schema.request).toMatchObject({ type: 'object' });
    expect(provider.account.schema.response).toMatchObject({ type: 'object' });
    const document = openApiDocument(providers.all, 'test') as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    // The document shows the provider's shape, plus the optional `proxy` every account may have (issue 13).
    const declared = provider.account.schema.response as { properties?: Record<string, unknown> };
    const component = Object.entries(document.components.schemas).find(
      ([key, schema]) => /Account$/.test(key) && JSON.stringify({ ...(schema as typeof declared), properties: { ...(schema as typeof declared).properties, proxy: undefined } }) === JSON.stringify({ ...declared, properties: { ...declared.properties, proxy: undefined } }),
    );
    expect(component?.[0]).toMatch(/Account$/);
    // A provider with its own routes (Midjourney's /v2) documents them itself.
    const own = provider.routes?.openapi();
    if (own) for (const path of Object.keys(own)) expect(document.paths[path]).toEqual(own[path]);
    else {
      expect(document.paths[`/v1/${name}/account/{channel}`]).toBeDefined();
      for (const command of provider.commands) expect(document.paths[`/v1/${name}/${command.name}`]).toBeDefined();
    }
  });

  it.each((fixture?.replies ?? []).map((r) => [r.name, r] as const))('reads its bot: %s', (_n, reply) => {
    expect(provider.interpret(reply.message, reply.step).kind).toBe(reply.verdict);
  });
});

describe('the provider registry', () => {
  it('refuses two providers of one name, and names it cannot route', () => {
    expect(() => registry.with(echo, echo)).toThrow(/two providers are named echo/);
    expect(() => registry.with({ ...echo, name: 'Echo Bot' })).toThrow(/must be lowercase/);
    expect(registry.get('echo')).toBeUndefined();
    expect(() => registry.require('nope')).toThrow(/unknown provider nope/);
  });
});
