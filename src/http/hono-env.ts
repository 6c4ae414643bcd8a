// The Hono environment of the app and its route groups: what each request carries. Types only.
import type { Context } from 'hono';
import type { Timings } from './timings.ts';

export interface RequestVars {
  requestId: string;
  timings: Timings;
  startedAt: number;
  /** Headers middleware wants on the response (e.g. rate-limit headers). */
  extraHeaders: Record<string, string> | undefined;
  /** The last response respond() built: it has the common headers already. */
  built: Response | undefined;
}

export type AppEnv = { Variables: RequestVars };
export type AppContext = Context<AppEnv>;
