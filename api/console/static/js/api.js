// Talking to the JSON API: the token from sessionStorage, the as-of moment on every query,
// and the API's error body ({error, detail, field}) as an ApiError.

import { moment } from './moment.js';

const TOKEN = 'ledger.token';
const ME = 'ledger.me';

export const auth = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get me() {
    const raw = sessionStorage.getItem(ME);
    return raw ? JSON.parse(raw) : null;
  },
  signIn(token, me) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ME, JSON.stringify(me));
  },
  signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ME);
  },
};

/** A refusal from the API: its status, code, message in Chinese and the field concerned. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `请求失败(HTTP ${status})`);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
    this.body = body;
  }
}

async function request(method, path, { params = {}, body, headers = {}, token } = {}) {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    // An array is a repeated parameter (family=party&family=government).
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== '' && one !== null && one !== undefined) url.searchParams.append(key, one);
    }
  }
  const sent = { Authorization: `Bearer ${token || auth.token}`, ...headers };
  const file = body instanceof Blob;
  if (body !== undefined && !file) sent['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method, headers: sent, body: body === undefined || file ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: 'network', detail: '无法连接服务器,请检查网络后重试' });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, headers: response.headers };
}

/** A query, as of the moment the console is switched to (if any). */
export async function get(path, params = {}) {
  return (await request('GET', path, { params: { ...moment.params(), ...params } })).data;
}

/** A query as of the console's moment, with the answer's headers: {data, headers}. */
export async function getWithHeaders(path, params = {}) {
  return request('GET', path, { params: { ...moment.params(), ...params } });
}

/** A query that takes no as-of moment (e.g. the integrity log, always the present). */
export async function getNow(path, params = {}) {
  return (await request('GET', path, { params })).data;
}

/** A file from the API, with the token: {blob, name} (name from Content-Disposition). */
export async function download(path) {
  let response;
  try {
    response = await fetch(new URL(`/api/v1${path}`, window.location.origin), {
      headers: { Authorization: `Bearer ${auth.token}` },
    });
  } catch {
    throw new ApiError(0, { error: 'network', detail: '无法连接服务器,请检查网络后重试' });
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const disposition = response.headers.get('Content-Disposition') || '';
  const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || 'download';
  return { blob: await response.blob(), name };
}

/** Who a token belongs to (sign-in). */
export async function whoIs(token) {
  return (await request('GET', '/me', { token })).data;
}

/** A file sent as the request body (a spreadsheet import), options in the query. */
export async function upload(path, file, params = {}) {
  const type = file.type || (file.name.endsWith('.csv') ? 'text/csv' : 'application/octet-stream');
  return (await request('POST', path, { params, body: file, headers: { 'Content-Type': type } })).data;
}

/** A command: the receipt, or an ApiError. */
export async function post(path, body, headers = {}) {
  return (await request('POST', path, { body, headers })).data;
}
