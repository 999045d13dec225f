// #/funds/movements — the movements behind a figure of the funds page: every one, with the
// count and the sum the API gives for the same filters (the sum equals the figure).

import { get } from './api.js';
import { h, table } from './dom.js';
import { filtersOf, pager, unitNames } from './lists.js';
import { money, yuan } from './money.js';
import { ACCOUNT_KINDS, MANNERS, MOVEMENT_KINDS, word } from './terms.js';

const ROUTE = 'funds/movements';
const FILTERS = ['fund_id', 'kind', 'unit_id', 'account_id', 'case_id', 'person_id'];
const PAGE = 50;

function row(m, names) {
  return h('tr', { 'data-movement': m.movement_id, 'data-kind': m.kind },
    h('td', { 'data-label': '日期' }, m.effective),
    h('td', { 'data-label': '类型' }, word(MOVEMENT_KINDS, m.kind)),
    h('td', { 'data-label': '金额(元)', class: 'amount' }, yuan(m.amount)),
    h('td', { 'data-label': '方式' }, m.manner ? word(MANNERS, m.manner) : '—'),
    h('td', { 'data-label': '单位' }, names.get(m.unit_id) || '—'),
    h('td', { 'data-label': '依据' }, m.basis || '—'),
    h('td', { 'data-label': '经办' }, m.actor),
    h('td', { 'data-label': '说明' }, m.description || '—'));
}

async function describe(params, names) {
  const said = [];
  if (params.fund_id) {
    const [fund] = await get('/funds', { fund_id: params.fund_id });
    if (fund) said.push(fund.name);
    if (params.account_id) {
      const accounts = await get(`/funds/${params.fund_id}/balances`);
      const a = accounts.find((x) => x.account_id === params.account_id);
      if (a) said.push(`账户“${a.name}”(${ACCOUNT_KINDS[a.kind] || a.kind};金额为该账户的增减)`);
    }
  }
  if (params.kind) said.push(word(MOVEMENT_KINDS, params.kind));
  if (params.unit_id) said.push(`单位:${names.get(params.unit_id) || params.unit_id}`);
  return said.join(' · ') || '全部资金往来';
}

/** The page. */
export async function movementsPage({ params }) {
  const filters = filtersOf(params, FILTERS);
  const names = await unitNames();
  const [page, about] = await Promise.all([
    get('/fund-movements', { ...filters, after: params.after, limit: PAGE }),
    describe(params, names),
  ]);
  const head = ['日期', '类型', '金额(元)', '违规方式', '单位', '依据', '经办人', '说明'];
  return h('section', { class: 'page movements' },
    h('p', { class: 'crumbs' }, h('a', { href: '#/funds' }, '扶贫资金'), ' › '),
    h('h1', { tabindex: '-1' }, '资金往来明细'),
    h('p', { class: 'about' }, about),
    h('p', { class: 'sum', 'data-total': page.total, 'data-amount': page.total_amount },
      `共 ${page.total} 笔,合计 `, h('strong', {}, money(page.total_amount))),
    page.items.length
      ? table(`资金往来(本页 ${page.items.length} 笔)`, head, page.items.map((m) => row(m, names)), 'movements')
      : h('p', { class: 'empty' }, '没有符合条件的资金往来。'),
    pager(ROUTE, filters, params, page, '笔'));
}
