// The as-of picker (effective date, optional recorded time) and the banner of a past view.

import { ApiError, getNow } from './api.js';
import { h } from './dom.js';
import { moment } from './moment.js';

function field(id, label, type, value, describedBy) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, type, value: value || '', 'aria-describedby': describedBy }));
}

function back(render) {
  const button = h('button', { type: 'button', class: 'secondary' }, '回到现在');
  button.addEventListener('click', () => {
    moment.clear();
    render();
  });
  return button;
}

async function choose(form, error, render) {
  const asOf = form.elements['asof-date'].value;
  const knownAt = form.elements['asof-known'].value;
  error.textContent = '';
  if (!asOf && !knownAt) {
    error.textContent = '请选择生效日期,或记录时刻';
    return;
  }
  try {
    await getNow('/inspections', { as_of: asOf, known_at: knownAt });
  } catch (e) {
    const where = e instanceof ApiError && e.field === 'known_at' ? 'asof-known' : 'asof-date';
    error.textContent = e.message;
    form.elements[where].setAttribute('aria-invalid', 'true');
    form.elements[where].focus();
    return;
  }
  moment.set(asOf, knownAt);
  render();
}

/** Fill the picker and the banner for the signed-in user (both hidden when signed out). */
export function momentBar(container, banner, me, render) {
  const past = moment.get();
  document.body.classList.toggle('is-past', Boolean(me && past));
  container.hidden = !me;
  banner.hidden = !(me && past);
  if (!me) return;
  const error = h('p', { id: 'asof-error', class: 'field-error', 'aria-live': 'polite' });
  const form = h('form', { class: 'moment-form', novalidate: true },
    field('asof-date', '查看日期(生效)', 'date', past && past.as_of, 'asof-error'),
    field('asof-known', '记录时刻(可选)', 'datetime-local', past && past.known_at, 'asof-error'),
    h('button', { type: 'submit' }, '查看该时点'),
    past ? back(render) : null,
    error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    choose(form, error, render);
  });
  container.replaceChildren(form);
  if (past) {
    banner.replaceChildren(
      h('strong', {}, '历史视图'),
      ` ${moment.describe()}。这是当时的台账,只能查看,不能办理。`,
      back(render));
  }
}
