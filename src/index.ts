// Worker entry: the app built from env by src/wiring.ts (once per isolate and distinct env); a
// configuration it cannot use answers 503 and says which secret to set.
import { ConfigError, type Env } from './config.ts';
import { appForEnv, type App } from './wiring.ts';

const appFor = appForEnv();

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    let app: App;
    try {
      app = appFor(env);
    } catch (err) {
      // Misconfiguration is the operator's to fix; say what, never echo a secret.
      const message = err instanceof ConfigError ? err.message : 'Worker failed to start';
      console.error(message);
      return Response.json(
        { error: 'Service Unavailable', message: 'The service is misconfigured', request_id: crypto.randomUUID() },
        {
          status: 503,
          headers: { 'Retry-After': '30' },
        },
      );
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
