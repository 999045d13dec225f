// #/import — the office uploads a rectification ledger (.xlsx or .csv): first a check that
// records nothing (every problem by sheet, row and column), then, if there is none, the import.

import { ApiError, getNow, upload } from './api.js';
import { facts, h, table } from './dom.js';
import { field, showError } from './forms.js';
import { moment } from './moment.js';
import { INSPECTION_KINDS } from './terms.js';

const OPTIONS = ['inspection_id', 'title', 'inspected_body', 'inspecting_body', 'kind', 'feedback_date', 'year', 'sheet'];

function fields(inspections) {
  return [
    h('div', { class: 'field wide' },
      h('label', { for: 'import-file' }, '台账文件(.xlsx 或 .csv)', h('span', { class: 'req' }, '(必填)')),
      h('input', { id: 'import-file', name: 'file', type: 'file', 'data-field': 'file',
        accept: '.xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv',
        'aria-describedby': 'import-file-error' }),
      h('p', { class: 'field-error', id: 'import-file-error', 'aria-live': 'polite' })),
    field({ name: 'inspection_id', label: '导入到', type: 'select', wide: true,
      options: [['', '新建巡视(填写下面各项)'], ...inspections.map((i) => [i.inspection_id, i.title])] }),
    field({ name: 'title', label: '新巡视名称', hint: '如 县委第一轮巡察' }),
    field({ name: 'inspected_body', label: '被巡视对象', hint: '如 县扶贫开发领导小组' }),
    field({ name: 'inspecting_body', label: '巡视组', hint: '如 县委第一巡察组' }),
    field({ name: 'kind', label: '类型', type: 'select', options: INSPECTION_KINDS }),
    field({ name: 'feedback_date', label: '反馈日期', type: 'date' }),
    field({ name: 'year', label: '年份', type: 'number', hint: '“6月10日前”这类日期按此年份' }),
    field({ name: 'sheet', label: '工作表', hint: '不填则为第一个' }),
  ];
}

function options(form) {
  const chosen = {};
  for (const name of OPTIONS) {
    const value = form.elements[name].value.trim();
    if (value !== '') chosen[name] = value;
  }
  if (chosen.inspection_id) OPTIONS.slice(1, 6).forEach((name) => delete chosen[name]);
  return chosen;
}

function report(r) {
  const summary = facts([
    ['文件摘要', h('code', { class: 'hash' }, `sha256:${r.sha256.slice(0, 16)}…`)],
    ['工作表', r.sheet], ['数据行', String(r.rows)], ['问题', `${r.findings} 个`],
    ['其中新增', String(r.created)], ['有变化', String(r.changed)], ['无变化', String(r.unchanged)],
    ['新登记单位', String(r.units_created)], ['将记录事件', String(r.events)],
  ]);
  if (!r.problems.length) return [summary, h('p', { class: 'flash', 'data-problems': '0' }, '检查通过:文件没有问题。')];
  const rows = r.problems.map((p) => h('tr', {}, h('td', {}, p.sheet), h('td', {}, String(p.row)),
    h('td', {}, p.column || '—'), h('td', {}, p.message)));
  return [summary,
    h('p', { class: 'form-error', 'data-problems': r.problems.length }, `文件有 ${r.problems.length} 处问题,未导入任何内容;请改正后重新检查。`),
    table('问题清单(按工作表、行、列)', ['工作表', '行', '列', '问题'], rows, 'problems')];
}

/** The page. */
export async function uploadPage({ me }) {
  const heading = h('h1', { tabindex: '-1' }, '导入整改台账');
  if (me.role !== 'inspection_office') {
    return h('section', { class: 'page' }, heading, h('p', { class: 'notice' }, '只有巡视整改办可以导入台账。'));
  }
  if (moment.past) {
    return h('section', { class: 'page' }, heading, h('p', { class: 'notice' }, '历史视图只能查看;请先回到现在再导入。'));
  }
  const inspections = await getNow('/inspections');
  const out = h('section', { class: 'import-report', 'aria-live': 'polite', 'aria-labelledby': 'report-h' });
  const formError = h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
  const check = h('button', { type: 'submit' }, '检查文件(不写入)');
  const form = h('form', { class: 'work import', novalidate: true }, formError, fields(inspections),
    h('div', { class: 'actions' }, check));
  let checked = null; // the file and options the shown report is about
  const send = async (dryRun, button) => {
    for (const p of form.querySelectorAll('.field-error, .form-error')) p.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const file = dryRun ? form.elements.file.files[0] || new File([], 'empty.xlsx') : checked.file;
    const chosen = dryRun ? options(form) : checked.chosen;
    button.disabled = true;
    try {
      const r = await upload('/imports', file, { ...chosen, dry_run: String(dryRun) });
      checked = dryRun && !r.problems.length ? { file, chosen } : null;
      show(r, dryRun);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.body && error.body.report) show(error.body.report, dryRun);
      else showError(form, error);
    } finally {
      button.disabled = false;
    }
  };
  const show = (r, dryRun) => {
    const apply = h('button', { type: 'button', 'data-action': 'confirm' }, `确认导入(记录 ${r.events} 个事件)`);
    apply.addEventListener('click', () => send(false, apply));
    const done = !dryRun && r.applied;
    const parts = [h('h2', { id: 'report-h' }, dryRun ? '检查结果(未写入)' : '导入结果'),
      done ? h('p', { class: 'flash', role: 'status' }, `已导入:记录 ${r.events} 个事件。`,
        h('a', { href: `#/inspections/${r.inspection_id}` }, '查看该巡视')) : null,
      report(r), checked ? h('div', { class: 'actions' }, apply) : null];
    out.replaceChildren(...parts.flat().filter(Boolean));
    out.querySelector('h2').setAttribute('tabindex', '-1');
    out.querySelector('h2').focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(true, check);
  });
  form.addEventListener('input', () => {
    if (checked) out.querySelector('[data-action=confirm]')?.remove();
    checked = null; // a changed form needs a fresh check before anything is imported
  });
  return h('section', { class: 'page upload' }, heading,
    h('p', { class: 'muted' }, '先检查:逐行核对整个文件,列出每处问题(工作表、行、列),不写入任何内容。'
      + '检查通过后才能确认导入;导入要么全部记录,要么什么也不记录。同一文件再次导入只记录差异。'),
    form, out);
}
