// #/accountability — 问责: cases and persons counted separately, by family and by kind, and the
// list of actions with where each stands (proposed → decided → carried out, appeals). Names of
// persons are shown only where the API gives them (discipline staff and auditors).

import { get } from './api.js';
import { proposeForm } from './action-forms.js';
import { h, table } from './dom.js';
import { choice, figure, filterForm, filtersOf, hashOf, pager, unitChoices, unitNames } from './lists.js';
import { moment } from './moment.js';
import { ACTION_KINDS, ACTION_STATUSES, FAMILIES } from './terms.js';

const ROUTE = 'accountability';
const FILTERS = ['year', 'family', 'unit_id', 'counted_only'];
const PAGE = 20;
const WRITERS = ['discipline'];
const YEARS = [['', '全部年度'], ...[2016, 2017, 2018, 2019, 2020, 2021].map((y) => [String(y), `${y} 年`])];

function headline(c) {
  const yearly = c.year ? { year: c.year } : {};
  const list = (extra) => hashOf(ROUTE, { ...yearly, ...extra });
  return h('dl', { class: 'figures wide-figures', 'aria-label': '问责处分主要数字' },
    figure('clues', '受理问题线索', `${c.clues.received}`, '#/clues', '件'),
    figure('cases', '立案', `${c.cases.opened}`, null, `件(已结案 ${c.cases.closed} 件)`),
    figure('organisational', '组织处理', `${c.organisational.persons}`,
      list({ family: 'organisational' }), `人(${c.organisational.actions} 项)`),
    figure('sanctioned', '党纪政务处分', `${c.sanctioned.persons}`, null,
      `人(${c.sanctioned.actions} 项,涉及 ${c.sanctioned.cases} 起案件)`),
    figure('persons', '问责处分合计', `${c.all.persons}`, list({ counted_only: 'true' }),
      `人、${c.all.organisations} 个单位(${c.all.actions} 项)`));
}

function groupTable(caption, head, groups, link) {
  return table(caption, [head, '项数', '人数', '单位(组织)', '涉及案件'], groups.map((g) =>
    h('tr', { 'data-key': g.key || '' },
      h('th', { scope: 'row' }, link && g.key ? h('a', { href: link(g.key) }, g.label) : g.label || '—'),
      h('td', {}, g.actions), h('td', {}, g.persons), h('td', {}, g.organisations), h('td', {}, g.cases))),
  'numbers groups');
}

/** Who an action is against: the person's name where the API gives it, or the unit. */
export function subject(a, names) {
  if (a.subject_type === 'organisation') return h('span', {}, names.get(a.unit_id) || '(单位)', h('span', { class: 'tag' }, '单位'));
  if (a.subject_name) return h('span', { class: 'name' }, a.subject_name);
  return h('span', { class: 'muted hidden-name', title: '您的角色不能查看被问责人姓名' }, '(姓名不公开)');
}

/** Where an action stands: its status, appeals, and whether it counts. */
export function status(a) {
  return [
    h('span', { class: `status ac-${a.status}` }, ACTION_STATUSES[a.status] || a.status),
    a.appeals ? h('span', { class: 'tag appealed' }, `申诉 ${a.appeals} 次`) : null,
    a.counted ? null : h('span', { class: 'tag' }, '不计入'),
  ];
}

function row(a, names) {
  return h('tr', { 'data-action': a.action_id, 'data-status': a.status },
    h('td', { 'data-label': '方式' }, h('a', { href: `#/accountability/actions/${a.action_id}` }, a.kind_label),
      h('span', { class: 'muted' }, `(${a.family_label})`)),
    h('td', { 'data-label': '对象' }, subject(a, names), a.rank ? h('span', { class: 'muted' }, ` ${a.rank}`) : null),
    h('td', { 'data-label': '单位' }, names.get(a.unit_id) || '—'),
    h('td', { 'data-label': '提出' }, a.proposed_on),
    h('td', { 'data-label': '决定' }, a.decided_on || '—'),
    h('td', { 'data-label': '执行' }, a.carried_out_on || '—'),
    h('td', { 'data-label': '状态' }, status(a)));
}

function actionList(page, names, params, choices) {
  const head = ['问责方式', '对象', '单位', '提出', '决定', '执行', '状态'];
  const form = filterForm(ROUTE, '筛选问责处分', [
    choice('year', '决定年度', YEARS, params.year),
    choice('family', '类别', [['', '全部'], ...FAMILIES], params.family),
    choice('unit_id', '单位', [['', '全部'], ...choices], params.unit_id),
    choice('counted_only', '范围', [['', '全部(含未决定、已撤销)'], ['true', '只看计入统计的']], params.counted_only),
  ], FILTERS);
  return [
    h('h2', { id: 'actions-h' }, '问责处分清单'),
    form,
    page.items.length
      ? table(`问责处分清单(共 ${page.total} 项,本页 ${page.items.length} 项)`, head,
        page.items.map((a) => row(a, names)), 'action-list')
      : h('p', { class: 'empty' }, '没有符合条件的问责处分。'),
    pager(ROUTE, filtersOf(params, FILTERS), params, page, '项'),
  ];
}

// Groups in the order the rules list them (families, then kinds within each), not by code.
const ORDER = [...FAMILIES.map(([key]) => key), ...ACTION_KINDS.flatMap(([, kinds]) => kinds.map(([key]) => key))];

function ordered(groups) {
  return [...groups].sort((a, b) => ORDER.indexOf(a.key) - ORDER.indexOf(b.key));
}

async function figures(year) {
  const [clues, s] = await Promise.all([get('/clue-counts'), get('/accountability/summary', { year })]);
  return { ...s, year, clues, byFamily: ordered(s.by_family), byKind: ordered(s.by_kind) };
}

/** The page. */
export async function accountabilityPage({ me, params, go }) {
  const listed = me.role !== 'responsible_unit';
  const query = { ...filtersOf(params, FILTERS), after: params.after, limit: PAGE };
  const [c, page, names] = await Promise.all([
    figures(params.year),
    listed ? get('/accountability/actions', query) : null,
    unitNames(),
  ]);
  const writes = WRITERS.includes(me.role) && !moment.past;
  const choices = unitChoices(names);
  const family = (key) => hashOf(ROUTE, { year: params.year || '', family: key });
  return h('section', { class: 'page accountability' },
    h('h1', { tabindex: '-1' }, '问责处分'),
    h('p', { class: 'muted' }, '起数与人数分开计:一人受两项处分计两项、一人;一起案件可涉及多人。',
      '问责从作出决定起计入,经申诉撤销的不再计入。流程:提出建议 → 作出决定 → 执行 → 申诉(维持、变更或撤销)。',
      params.year ? ` 以下为 ${params.year} 年作出决定的数字。` : ''),
    headline(c),
    writes ? proposeForm(choices, (receipt) => go(`#/accountability/actions/${receipt.id}`,
      '已记录:提出问责建议')) : null,
    h('h2', {}, '按类别'),
    groupTable('问责处分按类别', '类别', c.byFamily, family),
    h('h2', {}, '按方式'),
    groupTable('问责处分按方式', '方式', c.byKind),
    listed ? actionList(page, names, params, choices)
      : h('p', { class: 'notice' }, '责任单位只能查看汇总数字,不能查看问责处分清单。'));
}
