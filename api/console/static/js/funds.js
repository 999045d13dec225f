// #/funds — 资金: each fund's allocated, disbursed (拨付率), misused, recovered and refunded
// amounts exact to the fen, its accounts' balances, idle money (滞留闲置) and the amounts per
// unit; every figure links to the movements behind it (#/funds/movements).

import { get } from './api.js';
import { h, table } from './dom.js';
import { movementForm } from './fund-forms.js';
import { byName, figure, hashOf, unitChoices, unitNames } from './lists.js';
import { percent, wan, yuan } from './money.js';
import { moment } from './moment.js';
import { ACCOUNT_KINDS } from './terms.js';

const WRITERS = ['finance', 'discipline'];
const DAYS = [['30', '30 天'], ['90', '90 天'], ['180', '180 天'], ['365', '一年']];
const FIGURES = [
  ['allocated', '下达', 'allocation'],
  ['disbursed', '拨付', 'disbursement'],
  ['misappropriated', '发现违规使用', 'misappropriation'],
  ['recovered', '追缴', 'recovery'],
  ['refunded', '退还群众', 'refund'],
];

/** The hash of the movements behind a figure. */
export function movementsHash(filters) {
  return hashOf('funds/movements', filters);
}

function amountFigure(fund, [key, label, kind]) {
  return figure(key, label, `${yuan(fund[key])} 元`,
    movementsHash({ fund_id: fund.fund_id, kind }), `${wan(fund[key])} 万元`);
}

function balances(fund, accounts, names) {
  return table(`${fund.name}:各账户余额`, ['账户', '余额(元)', '类型', '单位'], accounts.map((a) =>
    h('tr', { 'data-account': a.account_id, 'data-kind': a.kind },
      h('th', { scope: 'row' }, h('a', { href: movementsHash({ fund_id: fund.fund_id, account_id: a.account_id }) }, a.name)),
      h('td', { class: 'amount' }, yuan(a.balance)),
      h('td', {}, ACCOUNT_KINDS[a.kind] || a.kind),
      h('td', {}, names.get(a.unit_id) || '—'))), 'balances');
}

function fundSection(fund, accounts, names, writes, refresh) {
  const id = `fund-${fund.fund_id}`;
  return h('section', { class: 'fund', 'aria-labelledby': id, 'data-fund': fund.fund_id },
    h('h2', { id }, fund.name),
    h('p', { class: 'muted' }, `${fund.year} 年 · 管理单位:${names.get(fund.unit_id) || '—'} · 拨付率 = 拨付 ÷ 下达`),
    h('dl', { class: 'figures money-figures' },
      amountFigure(fund, FIGURES[0]), amountFigure(fund, FIGURES[1]),
      figure('rate', '拨付率', percent(fund.disbursement_rate)),
      FIGURES.slice(2).map((f) => amountFigure(fund, f))),
    balances(fund, accounts, names),
    writes ? movementForm(fund, accounts, unitChoices(names), refresh) : null);
}

function idleSection(idle, days, names) {
  const form = h('form', { class: 'filters', 'aria-label': '滞留闲置天数' },
    h('div', { class: 'field' }, h('label', { for: 'f-days' }, '超过多少天未拨付'),
      h('select', { id: 'f-days', name: 'days' }, DAYS.map(([v, t]) => h('option', { value: v, selected: v === days }, t)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '查看')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    window.location.hash = hashOf('funds', { days: form.elements.days.value });
  });
  const rows = idle.map((x) => h('tr', { 'data-account': x.account_id },
    h('th', { scope: 'row' }, h('a', { href: movementsHash({ fund_id: x.fund_id, account_id: x.account_id }) }, x.name)),
    h('td', {}, names.get(x.unit_id) || '—'), h('td', { class: 'amount' }, yuan(x.balance)),
    h('td', { class: 'amount idle' }, yuan(x.idle))));
  return [h('h2', {}, '滞留闲置资金'),
    h('p', { class: 'muted' }, `资金存放单位的余额中,超过 ${days} 天仍未拨付的部分(先进先出)。`),
    form,
    rows.length ? table('滞留闲置资金', ['账户', '单位', '余额(元)', '闲置(元)'], rows, 'idle')
      : h('p', { class: 'empty' }, '没有滞留闲置资金。')];
}

function unitSection(totals, names) {
  const named = (t) => names.get(t.key) || t.key || '';
  const rows = [...totals].sort((a, b) => byName(named(a), named(b))).map((t) => h('tr', { 'data-unit': t.key || '' },
    h('th', { scope: 'row' }, t.key ? h('a', { href: movementsHash({ unit_id: t.key }) }, names.get(t.key) || t.key) : '(未指明单位)'),
    h('td', {}, yuan(t.involved)), h('td', {}, yuan(t.recovered)), h('td', {}, yuan(t.refunded)), h('td', {}, t.movements)));
  return [h('h2', {}, '按单位:涉及、追缴、退还'),
    rows.length ? table('违规资金按单位汇总', ['单位', '涉及(元)', '追缴(元)', '退还群众(元)', '笔数'], rows, 'numbers by-unit')
      : h('p', { class: 'empty' }, '尚无违规资金。')];
}

/** The page. */
export async function fundsPage({ me, params, refresh }) {
  const days = params.days || '90';
  const wide = me.role !== 'responsible_unit';
  const [funds, names, idle, totals] = await Promise.all([
    get('/funds'), unitNames(),
    wide ? get('/idle-funds', { days }) : [], wide ? get('/fund-totals', { by: 'unit' }) : [],
  ]);
  const accounts = await Promise.all(funds.map((f) => get(`/funds/${f.fund_id}/balances`)));
  const writes = WRITERS.includes(me.role) && !moment.past;
  return h('section', { class: 'page funds' },
    h('h1', { tabindex: '-1' }, '扶贫资金'),
    h('p', { class: 'muted' }, '金额以元计,精确到分;每个数字都可以点开,查看其背后的每一笔资金往来。'),
    funds.length ? funds.map((f, n) => fundSection(f, accounts[n], names, writes, refresh))
      : h('p', { class: 'empty' }, '所选时点尚无资金。'),
    wide ? [idleSection(idle, days, names), unitSection(totals, names)]
      : h('p', { class: 'notice' }, '责任单位只能查看各项资金的汇总数字。'));
}
