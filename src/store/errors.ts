/** The store could not be opened; the message is meant for the operator (no secrets in it). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}
