// Sign-in with a bearer token issued by `ledger token issue` (or printed by `ledger serve --demo`).

import { ApiError, auth, whoIs } from './api.js';
import { h } from './dom.js';

/** The sign-in page; ``done`` runs after a token was accepted. */
export function signInPage(done, notice = '') {
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-hint token-error',
  });
  const error = h('p', { id: 'token-error', class: 'field-error', 'aria-live': 'polite' }, notice);
  const button = h('button', { type: 'submit' }, '登录');
  const form = h('form', { class: 'signin', novalidate: true },
    h('label', { for: 'token' }, '访问令牌'),
    input,
    h('p', { id: 'token-hint', class: 'hint' },
      '令牌由管理员用 ledger token issue 签发(演示环境由 ledger serve --demo 打印),形如 lg_…。',
      '令牌只保存在本浏览器标签页中,关闭即失效。'),
    error,
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      fail(input, error, '请输入访问令牌');
      return;
    }
    button.disabled = true;
    try {
      auth.signIn(token, await whoIs(token));
      done();
    } catch (e) {
      fail(input, error, e instanceof ApiError ? e.message : String(e));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'page narrow' },
    h('h1', { tabindex: '-1' }, '登录'),
    h('p', {}, '巡视整改台账:问题、整改措施、进展、验收与销号的全部记录。'),
    form);
}

function fail(input, error, message) {
  error.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}
