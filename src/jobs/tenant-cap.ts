/**
 * The tenant's cap on jobs waiting or running (SWITCHBOARD_MAX_ACTIVE_JOBS_PER_TENANT, issue 15),
 * checked exactly by the claim only when the tenant may be near it.
 *
 * The exact check counts the tenant's active jobs inside the claim, and a count reads every one
 * of them: with 1,000 jobs queued, PostgreSQL fetched about 1,300 index entries and rows per
 * submission — the largest cost of a job on the database server in the throughput benchmark
 * (`pg_stat_user_indexes`, 2026-12-02). A tenant far below its cap does not need that count.
 * So each tenant's active jobs are a `TenantTally`: read from the store at most once per
 * `refreshMs` and counted up by this process's own admissions (endings are not counted down: the
 * estimate only errs high, which only makes the exact check come sooner). When the estimate is within `margin` of
 * the cap — or the cap is small enough that every submission is near it — the claim counts
 * exactly, as before.
 *
 * With several instances, one does not see the others' admissions until its next read (at most
 * `refreshMs` later): the cap can be overshot only if the other instances admit more than the
 * margin for one tenant within that time. It bounds a tenant's backlog; it is not a quota (the
 * PostgreSQL claim may already overshoot it by one job per account).
 */
import type { Store } from '../store/index.ts';
import { TenantTally } from './tenant-tally.ts';

export interface TenantCapOptions {
  /** How long a read of a tenant's active jobs is trusted. Default 1 s. */
  refreshMs?: number;
  now?: () => number;
}

export class TenantCap {
  /** Active jobs per tenant: the last read plus this process's admissions since. */
  readonly #active: TenantTally;
  /** How close to the cap the exact count starts: a fifth of it, at least 50 jobs. */
  readonly margin: number;

  constructor(
    readonly max: number,
    store: Store,
    options: TenantCapOptions = {},
  ) {
    this.#active = new TenantTally((tenantId) => store.jobs.countActiveForTenant(tenantId), options.refreshMs ?? 1000, options.now);
    this.margin = Math.max(50, Math.ceil(max / 5));
  }

  /** The limit the claim must check for this tenant, or undefined when it is known to be far below it. */
  async limitFor(tenantId: string): Promise<number | undefined> {
    if (this.max <= this.margin) return this.max; // every submission is near a small cap
    return (await this.#active.of(tenantId)) >= this.max - this.margin ? this.max : undefined;
  }

  /** This process admitted a job for the tenant. */
  admitted(tenantId: string): void {
    this.#active.add(tenantId);
  }
}
