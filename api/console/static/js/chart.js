// Progress over time as an inline SVG line chart, with its figures as a table beside it.

import { h, s, table, uid } from './dom.js';

const W = 720;
const H = 260;
const PAD = { left: 44, right: 16, top: 16, bottom: 30 };
const SERIES = [
  ['total', '问题总数', 'total'],
  ['completed', '已完成', 'completed'],
  ['ongoing', '正在整改', 'ongoing'],
  ['long_term', '需长期坚持', 'long-term'],
  ['overdue', '逾期', 'overdue'],
];

function time(day) {
  return Date.parse(`${day}T00:00:00Z`);
}

function niceStep(max) {
  const rough = Math.max(1, max / 5);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((c) => c >= rough);
  return Math.max(1, step);
}

function scales(points) {
  const t0 = time(points[0].day);
  const t1 = Math.max(time(points[points.length - 1].day), t0 + 86400000);
  const top = Math.max(1, ...points.map((p) => p.total));
  const step = niceStep(top);
  const ymax = Math.ceil(top / step) * step;
  const x = (day) => PAD.left + ((time(day) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / ymax) * (H - PAD.top - PAD.bottom);
  return { x, y, ymax, step, t0, t1 };
}

function axes(sc) {
  const parts = [];
  for (let v = 0; v <= sc.ymax; v += sc.step) {
    parts.push(s('line', { x1: PAD.left, x2: W - PAD.right, y1: sc.y(v), y2: sc.y(v), class: 'grid' }));
    parts.push(s('text', { x: PAD.left - 6, y: sc.y(v) + 4, class: 'tick', 'text-anchor': 'end' }, v));
  }
  const first = new Date(sc.t0).getUTCFullYear() + 1;
  const last = new Date(sc.t1).getUTCFullYear();
  const every = Math.max(1, Math.ceil((last - first + 1) / 8));
  for (let year = first; year <= last; year += every) {
    const at = sc.x(`${year}-01-01`);
    parts.push(s('line', { x1: at, x2: at, y1: H - PAD.bottom, y2: H - PAD.bottom + 4, class: 'axis' }));
    parts.push(s('text', { x: at, y: H - 8, class: 'tick', 'text-anchor': 'middle' }, `${year}年`));
  }
  parts.push(s('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'axis' }));
  return parts;
}

function line(points, sc, key, cls) {
  // Steps: a figure holds until the next point.
  let d = '';
  points.forEach((p, i) => {
    const x = sc.x(p.day).toFixed(1);
    const y = sc.y(p[key]).toFixed(1);
    d += i === 0 ? `M${x},${y}` : `H${x}V${y}`;
  });
  return s('path', { d, class: `series ${cls}`, fill: 'none' });
}

function hints(points, sc) {
  // One invisible band per point, each with a native tooltip of its figures.
  return points.map((p, i) => {
    const left = i === 0 ? PAD.left : (sc.x(points[i - 1].day) + sc.x(p.day)) / 2;
    const right = i === points.length - 1 ? W - PAD.right : (sc.x(p.day) + sc.x(points[i + 1].day)) / 2;
    const words = SERIES.map(([key, label]) => `${label} ${p[key]}`).join(',');
    return s('rect', { x: left, y: PAD.top, width: Math.max(0, right - left), height: H - PAD.top - PAD.bottom, class: 'hint' },
      s('title', {}, `${p.day}:${words}`));
  });
}

function legend() {
  return h('ul', { class: 'legend' },
    SERIES.map(([, label, cls]) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label)));
}

function data(points) {
  const rows = points.slice().reverse().map((p) =>
    h('tr', {}, h('th', { scope: 'row' }, p.day), SERIES.map(([key]) => h('td', {}, p[key]))));
  return h('details', { class: 'chart-data' }, h('summary', {}, '查看数据表'),
    table(null, ['日期', ...SERIES.map(([, label]) => label)], rows, 'numbers'));
}

function same(a, b) {
  return ['total', 'completed', 'ongoing', 'long_term', 'overdue', 'claimed', 'struck_off']
    .every((key) => a[key] === b[key]);
}

/** The points up to one step past the last change: years of flat lines would squeeze the rest. */
function untilSettled(points) {
  let k = points.length - 1;
  while (k > 0 && same(points[k - 1], points[k])) k -= 1;
  return points.slice(0, Math.min(points.length, k + 2));
}

/** The chart of an inspection's progress points ({day, total, completed, …}). */
export function progressChart(all) {
  const title = uid('chart-title');
  const desc = uid('chart-desc');
  const points = untilSettled(all);
  const last = all[all.length - 1];
  const shownTo = points[points.length - 1];
  const settled = shownTo.day !== last.day
    ? h('p', { class: 'muted' }, `${points[points.length - 2].day} 之后至 ${last.day} 各项数字没有变化,图中略去。`)
    : null;
  const sc = scales(points);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${title} ${desc}`, class: 'chart' },
    s('title', { id: title }, '整改进度(每月末)'),
    s('desc', { id: desc }, `自 ${points[0].day} 至 ${last.day}:最后一点问题总数 ${last.total},已完成 ${last.completed},正在整改 ${last.ongoing},逾期 ${last.overdue}。`),
    axes(sc),
    SERIES.map(([key, , cls]) => line(points, sc, key, cls)),
    hints(points, sc));
  return h('figure', { class: 'chart-box' }, svg, h('figcaption', {}, legend(), settled), data(all));
}
