/** Account ownership across instances: leases on account rows, and instance heartbeats. */

export interface LeaseStore {
  /** Records that the instance is alive (creating its row on first call). */
  heartbeat(instanceId: string, now: number): Promise<void>;
  /** Instances whose last heartbeat is newer than `since`. */
  countLive(since: number): Promise<number>;
  /** Forgets an instance (clean shutdown) and frees its leases at once. */
  leave(instanceId: string): Promise<void>;
  /** Extends the instance's unexpired leases to `until`; returns the account ids it still holds. */
  renew(instanceId: string, now: number, until: number): Promise<string[]>;
  /**
   * Takes up to `count` accounts whose lease is free or expired, and returns their ids. Several
   * instances may call this at once: each account goes to one of them.
   */
  claim(instanceId: string, count: number, now: number, until: number): Promise<string[]>;
  /** Gives leases back (rebalancing, shutdown). */
  /** Ends every lease on a tenant's accounts (revocation): each holder drops them at its next renew. */
  releaseTenant(tenantId: string): Promise<number>;
  release(instanceId: string, accountIds: string[]): Promise<void>;
  /** How many accounts exist in all (the shares are computed from it). */
  countAccounts(): Promise<number>;
}
