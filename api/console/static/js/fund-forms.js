// The work form of a fund (finance and discipline staff; the API decides): record a movement
// of money from one of its accounts to another, exact to the fen.

import { h } from './dom.js';
import { amount, commandForm, envelope, values } from './forms.js';
import { ACCOUNT_KINDS, MANNERS, MOVEMENT_KINDS } from './terms.js';

const PICK = [['', '请选择']];

function leg(form, side, sum) {
  const account = form.elements[`${side}.0.account_id`].value;
  return [{ account_id: account || undefined, amount: sum || undefined }];
}

/** The movement form of one fund, its accounts as the choices. */
export function movementForm(fund, accounts, units, refresh) {
  const choices = accounts.map((a) => [a.account_id, `${a.name}(${ACCOUNT_KINDS[a.kind] || a.kind})`]);
  const form = commandForm({
    key: 'movement',
    title: '记录资金往来',
    submit: '记录',
    path: `/funds/${fund.fund_id}/movements`,
    fields: [
      { name: 'kind', label: '往来类型', type: 'select', options: [...PICK, ...MOVEMENT_KINDS], required: true },
      { name: 'outflows.0.account_id', label: '转出账户', type: 'select', options: [...PICK, ...choices], required: true },
      { name: 'inflows.0.account_id', label: '转入账户', type: 'select', options: [...PICK, ...choices], required: true },
      { name: 'outflows.0.amount', label: '金额(元)', required: true, hint: '精确到分,如 1250.00' },
      { name: 'manner', label: '违规方式', type: 'select', options: [['', '(不适用)'], ...MANNERS],
        hint: '仅“发现违规使用”时填' },
      { name: 'unit_id', label: '涉及单位', type: 'select', options: [['', '(不填)'], ...units] },
      { name: 'description', label: '说明', type: 'textarea', wide: true },
      ...envelope(),
    ],
    body: (f) => {
      const sum = amount(f.elements['outflows.0.amount'].value);
      return {
        ...values(f, ['kind', 'manner', 'unit_id', 'description', 'basis', 'effective_at']),
        outflows: leg(f, 'outflows', sum),
        inflows: leg(f, 'inflows', sum),
      };
    },
    done: () => refresh('已记录:资金往来'),
  });
  return h('div', { class: 'work-forms' },
    h('p', { class: 'muted' }, '资金只在账户之间移动,转出与转入相等;提交后即记为不可更改的事件,被拒绝的不记录任何内容。'),
    form);
}
