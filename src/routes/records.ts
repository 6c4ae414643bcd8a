// GET /records (paginated, filtered) and GET /records/:id, from the live dataset.
import { Hono } from 'hono';
import { ageDisplay, genderDisplay, smokingFromCode, type GenderCode } from '../risk/index.ts';
import { recordIdSchema, recordsQuerySchema } from '../contract/schemas.ts';
import { badRequest, notFound } from '../http/errors.ts';
import type { RouteKit } from '../http/request-context.ts';
import { cacheRequest, liveDataset, timed } from '../http/data-calls.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { RECORDS_COUNT_POLICY, recordsCountKey } from '../data/cache-keys.ts';
import { filterKey } from '../data/page-index.ts';
import type { Cached } from '../data/cache.ts';
import { json } from '../http/respond.ts';
import type { RecordFilter, RecordRow, RecordSummaryRow, Store } from '../data/store.ts';
import type { LiveDatasetHolder } from '../data/live-dataset.ts';

/** Beyond this page no dataset of ours has rows (10M records at limit 1): answer without a query. */
const MAX_LISTED_PAGE = 10_000_000;

const KNOWN_PARAMS = new Set(['page', 'limit', 'age_group', 'gender', 'risk_group']);

function toIso(mysqlDatetime: string): string {
  return `${mysqlDatetime.replace(' ', 'T').slice(0, 19)}Z`;
}

function listFlags(r: RecordSummaryRow) {
  return {
    hypertension: r.flag_hypertension === 1,
    diabetes: r.flag_diabetes === 1,
    high_tc: r.flag_high_tc === 1,
    high_tg: r.flag_high_tg === 1,
    low_hdl: r.flag_low_hdl === 1,
    obesity: r.flag_obesity === 1,
    smoking: r.flag_smoking === 1,
  };
}

function recordSummary(r: RecordSummaryRow) {
  return {
    id: r.id,
    age_group: r.age_group_code,
    gender: r.gender_code,
    bmi: r.bmi,
    risk_factor_count: r.risk_factor_count,
    risk_group: r.risk_group,
    flags: listFlags(r),
    created_at: toIso(r.created_at),
  };
}

function recordDetail(r: RecordRow) {
  return {
    id: r.id,
    age_group: r.age_group_code,
    age_display: ageDisplay(r.age_group_code),
    gender: r.gender_code,
    gender_display: genderDisplay(r.gender_code as GenderCode),
    height: r.height,
    weight: r.weight,
    bmi: r.bmi,
    systolic_bp: r.systolic_bp,
    diastolic_bp: r.diastolic_bp,
    fasting_glucose: r.fasting_glucose,
    total_cholesterol: r.total_cholesterol,
    triglycerides: r.triglycerides,
    hdl_cholesterol: r.hdl_cholesterol,
    smoking_status: smokingFromCode(r.smoking_status) ?? 'never',
    risk_factor_count: r.risk_factor_count,
    risk_group: r.risk_group,
    flags: listFlags(r),
    rule_version: r.rule_version,
    inference_time_ms: 0,
    created_at: toIso(r.created_at),
  };
}

function parseQuery(url: string) {
  const params = new URL(url).searchParams;
  const raw: Record<string, string> = {};
  for (const [k, v] of params) {
    if (!KNOWN_PARAMS.has(k)) continue;
    if (k in raw) throw badRequest(`Query parameter ${k} is given more than once`);
    raw[k] = v;
  }
  const parsed = recordsQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((i) => i.message);
    throw badRequest([...new Set(messages)].join('; '));
  }
  return parsed.data;
}

export function recordsRoutes(kit: RouteKit, store: Store, cached: Cached, live: LiveDatasetHolder) {
  return new Hono<AppEnv>()
    .get(
      '/records',
      kit.keyed(async (c) => {
        const q = parseQuery(c.req.url);
        const filter: RecordFilter = { ageGroup: q.age_group, gender: q.gender, riskGroup: q.risk_group };
        const offset = (q.page - 1) * q.limit;
        // One dataset for the total and the page: a flip meanwhile cannot mix two datasets.
        const { id: dataset, tag } = await liveDataset(c, live);
        let total = 0;
        let rows: RecordSummaryRow[] = [];
        if (dataset !== null) {
          // Total (cached per dataset and filter) and page in parallel: a page past the end comes back empty anyway.
          const [totalBody, page] = await Promise.all([
            cached(
              recordsCountKey(tag, filterKey(filter)),
              RECORDS_COUNT_POLICY,
              async () => String(await timed(c, 'db', () => store.countRecords(dataset, filter))),
              cacheRequest(c),
            ),
            q.page <= MAX_LISTED_PAGE
              ? timed(c, 'db', () => store.listRecords(dataset, filter, offset, q.limit))
              : Promise.resolve([]),
          ]);
          total = Number(totalBody.body);
          rows = offset < total ? page : [];
        }
        return json(c, {
          data: rows.map(recordSummary),
          pagination: { page: q.page, limit: q.limit, total_items: total, total_pages: Math.ceil(total / q.limit) },
        });
      }),
    )
    .get(
      '/records/:id',
      kit.keyed(async (c) => {
        const raw = c.req.param('id');
        const id = recordIdSchema.safeParse(raw);
        if (!id.success) throw badRequest('Record id must be a positive integer');
        // Ids start at 1 in every dataset: the same id names another record after a flip.
        const { id: dataset } = await liveDataset(c, live);
        const row = dataset === null ? null : await timed(c, 'db', () => store.getRecord(dataset, id.data));
        if (!row) throw notFound(`Record with id ${id.data} not found`);
        return json(c, recordDetail(row));
      }),
    );
}
