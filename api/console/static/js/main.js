// The console's shell: sign-in, the header, the as-of picker and banner, and the hash router.

import { accountabilityPage } from './accountability.js';
import { actionPage } from './action.js';
import { ApiError, auth } from './api.js';
import { cluePage } from './clue.js';
import { cluesPage } from './clues.js';
import { h } from './dom.js';
import { findingPage } from './finding.js';
import { findingsPage } from './findings.js';
import { fundsPage } from './funds.js';
import { integrityPage } from './integrity.js';
import { ROLES } from './labels.js';
import { forgetUnits } from './lists.js';
import { momentBar } from './moment-bar.js';
import { movementsPage } from './movements.js';
import { inspectionPage, overviewPage } from './overview.js';
import { signInPage } from './signin.js';
import { uploadPage } from './upload.js';

const main = document.getElementById('main');
const ROUTES = [
  [/^\/$/, overviewPage, 'overview'],
  [/^\/inspections\/([0-9a-f-]{36})$/, inspectionPage, 'overview'],
  [/^\/findings$/, findingsPage, 'findings'],
  [/^\/findings\/([0-9a-f-]{36})$/, findingPage, 'findings'],
  [/^\/accountability$/, accountabilityPage, 'accountability'],
  [/^\/accountability\/actions\/([0-9a-f-]{36})$/, actionPage, 'accountability'],
  [/^\/funds$/, fundsPage, 'funds'],
  [/^\/funds\/movements$/, movementsPage, 'funds'],
  [/^\/clues$/, cluesPage, 'clues'],
  [/^\/clues\/([0-9a-f-]{36})$/, cluePage, 'clues'],
  [/^\/import$/, uploadPage, 'import'],
  [/^\/integrity$/, integrityPage, 'integrity'],
];
let rendering = 0;
let flash = null;

function parseHash() {
  const raw = window.location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  return { path, params: Object.fromEntries(new URLSearchParams(query)) };
}

function header(me) {
  const nav = document.getElementById('nav');
  nav.hidden = !me;
  // A link names the roles it is for (data-roles); the API still decides every request.
  for (const link of nav.querySelectorAll('a[data-roles]')) {
    link.hidden = !me || !link.dataset.roles.split(' ').includes(me.role);
  }
  const who = document.getElementById('who');
  if (!me) {
    who.replaceChildren();
    return;
  }
  const out = h('button', { type: 'button', class: 'link' }, '退出');
  out.addEventListener('click', () => {
    auth.signOut();
    forgetUnits();
    window.location.hash = '#/';
    render();
  });
  who.replaceChildren(h('span', { class: 'me' }, `${me.name} · ${ROLES[me.role] || me.role}`), out);
}

function markNav(section) {
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function problem(error) {
  const message = error instanceof ApiError ? error.message : `页面出错:${error}`;
  return h('section', { class: 'page' }, h('h1', { tabindex: '-1' }, '无法显示'),
    h('p', { class: 'form-error', role: 'alert' }, message),
    h('p', {}, h('a', { href: '#/' }, '回到总览')));
}

async function page(me) {
  const { path, params } = parseHash();
  for (const [pattern, build, section] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      markNav(section);
      return build({ me, params, id: match[1], refresh, say, go });
    }
  }
  return h('section', { class: 'page' }, h('h1', { tabindex: '-1' }, '页面不存在'),
    h('p', {}, h('a', { href: '#/' }, '回到总览')));
}

/** Show the page for the current hash (or the sign-in page). */
async function render(notice = '') {
  const ticket = ++rendering;
  document.body.removeAttribute('data-ready');
  performance.mark('console-route'); // bench/console.py reads these marks
  const me = auth.me;
  header(me);
  momentBar(document.getElementById('moment'), document.getElementById('banner'), me, render);
  let content;
  if (!me) {
    content = signInPage(() => render(), notice);
  } else {
    main.setAttribute('aria-busy', 'true');
    try {
      content = await page(me);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        auth.signOut();
        render('令牌无效、已吊销或已过期,请重新登录');
        return;
      }
      content = problem(error);
    }
  }
  if (ticket !== rendering) return; // a later navigation won
  main.removeAttribute('aria-busy');
  const message = flash;
  flash = null;
  main.replaceChildren(...(message ? [message] : []), content);
  (message || main.querySelector('h1') || main).focus();
  document.body.dataset.ready = 'true';
  performance.mark('console-ready');
}

/** Render the current page again, with a message on top (after a command). */
function refresh(message) {
  flash = message ? h('p', { class: 'flash', role: 'status', tabindex: '-1' }, message) : null;
  return render();
}

function say(text) {
  return h('p', { class: 'flash', role: 'status' }, text);
}

/** Go to another page, with a message on top of it (after a command). */
function go(hash, message) {
  flash = message ? h('p', { class: 'flash', role: 'status', tabindex: '-1' }, message) : null;
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

window.addEventListener('hashchange', () => {
  if (window.location.hash.startsWith('#/') || window.location.hash === '') render();
});
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
render();
