// What the app is built from: configuration and adapters. index.ts builds the real ones from
// env; tests hand in the real local stack or small fakes.
import type { KeyValueCache } from './data/cache.ts';
import type { Store } from './data/store.ts';

export interface AppDeps {
  apiKeys: readonly string[];
  store: Store;
  cache: KeyValueCache;
  /** Optional hook for logs (never receives secrets). */
  log?: (entry: Record<string, unknown>) => void;
}
