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

  toBody(): Record<string, unknown> {
    return { ...this.extra, error: this.message, ...(this.errorDetails ? { errorDetails: this.errorDetails } : {}), code: this.status };
  }
}

export const badRequest = (message: string, errorDetails?: string) => new ApiError(400, message, errorDetails);
