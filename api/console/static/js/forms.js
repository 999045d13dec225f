// Work forms: fields with labels, the command sent with If-Match and an Idempotency-Key,
// and the API's refusal shown next to the field it names (or above the form).

import { ApiError, post } from './api.js';
import { h, uid } from './dom.js';

function option([v, text], chosen) {
  return h('option', { value: v, selected: v === chosen }, text);
}

function control(f, id, errorId) {
  const common = { id, name: f.name, 'data-field': f.name, 'aria-describedby': errorId };
  if (f.type === 'textarea') return h('textarea', { ...common, rows: 3 }, f.value || '');
  if (f.type === 'select') {
    // options: [value, text] pairs; groups: [label, pairs] for <optgroup>s after them.
    return h('select', common, (f.options || []).map((o) => option(o, f.value)),
      (f.groups || []).map(([label, pairs]) => h('optgroup', { label }, pairs.map((o) => option(o, f.value)))));
  }
  return h('input', { ...common, type: f.type || 'text', autocomplete: 'off', value: f.value });
}

/** One labelled field with room for its error. */
export function field(f) {
  const id = uid(`w-${f.name.replace(/\W/g, '-')}`);
  const errorId = `${id}-error`;
  return h('div', { class: `field ${f.wide ? 'wide' : ''}` },
    h('label', { for: id }, f.label, f.required ? h('span', { class: 'req' }, '(必填)') : null),
    control(f, id, errorId),
    f.hint ? h('p', { class: 'hint' }, f.hint) : null,
    h('p', { class: 'field-error', id: errorId, 'aria-live': 'polite' }));
}

/** The envelope fields every command carries. */
export function envelope({ reason = false, reasonRequired = false } = {}) {
  return [
    reason ? { name: 'reason', label: '理由', type: 'textarea', required: reasonRequired, wide: true } : null,
    { name: 'basis', label: '依据(文件编号)', hint: '如 云开组〔2018〕37号' },
    { name: 'effective_at', label: '生效日期', type: 'date', hint: '不填则为今天;纸质记录补录时填实际日期' },
  ].filter(Boolean);
}

function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error, .form-error')) p.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Put the API's message next to the field it names; otherwise above the form. */
export function showError(form, error) {
  const name = (error.field || '').replace(/\[(\d+)\]/g, '.$1');
  const target = name && (form.querySelector(`[data-field="${name}"]`)
    || form.querySelector(`[data-field^="${name}."]`));
  if (target) {
    target.setAttribute('aria-invalid', 'true');
    document.getElementById(target.getAttribute('aria-describedby')).textContent = error.message;
    target.focus();
    return;
  }
  const top = form.querySelector('.form-error');
  top.textContent = error.message;
  top.focus();
}

/** The plain fields of a form as a body: empty values left out, text trimmed. */
export function values(form, names) {
  const body = {};
  for (const name of names) {
    const el = form.elements[name];
    const value = el ? el.value.trim() : '';
    if (value !== '') body[name] = value;
  }
  return body;
}

/** An amount typed by a person: full-width digits and separators narrowed, commas dropped. */
export function amount(text) {
  return text.trim()
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[．。]/g, '.').replace(/[,，\s]/g, '');
}

/**
 * A form that sends one command.
 * spec: {key, title, submit, fields, path, body(form) -> object, done(receipt)}.
 */
export function commandForm(spec, version) {
  let key = crypto.randomUUID();
  const formError = h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
  const button = h('button', { type: 'submit' }, spec.submit);
  const form = h('form', { class: 'work', novalidate: true, 'data-command': spec.key },
    formError, spec.fields.map((f) => (f instanceof Node ? f : field(f))), h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      // If-Match only where the page knows the record's version (a new record has none).
      const guard = version === null || version === undefined ? {} : { 'If-Match': `"${version}"` };
      const receipt = await post(spec.path, spec.body(form), { ...guard, 'Idempotency-Key': key });
      key = crypto.randomUUID();
      await spec.done(receipt);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // A refusal records nothing, so the corrected command goes with a fresh key; after a
      // network failure the same key makes the retry safe (the first answer is returned).
      if (error.status !== 0) key = crypto.randomUUID();
      showError(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return h('details', { class: 'work-box', 'data-form': spec.key },
    h('summary', {}, spec.title), form);
}
