// An HTTP-level failure the gateway answers itself (bad request, auth, size, routing), as
// opposed to an error reply from Redis or a lost Redis connection.
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
