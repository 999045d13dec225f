// What the list pages share: hashes with filters, filter forms, the pager with the list's
// total, and the names of units (the register, loaded once per sign-in).

import { getNow } from './api.js';
import { h } from './dom.js';

/** ``#/route?a=1&b=2`` without the empty values. */
export function hashOf(route, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  const text = query.toString();
  return text ? `#/${route}?${text}` : `#/${route}`;
}

/** A labelled <select> for a filter form (id ``f-<name>``). */
export function choice(name, label, options, value) {
  const id = `f-${name}`;
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      options.map(([v, text]) => h('option', { value: v, selected: v === (value || '') }, text))));
}

/** A filter form: submitting goes to the route's hash with the chosen filters. */
export function filterForm(route, label, fields, names) {
  const form = h('form', { class: 'filters', 'aria-label': label }, fields,
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, '筛选'),
      h('a', { href: `#/${route}`, class: 'button secondary' }, '清除')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    window.location.hash = hashOf(route, Object.fromEntries(names.map((k) => [k, data.get(k) || ''])));
  });
  return form;
}

/** The pager under a list: which page, how many in all, previous and next. */
export function pager(route, filters, params, page, unit = '条') {
  const trail = params.trail ? params.trail.split(',') : [];
  const links = [];
  if (params.after) {
    const previous = trail.slice(0, -1).join(',');
    links.push(h('a', { href: hashOf(route, { ...filters, after: trail[trail.length - 1] || '', trail: previous }), rel: 'prev' }, '上一页'));
  }
  if (page.next) {
    const nextTrail = params.after ? [...trail, params.after].join(',') : '';
    links.push(h('a', { href: hashOf(route, { ...filters, after: page.next, trail: nextTrail }), rel: 'next' }, '下一页'));
  }
  const total = page.total === undefined ? null
    : h('span', { class: 'total', 'data-total': page.total }, `共 ${page.total} ${unit}`);
  return h('nav', { class: 'pager', 'aria-label': '分页' },
    h('span', {}, `第 ${trail.length + (params.after ? 2 : 1)} 页`), total, links);
}

/** Only the filters of ``params`` (no cursor), for links that keep them. */
export function filtersOf(params, names) {
  return Object.fromEntries(names.map((k) => [k, params[k] || '']));
}

let units = null;

/** Unit names by id (the register as it is now; loaded once). */
export async function unitNames() {
  if (!units) {
    units = getNow('/units').then((list) => new Map(list.map((u) => [u.unit_id, u.name])))
      .catch((error) => {
        units = null;
        throw error;
      });
  }
  return units;
}

/** Forget the register (after signing out, or when a unit may have been added). */
export function forgetUnits() {
  units = null;
}

// One collator for every sort by name: localeCompare(…, 'zh') builds a new one at each call.
const collator = new Intl.Collator('zh');

/** Compare two Chinese names (for sorting). */
export function byName(a, b) {
  return collator.compare(a, b);
}

const sortedChoices = new WeakMap();

/** [id, name] pairs of every unit, by name, for a form's choices (sorted once per register). */
export function unitChoices(names) {
  if (!sortedChoices.has(names)) sortedChoices.set(names, [...names].sort((a, b) => byName(a[1], b[1])));
  return sortedChoices.get(names);
}

/** A figure: a term and a large value, optionally a link to what is behind it. */
export function figure(key, label, value, href, note) {
  const shown = href ? h('a', { href, 'data-figure': key }, value) : h('span', { 'data-figure': key }, value);
  return h('div', { class: `figure fig-${key}` }, h('dt', {}, label), h('dd', {}, shown),
    note ? h('dd', { class: 'note' }, note) : null);
}
