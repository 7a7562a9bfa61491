/**
 * Errors the HTTP boundary turns into useapi's envelope `{ error, errorDetails?, code }`, with
 * `code` equal to the HTTP status. Anything else that escapes a handler is a bug and becomes 500.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly errorDetails?: string,
    /** Extra top-level fields merged into the body (e.g. `executingJobs` on a 429). */
    readonly extra?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Seconds after which a retry may succeed (sent as `Retry-After`); set when the wait is known. */
  retryAfterSeconds?: number;

  /** Sets `Retry-After` from the moment (epoch ms) the refusal ends; returns this error. */
  retryAt(untilMs: number | null | undefined, now = Date.now()): this {
    if (typeof untilMs === 'number' && Number.isFinite(untilMs)) this.retryAfterSeconds = Math.max(1, Math.ceil((untilMs - now) / 1000));
    return this;
  }

  toBody(): Record<string, unknown> {
    return { ...this.extra, error: this.message, ...(this.errorDetails ? { errorDetails: this.errorDetails } : {}), code: this.status };
  }
}

/**
 * 409: the plan's once-per-parent key is held by another child of the parent (the store refused
 * the insert; see `BuiltCommand.oncePerParent`). A provider with its own routes may answer it in its own words.
 */
export class OncePerParentConflict extends ApiError {
  override name = 'OncePerParentConflict';
  constructor(
    readonly key: string,
    readonly parentJobId: string,
  ) {
    super(409, `${key} was already run on job ${parentJobId}`, undefined, { jobid: parentJobId });
  }
}

export const badRequest = (message: string, errorDetails?: string) => new ApiError(400, message, errorDetails);
