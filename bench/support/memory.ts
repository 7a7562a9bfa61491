/** Full collections until the heap stops shrinking (needs --expose-gc), so memory figures compare. */
export async function settleMemory(): Promise<void> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('memory figures need a worker started with --expose-gc');
  let previous = Infinity;
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const used = process.memoryUsage().heapUsed;
    if (used >= previous * 0.99) return;
    previous = used;
  }
}
