/**
 * Which instance holds which account's Gateway session. Every instance heartbeats, renews the
 * leases it holds, and claims free or expired ones up to its fair share (accounts ÷ live
 * instances); when instances join, the others give back what exceeds their share. An instance that
 * dies stops renewing: its accounts are claimed by the others once the leases run out, i.e.
 * within `leaseMs + intervalMs`. A background loop with `start()`/`stop()`.
 */
import type { Store } from '../store/index.ts';
import type { Logger } from '../webhooks/index.ts';
import { PollLoop } from '../shared/poll-loop.ts';

export interface LeaseManagerOptions {
  store: Store;
  instanceId: string;
  /** How long a lease lasts without renewal. Default 10 s. */
  leaseMs?: number;
  /** How often leases are renewed and shares recomputed. Default 3 s. */
  intervalMs?: number;
  onAcquired?: (accountIds: string[]) => void;
  onLost?: (accountIds: string[]) => void;
  log?: Logger;
  now?: () => number;
}

export class LeaseManager {
  readonly instanceId: string;
  readonly #o: Required<Omit<LeaseManagerOptions, 'log' | 'onAcquired' | 'onLost'>> & Pick<LeaseManagerOptions, 'log' | 'onAcquired' | 'onLost'>;
  #owned = new Set<string>();
  readonly #loop: PollLoop;

  constructor(options: LeaseManagerOptions) {
    this.#o = { leaseMs: 10_000, intervalMs: 3_000, now: Date.now, ...options };
    this.instanceId = options.instanceId;
    this.#loop = new PollLoop(() => this.#round(), this.#o.intervalMs, (error) => this.#o.log?.error({ err: error }, 'lease round failed'));
  }

  /** Whether this instance holds the account's lease (as of its last round). */
  owns(accountId: string): boolean {
    return this.#owned.has(accountId);
  }

  get owned(): ReadonlySet<string> {
    return this.#owned;
  }

  /** Runs the first round before resolving, so a fresh instance starts with its share. */
  start(): Promise<void> {
    return this.#loop.start();
  }

  /** Gives every lease back at once, so the other instances take over without waiting. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    const held = [...this.#owned];
    this.#owned = new Set();
    if (held.length > 0) this.#o.onLost?.(held);
    await this.#o.store.leases.leave(this.instanceId).catch(() => undefined);
  }

  /** Runs a round now (e.g. an account was just created). */
  kick(): void {
    this.#loop.kick();
  }

  async #round(): Promise<void> {
    const { store, instanceId, leaseMs, now } = this.#o;
    const at = now();
    await store.leases.heartbeat(instanceId, at);
    const held = new Set(await store.leases.renew(instanceId, at, at + leaseMs));
    const live = Math.max(1, await store.leases.countLive(at - leaseMs));
    const share = Math.ceil((await store.leases.countAccounts()) / live);
    if (held.size > share) {
      // Someone joined: hand back the surplus; they claim it on their next round.
      const surplus = [...held].slice(share);
      await store.leases.release(instanceId, surplus);
      for (const id of surplus) held.delete(id);
    } else if (held.size < share) {
      for (const id of await store.leases.claim(instanceId, share - held.size, at, at + leaseMs)) held.add(id);
    }
    const lost = [...this.#owned].filter((id) => !held.has(id));
    const acquired = [...held].filter((id) => !this.#owned.has(id));
    this.#owned = held;
    if (lost.length > 0) {
      this.#o.log?.warn({ instance: instanceId, accounts: lost.length }, 'account leases lost');
      this.#o.onLost?.(lost);
    }
    if (acquired.length > 0) {
      this.#o.log?.info({ instance: instanceId, accounts: acquired.length }, 'account leases acquired');
      this.#o.onAcquired?.(acquired);
    }
  }
}
