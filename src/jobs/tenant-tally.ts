/**
 * A number per tenant that the store can total but should not total for every job: read at most
 * once per `ttlMs` and counted up by this process in between; concurrent reads of one tenant share
 * one query. What other instances add, or what endings and sweeps take away, is seen at the next
 * read — an estimate that serves a cap, not an exact quota. Used for a tenant's retained result
 * bytes (`RetainedBytes`) and active jobs (`TenantCap`).
 */
export class TenantTally {
  readonly #known = new Map<string, { value: number; readAt: number }>();
  readonly #reading = new Map<string, Promise<number>>();

  constructor(
    private readonly read: (tenantId: string) => Promise<number>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async of(tenantId: string): Promise<number> {
    const known = this.#known.get(tenantId);
    if (known && this.now() - known.readAt < this.ttlMs) return known.value;
    let reading = this.#reading.get(tenantId);
    if (!reading) {
      const readAt = this.now();
      reading = this.read(tenantId).then((value) => {
        this.#known.set(tenantId, { value, readAt });
        return value;
      });
      this.#reading.set(tenantId, reading);
      void reading.finally(() => this.#reading.delete(tenantId)).catch(() => undefined);
    }
    return reading;
  }

  /** This process added `amount` for the tenant (nothing to add to before its first read: that read sees it). */
  add(tenantId: string, amount = 1): void {
    const known = this.#known.get(tenantId);
    if (known) known.value += amount;
  }
}
