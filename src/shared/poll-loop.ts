/**
 * The background-loop pattern the runner, the webhook dispatcher and the lease manager share:
 * run a round now when kicked (or right after the current round, if one is running), otherwise
 * every `intervalMs`; `stop()` waits for the round in progress. Rounds never overlap.
 */
export class PollLoop {
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #round: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Starts the loop with a round now; resolves when that first round is over. */
  start(): Promise<void> {
    if (!this.#stopped) return this.#round ?? Promise.resolve();
    this.#stopped = false;
    this.kick();
    return this.#round ?? Promise.resolve();
  }

  /** Runs a round as soon as possible (coalesced with any other kick). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#round = this.round()
      .catch(this.onError)
      .finally(() => {
        this.#round = undefined;
        if (this.#stopped) return;
        const again = this.#again;
        this.#again = false;
        // Kicked meanwhile: the next round as soon as this turn's I/O is handled (a 0 ms timer
        // waits at least 1 ms, on every freed slot of a busy runner); else at the interval.
        if (again) this.#immediate = setImmediate(() => this.kick());
        else this.#timer = setTimeout(() => this.kick(), this.intervalMs);
      });
  }

  /** Stops scheduling rounds and waits for the one in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    await this.#round;
  }
}
