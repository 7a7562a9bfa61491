/**
 * The container and service files hold their essentials. Images cannot be built on the test
 * machine (no Docker daemon), so the files are read and checked for what an operator relies on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Dockerfile instructions per stage, line continuations joined, comments dropped. */
function stages(dockerfile: string): { from: string; lines: string[] }[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = Object.fromEntries(lines.filter((l) => /^ARG \w+=/.test(l)).map((l) => l.slice(4).split('=') as [string, string]));
  const result: { from: string; lines: string[] }[] = [];
  for (const line of lines) {
    if (/^FROM /i.test(line)) result.push({ from: line.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? ''), lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

describe('the Dockerfile', () => {
  const all = stages(read('Dockerfile'));
  const final = all.at(-1)!;
  const has = (prefix: string) => final.lines.filter((l) => l.toUpperCase().startsWith(prefix));

  it('builds in stages on an even-numbered (LTS) Node release', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) {
      const major = Number(/^FROM node:(\d+)[-\w.]*(\s|$)/.exec(stage.from)?.[1]);
      expect(major, stage.from).toBeGreaterThanOrEqual(24);
      expect(major % 2, `${stage.from}: LTS lines are even`).toBe(0);
    }
  });

  it('installs production dependencies only, from the lock file, and copies them into the final image', () => {
    const installs = all.flatMap((s) => s.lines).filter((l) => /npm (ci|install)/.test(l));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) expect(line).toMatch(/npm ci --omit=dev/);
    expect(final.lines.some((l) => /npm (ci|install)/.test(l))).toBe(false);
    expect(has('COPY').some((l) => /--from=\w+ \/app\/node_modules/.test(l))).toBe(true);
    // tsx runs the sources, so it must be a runtime dependency to survive --omit=dev.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeDefined();
    for (const copied of has('COPY').filter((l) => !l.includes('--from')).flatMap((l) => l.split(/\s+/).slice(1, -1))) {
      expect(fs.existsSync(path.join(ROOT, copied)), `COPY source ${copied}`).toBe(true);
    }
  });

  it('runs as a non-root user with HOST=0.0.0.0, a /data volume, a /readyz health check and the serve command', () => {
    const user = has('USER').at(-1);
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(has('ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0/);
    expect(has('ENV').join(' ')).toMatch(/SWITCHBOARD_DATA_DIR=\/data/);
    expect(has('VOLUME').join(' ')).toMatch(/\/data/);
    expect(has('HEALTHCHECK').join(' ')).toMatch(/\/readyz/);
    expect(has('CMD').at(-1)).toMatch(/bin\/switchboard\.mjs", "serve"/);
    // The user is set after the last step that needs root.
    expect(final.lines.findIndex((l) => l.startsWith('USER'))).toBeGreaterThan(final.lines.findLastIndex((l) => l.startsWith('RUN')));
  });

  it('has a .dockerignore that keeps local state, secrets and node_modules out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'data', 'data-simulate', '.git', 'secret.key', '.env']) expect(ignored, entry).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, any> };

  it('runs PostgreSQL and two switchboard replicas sharing DATABASE_URL and SWITCHBOARD_SECRET', () => {
    const services = Object.values(compose.services);
    const postgres = Object.entries(compose.services).find(([, s]) => /^postgres:/.test(s.image ?? ''));
    expect(postgres).toBeDefined();
    const switchboard = compose.services.switchboard;
    expect(switchboard.build).toBeDefined();
    expect(switchboard.deploy.replicas).toBe(2);
    expect(switchboard.environment.DATABASE_URL).toMatch(new RegExp(`^postgres://.+@${postgres![0]}:5432/`));
    expect(switchboard.environment.SWITCHBOARD_SECRET).toBeDefined();
    expect(switchboard.environment.HOST).toBe('0.0.0.0');
    expect(switchboard.depends_on[postgres![0]]).toEqual({ condition: 'service_healthy' });
    expect(services.filter((s) => s.ports).length).toBe(1); // only the load balancer is published
  });

  it('puts a plain load balancer in front, configured from a file that proxies to the replicas with long timeouts', () => {
    const [name, lb] = Object.entries(compose.services).find(([, s]) => /^(nginx|caddy)/.test(s.image ?? ''))!;
    expect(lb.ports).toBeDefined();
    expect(lb.depends_on).toContain('switchboard');
    const mount = (lb.volumes as string[]).find((v) => v.startsWith('./'))!;
    const file = mount.split(':')[0]!;
    const config = read(file);
    expect(config, `${name} config`).toMatch(/server switchboard:8080/);
    expect(config).toMatch(/proxy_read_timeout\s+([3-9]\d\d|\d{4,})s/);
    expect(config).toMatch(/X-Forwarded-For/);
  });
});

describe('the systemd unit example', () => {
  it('runs serve as an unprivileged user, restarts on failure and keeps state in its own directory', () => {
    const unit = read('docs/switchboard.service');
    expect(unit).toMatch(/^ExecStart=\S*node bin\/switchboard\.mjs serve$/m);
    expect(unit).toMatch(/^User=(?!root)\w+/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StateDirectory=\w+/m);
    expect(unit).toMatch(/^EnvironmentFile=/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
  });
});
