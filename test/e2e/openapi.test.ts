/** `/openapi.json` is valid OpenAPI 3.1, lists every route, and real responses match its schemas. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/http/index.ts';
import { form, png, startHarness, type Harness } from '../support/harness.ts';

describe('OpenAPI', () => {
  let h: Harness;
  let document: any;

  beforeAll(async () => {
    h = await startHarness({ simulator: { botLatencyMs: 5 } });
    await h.addFaceswapAccount();
    await h.addPikaAccount(2);
    const response = await fetch(`${h.url}/openapi.json`);
    expect(response.status).toBe(200);
    document = await response.json();
  });
  afterAll(() => h.close());

  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes every route the server has', () => {
    const documented = new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`)));
    const routes = routesOf(h.app)
      .filter((r) => r.method !== 'HEAD' && !/^\/(docs|dashboard)\/.+/.test(r.url))
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('holds real responses to their documented schemas', async () => {
    // Formats (date-time) are documentation here; shapes and types are what must hold.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: document.components });
    const check = async (method: string, path: string, template: string, response: Response) => {
      const body = await response.json();
      const operation = document.paths[template][method.toLowerCase()];
      const documented = operation.responses[String(response.status)];
      expect(documented, `${method} ${path} ${response.status} is documented`).toBeDefined();
      const schema = JSON.parse(JSON.stringify(documented.content['application/json'].schema).replaceAll('"#/components', '"doc#/components'));
      const valid = ajv.validate(schema, body);
      expect(valid, `${method} ${path} ${response.status}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      return body;
    };

    await check('GET', '/v1/faceswap/account', '/v1/faceswap/account', await h.call('GET', '/v1/faceswap/account'));
    await check('GET', '/v1/pika/account', '/v1/pika/account', await h.call('GET', '/v1/pika/account'));
    const job = await check('POST', '/v1/faceswap/picsi', '/v1/faceswap/picsi', await h.call('POST', '/v1/faceswap/picsi', { form: form({ source_image: png(1), target_image_gif_or_video: png(2), replyRef: 'x' }) }));
    await check('GET', '/v1/faceswap/jobs', '/v1/faceswap/jobs', await h.call('GET', `/v1/faceswap/jobs/?jobid=${encodeURIComponent(job.jobid)}`));
    await check('GET', '/v1/faceswap/jobs', '/v1/faceswap/jobs', await h.call('GET', '/v1/faceswap/jobs'));
    h.sim.control.setBotLatency(100);
    const pika = await check('POST', '/v1/pika/create', '/v1/pika/create', await h.call('POST', '/v1/pika/create', { form: form({ prompt: 'schema', image: png(3) }) }));
    await check('GET', '/v1/pika/jobs/cancel', '/v1/pika/jobs/cancel', await h.call('GET', `/v1/pika/jobs/cancel/?jobid=${encodeURIComponent(pika.jobid)}`));
    h.sim.control.setBotLatency(5);
    await check('GET', '/v1/webhooks/secret', '/v1/webhooks/secret', await h.call('GET', '/v1/webhooks/secret'));
    await check('GET', '/v1/webhooks/deliveries', '/v1/webhooks/deliveries', await h.call('GET', `/v1/webhooks/deliveries?jobid=${encodeURIComponent(job.jobid)}`));
    await check('POST', '/v1/pika/create', '/v1/pika/create', await h.call('POST', '/v1/pika/create', { form: form({}) }));
    await check('GET', '/v1/faceswap/account', '/v1/faceswap/account', await h.call('GET', '/v1/faceswap/account', { token: 'wrong' }));
    // Midjourney's account from its token alone (201), then shown.
    const mj = h.sim.control.midjourney.createAccount();
    const found = await check('POST', '/v2/account/midjourney', '/v2/account/midjourney', await h.call('POST', '/v2/account/midjourney', { json: { discord: mj.user.token } }));
    await check('GET', `/v2/account/midjourney/${found.channel}`, '/v2/account/midjourney/{channel}', await h.call('GET', `/v2/account/midjourney/${found.channel}`));
    await check('POST', '/v2/account/midjourney', '/v2/account/midjourney', await h.call('POST', '/v2/account/midjourney', { json: { discord: 'rejected-token' } }));
  });

  it('serves the API browser and its assets locally', async () => {
    const page = await fetch(`${h.url}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    for (const asset of html.match(/(?:src|href)="(\/docs\/[^"]+)"/g)!.map((m) => m.split('"')[1]!)) {
      expect((await fetch(`${h.url}${asset}`)).status, asset).toBe(200);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });
});
