// Hand-written SVG charts for the reports (no chart library): grouped horizontal bars and a line
// chart over time. Pure: data in, SVG text out, deterministic for snapshot tests.

export interface BarSeries {
  name: string;
  color: string;
  /** One value per category; null = not measured. */
  values: (number | null)[];
}

export interface LineSeries {
  name: string;
  color: string;
  values: number[];
}

const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis maximum ≥ max: 1, 2 or 5 × a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const fmt = (v: number) =>
  v === 0 ? '0' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2);

function legend(series: { name: string; color: string }[], x: number, y: number): string {
  return series
    .map(
      (s, i) =>
        `<rect x="${x + i * 150}" y="${y - 10}" width="12" height="12" fill="${s.color}"/><text x="${x + i * 150 + 18}" y="${y}" font-size="12">${escapeXml(s.name)}</text>`,
    )
    .join('');
}

/** Grouped horizontal bars: one group per category, one bar per series, values printed at the bar's end. */
export function barChart(opts: {
  title: string;
  unit: string;
  categories: string[];
  series: BarSeries[];
  width?: number;
}): string {
  const width = opts.width ?? 760;
  const labelW = 250;
  const barH = 14;
  const groupGap = 10;
  const top = 52;
  const plotW = width - labelW - 90;
  const groupH = opts.series.length * barH + groupGap;
  const height = top + opts.categories.length * groupH + 34;
  const max = niceMax(Math.max(0, ...opts.series.flatMap((s) => s.values.map((v) => v ?? 0))));
  const scale = (v: number) => (v / max) * plotW;
  const parts: string[] = [];
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(opts.title)}</text>`,
  );
  parts.push(legend(opts.series, labelW, 40));
  for (let t = 0; t <= 4; t++) {
    const x = labelW + (plotW * t) / 4;
    parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 30}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${x}" y="${height - 16}" text-anchor="middle" font-size="11" fill="#555">${fmt((max * t) / 4)}</text>`,
    );
  }
  parts.push(
    `<text x="${labelW + plotW / 2}" y="${height - 3}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(opts.unit)}</text>`,
  );
  opts.categories.forEach((cat, ci) => {
    const y0 = top + ci * groupH;
    parts.push(
      `<text x="${labelW - 8}" y="${y0 + (opts.series.length * barH) / 2 + 4}" text-anchor="end" font-size="12">${escapeXml(cat)}</text>`,
    );
    opts.series.forEach((s, si) => {
      const v = s.values[ci];
      const y = y0 + si * barH;
      if (v === null || v === undefined) {
        parts.push(`<text x="${labelW + 4}" y="${y + barH - 3}" font-size="10" fill="#888">not measured</text>`);
        return;
      }
      const w = Math.max(1, scale(v));
      parts.push(`<rect x="${labelW}" y="${y + 1}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${s.color}"/>`);
      parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + barH - 3}" font-size="10">${fmt(v)}</text>`);
    });
  });
  return svgDoc(width, height, parts);
}

/** Lines over a shared x axis of seconds (one value per second per series). */
export function lineChart(opts: {
  title: string;
  yUnit: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  markers?: { at: number; label: string }[];
}): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 300;
  const left = 60;
  const right = 20;
  const top = 48;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = Math.max(2, ...opts.series.map((s) => s.values.length));
  const max = niceMax(Math.max(0, ...opts.series.flatMap((s) => s.values)));
  const x = (i: number) => left + (i / (n - 1)) * plotW;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(opts.title)}</text>`,
  );
  parts.push(legend(opts.series, left, 38));
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${width - right}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${fmt(v)}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil((n - 1) / 10));
  for (let i = 0; i < n; i += step)
    parts.push(
      `<text x="${x(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${i}</text>`,
    );
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#555">seconds since start · ${escapeXml(opts.yUnit)}</text>`,
  );
  for (const m of opts.markers ?? []) {
    parts.push(
      `<line x1="${x(m.at).toFixed(1)}" y1="${top}" x2="${x(m.at).toFixed(1)}" y2="${top + plotH}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${(x(m.at) + 3).toFixed(1)}" y="${top + 10}" font-size="10" fill="#666">${escapeXml(m.label)}</text>`,
    );
  }
  for (const s of opts.series) {
    const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${pts}"/>`);
  }
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#888"/>`);
  return svgDoc(width, height, parts);
}

export interface XYSeries {
  name: string;
  color: string;
  /** Drawn dashed when set. */
  dashed?: boolean;
  /** Points in x order; y null = not measured (the line breaks there); hollow marks a point to caveat. */
  points: { x: number; y: number | null; hollow?: boolean }[];
}

/**
 * Lines over a numeric x axis (from 0), with a marker at every point. With `logY` the y axis is
 * logarithmic, one grid line per decade (values ≤ 0 are left out).
 */
export function xyChart(opts: {
  title: string;
  xUnit: string;
  yUnit: string;
  series: XYSeries[];
  logY?: boolean;
  width?: number;
  height?: number;
}): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 320;
  const left = 60;
  const right = 20;
  const top = 52;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const ys = opts.series.flatMap((s) =>
    s.points.map((p) => p.y).filter((y): y is number => y !== null && (!opts.logY || y > 0)),
  );
  const xMax = niceMax(Math.max(0, ...opts.series.flatMap((s) => s.points.map((p) => p.x))));
  const x = (v: number) => left + (v / xMax) * plotW;
  let y: (v: number) => number;
  let ticks: number[];
  if (opts.logY) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(1, ...ys)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...ys)));
    const span = Math.log10(hi) - Math.log10(lo);
    y = (v: number) => top + plotH - ((Math.log10(v) - Math.log10(lo)) / span) * plotH;
    ticks = Array.from({ length: Math.round(span) + 1 }, (_, i) => lo * 10 ** i);
  } else {
    const max = niceMax(Math.max(0, ...ys));
    y = (v: number) => top + plotH - (v / max) * plotH;
    ticks = [0, 1, 2, 3, 4].map((t) => (max * t) / 4);
  }
  const parts: string[] = [];
  parts.push(
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(opts.title)}</text>`,
  );
  opts.series.forEach((s, i) => {
    const lx = left + i * 170;
    parts.push(
      `<line x1="${lx}" y1="36" x2="${lx + 22}" y2="36" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${lx + 28}" y="40" font-size="12">${escapeXml(s.name)}</text>`,
    );
  });
  for (const v of ticks) {
    parts.push(
      `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${width - right}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#555">${fmt(v)}</text>`,
    );
  }
  for (let t = 0; t <= 4; t++) {
    const v = (xMax * t) / 4;
    parts.push(
      `<text x="${x(v).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="#555">${fmt(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(opts.xUnit)} · ${escapeXml(opts.yUnit)}${opts.logY ? ' (log scale)' : ''}</text>`,
  );
  for (const s of opts.series) {
    const shown = (p: { y: number | null }): p is { x: number; y: number; hollow?: boolean } =>
      p.y !== null && (!opts.logY || p.y > 0);
    // Runs of consecutive measured points become one polyline each.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        parts.push(
          `<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${run.join(' ')}"/>`,
        );
      run = [];
    };
    for (const p of s.points) {
      if (!shown(p)) {
        flush();
        continue;
      }
      run.push(`${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
    }
    flush();
    for (const p of s.points.filter(shown))
      parts.push(
        `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" ${p.hollow ? `fill="#fff" stroke="${s.color}"` : `fill="${s.color}"`}/>`,
      );
  }
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#888"/>`);
  return svgDoc(width, height, parts);
}

function svgDoc(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
