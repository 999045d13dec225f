// A finding's dispute bundle (争议包): its events, their inclusion proofs and a signed
// checkpoint in one file, fetched with the token and saved; checkable offline.

import { ApiError, download } from './api.js';
import { h } from './dom.js';

function save(blob, name) {
  const href = URL.createObjectURL(blob);
  const link = h('a', { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

/** The section with the download button and how to check the file offline. */
export function bundleSection(recordId) {
  const file = `bundle-${recordId}.json`;
  const said = h('p', { class: 'form-error', role: 'alert', id: 'bundle-error' });
  const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'bundle', 'aria-describedby': 'bundle-how' }, '下载争议包');
  button.addEventListener('click', async () => {
    button.disabled = true;
    said.textContent = '';
    try {
      const { blob, name } = await download(`/integrity/bundles/${recordId}`);
      save(blob, name);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      said.textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'bundle', 'aria-labelledby': 'bundle-h' },
    h('h2', { id: 'bundle-h' }, '争议包'),
    h('p', { class: 'muted' }, '该问题到目前为止的全部事件、每个事件的包含证明和一份签名检查点,合为一个文件,可交给外部核对。'),
    h('div', { class: 'actions' }, button),
    said,
    h('p', { class: 'hint', id: 'bundle-how' }, '离线核验(不需要数据库):',
      h('code', {}, `ledger verify-bundle ${file} --public-key 公钥文件`),
      ',公钥见', h('a', { href: '#/integrity' }, '完整性'), '页。'));
}
