/** What every benchmark receives from the runner. */
export interface BenchContext {
  /** `--quick`: smaller sizes and shorter runs, for a fast look (numbers are noisier). */
  quick: boolean;
  /** Progress on stderr, so stdout stays the tables. */
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<import('./table.ts').Table>;
}
