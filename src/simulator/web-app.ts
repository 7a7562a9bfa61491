/**
 * The web app's pages the client reads its build number from (`/login` and a script asset that
 * carries `build_number:"…"`), so build-number discovery runs against the simulator as it would
 * against discord.com. Only the shape maintained libraries rely on is imitated.
 */
import type { FastifyInstance } from 'fastify';

export function registerWebApp(app: FastifyInstance, buildNumber: number): void {
  app.get('/login', async (_request, reply) =>
    reply.type('text/html').send(
      '<!DOCTYPE html><html><head><title>Discord</title></head><body><div id="app-mount"></div>' +
        '<script src="/assets/web.5a1f0c2e.js" defer></script><script src="/assets/sentry.9b3d77aa.js" defer></script></body></html>',
    ),
  );
  app.get('/assets/web.5a1f0c2e.js', async (_request, reply) => reply.type('application/javascript').send('(()=>{"use strict";window.__app=1})();'));
  app.get('/assets/sentry.9b3d77aa.js', async (_request, reply) =>
    reply.type('application/javascript').send(`(()=>{const e={release:"discord_web-sim",build_number:"${buildNumber}",environment:"production"};window.__sentry=e})();`),
  );
}
