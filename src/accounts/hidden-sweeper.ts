/** Forgets bring-your-own account rows nobody used for a while. A loop with `start()`/`stop()`. */
import type { AccountService } from './account-service.ts';

export class HiddenAccountSweeper {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly accounts: Pick<AccountService, 'purgeUnusedHidden'>,
    private readonly policy: { maxAgeMs: number; intervalMs?: number; onError?: (error: unknown) => void },
  ) {}

  start(): void {
    void this.sweep();
    this.#timer = setInterval(() => void this.sweep(), this.policy.intervalMs ?? 10 * 60_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async sweep(): Promise<number> {
    try {
      return await this.accounts.purgeUnusedHidden(this.policy.maxAgeMs);
    } catch (error) {
      this.policy.onError?.(error); // the store is down; the next sweep tries again
      return 0;
    }
  }
}
