// Chinese words for the API's English values, and formatting of dates and values.

export const ROLES = {
  inspection_office: '巡视整改办',
  responsible_unit: '责任单位',
  discipline: '纪委监委',
  finance: '财政',
  auditor: '审计/督查',
  admin: '系统管理员',
};

export const STATUSES = {
  ongoing: '正在整改',
  claimed: '已申报完成(待验收)',
  verified: '已验收',
  struck_off: '已销号',
};

// The six published figures, each with the list filter that explains it.
export const FIGURES = [
  ['completed', '已完成', { status: 'completed' }],
  ['ongoing', '正在整改', { status: 'ongoing' }],
  ['long_term', '需长期坚持', { long_term: 'true' }],
  ['overdue', '逾期', { overdue: 'true' }],
  ['claimed', '待验收', { status: 'claimed' }],
  ['struck_off', '已销号', { status: 'struck_off' }],
];

export const STATUS_FILTERS = [
  ['', '全部'],
  ['ongoing', '正在整改(含待验收)'],
  ['claimed', '待验收'],
  ['verified', '已验收'],
  ['struck_off', '已销号'],
  ['completed', '已完成(已验收或已销号)'],
];

export const MEASURE_KINDS = { immediate: '立行立改', elsewhere: '举一反三', rules: '建章立制' };

export const LEVELS = [
  ['staff', '工作人员督办'],
  ['deputy', '分管领导督办'],
  ['principal', '主要领导督办'],
];

export const KINDS = {
  'Finding.Recorded': '登记问题',
  'Finding.Assigned': '交办',
  'Finding.DeadlineSet': '确定整改时限',
  'Finding.DeadlineExtended': '延期',
  'Finding.LongTermMarked': '标记需长期坚持',
  'Finding.MeasureAdded': '增加整改措施',
  'Finding.ProgressReported': '报告整改进展',
  'Finding.CompletionClaimed': '申报整改完成',
  'Finding.CompletionVerified': '验收',
  'Finding.SentBack': '退回重新整改',
  'Finding.StruckOff': '销号',
  'Finding.LetterIssued': '发督办函',
  'Finding.LetterAnswered': '答复督办函',
  'Finding.Corrected': '更正',
};

const FIELDS = {
  category: '类别', number: '编号', text: '问题', sources: '来源', deadline: '整改时限',
  original_deadline: '原定时限', long_term: '需长期坚持', status: '状态',
  responsible_leader: '责任领导', lead_department: '牵头单位', responsible_units: '责任单位',
  inspection_id: '所属巡视', feedback_date: '反馈日期', id: '编号', measures: '整改措施',
  reports: '进展报告', letters: '督办函', extensions: '延期记录', narrative: '进展情况',
  evidence: '佐证材料', figures: '数据', title: '标题', document_no: '文号', sha256: 'SHA-256',
  location: '存放位置', name: '名称', value: '数值', unit: '单位', of_total: '总数',
  measure_id: '对应措施', version: '版本', kind: '类型', owner_unit: '责任单位',
  letter_no: '督办函编号', level: '层级', due_date: '答复期限', answer: '答复',
  addressed_to: '发往单位', new_deadline: '新时限', approver: '批准人', reason: '理由',
  opinion: '验收意见', summary: '完成情况',
};

/** A readable name for a changed field such as ``reports.<id>.evidence[0].title``. */
export function fieldLabel(path) {
  return path.split('.').map((part) => {
    const m = part.match(/^([a-z_]+)(\[(\d+)\])?$/);
    if (!m) return part.length > 12 ? part.slice(0, 8) : part;
    const word = FIELDS[m[1]] || m[1];
    return m[2] ? `${word}${Number(m[3]) + 1}` : word;
  }).join(' › ');
}

const BEIJING_MS = 8 * 3600 * 1000;

/** An ISO time shown in Beijing time: 2018-06-30 18:00:00. */
export function beijing(iso) {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return String(iso);
  return new Date(t.getTime() + BEIJING_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The Beijing calendar day of an ISO time. */
export function beijingDay(iso) {
  return beijing(iso).slice(0, 10);
}

/** Any value of a field change, in words. */
export function show(value, names = {}) {
  if (value === null || value === undefined) return '(无)';
  if (value === true) return '是';
  if (value === false) return '否';
  if (Array.isArray(value)) return value.length ? value.map((v) => show(v, names)).join('、') : '(空)';
  if (typeof value === 'object') return JSON.stringify(value);
  if (value === '') return '(空)';
  return names[value] || STATUSES[value] || String(value);
}
