// Work forms for accountability (discipline staff only; the API decides): propose an action,
// and on an action's page its next step: decide, carry out, record an appeal's outcome.

import { h } from './dom.js';
import { commandForm, envelope, values } from './forms.js';
import { ACTION_KINDS, APPEAL_OUTCOMES } from './terms.js';

const PICK = [['', '请选择']];
const ENVELOPE = ['basis', 'effective_at'];
const PROPOSAL = ['kind', 'unit_id', 'person_id', 'rank', 'proposing_organ', 'deciding_organ',
  'implementing_organ', 'proposed_on', 'case_id', 'description', ...ENVELOPE];

/** The proposal form; ``done(receipt)`` after the API recorded it. */
export function proposeForm(units, done) {
  const form = commandForm({
    key: 'propose-action',
    title: '提出问责(处分)建议',
    submit: '提出建议',
    path: '/actions',
    fields: [
      { name: 'kind', label: '问责方式', type: 'select', options: PICK, groups: ACTION_KINDS, required: true },
      { name: 'unit_id', label: '单位', type: 'select', options: [...PICK, ...units], required: true,
        hint: '被问责人所在单位;不填被问责人时,问责对象即为该单位' },
      { name: 'person_id', label: '被问责人编号(可不填)', hint: '人员登记时的编号(UUID)' },
      { name: 'rank', label: '职级', hint: '如 科级、县处级' },
      { name: 'proposing_organ', label: '建议机关', required: true, hint: '如 永定区纪委监委' },
      { name: 'deciding_organ', label: '决定机关', required: true, hint: '如 永定区纪委常委会' },
      { name: 'implementing_organ', label: '实施机关', required: true, hint: '如 四都坪乡党委' },
      { name: 'proposed_on', label: '提出日期', type: 'date', required: true },
      { name: 'case_id', label: '所涉案件编号(可不填)' },
      { name: 'description', label: '事由', type: 'textarea', wide: true },
      ...envelope(),
    ],
    body: (f) => values(f, PROPOSAL),
    done,
  });
  return h('section', { class: 'work-forms', 'aria-labelledby': 'propose-h' },
    h('h2', { id: 'propose-h' }, '办理'),
    h('p', { class: 'muted' }, '提交后即记为不可更改的事件;被拒绝的操作不会记录任何内容,原因显示在相应栏目旁。'),
    form);
}

function kindField(label) {
  return { name: 'kind', label, type: 'select', options: [['', '(不变)']], groups: ACTION_KINDS };
}

function steps(a) {
  const decide = {
    key: 'decide', title: '作出决定', submit: '作出决定', path: 'decision',
    fields: [{ name: 'decided_on', label: '决定日期', type: 'date', required: true },
      kindField('决定的问责方式(与建议不同时选)'), ...envelope()],
    names: ['decided_on', 'kind', ...ENVELOPE],
  };
  const carry = {
    key: 'carry-out', title: '执行', submit: '记录执行', path: 'execution',
    fields: [{ name: 'carried_out_on', label: '执行日期', type: 'date', required: true }, ...envelope()],
    names: ['carried_out_on', ...ENVELOPE],
  };
  const appeal = {
    key: 'appeal', title: '申诉结果', submit: '记录申诉结果', path: 'appeals',
    fields: [
      { name: 'outcome', label: '申诉结果', type: 'select', options: [...PICK, ...APPEAL_OUTCOMES], required: true },
      { name: 'decided_on', label: '申诉决定日期', type: 'date', required: true },
      kindField('变更后的问责方式(仅变更时)'), ...envelope()],
    names: ['outcome', 'decided_on', 'kind', ...ENVELOPE],
  };
  return { proposed: [decide], decided: [carry, appeal], carried_out: [appeal] }[a.status] || [];
}

/** The forms of an action's next steps on its page (none once revoked). */
export function actionForms(a, refresh) {
  const specs = steps(a);
  if (!specs.length) return null;
  const forms = specs.map((spec) => commandForm({
    ...spec,
    path: `/actions/${a.action_id}/${spec.path}`,
    body: (f) => values(f, spec.names),
    done: (receipt) => refresh(`已记录:${spec.title}(该项现为第 ${receipt.version} 版)`),
  }, a.version));
  return h('section', { class: 'work-forms', 'aria-labelledby': 'action-work-h' },
    h('h2', { id: 'action-work-h' }, '办理'),
    h('p', { class: 'muted' }, '提交后即记为不可更改的事件;被拒绝的操作不会记录任何内容,原因显示在相应栏目旁。'),
    forms);
}
