// The markup of /demo: key entry, the simulate form, batch scoring of a pasted CSV, the stats
// charts and the records browser.
// Labels and ranges come from the code book and RANGES, so the page cannot drift from the API.
import { RANGES, RISK_GROUPS, ageDisplay, genderDisplay, type GenderCode } from '../risk/index.ts';
import { BATCH_MAX_PERSONS } from '../contract/schemas.ts';
import { esc, type PageParts } from './html.ts';
import { DEMO_SCRIPT } from './demo-script.ts';
import { STYLE } from './style.ts';

type Range = keyof typeof RANGES;
const opts = (pairs: [string | number, string][], selected?: string | number) =>
  pairs.map(([v, t]) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(t)}</option>`).join('');

const AGES: [number, string][] = [];
for (let code = RANGES.age_group[0]; code <= RANGES.age_group[1]; code++) AGES.push([code, ageDisplay(code)]);
const GENDERS = RANGES.gender.map((g) => [g, genderDisplay(g as GenderCode)] as [number, string]);
const SMOKING: [string, string][] = [
  ['never', 'never · 비흡연'],
  ['former', 'former · 과거 흡연'],
  ['current', 'current · 현재 흡연'],
];
const GROUPS = RISK_GROUPS.map((g) => [g, g] as [string, string]);
const ALL: [string, string] = ['', 'All'];

/** Numeric fields of POST /simulate with a label and an ordinary adult's value as default. */
const NUMERIC: [Range, string, number][] = [
  ['height', 'Height (cm)', 170],
  ['weight', 'Weight (kg)', 68],
  ['systolic_bp', 'Systolic BP (mmHg)', 124],
  ['diastolic_bp', 'Diastolic BP (mmHg)', 80],
  ['fasting_glucose', 'Fasting glucose (mg/dL)', 96],
  ['total_cholesterol', 'Total cholesterol (mg/dL)', 195],
  ['triglycerides', 'Triglycerides (mg/dL)', 130],
  ['hdl_cholesterol', 'HDL cholesterol (mg/dL)', 52],
];

/** The columns a batch CSV needs: the fields of the /simulate body, in the form's order. */
const BATCH_FIELDS = ['age_group', 'gender', ...NUMERIC.map(([name]) => name), 'smoking_status'];

/** A labelled control; simulate fields also get a slot for the API's message about them. */
const field = (name: string | null, label: string, control: string) =>
  `<label>${esc(label)}${control}${name ? `<span class="ferr" data-for="${name}"></span>` : ''}</label>`;
const select = (name: string, options: string) => `<select name="${name}" id="s-${name}">${options}</select>`;

const simulateFields = () =>
  [
    field('age_group', 'Age group', select('age_group', opts(AGES, 12))),
    field('gender', 'Gender', select('gender', opts(GENDERS, 1))),
    ...NUMERIC.map(([name, label, value]) =>
      field(
        name,
        label,
        `<input name="${name}" id="s-${name}" type="number" inputmode="numeric" step="1" min="${RANGES[name][0]}" max="${RANGES[name][1]}" value="${value}">`,
      ),
    ),
    field('smoking_status', 'Smoking', select('smoking_status', opts(SMOKING, 'never'))),
  ].join('');

// Built on the first request (lazyPage), not at isolate start-up.
const body = () => `<main>
<header><h1>NHIS risk-factor API · try it</h1>
<p class="muted">Every call below goes to this Worker's own API. Reference: <a href="/docs">/docs</a> · <a href="/openapi.json">/openapi.json</a>. Not a diagnostic tool.</p></header>
<section id="key-card"><h2>API key</h2>
<form id="key-form" class="row" autocomplete="off">
<label>X-API-KEY<input id="key" type="password" autocomplete="off" spellcheck="false" placeholder="paste your key"></label>
<button id="key-save">Use key</button><button type="button" class="ghost" id="key-clear">Forget</button></form>
<p id="key-state" class="muted">Kept in this browser tab only (sessionStorage) and sent as a header, never in a URL.</p></section>
<section id="simulate"><h2>Simulate · POST /simulate</h2>
<form id="sim-form" novalidate><div class="grid">${simulateFields()}</div>
<p class="row"><button id="sim-go">Simulate</button></p></form>
<div id="sim-err" class="err" role="alert" hidden></div>
<div id="sim-out" hidden aria-live="polite"><p><span id="sim-group" class="badge"></span> <b id="sim-count"></b> of 7 risk factors</p>
<p id="sim-who"></p><ul id="sim-flags" class="chips"></ul><ol id="sim-expl"></ol><p id="sim-note" class="muted"></p></div></section>
<section id="batch"><h2>Batch · POST /simulate/batch</h2>
<p class="muted">Paste a CSV: a header row with the fields of the form above (${BATCH_FIELDS.join(', ')}), then one person per row, up to ${BATCH_MAX_PERSONS.toLocaleString('en-US')}. Each row is scored or refused on its own.</p>
<form id="batch-form" novalidate><label>CSV<textarea id="batch-csv" rows="6" spellcheck="false" autocomplete="off" placeholder="${BATCH_FIELDS.join(',')}"></textarea></label>
<p class="row"><button id="batch-go">Score</button><button type="button" class="ghost" id="batch-example">Example</button></p></form>
<div id="batch-err" class="err" role="alert" hidden></div>
<div id="batch-out" hidden aria-live="polite"><p id="batch-sum"></p>
<div class="scroll"><table id="batch-table"><thead><tr><th>Line</th><th>Age</th><th>Gender</th><th class="hide-s">BMI</th><th>Factors</th><th>Risk group</th></tr></thead><tbody></tbody></table></div></div></section>
<section id="stats"><h2>Statistics · GET /stats/risk, /stats/age</h2>
<div id="stats-err" class="err" role="alert" hidden></div>
<div class="charts"><div><h3>Risk groups</h3><div id="risk-chart"></div><ul id="risk-legend" class="legend"></ul></div>
<div><h3>Age groups <span class="muted">(records; red: CHD_RISK_EQUIVALENT)</span></h3><div id="age-chart"></div></div></div>
<p class="row"><button type="button" class="ghost" id="stats-go">Reload</button></p></section>
<section id="records"><h2>Records · GET /records</h2>
<form id="rec-form" class="grid">
${field(null, 'Age group', `<select name="age_group">${opts([ALL, ...AGES])}</select>`)}
${field(null, 'Gender', `<select name="gender">${opts([ALL, ...GENDERS])}</select>`)}
${field(null, 'Risk group', `<select name="risk_group">${opts([ALL, ...GROUPS])}</select>`)}
${field(
  null,
  'Per page',
  `<select name="limit">${opts(
    [
      [10, '10'],
      [20, '20'],
      [50, '50'],
      [100, '100'],
    ],
    20,
  )}</select>`,
)}
</form>
<div id="rec-err" class="err" role="alert" hidden></div>
<div class="scroll"><table id="rec-table"><thead><tr><th>ID</th><th>Age</th><th>Gender</th><th class="hide-s">BMI</th><th>Factors</th><th>Risk group</th></tr></thead><tbody></tbody></table></div>
<nav class="pager" aria-label="pages"><button type="button" id="rec-prev">‹ Prev</button>
<label>Page <input id="rec-page" type="number" min="1" value="1"></label><span id="rec-pages">of –</span>
<button type="button" id="rec-next">Next ›</button><span id="rec-total" class="muted"></span></nav>
<div id="detail" class="card" hidden><h3 id="detail-title"></h3><div id="detail-err" class="err" role="alert" hidden></div><dl id="detail-kv" class="kv"></dl>
<p><button type="button" class="ghost" id="detail-close">Close</button></p></div></section>
</main>`;

export const demoPage = (): PageParts => ({
  title: 'NHIS risk API · demo',
  style: STYLE,
  script: DEMO_SCRIPT,
  body: body(),
});
