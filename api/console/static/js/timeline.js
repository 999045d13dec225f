// A finding's timeline: every event with who, when (recorded and effective), why,
// on what basis, and each field's value before → after.

import { h } from './dom.js';
import { KINDS, ROLES, beijing, beijingDay, fieldLabel, show } from './labels.js';

function change(c, names) {
  return h('li', {},
    h('span', { class: 'field-name' }, fieldLabel(c.field)), ':',
    h('del', {}, show(c.before, names)), ' → ',
    h('ins', {}, show(c.after, names)));
}

function event(entry, names) {
  const backfilled = beijingDay(entry.recorded_at) > beijingDay(entry.effective_at);
  const who = [entry.actor_name, ROLES[entry.actor_role] || entry.actor_role, entry.actor_unit && (names[entry.actor_unit] || null)]
    .filter(Boolean).join(' · ');
  return h('li', { class: 'event', 'data-kind': entry.kind, 'data-version': entry.version },
    h('h3', {}, KINDS[entry.kind] || entry.kind, ' ', h('span', { class: 'muted' }, `第 ${entry.version} 版`),
      backfilled ? h('span', { class: 'tag backfilled', title: '记录时间晚于生效时间' }, '补录') : null),
    h('dl', { class: 'event-meta' },
      h('div', {}, h('dt', {}, '操作人'), h('dd', {}, who)),
      h('div', {}, h('dt', {}, '生效'), h('dd', {}, h('time', { datetime: entry.effective_at }, beijing(entry.effective_at)))),
      h('div', {}, h('dt', {}, '记录'), h('dd', {}, h('time', { datetime: entry.recorded_at }, beijing(entry.recorded_at)))),
      entry.reason ? h('div', {}, h('dt', {}, '理由'), h('dd', {}, entry.reason)) : null,
      entry.basis ? h('div', {}, h('dt', {}, '依据'), h('dd', {}, entry.basis)) : null),
    entry.changes.length
      ? h('details', { class: 'changes', open: entry.changes.length <= 5 }, h('summary', {}, `变更 ${entry.changes.length} 项`),
        h('ul', {}, entry.changes.map((c) => change(c, names))))
      : null);
}

/**
 * The timeline section. ``entries`` are the events that hold at the viewed moment (the API
 * chooses them); ``total`` is how many the record has in all, so the rest can be counted.
 */
export function timeline(entries, names, total = entries.length) {
  const shown = entries;
  const hidden = total - shown.length;
  return h('section', { class: 'timeline', 'aria-labelledby': 'timeline-h' },
    h('h2', { id: 'timeline-h' }, '时间线'),
    h('p', { class: 'muted' }, '每条记录:操作人、生效时间、记录时间(北京时间)、理由、依据和字段的原值 → 新值。记录从不修改或删除。'),
    hidden ? h('p', { class: 'notice' }, `另有 ${hidden} 条事件在所选时点尚未生效或尚未记录,未显示。`) : null,
    h('ol', { class: 'events' }, shown.map((e) => event(e, names))));
}
