// The moment the whole console shows: now, or a past effective date (as_of) and,
// optionally, a recording time (known_at). Kept for the browser tab in sessionStorage.

const KEY = 'ledger.moment';

export const moment = {
  get() {
    const raw = sessionStorage.getItem(KEY);
    return raw ? JSON.parse(raw) : null;
  },
  set(asOf, knownAt) {
    if (!asOf && !knownAt) {
      sessionStorage.removeItem(KEY);
      return;
    }
    sessionStorage.setItem(KEY, JSON.stringify({ as_of: asOf || null, known_at: knownAt || null }));
  },
  clear() { sessionStorage.removeItem(KEY); },
  get past() { return this.get() !== null; },
  params() {
    const m = this.get();
    if (!m) return {};
    return { as_of: m.as_of || undefined, known_at: m.known_at || undefined };
  },
  describe() {
    const m = this.get();
    if (!m) return '';
    const day = m.as_of ? `按 ${m.as_of} 当日已生效的事件` : '按今天已生效的事件';
    const known = m.known_at ? `,且只计 ${m.known_at.replace('T', ' ')}(北京时间)前已记录的` : '';
    return `${day}${known}显示`;
  },
};
