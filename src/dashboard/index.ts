/**
 * The dashboard: a static page (HTML, CSS and a small script, no framework, no CDN) plus the
 * tenant-scoped JSON it polls. The HTTP routes live in `src/http/routes/dashboard.ts`.
 */
import fs from 'node:fs';

export { dashboardOverview, accountView, jobView, type DashboardOverview, type AccountView, type JobView } from './overview.ts';

export interface DashboardAsset {
  /** Path below `/dashboard` ('' is the page itself). */
  path: string;
  contentType: string;
  body: Buffer;
}

const FILES = [
  { path: '', file: 'index.html', contentType: 'text/html; charset=utf-8' },
  { path: 'dashboard.css', file: 'dashboard.css', contentType: 'text/css; charset=utf-8' },
  { path: 'dashboard.js', file: 'dashboard.js', contentType: 'text/javascript; charset=utf-8' },
] as const;

/** Reads the page's files once (they ship with the sources; nothing is built). */
export function dashboardAssets(): DashboardAsset[] {
  return FILES.map(({ path, file, contentType }) => ({ path, contentType, body: fs.readFileSync(new URL(`./static/${file}`, import.meta.url)) }));
}
