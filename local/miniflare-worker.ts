// Serves the built production bundle in Miniflare (workerd + its dev proxy) on 127.0.0.1.
import { dirname } from 'node:path';
import { Log, LogLevel, Miniflare } from 'miniflare';
import type { WorkerSettings } from './bundle.ts';

export interface WorkerSecrets {
  DATABASE_URL: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  API_KEYS: string;
  [name: string]: string;
}

export interface RunningWorker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMiniflareWorker(opts: {
  scriptPath: string;
  settings: WorkerSettings;
  secrets: WorkerSecrets;
  port?: number;
  verbose?: boolean;
}): Promise<RunningWorker> {
  const mf = new Miniflare({
    name: opts.settings.name,
    modules: true,
    scriptPath: opts.scriptPath,
    modulesRoot: dirname(opts.scriptPath),
    // No request.cf download from Cloudflare: offline machines, and tests must not call out.
    cf: false,
    compatibilityDate: opts.settings.compatibilityDate,
    compatibilityFlags: opts.settings.compatibilityFlags,
    bindings: { ...opts.settings.vars, ...opts.secrets },
    host: '127.0.0.1',
    port: opts.port ?? 0,
    log: new Log(opts.verbose ? LogLevel.INFO : LogLevel.WARN),
  });
  const url = await mf.ready;
  return {
    url: url.origin,
    port: Number(url.port),
    close: () => mf.dispose(),
  };
}
