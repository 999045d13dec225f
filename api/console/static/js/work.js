// The work forms of a finding, by role: a responsible unit reports progress (with evidence
// references) and claims completion; the office verifies, sends back, strikes off, extends
// the deadline and issues supervision letters. The API still decides each command.

import { h } from './dom.js';
import { commandForm, envelope, field, values } from './forms.js';
import { LEVELS, MEASURE_KINDS } from './labels.js';

const EVIDENCE = ['title', 'document_no', 'sha256', 'location'];
const FIGURE = ['name', 'value', 'unit', 'of_total'];

function evidenceRow(n) {
  const at = (name) => `evidence.${n}.${name}`;
  return h('fieldset', { class: 'evidence', 'data-row': n },
    h('legend', {}, `佐证材料 ${n + 1}`),
    field({ name: at('title'), label: '材料标题' }),
    field({ name: at('document_no'), label: '文号' }),
    field({ name: at('sha256'), label: 'SHA-256 摘要', hint: '64 位十六进制,可不填' }),
    field({ name: at('location'), label: '存放位置' }));
}

function evidenceBlock() {
  const rows = h('div', { class: 'evidence-rows' }, evidenceRow(0));
  const more = h('button', { type: 'button', class: 'secondary' }, '再添加一份材料');
  more.addEventListener('click', () => {
    const row = evidenceRow(rows.children.length);
    rows.append(row);
    row.querySelector('input').focus();
  });
  return h('div', { class: 'wide' }, rows, more);
}

function figureBlock() {
  const at = (name) => `figures.0.${name}`;
  return h('fieldset', { class: 'figure-row wide' }, h('legend', {}, '数据(可不填)'),
    field({ name: at('name'), label: '指标', hint: '如 劝返复学' }),
    field({ name: at('value'), label: '数值' }),
    field({ name: at('unit'), label: '计量单位', hint: '如 人' }),
    field({ name: at('of_total'), label: '总数' }));
}

function rows(form, prefix, names) {
  const found = [];
  for (let n = 0; form.elements[`${prefix}.${n}.${names[0]}`]; n += 1) {
    const row = {};
    for (const name of names) {
      const value = form.elements[`${prefix}.${n}.${name}`].value.trim();
      if (value !== '') row[name] = value;
    }
    if (Object.keys(row).length) found.push(row);
  }
  return found;
}

function progressSpec(detail) {
  const measures = [['', '(整体进展,不对应某项措施)'],
    ...detail.measures.map((m) => [m.measure_id, `${MEASURE_KINDS[m.kind] || m.kind}:${m.text.slice(0, 30)}`])];
  return {
    key: 'progress',
    title: '报告整改进展',
    submit: '提交进展',
    path: 'progress',
    fields: [
      { name: 'narrative', label: '进展情况', type: 'textarea', required: true, wide: true },
      detail.measures.length ? { name: 'measure_id', label: '对应措施', type: 'select', options: measures } : null,
      figureBlock(),
      evidenceBlock(),
      ...envelope(),
    ].filter(Boolean),
    body: (form) => ({
      ...values(form, ['narrative', 'measure_id', 'basis', 'effective_at']),
      figures: rows(form, 'figures', FIGURE),
      evidence: rows(form, 'evidence', EVIDENCE),
    }),
  };
}

const SPECS = {
  responsible_unit: (detail) => [
    progressSpec(detail),
    {
      key: 'claim', title: '申报整改完成', submit: '申报完成', path: 'claim',
      fields: [{ name: 'summary', label: '完成情况', type: 'textarea', required: true, wide: true }, ...envelope()],
      body: (form) => values(form, ['summary', 'basis', 'effective_at']),
    },
  ],
  inspection_office: () => [
    {
      key: 'verify', title: '验收', submit: '验收通过', path: 'verification',
      fields: [{ name: 'opinion', label: '验收意见', type: 'textarea', wide: true }, ...envelope()],
      body: (form) => values(form, ['opinion', 'basis', 'effective_at']),
    },
    {
      key: 'send-back', title: '退回重新整改', submit: '退回', path: 'send-back',
      fields: envelope({ reason: true, reasonRequired: true }),
      body: (form) => values(form, ['reason', 'basis', 'effective_at']),
    },
    {
      key: 'strike-off', title: '销号', submit: '销号', path: 'strike-off',
      fields: envelope({ reason: true }),
      body: (form) => values(form, ['reason', 'basis', 'effective_at']),
    },
    {
      key: 'extend', title: '延期', submit: '延期', path: 'deadline-extensions',
      fields: [
        { name: 'new_deadline', label: '新整改时限', type: 'date', required: true },
        { name: 'approver', label: '批准人', required: true },
        ...envelope({ reason: true, reasonRequired: true }),
      ],
      body: (form) => values(form, ['new_deadline', 'approver', 'reason', 'basis', 'effective_at']),
    },
    {
      key: 'letter', title: '发督办函', submit: '发出督办函', path: 'letters',
      fields: [
        { name: 'letter_no', label: '督办函编号', required: true, hint: '如 督办〔2018〕12号' },
        { name: 'level', label: '督办层级', type: 'select', options: LEVELS, required: true },
        { name: 'due_date', label: '答复期限', type: 'date' },
        ...envelope({ reason: true }),
      ],
      body: (form) => values(form, ['letter_no', 'level', 'due_date', 'reason', 'basis', 'effective_at']),
    },
  ],
};

/** The forms the signed-in role may use on this finding (none for read-only roles). */
export function workForms(me, detail, refresh) {
  const make = SPECS[me.role];
  if (!make) return null;
  const forms = make(detail).map((spec) => commandForm({
    ...spec,
    path: `/findings/${detail.finding_id}/${spec.path}`,
    done: (receipt) => refresh(`已记录:${spec.title}(该问题现为第 ${receipt.version} 版)`),
  }, detail.version));
  return h('section', { class: 'work-forms', 'aria-labelledby': 'work-h' },
    h('h2', { id: 'work-h' }, '办理'),
    h('p', { class: 'muted' }, '提交后即记为不可更改的事件;被拒绝的操作不会记录任何内容,原因显示在相应栏目旁。'),
    forms);
}
