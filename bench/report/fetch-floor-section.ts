// The fetch floor's section of PERFORMANCE.md and its console lines (bench/report/fetch-floor.ts).
// Pure. A result without the fetch floor renders nothing, so older reports render as they did.
import { int, num, table } from '../../loadkit/report/markdown.ts';
import type { FetchFloorPair, FetchFloorResult } from './fetch-floor.ts';

const mark = (pass: boolean) => (pass ? '✅ pass' : '❌ fail');

function profileTable(p: FetchFloorPair): string {
  const groups = p.profile ?? [];
  if (!groups.length) return '';
  const total = (pick: (g: (typeof groups)[number]) => number) => groups.reduce((a, g) => a + pick(g), 0);
  const rows = groups.map((g) => [g.group, int(g.endpoint), int(g.fetchFloor), int(g.endpoint - g.fetchFloor)]);
  rows.push([
    'all (one window each)',
    int(total((g) => g.endpoint)),
    int(total((g) => g.fetchFloor)),
    int(total((g) => g.endpoint - g.fetchFloor)),
  ]);
  return `**${p.label}** (${num(p.ratio)} × the fetch floor): self instructions per response by function group.

${table(['function group', 'endpoint', 'fetch floor', 'difference'], rows, ['l', 'r', 'r', 'r'])}
`;
}

/** The section, ending with a blank line; empty when the run did not count the fetch floor. */
export function renderFetchFloor(r: FetchFloorResult | null | undefined): string {
  if (!r) return '';
  const head = '## The fetch floor: database-backed endpoints against their subrequests\n\n';
  if (!r.pairs.length) return `${head}Not counted: ${r.skipped ?? 'no figures'}.\n\n`;
  const rows = r.pairs.map((p) => [
    p.label,
    p.statements,
    int(p.endpoint.perResponse),
    int(p.fetchFloor.perResponse),
    `${num(p.ratio)} (≤ ${r.target}): ${mark(p.ratio <= r.target)}`,
  ]);
  const over = r.pairs.filter((p) => p.ratio > r.target && p.profile?.length);
  const profiles = over.length
    ? `
Where the rest goes, for the endpoints over ${r.target} ×: the last counted window of each Worker, every
function's self count (read from callgrind's output file) grouped by its name, per response. workerd and V8 are
symbolised; JIT-compiled JavaScript is not, so the driver, Hono, validation, casting and the app's own JavaScript
fall together under "interpreter and JIT-compiled JS", and what they call into (JSON, strings and objects, base64)
under its own group.

${over.map(profileTable).join('\n')}`
    : '';
  return `${head}${table(
    ['endpoint', 'statements per response', 'endpoint instr. / resp.', 'fetch floor instr. / resp.', 'ratio'],
    rows,
    ['l', 'l', 'r', 'r', 'l'],
  )}

The fetch floor (\`bench/http/fetch-floor-entry.ts\`, built by \`wrangler deploy --dry-run\` like the
production bundle) makes, for each request, the same PlanetScale statements with the same arguments
as the API's store (the statement builders of \`src/data/planetscale-store.ts\`), through
\`@planetscale/database\` on the same \`DATABASE_URL\`, and answers the driver's rows as JSON; for the
uncached stats it also makes the miss's Upstash GET before and SET after (in \`waitUntil\`), through
the app's own Upstash client: no Hono, no validation, no cache logic, no casting. Both are counted by callgrind under plain workerd as above
(${int(r.warmup)} responses of warm-up, ${r.windows} windows of ${int(r.perWindow)}, ${r.connections} connections, median window);
the gateway and MariaDB are other processes, not counted. The uncached stats come from the uncached
twin, every cache tier expired, whose every response makes that Upstash read and write too.
${profiles}
`;
}

/** Console lines: each pair and its ratio; none when not counted. */
export function fetchFloorLines(r: FetchFloorResult | null | undefined): string[] {
  if (!r) return [];
  if (!r.pairs.length) return [`\nFetch floor: not counted (${r.skipped ?? 'no figures'})`];
  const lines = [`\nFetch floor (instructions per response, endpoint ÷ a Worker making only its subrequests):`];
  for (const p of r.pairs) {
    lines.push(
      `    ${p.label.padEnd(36)} ${int(p.endpoint.perResponse).padStart(9)} ÷ ${int(p.fetchFloor.perResponse).padStart(9)} = ×${num(p.ratio)}  ${p.ratio <= r.target ? 'pass' : 'FAIL'} (≤ ${r.target})`,
    );
    if (p.ratio > r.target)
      for (const g of (p.profile ?? []).slice(0, 5))
        lines.push(
          `        ${g.group.padEnd(42)} ${int(g.endpoint).padStart(9)} vs ${int(g.fetchFloor).padStart(9)}  (+${int(g.endpoint - g.fetchFloor)})`,
        );
  }
  return lines;
}
