// One error type for the whole API and the one place that turns any failure into the
// contract's JSON error body (docs/api.md#errors). Stack traces never leave the Worker.

export type ErrorDetails = Record<string, string>;

/** An error the client should see as-is: status, reason phrase, message, optional extras. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, extra: Record<string, unknown> = {}) =>
  new ApiError(400, 'Bad Request', message, extra);
export const validationError = (details: ErrorDetails) =>
  new ApiError(400, 'Validation Error', 'Invalid input data', { details });
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Invalid or missing API key');
export const notFound = (message = 'Endpoint not found') => new ApiError(404, 'Not Found', message);
/** A known path asked with another method: 405 with `Allow` (the methods its routes take). */
export const methodNotAllowed = (allow: string) =>
  new ApiError(405, 'Method Not Allowed', `Method not allowed; use ${allow}`, {}, { Allow: allow });
export const payloadTooLarge = (limit: number) =>
  new ApiError(413, 'Payload Too Large', `Request body must not exceed ${limit} bytes`);
export const unsupportedMediaType = () =>
  new ApiError(415, 'Unsupported Media Type', 'Content-Type must be application/json');
export const invalidData = (message: string, details?: ErrorDetails) =>
  new ApiError(422, 'Invalid Data', message, details ? { details } : {});
export const serviceUnavailable = (message: string, retryAfterSeconds = 5) =>
  new ApiError(503, 'Service Unavailable', message, {}, { 'Retry-After': String(retryAfterSeconds) });
