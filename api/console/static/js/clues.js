// #/clues — 问题线索与信访件: received → assigned (交办) → urged (催办) / supervised (督办)
// → transferred (移交) → concluded (办结) in one of five ways; figures, per unit, and the list.

import { get } from './api.js';
import { receiveForm } from './clue-forms.js';
import { h, table } from './dom.js';
import { byName, choice, figure, filterForm, filtersOf, hashOf, pager, unitChoices, unitNames } from './lists.js';
import { moment } from './moment.js';
import { CLUE_KINDS, CLUE_STATUSES, DISPOSITIONS, word } from './terms.js';

const ROUTE = 'clues';
const FILTERS = ['status', 'disposition', 'kind', 'unit_id', 'overdue'];
const STAGES = [['', '全部'], ['received', '已受理(未交办)'], ['assigned', '已交办(未办结)'],
  ['concluded', '已办结'], ['open', '未办结']];
const PAGE = 20;

function figures(c) {
  const list = (extra) => hashOf(ROUTE, extra);
  return [
    h('dl', { class: 'figures wide-figures', 'aria-label': '线索办理数字' },
      figure('received', '受理', c.received, list({}), '件'),
      figure('assigned', '已交办', c.assigned, null, '件(含已办结)'),
      figure('concluded', '已办结', c.concluded, list({ status: 'concluded' }), '件'),
      figure('open', '未办结', c.open, list({ status: 'open' }), '件'),
      figure('overdue', '逾期未办结', c.overdue, list({ overdue: 'true' }), '件')),
    h('h2', {}, '办结的处置方式'),
    h('dl', { class: 'figures ways', 'aria-label': '五种处置方式' },
      DISPOSITIONS.map(([key, label]) => figure(key, label, c.by_disposition[key] ?? 0,
        list({ disposition: key }), '件'))),
  ];
}

/** What a clue's row says about where it stands. */
export function stage(c) {
  return [
    h('span', { class: `status cl-${c.status}` }, CLUE_STATUSES[c.status] || c.status),
    c.urged ? h('span', { class: 'tag' }, `催办 ${c.urged} 次`) : null,
    c.level ? h('span', { class: 'tag' }, '督办') : null,
    c.organ !== c.received_by ? h('span', { class: 'tag' }, `已移交 ${c.organ}`) : null,
    c.overdue ? h('span', { class: 'tag overdue' }, '逾期') : null,
  ];
}

function row(c, names) {
  return h('tr', { 'data-clue': c.clue_id, 'data-status': c.status },
    h('td', { 'data-label': '编号' }, h('a', { href: `#/clues/${c.clue_id}` }, c.number)),
    h('td', { 'data-label': '类型' }, word(CLUE_KINDS, c.kind)),
    h('td', { 'data-label': '摘要', class: 'text' }, c.summary),
    h('td', { 'data-label': '单位' }, names.get(c.unit_id) || '—'),
    h('td', { 'data-label': '受理' }, c.effective),
    h('td', { 'data-label': '期限' }, c.due_date || '—'),
    h('td', { 'data-label': '状态' }, stage(c)),
    h('td', { 'data-label': '处置' }, c.disposition ? word(DISPOSITIONS, c.disposition) : '—'));
}

function byUnit(groups, names) {
  const named = (g) => names.get(g.key) || g.key || '';
  const sorted = [...groups].sort((a, b) => byName(named(a), named(b)));
  const rows = sorted.map((g) => h('tr', { 'data-unit': g.key || '' },
    h('th', { scope: 'row' }, g.key ? h('a', { href: hashOf(ROUTE, { unit_id: g.key }) }, names.get(g.key) || g.key) : '(未指明单位)'),
    h('td', {}, g.received), h('td', {}, g.assigned), h('td', {}, g.concluded), h('td', {}, g.open), h('td', {}, g.overdue)));
  return table('线索按单位汇总', ['单位', '受理', '已交办', '已办结', '未办结', '逾期'], rows, 'numbers by-unit');
}

function list(page, names, params, choices) {
  const form = filterForm(ROUTE, '筛选线索', [
    choice('status', '办理状态', STAGES, params.status),
    choice('disposition', '处置方式', [['', '全部'], ...DISPOSITIONS], params.disposition),
    choice('kind', '类型', [['', '全部'], ...CLUE_KINDS], params.kind),
    choice('unit_id', '单位', [['', '全部'], ...choices], params.unit_id),
    choice('overdue', '逾期', [['', '全部'], ['true', '是'], ['false', '否']], params.overdue),
  ], FILTERS);
  const head = ['编号', '类型', '摘要', '单位', '受理日期', '办理期限', '状态', '处置方式'];
  return [h('h2', {}, '线索清单'), form,
    page.items.length
      ? table(`线索清单(共 ${page.total} 件,本页 ${page.items.length} 件)`, head, page.items.map((c) => row(c, names)), 'clues')
      : h('p', { class: 'empty' }, '没有符合条件的线索。'),
    pager(ROUTE, filtersOf(params, FILTERS), params, page, '件')];
}

/** The page. */
export async function cluesPage({ me, params, go }) {
  const wide = me.role !== 'responsible_unit';
  const query = { ...filtersOf(params, FILTERS), after: params.after, limit: PAGE };
  const [counts, groups, page, names] = await Promise.all([
    get('/clue-counts'),
    wide ? get('/clue-rollups', { by: 'unit' }) : [],
    wide ? get('/clues', query) : null,
    unitNames(),
  ]);
  const writes = me.role === 'discipline' && !moment.past;
  const choices = unitChoices(names);
  return h('section', { class: 'page clues' },
    h('h1', { tabindex: '-1' }, '问题线索与信访件'),
    h('p', { class: 'muted' }, '流程:受理 → 交办 → 催办、督办 → (移交其他机关)→ 办结。'
      + '办结须选定处置方式:深挖细查、重点整治、压实到人、妥善解决、查清澄清。'),
    figures(counts),
    writes ? receiveForm(choices, (receipt) => go(`#/clues/${receipt.id}`, `已记录:受理(编号 ${receipt.id})`)) : null,
    wide ? [h('h2', {}, '按单位'), byUnit(groups, names), list(page, names, params, choices)]
      : h('p', { class: 'notice' }, '责任单位只能查看汇总数字。'));
}
