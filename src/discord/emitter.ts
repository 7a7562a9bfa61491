/** A minimal typed event emitter (listener errors are isolated so one bad listener cannot break a session). */
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: any[]) => void>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const off = this.on(event, ((...args: unknown[]) => {
      off();
      listener(...args);
    }) as Events[K]);
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'ListenerError');
      }
    }
  }
}
