// Building elements without parsing HTML: every piece of data becomes a text node.

const SVG = 'http://www.w3.org/2000/svg';

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.setAttribute('class', value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** An HTML element: h('a', {href: '#/'}, '总览'). */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG, tag), attrs, children);
}

let counter = 0;
/** A fresh id for label/aria wiring. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A definition list from [term, value] pairs, skipping empty values. */
export function facts(pairs, cls = 'facts') {
  const items = pairs
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value)));
  return h('dl', { class: cls }, items);
}

/** A table wrapped so it scrolls sideways on narrow screens. */
export function table(caption, head, rows, cls = '') {
  return h('div', { class: 'table-wrap' },
    h('table', { class: cls },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}
