// Runs the local Upstash REST gateway on its own, in front of REDIS_URL (local/config.ts):
//   node --import tsx local/upstash-gateway-cli.ts [--port 8079] [--token TOKEN]
import { parseArgs } from 'node:util';
import { redisUrl } from './config.ts';
import { startUpstashGateway } from './upstash-gateway.ts';
import { describeRedis } from './upstash/redis-connections.ts';

const DEFAULT_PORT = 8079;
const DEFAULT_TOKEN = 'local-upstash-token';

const HELP = `Usage: node --import tsx local/upstash-gateway-cli.ts [options]

Serves the Upstash Redis REST API on 127.0.0.1 and forwards to Redis at REDIS_URL
(default redis://127.0.0.1:6379).

Options:
  --port N       port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --token TOKEN  Bearer token clients must send (default $UPSTASH_REDIS_REST_TOKEN or ${DEFAULT_TOKEN})
  -h, --help     show this help
`;

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

let values: { port?: string; token?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const port = Number(values.port ?? DEFAULT_PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be an integer from 0 to 65535, got "${values.port}"`);
const token = values.token ?? process.env.UPSTASH_REDIS_REST_TOKEN ?? DEFAULT_TOKEN;
if (!token) fail('--token must not be empty');

const gateway = await startUpstashGateway({ redisUrl: redisUrl(), token, port }).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
console.log(`Upstash REST gateway: ${gateway.url} -> ${describeRedis(redisUrl())}`);
console.log(`  UPSTASH_REDIS_REST_URL=${gateway.url}`);
console.log(`  UPSTASH_REDIS_REST_TOKEN=${gateway.token}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.close().then(() => process.exit(0));
  });
}
