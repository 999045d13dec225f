// Chinese words for the values of accountability, clues and funds (the API's enums).

export const FAMILIES = [
  ['accountability', '问责'],
  ['organisational', '组织处理'],
  ['party', '党纪处分'],
  ['government', '政务处分'],
  ['judicial', '移送司法机关'],
];

// Each kind of action under its family, as the proposal form offers them.
export const ACTION_KINDS = [
  ['问责', [['criticism', '批评教育'], ['admonishing_talk', '约谈'], ['admonition', '诫勉'],
    ['circulated_criticism', '通报批评'], ['public_apology', '责令公开道歉']]],
  ['组织处理', [['organisational', '组织处理'], ['recall', '召回'], ['suspension', '停职检查'],
    ['transfer', '调离岗位'], ['non_leading', '改任非领导职务'], ['demotion', '降职'],
    ['resignation', '引咎辞职'], ['ordered_resignation', '责令辞职'], ['removal', '免职'],
    ['discharge', '辞退']]],
  ['党纪处分', [['party_warning', '党内警告'], ['party_serious_warning', '党内严重警告'],
    ['party_post_removal', '撤销党内职务'], ['party_probation', '留党察看'],
    ['party_expulsion', '开除党籍']]],
  ['政务处分', [['gov_warning', '政务警告'], ['gov_demerit', '记过'], ['gov_major_demerit', '记大过'],
    ['gov_downgrade', '降级'], ['gov_removal', '撤职'], ['gov_expulsion', '开除']]],
  ['移送司法机关', [['judicial', '移送司法机关']]],
];

export const ACTION_STATUSES = {
  proposed: '已提出建议',
  decided: '已作出决定',
  carried_out: '已执行',
  revoked: '经申诉撤销',
};

export const APPEAL_OUTCOMES = [['upheld', '维持'], ['changed', '变更'], ['revoked', '撤销']];

export const CLUE_KINDS = [['clue', '问题线索'], ['petition', '信访件']];

export const CLUE_STATUSES = { received: '已受理', assigned: '已交办', concluded: '已办结' };

// The five ways a clue is disposed of (内蒙古 2019).
export const DISPOSITIONS = [
  ['dig_deep', '深挖细查'],
  ['rectify', '重点整治'],
  ['pin_responsibility', '压实到人'],
  ['resolve', '妥善解决'],
  ['clarify', '查清澄清'],
];

export const MOVEMENT_KINDS = [
  ['allocation', '下达'],
  ['disbursement', '拨付'],
  ['misappropriation', '发现违规使用'],
  ['recovery', '追缴'],
  ['refund', '退还群众'],
];

export const ACCOUNT_KINDS = {
  source: '资金来源',
  holder: '资金存放单位',
  project: '项目',
  beneficiaries: '受益群众',
  misappropriated: '被违规使用资金',
  recovered: '已追缴资金',
};

export const MANNERS = [['fraud', '套取'], ['diversion', '挪用'], ['embezzlement', '贪污'], ['withholding', '截留']];

export const INSPECTION_KINDS = [
  ['tour', '巡察'],
  ['central_inspection', '中央巡视'],
  ['provincial_inspection', '省委巡视'],
  ['lookback', '巡视“回头看”'],
  ['assessment', '成效考核'],
  ['audit', '审计'],
  ['supervision', '督查暗访'],
  ['self_inspection', '自查'],
  ['third_party', '第三方评估'],
  ['petition_media', '信访/媒体'],
];

/** A word for a value from a list of [value, word] pairs (the value itself if unknown). */
export function word(pairs, value) {
  const found = (Array.isArray(pairs) ? pairs : Object.entries(pairs)).find(([v]) => v === value);
  return found ? found[1] : value;
}
