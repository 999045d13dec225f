// The overview (published counts per inspection) and one inspection's page:
// its counts, progress over time, and rollups by category and by unit.

import { get } from './api.js';
import { progressChart } from './chart.js';
import { facts, h, table } from './dom.js';
import { FIGURES } from './labels.js';
import { moment } from './moment.js';

/** The hash of a findings list with these filters. */
export function listHash(filters) {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '' && v != null));
  return `#/findings?${query}`;
}

function figures(c, inspectionId, extra = {}) {
  return h('dl', { class: 'figures' }, FIGURES.map(([key, label, filter]) =>
    h('div', { class: `figure fig-${key}` },
      h('dt', {}, label),
      h('dd', {}, h('a', {
        href: listHash({ inspection_id: inspectionId, ...extra, ...filter }),
        'data-figure': key,
        'aria-label': `${label} ${c[key]} 个,查看清单`,
      }, c[key])))));
}

function rate(c) {
  const percent = c.total ? Math.round((c.completed / c.total) * 100) : 0;
  return h('p', { class: 'rate' },
    h('label', {}, `完成率 ${percent}%`,
      h('progress', { max: c.total || 1, value: c.completed })));
}

function card(c) {
  const id = `ins-${c.inspection_id}`;
  return h('article', { class: 'card', 'aria-labelledby': id, 'data-inspection': c.inspection_id },
    h('h2', { id }, h('a', { href: `#/inspections/${c.inspection_id}` }, c.title)),
    h('p', { class: 'muted' }, `被检查对象:${c.inspected_body} · 问题总数 `,
      h('a', { href: listHash({ inspection_id: c.inspection_id }), 'data-figure': 'total' }, c.total)),
    figures(c, c.inspection_id),
    rate(c));
}

/** #/ — every inspection's counts. */
export async function overviewPage() {
  const counts = await get('/inspections');
  const when = moment.past ? `(${moment.describe()})` : '';
  return h('section', { class: 'page' },
    h('h1', { tabindex: '-1' }, '整改总览'),
    h('p', { class: 'muted' }, `已完成 + 正在整改 = 问题总数;需长期坚持与两者交叉;待验收仍计入正在整改。${when}`),
    counts.length
      ? h('div', { class: 'cards' }, counts.map(card))
      : h('p', {}, '所选时点尚无巡视。'));
}

function rollupTable(caption, rows, keyHead, keyCell, inspectionId) {
  const head = [keyHead, '总数', ...FIGURES.map(([, label]) => label)];
  const body = rows.map((r) => {
    const [text, filter] = keyCell(r);
    return h('tr', {},
      h('th', { scope: 'row' }, filter ? h('a', { href: listHash({ inspection_id: inspectionId, ...filter }) }, text) : text),
      h('td', {}, r.total),
      FIGURES.map(([key]) => h('td', { class: `fig-${key}` }, r[key])));
  });
  return table(caption, head, body, 'numbers rollup');
}

async function rollups(id) {
  const [byCategory, byUnit] = await Promise.all([
    get(`/inspections/${id}/rollups`, { by: 'category' }),
    get(`/inspections/${id}/rollups`, { by: 'unit' }),
  ]);
  return [
    h('h2', {}, '按问题类别'),
    rollupTable('按问题类别汇总', byCategory, '类别', (r) => [r.category, { category: r.category }], id),
    h('h2', {}, '按责任单位'),
    h('p', { class: 'muted' }, '一个问题有多个责任单位时,在每个单位下各计一次。'),
    rollupTable('按责任单位汇总', byUnit, '单位',
      (r) => (r.unit_id ? [r.name || r.unit_id, { unit_id: r.unit_id }] : ['(尚未交办)', null]), id),
  ];
}

/** #/inspections/{id} — counts, the chart, rollups (rollups are not for responsible units). */
export async function inspectionPage({ id, me }) {
  const mayRollUp = me.role !== 'responsible_unit';
  const [c, progress, groups] = await Promise.all([
    get(`/inspections/${id}`),
    get(`/inspections/${id}/progress`),
    mayRollUp ? rollups(id) : Promise.resolve([]),
  ]);
  return h('section', { class: 'page' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '整改总览'), ' › '),
    h('h1', { tabindex: '-1' }, c.title),
    facts([['被检查对象', c.inspected_body], ['问题总数', String(c.total)]]),
    figures(c, id),
    rate(c),
    h('h2', {}, '整改进度'),
    progressChart(progress.points),
    groups);
}
