// /demo and /docs in a real headless Chromium against the production bundle on the local stack:
// key entry, simulate, charts, paging, the record detail, errors, phone width. Screenshots are
// kept in test/artifacts/ (git-ignored). A missing Chromium fails the suite; it never skips.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, type Browser } from '../support/browser.ts';

const stack = inject('stack');
const origin = new URL(stack.api.url).origin;
const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url));
const EXAMPLE = {
  age_group: '12',
  gender: '1',
  height: '165',
  weight: '80',
  systolic_bp: '152',
  diastolic_bp: '96',
  fasting_glucose: '131',
  total_cholesterol: '255',
  triglycerides: '210',
  hdl_cholesterol: '38',
  smoking_status: 'current',
};
const SELECTS = new Set(['age_group', 'gender', 'smoking_status']);

// A launch failure (e.g. no Chromium) fails every test with its message rather than skipping them.
let browser: Browser | undefined;
let launchError: unknown;
beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium().catch((err: unknown) => void (launchError = err));
});
afterAll(async () => browser?.close());

const api = async <T>(path: string) =>
  (await (await fetch(new URL(path, origin), { headers: { 'X-API-KEY': stack.api.key } })).json()) as T;

/** A page that records every request and every script error or CSP violation. */
async function open(path: string, width = 1280): Promise<{ page: Page; urls: string[]; problems: string[] }> {
  if (!browser) throw launchError;
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.setDefaultTimeout(15_000);
  const urls: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  await page.goto(new URL(path, origin).href);
  return { page, urls, problems };
}

async function enterKey(page: Page, key = stack.api.key) {
  await page.fill('#key', key);
  await page.click('#key-save');
}

async function simulate(page: Page, values: Record<string, string>) {
  for (const [name, v] of Object.entries(values)) {
    if (SELECTS.has(name)) await page.selectOption(`#s-${name}`, v);
    else await page.fill(`#s-${name}`, v);
  }
  await page.click('#sim-go');
}

/** Waits for `selector`, or fails at once with the API error the page shows in `errBox` instead. */
async function waitOr(page: Page, selector: string, errBox: string) {
  await page.locator(`${selector}, ${errBox}:not([hidden])`).first().waitFor();
  if (await page.isVisible(errBox))
    throw new Error(`${errBox} shows an API error instead of ${selector}: ${await page.textContent(errBox)}`);
}

const rowIds = (page: Page) =>
  page.$$eval('#rec-table tbody tr[data-id]', (trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))));
const noOverflow = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

describe('demo page in Chromium (production bundle, real stack)', () => {
  it('simulates, charts the stats, pages the records and shows errors, calling only its own origin', async () => {
    const { page, urls, problems } = await open('/demo');
    await enterKey(page);
    expect(await page.inputValue('#key')).toBe('');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('nhis-api-key')")).toBe(stack.api.key);

    await simulate(page, EXAMPLE);
    await waitOr(page, '#sim-out:not([hidden])', '#sim-err');
    expect(await page.textContent('#sim-count')).toBe('7');
    expect(await page.textContent('#sim-group')).toBe('CHD_RISK_EQUIVALENT');
    expect(await page.textContent('#sim-who')).toBe('55-59세 · 남성 · BMI 29.4');
    expect(await page.$$eval('#sim-expl li', (li) => li.map((x) => x.textContent))).toEqual([
      'Hypertension: SBP≥140 or DBP≥90 (152/96)',
      'Diabetes: fasting glucose≥126 (131)',
      'High TC: total cholesterol≥240 (255)',
      'High TG: triglycerides≥200 (210)',
      'Low HDL: hdl<40 (38)',
      'Obesity(Asia): BMI≥25 (29.4)',
      'Smoking: current smoker',
    ]);
    expect(await page.locator('#sim-flags li.on').count()).toBe(7);

    // Charts: one arc per risk group and one bar per age group, with the API's counts.
    const risk = await api<{ risk_distribution: Record<string, { count: number }> }>('/stats/risk');
    const age = await api<{ age_distribution: { age_group: number; count: number }[] }>('/stats/age');
    await waitOr(page, '#risk-chart svg circle.arc', '#stats-err');
    const arcs = await page.$$eval('#risk-chart circle.arc', (els) =>
      els.map((e) => [e.getAttribute('data-group'), Number(e.getAttribute('data-count'))]),
    );
    expect(Object.fromEntries(arcs)).toEqual(
      Object.fromEntries(Object.entries(risk.risk_distribution).map(([g, v]) => [g, v.count])),
    );
    await waitOr(page, '#age-chart svg g.age rect.bar', '#stats-err');
    const bars = await page.$$eval('#age-chart g.age', (els) =>
      els.map((e) => [Number(e.getAttribute('data-age')), Number(e.getAttribute('data-count'))]),
    );
    expect(bars).toEqual(age.age_distribution.map((a) => [a.age_group, a.count]));
    expect(await page.locator('#age-chart rect.bar').count()).toBe(age.age_distribution.length);

    // Records: page 1 → next → page 2 shows other ids, and the indicator follows.
    const list = await api<{ pagination: { total_pages: number; total_items: number } }>('/records');
    await waitOr(page, '#rec-table tbody tr[data-id]', '#rec-err');
    expect(await page.textContent('#rec-pages')).toBe(`of ${list.pagination.total_pages.toLocaleString('en-US')}`);
    const first = await rowIds(page);
    expect(first).toHaveLength(20);
    await page.click('#rec-next');
    await expect.poll(() => page.inputValue('#rec-page'), { timeout: 10_000 }).toBe('2');
    await expect.poll(async () => (await rowIds(page))[0], { timeout: 10_000 }).not.toBe(first[0]);
    const second = await rowIds(page);
    expect(second).toHaveLength(20);
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
    await page.click('#rec-prev');
    await expect.poll(() => page.inputValue('#rec-page'), { timeout: 10_000 }).toBe('1');

    // A filter resets to page 1 and only matching rows show.
    const women = await api<{ pagination: { total_items: number } }>('/records?gender=2');
    await page.selectOption('#rec-form select[name=gender]', '2');
    await expect
      .poll(() => page.textContent('#rec-total'), { timeout: 10_000 })
      .toBe(`${women.pagination.total_items.toLocaleString('en-US')} records`);
    expect(
      new Set(await page.$$eval('#rec-table tbody tr td:nth-child(3)', (td) => td.map((x) => x.textContent))),
    ).toEqual(new Set(['여성']));

    // Clicking a row shows GET /records/{id}.
    const id = (await rowIds(page))[0]!;
    await page.click(`#rec-table tbody tr[data-id="${id}"]`);
    await waitOr(page, '#detail-kv dt', '#detail-err');
    const detail = await api<Record<string, unknown>>(`/records/${id}`);
    const kv = await page.$$eval('#detail-kv dt', (dts) =>
      dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
    );
    expect(Object.fromEntries(kv)).toMatchObject({
      id: String(id),
      age_display: detail.age_display,
      risk_group: detail.risk_group,
    });
    await page.screenshot({ path: `${ARTIFACTS}/demo-desktop.png`, fullPage: true });

    // API errors are shown: 400 with the failing field, 422, then 401 once the key is gone.
    await simulate(page, { height: '120' });
    await page.waitForSelector('#sim-err:not([hidden])');
    expect(await page.textContent('#sim-err')).toContain('400 Validation Error');
    expect(await page.textContent('.ferr[data-for=height]')).toBe('Must be between 140 and 200');
    expect(await page.getAttribute('#s-height', 'aria-invalid')).toBe('true');
    await simulate(page, { height: '165', systolic_bp: '120', diastolic_bp: '130' });
    await expect.poll(() => page.textContent('#sim-err'), { timeout: 10_000 }).toMatch(/^422 Invalid Data/);
    await page.click('#key-clear');
    await simulate(page, EXAMPLE);
    await expect.poll(() => page.textContent('#sim-err'), { timeout: 10_000 }).toMatch(/^401 Unauthorized/);
    expect(await page.textContent('#sim-err')).toContain('Invalid or missing API key');

    expect(problems).toEqual([]);
    expect(urls.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:'))).toEqual([]);
    expect(urls.filter((u) => u.includes(stack.api.key))).toEqual([]);
    await page.close();
  });

  it('scores a pasted CSV through /simulate/batch, each row scored or refused on its own', async () => {
    const { page, urls, problems } = await open('/demo');
    await enterKey(page);
    await page.click('#batch-example');
    const csv = await page.inputValue('#batch-csv');
    expect(csv.split('\n')[0]).toBe(Object.keys(EXAMPLE).join(','));
    await page.click('#batch-go');
    await waitOr(page, '#batch-out:not([hidden])', '#batch-err');
    expect(await page.textContent('#batch-sum')).toBe('4 persons: 2 scored, 2 refused');
    const rows = () =>
      page.$$eval('#batch-table tbody tr', (trs) =>
        trs.map((tr) => ({
          index: tr.getAttribute('data-index'),
          bad: tr.classList.contains('bad'),
          cells: [...tr.cells].map((td) => td.textContent),
        })),
      );
    const shown = await rows();
    expect(shown.map((r) => [r.index, r.bad, r.cells[0]])).toEqual([
      ['0', false, '2'],
      ['1', false, '3'],
      ['2', true, '4'],
      ['3', true, '5'],
    ]);
    expect(shown[0]!.cells).toEqual(['2', '55-59세', '남성', '29.4', '7', 'CHD equivalent']);
    expect(shown[2]!.cells[1]).toBe('400 Validation Error — Invalid input dataheight: Must be between 140 and 200');
    expect(shown[3]!.cells[1]).toBe(
      '422 Invalid Data — diastolic_bp must be lower than systolic_bp' +
        'diastolic_bp: Must be lower than systolic_bp (120)',
    );
    await page.screenshot({ path: `${ARTIFACTS}/demo-batch.png`, fullPage: true });
    // The page shows what the API answers for the same persons.
    const [head, ...lines] = csv.split('\n').map((l) => l.split(','));
    const persons = lines.map((l) =>
      Object.fromEntries(head!.map((f, i) => [f, f === 'smoking_status' ? l[i] : Number(l[i])])),
    );
    const direct = (await (
      await fetch(new URL('/simulate/batch', origin), {
        method: 'POST',
        headers: { 'X-API-KEY': stack.api.key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ persons }),
      })
    ).json()) as { results: { ok: boolean; result?: { risk_factor_count: number } }[] };
    expect(shown.filter((r) => !r.bad).map((r) => r.cells[4])).toEqual(
      direct.results.filter((r) => r.ok).map((r) => String(r.result!.risk_factor_count)),
    );

    // Tabs, quotes, CRLF and an empty cell; the empty cell is the API's "Field is required".
    const tsv = [
      Object.keys(EXAMPLE).join('\t'),
      '12\t1\t165\t80\t152\t96\t131\t255\t210\t38\t"current"',
      '9\t2\t160\t\t118\t76\t92\t190\t90\t60\tnever',
    ].join('\r\n');
    await page.fill('#batch-csv', tsv);
    await page.click('#batch-go');
    await expect.poll(() => page.textContent('#batch-sum'), { timeout: 10_000 }).toBe('2 persons: 1 scored, 1 refused');
    expect((await rows())[1]!.cells[1]).toBe('400 Validation Error — Invalid input dataweight: Field is required');

    // A header without the fields is refused on the page, before any request.
    const before = urls.filter((u) => u.endsWith('/simulate/batch')).length;
    await page.fill('#batch-csv', 'age_group,gender\n12,1');
    await page.click('#batch-go');
    await page.waitForSelector('#batch-err:not([hidden])');
    expect(await page.textContent('#batch-err')).toContain('The header row lacks: height, weight, systolic_bp');
    expect(await page.isHidden('#batch-out')).toBe(true);
    expect(urls.filter((u) => u.endsWith('/simulate/batch')).length).toBe(before);

    // Over the API's limit: its 400 is shown as it came.
    await page.fill(
      '#batch-csv',
      [Object.keys(EXAMPLE).join(','), ...Array(1001).fill(Object.values(EXAMPLE).join(','))].join('\n'),
    );
    await page.click('#batch-go');
    await expect
      .poll(() => page.textContent('#batch-err'), { timeout: 10_000 })
      .toMatch(/^400 Validation Error — persons holds 1001 persons: at most 1000 per request/);

    expect(problems).toEqual([]);
    expect(urls.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  });

  it('fits a 375 px wide phone screen without horizontal overflow', async () => {
    const { page, problems } = await open('/demo', 375);
    await enterKey(page);
    await simulate(page, EXAMPLE);
    await waitOr(page, '#sim-out:not([hidden])', '#sim-err');
    await waitOr(page, '#age-chart svg g.age', '#stats-err');
    await waitOr(page, '#rec-table tbody tr[data-id]', '#rec-err');
    await page.click('#rec-table tbody tr[data-id]');
    await waitOr(page, '#detail-kv dt', '#detail-err');
    expect(await noOverflow(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/demo-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('/docs renders the document readably, also at phone width', async () => {
    const { page, problems, urls } = await open('/docs', 375);
    expect(await page.locator('section[id^=op-]').count()).toBeGreaterThanOrEqual(10);
    expect(await page.textContent('#op-simulate')).toContain('X-API-KEY');
    expect(await noOverflow(page)).toBe(true);
    expect(problems).toEqual([]);
    expect(urls.every((u) => new URL(u).origin === origin || u.startsWith('data:'))).toBe(true);
    await page.close();
  });
});
