// #/findings — the filterable, paginated list of findings.

import { get } from './api.js';
import { h, table } from './dom.js';
import { STATUSES, STATUS_FILTERS } from './labels.js';
import { byName } from './lists.js';
import { moment } from './moment.js';
import { listHash } from './overview.js';

const PAGE = 20;
const FILTERS = ['inspection_id', 'unit_id', 'category', 'status', 'long_term', 'overdue'];
const YES_NO = [['', '全部'], ['true', '是'], ['false', '否']];

function select(name, label, options, value) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      options.map(([v, text, group]) => (group
        ? h('optgroup', { label: group }, v.map(([gv, gt]) => h('option', { value: gv, selected: gv === value }, gt)))
        : h('option', { value: v, selected: v === value }, text)))));
}

// Filter choices come from rollups, one pair per inspection: loaded once per inspection and
// moment, and filled in after the list shows, so they never hold the list up.
const remembered = new Map();

async function choicesOf(inspectionId) {
  const key = `${inspectionId} ${JSON.stringify(moment.params())}`;
  if (!remembered.has(key)) {
    remembered.set(key, Promise.all([
      get(`/inspections/${inspectionId}/rollups`, { by: 'unit' }),
      get(`/inspections/${inspectionId}/rollups`, { by: 'item' }),
    ]).catch((error) => {
      remembered.delete(key);
      throw error;
    }));
  }
  return remembered.get(key);
}

async function choices(ids) {
  const units = new Map();
  const categories = new Map();
  for (const [byUnit, byItem] of await Promise.all(ids.map(choicesOf))) {
    byUnit.filter((r) => r.unit_id).forEach((r) => units.set(r.unit_id, r.name || r.unit_id));
    byItem.forEach((r) => {
      if (!categories.has(r.category)) categories.set(r.category, new Set());
      if (r.item) categories.get(r.category).add(r.item);
    });
  }
  return {
    units: [...units].sort((a, b) => byName(a[1], b[1])),
    categories: [...categories].map(([major, items]) => [
      [[major, `${major}(全部)`], ...[...items].map((item) => [`${major} > ${item}`, item])], '', major]),
  };
}

function options(selectEl, list, value) {
  const fresh = select(selectEl.name, '', [['', '全部'], ...list], value).querySelector('select');
  selectEl.replaceChildren(...fresh.children);
  selectEl.value = value;
}

/** Fill the unit and category choices once they are known (the list is already shown). */
function fillChoices(form, inspections, params) {
  const ids = params.inspection_id ? [params.inspection_id] : inspections.map((i) => i.inspection_id);
  choices(ids).then((found) => {
    options(form.elements.unit_id, found.units, params.unit_id || '');
    options(form.elements.category, found.categories, params.category || '');
    form.dataset.choices = 'loaded';
  }).catch(() => {
    form.dataset.choices = 'failed';
  });
}

function pending(value) {
  // Until the choices arrive, a chosen filter still shows (and stays chosen).
  return value ? [[value, value]] : [];
}

function filterForm(params, inspections, unitRole) {
  const form = h('form', { class: 'filters', 'aria-label': '筛选问题' },
    select('inspection_id', '巡视', [['', '全部'], ...inspections.map((i) => [i.inspection_id, i.title])], params.inspection_id || ''),
    unitRole ? null : select('unit_id', '责任单位', [['', '全部'], ...pending(params.unit_id)], params.unit_id || ''),
    unitRole
      ? h('div', { class: 'field' }, h('label', { for: 'f-category' }, '类别(大类 或 大类 > 项)'),
        h('input', { id: 'f-category', name: 'category', value: params.category || '' }))
      : select('category', '类别', [['', '全部'], ...pending(params.category)], params.category || ''),
    select('status', '状态', STATUS_FILTERS, params.status || ''),
    select('long_term', '需长期坚持', YES_NO, params.long_term || ''),
    select('overdue', '逾期', YES_NO, params.overdue || ''),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, '筛选'),
      h('a', { href: '#/findings', class: 'button secondary' }, '清除')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    window.location.hash = listHash(Object.fromEntries(FILTERS.map((k) => [k, data.get(k) || ''])));
  });
  return form;
}

function marks(item) {
  return [
    item.long_term ? h('span', { class: 'tag long-term' }, '需长期坚持') : null,
    item.overdue ? h('span', { class: 'tag overdue' }, `逾期 ${item.days_overdue} 天`) : null,
    item.sent_back ? h('span', { class: 'tag sent-back' }, `退回 ${item.sent_back} 次`) : null,
  ];
}

function row(item) {
  return h('tr', { 'data-finding': item.finding_id },
    h('td', { 'data-label': '编号' }, item.number),
    h('td', { 'data-label': '问题', class: 'text' }, h('a', { href: `#/findings/${item.finding_id}` }, item.text)),
    h('td', { 'data-label': '类别' }, item.category),
    h('td', { 'data-label': '时限' }, item.long_term && !item.deadline ? '长期坚持' : item.deadline || '—'),
    h('td', { 'data-label': '状态' }, h('span', { class: `status st-${item.status}` }, STATUSES[item.status] || item.status)),
    h('td', { 'data-label': '标记' }, marks(item)));
}

function pager(params, page) {
  const trail = params.trail ? params.trail.split(',') : [];
  const base = Object.fromEntries(FILTERS.map((k) => [k, params[k] || '']));
  const links = [];
  if (params.after) {
    const previous = trail.slice(0, -1);
    links.push(h('a', { href: listHash({ ...base, after: trail[trail.length - 1] || '', trail: previous.join(',') }), rel: 'prev' }, '上一页'));
  }
  if (page.next) {
    const nextTrail = params.after ? [...trail, params.after] : trail;
    links.push(h('a', { href: listHash({ ...base, after: page.next, trail: params.after ? nextTrail.join(',') : '' }), rel: 'next' }, '下一页'));
  }
  return h('nav', { class: 'pager', 'aria-label': '分页' },
    h('span', {}, `第 ${trail.length + (params.after ? 2 : 1)} 页`),
    h('span', { class: 'total', 'data-total': page.total }, `共 ${page.total} 条`), links);
}

/** The list page. */
export async function findingsPage({ me, params }) {
  const unitRole = me.role === 'responsible_unit';
  const query = { limit: PAGE, after: params.after };
  for (const key of FILTERS) query[key] = params[key];
  const [inspections, page] = await Promise.all([get('/inspections'), get('/findings', query)]);
  const head = ['编号', '问题', '类别', '时限', '状态', '标记'];
  const form = filterForm(params, inspections, unitRole);
  if (!unitRole) fillChoices(form, inspections, params);
  return h('section', { class: 'page' },
    h('h1', { tabindex: '-1' }, '问题清单'),
    unitRole ? h('p', { class: 'muted' }, '只列出交办给本单位的问题。') : null,
    form,
    page.items.length
      ? table(`问题清单(共 ${page.total} 条,本页 ${page.items.length} 条)`, head, page.items.map(row), 'findings')
      : h('p', { class: 'empty' }, '没有符合条件的问题。'),
    pager(params, page));
}
