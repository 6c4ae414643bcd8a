// The data layer's one error: a dependency (the database or the cache) failed. Routes and the
// app map it to a response (app.ts); nothing here knows about HTTP.
/**
 * A dependency (database, cache) could not be reached, did not answer in time, or said it cannot
 * serve now (`unavailable`: a Vitess transient error, whose vtrpc code is `code`). `query` is the
 * database refusing the statement itself: our bug, not an outage.
 */
export class DependencyError extends Error {
  override name = 'DependencyError';
  constructor(
    readonly dependency: 'database' | 'cache',
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'bad_response' | 'unavailable' | 'query',
    readonly code?: string,
  ) {
    super(message);
  }
}
