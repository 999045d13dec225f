// Amounts as the API sends them, decimal strings of yuan ("6322900.00"), shown exactly to the
// fen. Never through a float: the digits are moved about as text.

function parts(value) {
  const text = String(value ?? '0');
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^[-+]/, '').split('.');
  return { negative, whole: whole.replace(/^0+(?=\d)/, '') || '0', fraction };
}

function grouped(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 6322900.00 → "6,322,900.00" (two decimals, thousands separated). */
export function yuan(value) {
  const { negative, whole, fraction } = parts(value);
  return `${negative ? '-' : ''}${grouped(whole)}.${(fraction + '00').slice(0, 2)}`;
}

/** 6322900.00 → "632.29" (万元, the digits shifted four places, trailing zeros dropped). */
export function wan(value) {
  const { negative, whole, fraction } = parts(value);
  const digits = whole.padStart(5, '0');
  const head = digits.slice(0, -4).replace(/^0+(?=\d)/, '');
  const tail = `${digits.slice(-4)}${fraction}`.replace(/0+$/, '');
  return `${negative ? '-' : ''}${grouped(head)}${tail ? `.${tail}` : ''}`;
}

/** "6,322,900.00 元(632.29 万元)". */
export function money(value) {
  return `${yuan(value)} 元(${wan(value)} 万元)`;
}

/** A rate such as "0.0527" as a percentage, "5.27%" (null: "—"). */
export function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  const { negative, whole, fraction } = parts(rate);
  const digits = `${whole}${(fraction + '0000').slice(0, 4)}`.replace(/^0+(?=\d{3})/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}%`;
}
