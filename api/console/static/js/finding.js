// #/findings/{id} — a finding's plan, measures, progress reports with evidence, letters,
// its timeline, its dispute bundle, and (in the present view) the work forms of the signed-in role.

import { get, getWithHeaders } from './api.js';
import { bundleSection } from './bundle.js';
import { facts, h, table } from './dom.js';
import { LEVELS, MEASURE_KINDS, STATUSES, beijing } from './labels.js';
import { moment } from './moment.js';
import { timeline } from './timeline.js';
import { workForms } from './work.js';

function unitNames(detail) {
  return Object.fromEntries(detail.units.map((u) => [u.unit_id, u.name || u.unit_id]));
}

function deadline(d) {
  if (d.long_term && !d.deadline) return '长期坚持';
  const changed = d.original_deadline && d.original_deadline !== d.deadline;
  return `${d.deadline || '未定'}${changed ? `(原定 ${d.original_deadline},延期 ${d.extensions} 次)` : ''}`;
}

function plan(d, names) {
  const lead = d.units.find((u) => u.lead);
  const others = d.units.filter((u) => !u.lead).map((u) => u.name || u.unit_id);
  return facts([
    ['状态', h('span', { class: `status st-${d.status}` }, STATUSES[d.status] || d.status)],
    ['类别', d.category],
    ['整改时限', deadline(d)],
    ['需长期坚持', d.long_term ? '是' : '否'],
    ['逾期', d.overdue ? `是,逾期 ${d.days_overdue} 天` : '否'],
    ['来源', d.sources.join('、')],
    ['责任领导', d.responsible_leader],
    ['牵头单位', lead ? lead.name : (d.lead_department && names[d.lead_department]) || ''],
    ['责任单位', others.join('、')],
    ['登记日期', d.recorded_on],
    ['申报完成', d.claimed_on],
    ['验收', d.verified_on],
    ['销号', d.struck_off_on],
    ['退回次数', d.sent_back ? String(d.sent_back) : ''],
  ]);
}

function measures(d, names) {
  if (!d.measures.length) return h('p', { class: 'muted' }, '尚无整改措施。');
  return table('整改措施', ['类型', '措施', '责任单位', '时限', '进展报告'], d.measures.map((m) =>
    h('tr', {},
      h('td', {}, MEASURE_KINDS[m.kind] || m.kind),
      h('td', {}, m.text),
      h('td', {}, names[m.owner_unit] || m.owner_unit),
      h('td', {}, m.long_term ? '长期坚持' : m.deadline || '—'),
      h('td', {}, String(m.reports)))));
}

function evidence(items) {
  if (!items.length) return null;
  return h('ul', { class: 'evidence-list', 'aria-label': '佐证材料' }, items.map((e) =>
    h('li', {}, h('strong', {}, e.title),
      e.document_no ? `(${e.document_no})` : '',
      e.location ? ` 存放:${e.location}` : '',
      e.sha256 ? h('code', { title: e.sha256 }, ` SHA-256 ${e.sha256.slice(0, 12)}…`) : '')));
}

function figure(f) {
  return `${f.name} ${f.value}${f.unit || ''}${f.of_total ? ` / ${f.of_total}${f.unit || ''}` : ''}`;
}

function reports(state, entries, measuresById) {
  const list = Object.values((state && state.reports) || {}).sort((a, b) => a.version - b.version);
  if (!list.length) return h('p', { class: 'muted' }, '尚无进展报告。');
  const byVersion = Object.fromEntries(entries.map((e) => [e.version, e]));
  return h('ol', { class: 'reports' }, list.map((r) => {
    const e = byVersion[r.version];
    const measure = r.measure_id && measuresById[r.measure_id];
    return h('li', { class: 'report', 'data-report': r.id },
      h('p', { class: 'muted' }, e ? `${beijing(e.effective_at).slice(0, 10)} · ${e.actor_name}` : '',
        measure ? ` · 措施:${measure.text.slice(0, 40)}` : ''),
      h('p', {}, r.narrative),
      r.figures.length ? h('p', {}, '数据:', r.figures.map(figure).join(';')) : null,
      evidence(r.evidence));
  }));
}

function letters(state) {
  const list = Object.values((state && state.letters) || {});
  if (!list.length) return null;
  const level = Object.fromEntries(LEVELS);
  return [h('h2', {}, '督办函'), table(null, ['编号', '层级', '答复期限', '是否答复'], list.map((l) =>
    h('tr', {}, h('td', {}, l.letter_no), h('td', {}, level[l.level] || l.level),
      h('td', {}, l.due_date || '—'), h('td', {}, l.answered ? '已答复' : '未答复'))))];
}

/** The page. */
export async function findingPage({ id, me, refresh }) {
  const [detail, state, trail] = await Promise.all([
    get(`/findings/${id}`),
    get(`/records/${id}/state`),
    getWithHeaders(`/audit/records/${id}`), // the events that hold at the viewed moment
  ]);
  const entries = trail.data;
  const total = Number(trail.headers.get('Record-Events') || entries.length);
  const names = unitNames(detail);
  const measuresById = Object.fromEntries(detail.measures.map((m) => [m.measure_id, m]));
  return h('article', { class: 'page finding', 'data-status': detail.status },
    h('p', { class: 'crumbs' }, h('a', { href: '#/findings' }, '问题清单'), ' › ', detail.number),
    h('h1', { tabindex: '-1' }, `${detail.number} ${detail.text}`),
    plan(detail, names),
    moment.past ? null : workForms(me, detail, refresh),
    h('h2', {}, '整改措施'),
    measures(detail, names),
    h('h2', {}, '进展报告与佐证材料'),
    reports(state.state, entries, measuresById),
    letters(state.state),
    timeline(entries, names, total),
    bundleSection(id));
}
