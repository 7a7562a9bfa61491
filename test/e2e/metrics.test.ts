/** `/metrics` parses as Prometheus text and its counters move as jobs run. */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, png, startHarness, type Harness } from '../support/harness.ts';
import { waitUntil } from '../support/wait.ts';

type Family = { name: string; type: string; metrics: { value?: string; labels?: Record<string, string>; count?: string; buckets?: Record<string, string> }[] };

interface Scrape {
  families: Map<string, Family>;
  text: string;
}

/** Scrapes `/metrics`; the whole text must parse as Prometheus' format. */
async function scrape(h: Harness, token?: string): Promise<Scrape> {
  const response = await fetch(`${h.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text) as Family[];
  return { text, families: new Map(families.map((f) => [f.name, f])) };
}

/**
 * One sample's value. Counters and gauges come from the parsed families; the parser folds
 * histogram series together, so histogram `_count` samples are read from their own line.
 */
const value = ({ families, text }: Scrape, name: string, labels: Record<string, string> = {}) => {
  const family = families.get(name);
  if (family && family.type !== 'HISTOGRAM') {
    const series = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    return Number(series?.value ?? 0);
  }
  const line = text.split('\n').find((l) => l.startsWith(`${name}_count`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return Number(line?.split(' ').at(-1) ?? 0);
};

describe('Prometheus metrics', () => {
  let h: Harness;
  let faceswapChannel: string;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    faceswapChannel = (await h.addFaceswapAccount()).channel;
    await h.addPikaAccount(2);
  });
  afterAll(() => h.close());

  it('counts jobs, durations, HTTP latency, account state and Discord 429s as work happens', async () => {
    const before = await scrape(h);
    expect(before.families.get('switchboard_jobs_finished_total')?.type).toBe('COUNTER');
    expect(before.families.get('switchboard_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(value(before, 'switchboard_accounts', { bot: 'faceswap', state: 'active' })).toBe(1);

    const picsi = await (await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2) }) })).json();
    expect(picsi.status).toBe('completed');
    const pika = await (await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'metrics' }) })).json();
    await waitUntil(async () => (await (await h.call('GET', `/v1/pika/jobs/?jobid=${encodeURIComponent(pika.jobid)}`)).json()).status === 'completed');
    const user = (await h.services.store.accounts.listAll()).find((a) => a.channel === faceswapChannel)!;
    const simUser = h.sim.control.report().interactions.find((i) => i.channelId === faceswapChannel)!.userId;
    h.sim.control.injectRestFault(simUser, { kind: 'rate-limit', retryAfterMs: 50 }, 1);
    expect((await (await h.call('POST', '/v1/faceswap/listid', { form: form({}) })).json()).status).toBe('completed');

    const after = await scrape(h);
    expect(value(after, 'switchboard_jobs_finished_total', { bot: 'faceswap', verb: 'faceswap-picsi', status: 'completed' })).toBe(1);
    expect(value(after, 'switchboard_jobs_finished_total', { bot: 'pika', verb: 'pika-create', status: 'completed' })).toBe(1);
    expect(value(after, 'switchboard_jobs_submitted_total', { bot: 'faceswap', verb: 'faceswap-listid' })).toBe(1);
    expect(value(after, 'switchboard_job_duration_seconds', { bot: 'pika', verb: 'pika-create' })).toBe(1);
    expect(value(after, 'switchboard_discord_rate_limits_total', { scope: 'user' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'switchboard_http_request_duration_seconds', { method: 'POST', route: '/v1/faceswap/picsi', status: '200' })).toBe(1);
    // Without a metrics token, accounts carry opaque labels: no account or channel id is shown.
    expect(after.text).not.toContain(user.id);
    expect(after.text).not.toContain(faceswapChannel);
    const slotsFree = after.families.get('switchboard_account_slots_free')!.metrics.find((m) => m.labels?.bot === 'faceswap')!;
    expect(slotsFree.labels!.account).toMatch(/^a_[0-9a-f]{12}$/);
    expect(value(after, 'switchboard_account_slots_free', { account: slotsFree.labels!.account! })).toBe(1);
    expect(value(after, 'switchboard_account_slots_in_use', { account: slotsFree.labels!.account! })).toBe(0);
    expect(value(after, 'switchboard_webhook_backlog')).toBe(0);
    const health = after.families.get('switchboard_account_health')!.metrics.filter((m) => m.labels?.bot === 'faceswap');
    expect(health.map((m) => [m.labels!.state, m.value]).sort()).toEqual([['active', '1'], ['auth_failed', '0'], ['cooling_down', '0'], ['needs_human', '0'], ['unreachable', '0']]);
    expect(health[0]!.labels!.channel).toMatch(/^c_[0-9a-f]{12}$/);
    // The tenant finds its own accounts' labels in the dashboard overview.
    const overview = await (await h.call('GET', '/v1/dashboard/overview')).json();
    const shown = overview.bots.find((b: { name: string }) => b.name === 'faceswap').accounts[0].metricsLabels;
    expect(shown).toEqual({ account: slotsFree.labels!.account, channel: health[0]!.labels!.channel });
    // prom-client's default process and runtime metrics.
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(after.families.has(name), name).toBe(true);
  });

  it('puts the per-account health gauge into the state the account is in', async () => {
    const simUser = h.sim.control.report().interactions.find((i) => i.channelId === faceswapChannel)!.userId;
    h.sim.control.revokeToken(simUser);
    await waitUntil(async () => {
      const now = await scrape(h);
      return now.families.get('switchboard_account_health')!.metrics.some((m) => m.labels?.bot === 'faceswap' && m.labels.state === 'auth_failed' && m.value === '1');
    }, 20_000, 'the health gauge to show auth_failed');
    expect(value(await scrape(h), 'switchboard_accounts', { bot: 'faceswap', state: 'auth_failed' })).toBe(1);
    h.sim.control.restoreToken(simUser);
  });

  it('counts a job that is cancelled, or that expires, while it is followed exactly once', async () => {
    const finished = (scrape: Scrape, status: string) => value(scrape, 'switchboard_jobs_finished_total', { bot: 'pika', verb: 'pika-create', status });
    const before = await scrape(h);
    // The bot acknowledges, then takes a few seconds: the runner follows both jobs meanwhile.
    h.sim.control.setBotLatency(400);
    try {
      const [toCancel, toExpire] = await Promise.all(['cancel me', 'let me expire'].map(async (prompt) => (await h.call('POST', '/v1/pika/create', { form: form({ prompt }) })).json()));
      for (const job of [toCancel, toExpire]) expect(['started', 'progress']).toContain(job.status);
      const pika = (await h.services.store.accounts.listAll()).find((a) => a.bot === 'pika')!;

      expect((await (await h.call('GET', `/v1/pika/jobs/cancel/?jobid=${encodeURIComponent(toCancel.jobid)}`)).json()).status).toBe('cancelled');
      // The deadline passes while the bot is still working.
      const now = Date.now();
      expect(await h.services.store.jobs.update(toExpire.jobid, ['started', 'progress'], { deadlineAt: now - 1 }, now)).toBeDefined();
      await waitUntil(async () => (await h.services.store.jobs.getById(toExpire.jobid))?.status === 'failed', 10_000, 'the overdue job failing');
      // The bot finishes the cancelled job (its runner still follows it), which gives its slot back.
      await waitUntil(async () => !(await h.services.store.jobs.slotsInUse()).some((s) => s.accountId === pika.id), 20_000, 'the bot finishing both jobs');

      const after = await scrape(h);
      expect(finished(after, 'cancelled') - finished(before, 'cancelled')).toBe(1);
      expect(finished(after, 'failed') - finished(before, 'failed')).toBe(1);
      expect(finished(after, 'completed') - finished(before, 'completed')).toBe(0);
      expect(await h.services.store.jobs.getById(toCancel.jobid)).toMatchObject({ status: 'cancelled', holdsSlot: false });
      expect(await h.services.store.jobs.getById(toExpire.jobid)).toMatchObject({ status: 'failed', code: 504 });
    } finally {
      h.sim.control.setBotLatency(5);
    }
  });
});

describe('Prometheus metrics behind SWITCHBOARD_METRICS_TOKEN', () => {
  const token = 'metrics-token-0123456789';
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { SWITCHBOARD_METRICS_TOKEN: token } });
  });
  afterAll(() => h.close());

  it('refuses a scrape without the token and labels accounts with their real ids with it', async () => {
    const account = await h.addFaceswapAccount();
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Bearer ${h.token}` }] as Record<string, string>[]) {
      const refused = await fetch(`${h.url}/metrics`, { headers });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'Unauthorized', code: 401 });
    }
    const scraped = await scrape(h, token);
    const id = (await h.services.store.accounts.listAll())[0]!.id;
    expect(value(scraped, 'switchboard_account_slots_free', { account: id })).toBe(1);
    expect(value(scraped, 'switchboard_account_health', { bot: 'faceswap', channel: account.channel, state: 'active' })).toBe(1);
  });

});
