// The gateway's own HTTP controls, for tests in other processes: fault injection and statistics under
// /__gateway/, behind the same Basic auth as the API. PlanetScale has no such paths; database-js only
// ever calls /psdb.v1alpha1.Database/*, so it cannot reach them.
//   POST   /__gateway/faults  {"code":"UNAVAILABLE","count":2,"match":"^INSERT","matchFlags":"i","delayMs":0,
//                              "durationMs":0,"message":"..."}        → 200 {"fault":{...}}
//   GET    /__gateway/faults                                         → 200 {"faults":[...]}
//   DELETE /__gateway/faults                                         → 200 {"cleared":N}
//   GET    /__gateway/stats                                          → 200 {"statements":N,"refused":N,...}
import type { IncomingMessage } from 'node:http';
import { HttpFailure } from './errors.ts';
import type { FaultInjector, FaultSpec } from './faults.ts';
import type { RequestBody } from './errors.ts';

export const ADMIN_PREFIX = '/__gateway/';

export interface AdminContext {
  branch: string;
  faults: FaultInjector;
  stats: () => object;
}

const ROUTES: Record<string, readonly string[]> = {
  '/__gateway/faults': ['GET', 'POST', 'DELETE'],
  '/__gateway/stats': ['GET'],
};

export async function serveAdmin(
  req: IncomingMessage,
  path: string,
  admin: AdminContext,
  checkAuth: () => void,
  readBody: (req: IncomingMessage) => Promise<RequestBody>,
  send: (status: number, body: string) => void,
): Promise<void> {
  const methods = ROUTES[path];
  if (!methods) throw new HttpFailure(404, 'not_found', `no such endpoint: ${req.method} ${path}`);
  if (!methods.includes(req.method ?? '')) {
    const allow = methods.join(', ');
    throw new HttpFailure(405, 'unimplemented', `${req.method} is not supported; use ${allow}`, { Allow: allow });
  }
  checkAuth();
  if (path === '/__gateway/stats') return send(200, JSON.stringify(admin.stats()));
  if (req.method === 'GET') return send(200, JSON.stringify({ faults: admin.faults.list() }));
  if (req.method === 'DELETE') return send(200, JSON.stringify({ cleared: admin.faults.clear() }));
  const body = await readBody(req);
  let fault: ReturnType<FaultInjector['inject']>;
  try {
    fault = admin.faults.inject(faultSpec(body));
  } catch (err) {
    throw new HttpFailure(400, 'invalid_argument', `bad fault: ${(err as Error).message}`);
  }
  send(200, JSON.stringify({ fault }));
}

/** The JSON form of a FaultSpec: `match` is a RegExp source, with `matchFlags`. */
function faultSpec(body: RequestBody): FaultSpec {
  const spec: FaultSpec = {};
  const text = (key: string) => {
    const value = body[key];
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`${key} must be a string`);
    return value;
  };
  const number = (key: string) => {
    const value = body[key];
    if (value !== undefined && typeof value !== 'number') throw new TypeError(`${key} must be a number`);
    return value;
  };
  const code = text('code');
  if (code !== undefined) spec.code = code as FaultSpec['code'];
  const message = text('message');
  if (message !== undefined) spec.message = message;
  const match = text('match');
  if (match !== undefined) spec.match = new RegExp(match, text('matchFlags') ?? '');
  for (const key of ['count', 'durationMs', 'delayMs'] as const) {
    const value = number(key);
    if (value !== undefined) spec[key] = value;
  }
  return spec;
}
