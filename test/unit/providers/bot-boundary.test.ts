/**
 * The bot boundary (issue 17): a new bot needs only its folder (`src/providers/<bot>/`, plus its
 * simulated bot under `src/simulator/`) and one registry line. So no code elsewhere in `src/` may
 * name a bot — identifiers, strings and templates are checked; comments, which may give a bot
 * as an example, are not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { registry } from '../../../src/providers/index.ts';

const SRC = path.resolve(import.meta.dirname, '../../../src');
const bots = registry.all.map((p) => p.name);

/** Where a bot may be named: paths relative to `src/`, a folder ending in `/`. */
const OWNERS = [
  ...bots.map((bot) => `providers/${bot}/`),
  'simulator/',
  // The registry: its one line per bot.
  'providers/index.ts',
];

/**
 * Mentions that cannot go, each with its reason. `file` relative to `src/`, `text` the token
 * (identifier or literal, as written) that names the bot.
 */
const ALLOWED: { file: string; text: string; why: string }[] = [
  // Migrations are append-only and keyed by name in every existing database's migration table:
  // renaming 009 would apply it a second time.
  { file: 'store/migrations/index.ts', text: "'./009-midjourney.ts'", why: 'the file of an applied migration keeps its name' },
  { file: 'store/migrations/index.ts', text: "'009-midjourney'", why: 'the name existing databases recorded for migration 009' },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** The file's tokens as written, without comments (JSDoc included). */
function codeTokens(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const tokens: string[] = [];
  const visit = (node: ts.Node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(source);
    if (children.length === 0) tokens.push(node.getText(source));
    else children.forEach(visit);
  };
  visit(source);
  return tokens;
}

/** `file: token` for each token outside the owners that names a bot (any case: `FaceSwap`, `PIKA_…`). */
function mentions(): string[] {
  const pattern = new RegExp(bots.join('|'), 'i');
  const found: string[] = [];
  for (const full of sourceFiles(SRC)) {
    const file = path.relative(SRC, full).split(path.sep).join('/');
    if (OWNERS.some((owner) => (owner.endsWith('/') ? file.startsWith(owner) : file === owner))) continue;
    if (!pattern.test(fs.readFileSync(full, 'utf8'))) continue; // nothing to find: skip the parse
    for (const text of codeTokens(full)) {
      if (pattern.test(text) && !ALLOWED.some((a) => a.file === file && a.text === text)) found.push(`${file}: ${text}`);
    }
  }
  return found;
}

describe('the bot boundary', () => {
  it('names no bot in code outside its provider folder, the simulator and the registry', () => {
    expect(bots.length).toBeGreaterThan(0);
    expect(mentions()).toEqual([]);
  });

  it('still sees a mention in code but not in a comment (the scan itself works)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-boundary-'));
    try {
      const file = path.join(dir, 'sample.ts');
      fs.writeFileSync(file, `// ${bots[0]} in a comment\n/** ${bots[0]} in JSDoc */\nconst a = 'http://x'; // and ${bots[0]} after code\nconst b = \`\${a} ${bots[0]}\`;\n`);
      const tokens = codeTokens(file);
      // Only the template's tail names the bot; a URL's `//` is not taken for a comment.
      expect(tokens.filter((t) => t.toLowerCase().includes(bots[0]!))).toEqual([`} ${bots[0]}\``]);
      expect(tokens).toContain("'http://x'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps its allow-list honest: every allowed mention is still there', () => {
    for (const allowed of ALLOWED) expect(codeTokens(path.join(SRC, allowed.file)), allowed.why).toContain(allowed.text);
  });
});

describe('provider demos', () => {
  for (const provider of registry.all.filter((p) => p.demo)) {
    it(`${provider.name}: the demo account body is one its own account route accepts`, () => {
      const simulated = { user: { token: 'token' }, channelId: '1234567890123456789', ...(provider.location === 'guild' ? { guildId: '2234567890123456789' } : {}) };
      const { channel, body } = provider.demo!.account(simulated);
      expect(channel).toBe(simulated.channelId);
      const parsed = provider.account.parse(body, channel);
      expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true });
    });
  }
});
