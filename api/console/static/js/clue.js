// #/clues/{id} — one clue or petition: where it stands, its transfers between organs, the
// cases and actions it led to, and (present view, discipline staff) the next steps.

import { get } from './api.js';
import { clueForms } from './clue-forms.js';
import { facts, h, table } from './dom.js';
import { LEVELS } from './labels.js';
import { unitChoices, unitNames } from './lists.js';
import { moment } from './moment.js';
import { stage } from './clues.js';
import { CLUE_KINDS, DISPOSITIONS, word } from './terms.js';

function transfers(list) {
  if (!list.length) return h('p', { class: 'muted' }, '未移交其他机关。');
  return table('移交记录', ['日期', '移出机关', '移入机关', '经办人', '理由'], list.map((t) =>
    h('tr', {}, h('td', {}, t.effective), h('td', {}, t.from_organ), h('td', {}, t.to_organ),
      h('td', {}, t.actor), h('td', {}, t.reason || '—'))));
}

/** The page. */
export async function cluePage({ id, me, refresh }) {
  const [clue, names] = await Promise.all([get(`/clues/${id}`), unitNames()]);
  const writes = me.role === 'discipline' && !moment.past;
  return h('article', { class: 'page clue', 'data-status': clue.status },
    h('p', { class: 'crumbs' }, h('a', { href: '#/clues' }, '问题线索与信访件'), ' › ', clue.number),
    h('h1', { tabindex: '-1' }, `${word(CLUE_KINDS, clue.kind)} ${clue.number}`),
    facts([
      ['状态', h('span', { class: 'stage' }, stage(clue))],
      ['反映的问题', clue.summary],
      ['受理机关', clue.received_by],
      ['现办理机关', clue.organ],
      ['涉及单位', names.get(clue.unit_id) || ''],
      ['受理日期', clue.effective],
      ['办理期限', clue.due_date],
      ['催办次数', clue.urged ? String(clue.urged) : ''],
      ['督办层级', clue.level ? word(LEVELS, clue.level) : ''],
      ['办结日期', clue.concluded_on],
      ['处置方式', clue.disposition ? word(DISPOSITIONS, clue.disposition) : ''],
    ]),
    writes ? clueForms(clue, unitChoices(names), refresh) : null,
    h('h2', {}, '移交记录'),
    transfers(clue.transfers),
    h('h2', {}, '由此立案与问责'),
    h('p', { 'data-led-to': `${clue.cases.length} ${clue.actions.length}` },
      `立案 ${clue.cases.length} 件,问责处分 ${clue.actions.length} 项。`));
}
