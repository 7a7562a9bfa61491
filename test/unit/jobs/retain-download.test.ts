/** Result retention reads a download in chunks and stops (cancelling it) once it passes the tenant's budget. */
import { describe, expect, it } from 'vitest';
import { retainResults } from '../../../src/jobs/retain.ts';
import type { DiscordMessage } from '../../../src/discord/index.ts';
import type { Store } from '../../../src/store/index.ts';

/** A streamed body of `size` bytes in 8-byte chunks that records how far it was read and whether it was cancelled. */
function streamed(size: number) {
  const state = { sent: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(8, size - state.sent)).fill(1);
      state.sent += chunk.length;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { response: new Response(body, { headers: { 'content-type': 'image/png' } }), state };
}

describe('retainResults', () => {
  it('keeps what fits the budget and cancels a download that outgrows it instead of reading it to the end', async () => {
    const saved: Array<{ index: number; data: Buffer }> = [];
    const store = { jobs: { resultBytes: async () => 0, saveResultFiles: async (_jobid: string, files: typeof saved) => void saved.push(...files) } } as unknown as Store;
    const big = streamed(1_000);
    const small = streamed(12);
    const message = { attachments: [{ url: 'http://127.0.0.1/big.png', filename: 'big.png' }, { url: 'http://127.0.0.1/small.png', filename: 'small.png' }] } as unknown as DiscordMessage;
    const kept = await retainResults(store, 'job-1', message, 0, async (url) => (url.endsWith('big.png') ? big.response : small.response), { allowPrivate: true, maxTenantBytes: 20, tenantId: 't1' });
    expect(kept).toEqual([{ index: 1, filename: 'small.png', contentType: 'image/png', size: 12 }]);
    expect(saved.map((f) => [f.index, f.data.length])).toEqual([[1, 12]]);
    expect(big.state.cancelled).toBe(true);
    expect(big.state.sent).toBeLessThan(100);
  });
});
