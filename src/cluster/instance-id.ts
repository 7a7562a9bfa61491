/**
 * The name this process holds account leases under. With the embedded store it is kept in the
 * data dir, so a restarted process picks its own leases up at once instead of waiting for them to
 * expire; with PostgreSQL every process is new unless SWITCHBOARD_INSTANCE_ID names it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/index.ts';

export function instanceIdFor(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'instanceId'>): string {
  if (config.instanceId) return config.instanceId;
  const fresh = `${os.hostname().replace(/[^\w.-]/g, '_').slice(0, 40)}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  if (config.databaseUrl) return fresh;
  const file = path.join(config.dataDir, 'instance-id');
  try {
    return fs.readFileSync(file, 'utf8').trim() || fresh;
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, fresh, { mode: 0o600 });
    return fresh;
  }
}
