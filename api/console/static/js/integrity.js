// #/integrity — provable history: the latest signed checkpoint (to copy and keep away from
// the server), the public key, the last verification of the whole log, and "verify now".

import { ApiError, getNow, post } from './api.js';
import { facts, h } from './dom.js';
import { beijing } from './labels.js';
import { moment } from './moment.js';

// The roles the API lets run a verification (it answers 403 to the others).
const VERIFIERS = ['inspection_office', 'discipline', 'auditor', 'admin'];

/** Copy a field's text; where the browser refuses the clipboard, select it for Ctrl+C. */
function copyButton(target, what, status) {
  const button = h('button', { type: 'button', class: 'secondary', 'aria-controls': target.id }, `复制${what}`);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(target.value);
      status.textContent = `已复制${what}。`;
    } catch {
      target.focus();
      target.select();
      status.textContent = `浏览器不允许直接复制:${what}已选中,请按 Ctrl+C。`;
    }
  });
  return button;
}

function copyable(id, label, value, rows, hint, status) {
  const attrs = { id, readonly: true, class: 'copy-text', spellcheck: 'false', 'aria-describedby': `${id}-hint` };
  const control = rows > 1 ? h('textarea', { ...attrs, rows }, value) : h('input', { ...attrs, type: 'text', value });
  return h('div', { class: 'field copy-field' },
    h('label', { for: id }, label),
    control,
    h('p', { class: 'hint', id: `${id}-hint` }, hint),
    h('div', { class: 'actions' }, copyButton(control, label, status)));
}

function checkpoint(c, status) {
  return h('section', { class: 'checkpoint', 'aria-labelledby': 'cp-h', 'data-size': c.tree_size },
    h('h2', { id: 'cp-h' }, '最新检查点'),
    facts([
      ['日志大小', h('span', { 'data-field': 'tree_size' }, `${c.tree_size} 条`)],
      ['根哈希', h('code', { class: 'hash', 'data-field': 'root' }, c.root)],
    ], 'facts checkpoint-facts'),
    copyable('checkpoint-note', '签名检查点', c.note, 6,
      '每次打开本页都签发一份当前日志的检查点(C2SP signed note)。请复制保存到服务器以外;'
      + '日后用 ledger verify --checkpoint 文件 --public-key 公钥文件 核对历史未被改写。', status),
    copyable('public-key', '公钥', c.public_key, 1,
      '核验检查点和争议包所用的 Ed25519 公钥;请另行保存一份,勿只依赖本服务器。', status));
}

function verdict(v) {
  if (!v) return h('p', { class: 'muted', 'data-verdict': 'none' }, '尚未核验过。');
  const result = h('span', { class: `verdict ${v.ok ? 'ok' : 'bad'}`, 'data-ok': String(v.ok) },
    v.ok ? '通过' : '未通过');
  const where = v.first_seq ? `第 ${v.first_seq} 条:` : '检查点:';
  return facts([
    ['结果', result],
    ['核验时间', h('time', { datetime: v.verified_at }, beijing(v.verified_at))],
    ['核验范围', `${v.tree_size} 条条目,${v.events} 个事件(用时 ${v.seconds.toFixed(2)} 秒)`],
    ['首个问题', v.ok ? null : h('span', { class: 'problem' }, where, v.message)],
    ['问题数', v.ok ? null : String(v.problems)],
    ['发起人', v.actor],
  ], 'facts verdict-facts');
}

function verifyButton(box, status) {
  const button = h('button', { type: 'button', 'data-action': 'verify' }, '立即核验');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = '正在核验…';
    status.textContent = '';
    try {
      const v = await post('/integrity/verifications');
      box.replaceChildren(verdict(v));
      status.textContent = v.ok ? `核验通过:${v.tree_size} 条条目与事件逐一相符。` : `核验未通过:${v.message}`;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = error.message;
    } finally {
      button.disabled = false;
      button.textContent = '立即核验';
    }
  });
  return button;
}

function lastVerification(me, v, status) {
  const box = h('div', { class: 'verdict-box', 'aria-live': 'polite' }, verdict(v));
  const may = VERIFIERS.includes(me.role);
  return h('section', { class: 'verification', 'aria-labelledby': 'v-h' },
    h('h2', { id: 'v-h' }, '最近一次核验'),
    h('p', { class: 'muted' }, '核验重新读取每个条目和事件,由存储的字节重算每个叶子哈希,'
      + '检查序号连续、条目与事件库逐一相符。命令行 ledger verify 的结果也记录在此。'),
    box,
    may ? h('div', { class: 'actions' }, verifyButton(box, status))
      : h('p', { class: 'muted' }, '您的角色可以查看核验结果,但不能发起核验。'));
}

/** The page. */
export async function integrityPage({ me }) {
  const status = await getNow('/integrity/status');
  const said = h('p', { class: 'flash', role: 'status', id: 'integrity-status' });
  return h('section', { class: 'page integrity' },
    h('h1', { tabindex: '-1' }, '完整性'),
    h('p', { class: 'muted' }, '台账的每个事件都写入一份只能追加的完整性日志(RFC 9162 默克尔树)。'
      + '持有签名检查点和公钥的人,可以在任何时候独立证明此后的历史没有被改动。'),
    moment.past ? h('p', { class: 'notice' }, '本页总是显示当前的日志,不受所选时点影响。') : null,
    said,
    checkpoint(status.checkpoint, said),
    lastVerification(me, status.last_verification, said));
}
