/**
 * Account alerts: when an account's health state changes (to `needs_human`, `auth_failed`,
 * `unreachable`, `cooling_down`, or back to `active`), an `account.health_changed` event is queued
 * in the tenant's webhook outbox for its alert URL — the same durable, signed, retried delivery as
 * job webhooks. It subscribes to the health monitor's change callback; the health state machine
 * itself knows nothing of alerts.
 *
 * The event is queued right after the new state is saved (not in the same transaction): a crash
 * between the two loses that one alert, never the state. Only the instance that owns an account's
 * health (its lease) sees the change, so each change is queued once.
 */
import type { AccountHealth } from '../accounts/index.ts';
import type { Store } from '../store/index.ts';

export const ACCOUNT_HEALTH_EVENT = 'account.health_changed';

/** The body POSTed to the alert URL. */
export interface AccountHealthEvent {
  type: typeof ACCOUNT_HEALTH_EVENT;
  bot: string;
  channel: string;
  from: AccountHealth['state'];
  to: AccountHealth['state'];
  reason: string;
  /** The health state's detail (e.g. Discord's message), when there is one. */
  detail?: string;
  /** `cooling_down`: when Discord lets the account work again (ISO 8601). */
  until?: string;
  /** When the account entered the new state (ISO 8601). */
  at: string;
}

export interface AccountAlertsOptions {
  store: Store;
  /** Wakes the webhook dispatcher once an event is queued. */
  kick: () => void;
  onError?: (error: unknown) => void;
}

export class AccountAlerts {
  constructor(private readonly options: AccountAlertsOptions) {}

  /** A health monitor `onChange` subscriber: queues an event when the state (not only the reason) changed. */
  healthChanged(accountId: string, health: AccountHealth, previous: AccountHealth): void {
    if (health.state === previous.state) return;
    void this.#queue(accountId, health, previous).catch((error: unknown) => this.options.onError?.(error));
  }

  async #queue(accountId: string, health: AccountHealth, previous: AccountHealth): Promise<void> {
    const { store } = this.options;
    const account = await store.accounts.getById(accountId);
    if (!account) return; // deleted meanwhile
    const url = await store.tenants.alertUrl(account.tenantId);
    if (!url) return;
    const event: AccountHealthEvent = {
      type: ACCOUNT_HEALTH_EVENT,
      bot: account.bot,
      channel: account.channel,
      from: previous.state,
      to: health.state,
      reason: health.reason,
      ...(health.detail ? { detail: health.detail } : {}),
      ...(health.state === 'cooling_down' && health.until ? { until: new Date(health.until).toISOString() } : {}),
      at: new Date(health.since).toISOString(),
    };
    await store.outbox.enqueue({ tenantId: account.tenantId, eventType: ACCOUNT_HEALTH_EVENT, url, payload: JSON.stringify(event) }, Date.now());
    this.options.kick();
  }
}
