// Work forms for clues and petitions (discipline staff only; the API decides): receive one,
// then on its page assign, urge, supervise, transfer and conclude it.

import { h } from './dom.js';
import { commandForm, envelope, values } from './forms.js';
import { LEVELS } from './labels.js';
import { CLUE_KINDS, DISPOSITIONS } from './terms.js';

const PICK = [['', '请选择']];
const ENVELOPE = ['basis', 'effective_at'];

function box(id, forms) {
  return h('section', { class: 'work-forms', 'aria-labelledby': id },
    h('h2', { id }, '办理'),
    h('p', { class: 'muted' }, '提交后即记为不可更改的事件;被拒绝的操作不会记录任何内容,原因显示在相应栏目旁。'),
    forms);
}

/** Receiving a clue or petition; ``done(receipt)`` after the API recorded it. */
export function receiveForm(units, done) {
  return box('receive-h', commandForm({
    key: 'receive-clue',
    title: '受理问题线索或信访件',
    submit: '受理',
    path: '/clues',
    fields: [
      { name: 'kind', label: '类型', type: 'select', options: [...PICK, ...CLUE_KINDS], required: true },
      { name: 'number', label: '编号', required: true, hint: '如 永纪线〔2018〕397号' },
      { name: 'organ', label: '受理机关', required: true, hint: '如 永定区纪委监委' },
      { name: 'unit_id', label: '涉及单位', type: 'select', options: [['', '(不填)'], ...units] },
      { name: 'summary', label: '反映的问题', type: 'textarea', required: true, wide: true },
      ...envelope(),
    ],
    body: (f) => values(f, ['kind', 'number', 'organ', 'unit_id', 'summary', ...ENVELOPE]),
    done,
  }));
}

const STEPS = [
  {
    key: 'assign', title: '交办', submit: '交办', path: 'assignment',
    fields: (units) => [
      { name: 'unit_id', label: '承办单位', type: 'select', options: [...PICK, ...units], required: true },
      { name: 'due_date', label: '办理期限', type: 'date', required: true }],
    names: ['unit_id', 'due_date'],
  },
  {
    key: 'urge', title: '催办', submit: '催办', path: 'urgings',
    fields: () => [{ name: 'note', label: '催办意见', type: 'textarea', wide: true }],
    names: ['note'],
  },
  {
    key: 'supervise', title: '督办', submit: '督办', path: 'supervision',
    fields: () => [{ name: 'level', label: '督办层级', type: 'select', options: [...PICK, ...LEVELS], required: true }],
    names: ['level'],
  },
  {
    key: 'transfer', title: '移交其他机关', submit: '移交', path: 'transfers',
    fields: () => [{ name: 'to_organ', label: '移交至', required: true, hint: '如 永定区人民检察院' }],
    names: ['to_organ'],
  },
  {
    key: 'conclude', title: '办结', submit: '办结', path: 'conclusion',
    fields: () => [
      { name: 'disposition', label: '处置方式', type: 'select', options: [...PICK, ...DISPOSITIONS], required: true },
      { name: 'summary', label: '办理结果', type: 'textarea', wide: true }],
    names: ['disposition', 'summary'],
  },
];

/** The forms on one clue's page (none once it is concluded). */
export function clueForms(clue, units, refresh) {
  if (clue.status === 'concluded') return null;
  return box('clue-work-h', STEPS.map((step) => commandForm({
    key: step.key,
    title: step.title,
    submit: step.submit,
    path: `/clues/${clue.clue_id}/${step.path}`,
    fields: [...step.fields(units), ...envelope()],
    body: (f) => {
      const body = values(f, [...step.names, ...ENVELOPE]);
      // Conclusion names its disposition even when none was chosen, so the ledger's own
      // refusal ("办结须给出处置方式") is what the person reads next to the field.
      if (step.key === 'conclude' && !body.disposition) body.disposition = null;
      return body;
    },
    done: () => refresh(`已记录:${step.title}`),
  }, null)));
}
