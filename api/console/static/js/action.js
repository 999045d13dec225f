// #/accountability/actions/{id} — one accountability action: whom it concerns (the name only
// where the API gives it), the three organs, its dates and status, and its next steps.

import { get } from './api.js';
import { actionForms } from './action-forms.js';
import { status, subject } from './accountability.js';
import { facts, h } from './dom.js';
import { unitNames } from './lists.js';
import { moment } from './moment.js';

/** The page. */
export async function actionPage({ id, me, refresh }) {
  const [a, names] = await Promise.all([get(`/accountability/actions/${id}`), unitNames()]);
  const writes = me.role === 'discipline' && !moment.past;
  return h('article', { class: 'page action', 'data-status': a.status, 'data-version': a.version },
    h('p', { class: 'crumbs' }, h('a', { href: '#/accountability' }, '问责处分'), ' › '),
    h('h1', { tabindex: '-1' }, `${a.kind_label}(${a.family_label})`),
    facts([
      ['状态', h('span', { class: 'stage' }, status(a))],
      ['对象', subject(a, names)],
      ['单位', names.get(a.unit_id) || ''],
      ['职级', a.rank],
      ['建议机关', a.proposing_organ],
      ['决定机关', a.deciding_organ],
      ['实施机关', a.implementing_organ],
      ['提出日期', a.proposed_on],
      ['决定日期', a.decided_on],
      ['执行日期', a.carried_out_on],
      ['计入年度', a.year ? `${a.year} 年` : ''],
      ['申诉次数', a.appeals ? String(a.appeals) : ''],
    ]),
    writes ? actionForms(a, refresh) : null,
    h('p', { class: 'muted' }, a.counted ? '本项计入问责处分统计。' : '本项现不计入统计(尚未作出决定,或经申诉撤销)。'));
}
