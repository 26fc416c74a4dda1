import type { CaseType } from '../cases/deadlines.ts';

/**
 * The demo city (示例市): its districts and streets, what its citizens call about, and the
 * words people use — the raw material the history generator draws from. Everything here is
 * fictional.
 */

export interface District {
  name: string;
  /** Share of the city's requests. */
  weight: number;
  streets: string[];
  communities: string[];
  /** Roughly where it is (WGS84), for the requests Open311 apps file with a position. */
  lat: number;
  lng: number;
}

export const DISTRICTS: District[] = [
  { name: '东城区', weight: 18, lat: 30.272, lng: 120.182, streets: ['幸福路', '人民路', '东风大道', '朝阳街', '和平路', '文化路', '育才街', '光明路'], communities: ['阳光小区', '锦绣花园', '东湖新村', '朝阳里', '和平苑', '书香门第'] },
  { name: '西城区', weight: 17, lat: 30.268, lng: 120.118, streets: ['建设大道', '解放路', '西山路', '中山路', '长安街', '友谊路', '青年路', '工农路'], communities: ['翠湖苑', '西山嘉园', '长安小区', '友谊新村', '金色家园', '枫林晚'] },
  { name: '南山区', weight: 14, lat: 30.221, lng: 120.153, streets: ['南山大道', '松林路', '桂花街', '南湖路', '竹园路', '望江路', '登高路'], communities: ['南山村', '松林雅苑', '桂花园', '竹园小区', '望江公寓'] },
  { name: '北湖区', weight: 13, lat: 30.318, lng: 120.149, streets: ['北湖路', '湖滨街', '荷花路', '柳岸路', '北环路', '莲花街', '渔港路'], communities: ['北湖花园', '荷塘月色', '柳岸新城', '莲花小区', '湖畔人家', '北湖一村'] },
  { name: '高新区', weight: 12, lat: 30.285, lng: 120.072, streets: ['科技园路', '高新一路', '高新二路', '创新大道', '软件园路', '智慧街', '研发路'], communities: ['科创公寓', '未来城', '创新家园', '智慧谷小区', '高新人才公寓'] },
  { name: '滨江区', weight: 12, lat: 30.205, lng: 120.212, streets: ['滨江路', '江南大道', '沿江街', '潮涌路', '江汉路', '临江路', '观澜街'], communities: ['滨江花园', '江南名府', '观澜苑', '沿江小区', '潮鸣社区'] },
  { name: '老城区', weight: 14, lat: 30.251, lng: 120.165, streets: ['老街', '鼓楼街', '府前路', '城隍庙街', '南门路', '北门路', '钟楼巷', '状元街'], communities: ['鼓楼社区', '老城新村', '府前小区', '状元坊', '钟楼苑', '南门里'] },
];

/** The fixed places of the hot spots and surges. */
export const PLACES = {
  barbecue: { district: '东城区', address: '幸福路12号', shop: '老王烧烤', lat: 30.2731, lng: 120.1808 },
  site: { district: '西城区', address: '建设大道88号', shop: '建设大道88号工地', lat: 30.2674, lng: 120.1196 },
  gym: { district: '高新区', address: '科技园路66号', shop: '星辰健身房', lat: 30.2853, lng: 120.0731 },
  signal: { district: '高新区', address: '高新一路与科技园路交叉口', lat: 30.2861, lng: 120.0702 },
  water: { district: '北湖区' },
} as const;

export const SHOPS = ['好再来餐馆', '便民超市', '鑫鑫水果店', '美佳理发店', '天天烧烤', '快乐童年培训中心', '惠民药房', '老地方面馆', '优品生鲜', '顺风快递点', '健康足浴', '星光KTV', '阿强汽修', '好味道小吃店', '金牌家政'];

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗'];
export const PINYIN = ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng'];

export interface CategorySpec {
  category: string;
  /** Share of ordinary requests. */
  weight: number;
  types: Partial<Record<CaseType, number>>;
  /** Chance a request is urgent (hours, not working days). */
  urgent?: number;
  /** Descriptions; {place} {addr} {community} {cross} {shop} {district} {n} {hours} are filled in. */
  templates: string[];
  /** Knowledge articles on the subject: a consultation may be opened from one. */
  articles?: string[];
  /** The department an agent dispatches to when the rules only find the centre's desk. */
  agentChoice?: string;
  /** Where a case a department returns (退单) goes next. */
  redispatchTo?: string[];
  /** What departments reply. */
  replies: string[];
  /** Open311 apps file it (cases/services.yaml has a service for it). */
  open311?: boolean;
}

export const CATEGORIES: CategorySpec[] = [
  {
    category: '城市管理/噪音',
    weight: 10,
    types: { 投诉: 85, 举报: 15 },
    templates: [
      '{place}附近有工地夜间施工，晚上十一点以后还在作业，噪音很大，影响休息，请相关部门处理。',
      '{place}楼下的{shop}每天开着高音喇叭招揽生意，噪音扰民，希望尽快处理。',
      '{community}旁边的广场舞音响声音太大，每天晚上八点到十点噪音扰民，希望协调降低音量。',
      '{place}有商户在门口装空调外机，日夜噪音不断，多次沟通无果。',
    ],
    articles: ['construction-noise-complaint'],
    redispatchTo: ['POLICE'],
    replies: ['已到现场核查，责令施工单位停止夜间施工，并将加强巡查。', '已约谈商户，现场拆除高音喇叭，噪音问题已解决。', '已与社区协调，广场舞活动改至晚八点半前结束并降低音量。'],
    open311: true,
  },
  {
    category: '城市管理/路灯',
    weight: 6,
    types: { 求助: 90, 建议: 10 },
    templates: ['{place}一段路灯已经连续{n}天不亮，晚上出行很不安全，请尽快维修。', '{cross}的路灯一直闪烁，时亮时不亮，请派人检修。', '{community}门口的路灯灯杆被车撞歪了，存在安全隐患。'],
    articles: ['streetlight-repair'],
    redispatchTo: ['POWER'],
    replies: ['已安排维修人员更换灯具，路灯已恢复照明。', '经检查为线路故障，已修复。', '灯杆已扶正加固，恢复正常。'],
    open311: true,
  },
  {
    category: '城市管理/井盖',
    weight: 3,
    types: { 求助: 70, 举报: 30 },
    urgent: 0.15,
    templates: ['{place}人行道上的井盖缺失，已经有行人差点掉进去，请尽快处理。', '{cross}有一个井盖破损松动，车辆经过时响声很大。', '{community}东门的井盖下沉，雨天积水严重。'],
    articles: ['road-damage-repair'],
    redispatchTo: ['WATER', 'GAS', 'POWER'],
    replies: ['已设置警示标志并更换新井盖。', '已通知产权单位对井盖进行加固维修。'],
    open311: true,
  },
  {
    category: '城市管理/市容',
    weight: 5,
    types: { 投诉: 70, 举报: 30 },
    templates: ['{place}门口每天傍晚有流动摊贩占道经营，堵塞人行道。', '{community}门口早市占道经营，垃圾遍地，车辆无法通行。', '{place}的{shop}长期占道经营，把货架摆到了人行道上。'],
    articles: ['street-vendor-occupation'],
    redispatchTo: ['MARKET'],
    replies: ['已联合街道进行整治，劝离占道摊贩，并设置固定疏导点。', '已对商户进行教育并责令整改，占道问题已清理。'],
    open311: true,
  },
  {
    category: '城市管理/垃圾',
    weight: 4,
    types: { 投诉: 80, 求助: 20 },
    templates: ['{community}的垃圾桶已经{n}天没有清运，垃圾堆积发臭。', '{place}附近有人乱倒建筑垃圾，已经堆了一大堆。', '{community}垃圾分类投放点太远，老人投放不便，垃圾乱扔现象严重。'],
    articles: ['garbage-collection'],
    redispatchTo: ['CENTER'],
    replies: ['已安排环卫车辆清运，并要求物业加强日常管理。', '已清理建筑垃圾，并在该处安装监控。'],
  },
  {
    category: '市场监管/消费维权',
    weight: 10,
    types: { 投诉: 75, 举报: 10, 咨询: 15 },
    templates: [
      '在{place}的{shop}办了会员卡，现在商家关门跑路，要求退款。',
      '在{shop}购买的商品有质量问题，商家拒绝退换，要求维护消费者权益。',
      '网购的家电到货就坏了，商家一直拖着不给退款，店铺注册地在{place}。',
      '想咨询一下预付卡消费纠纷应该怎么维权。',
    ],
    articles: ['consumer-complaint'],
    agentChoice: 'MARKET',
    redispatchTo: ['EDUCATION', 'TRANSPORT'],
    replies: ['已组织双方调解，商家同意全额退款。', '经调解，商家同意更换商品。', '已告知消费者通过诉讼途径解决，并对商家立案调查。'],
  },
  {
    category: '市场监管/价格',
    weight: 4,
    types: { 投诉: 80, 举报: 20 },
    templates: ['{place}的{shop}明码标价和结账价格不一致，多收了钱。', '{shop}节假日随意涨价，一碗面卖到{n}十元，请查处。', '{community}旁边的停车场乱收费，没有公示收费标准。'],
    articles: ['consumer-complaint'],
    redispatchTo: ['CENTER'],
    replies: ['已对商户价格违法行为立案调查，并退还多收款项。', '已责令停车场公示收费标准并整改。'],
    open311: true,
  },
  {
    category: '公用事业/供水',
    weight: 6,
    types: { 求助: 70, 投诉: 20, 咨询: 10 },
    urgent: 0.1,
    templates: ['{community}从今天早上开始停水，没有看到任何停水通知，请问什么时候恢复？', '{place}路边水管爆裂，水流满地。', '{community}高层水压太低，{n}楼以上经常没水。', '{community}自来水发黄浑浊，停水后一直没有恢复正常。'],
    articles: ['water-outage-inquiry'],
    redispatchTo: ['CITY'],
    replies: ['经查为管网抢修停水，已恢复供水。', '已对爆裂水管进行抢修，恢复正常供水。', '已调整加压泵站运行，水压恢复正常。'],
    open311: true,
  },
  {
    category: '公用事业/供电',
    weight: 5,
    types: { 求助: 75, 投诉: 25 },
    urgent: 0.1,
    templates: ['{community}整栋楼突然停电，已经{n}个小时了还没来电。', '{place}一带频繁停电，家里电器都坏了。', '{community}小区配电箱冒烟，随后停电，请尽快派人。'],
    articles: ['power-outage-repair'],
    redispatchTo: ['CENTER'],
    replies: ['经查为变压器故障，已抢修恢复供电。', '已更换老化线路，后续将安排检修。'],
  },
  {
    category: '公用事业/燃气',
    weight: 2,
    types: { 求助: 60, 咨询: 40 },
    urgent: 0.3,
    templates: ['{community}楼道里有很大的燃气味道，请尽快派人检查。', '想咨询一下燃气表欠费后怎么充值恢复使用。', '{place}的燃气管道被施工挖断了。'],
    articles: ['gas-leak-emergency'],
    redispatchTo: ['CENTER'],
    replies: ['已派人上门检查，排除燃气泄漏隐患。', '已告知燃气费缴纳方式，恢复用气。'],
  },
  {
    category: '交通/信号灯',
    weight: 3,
    types: { 求助: 70, 建议: 30 },
    urgent: 0.1,
    templates: ['{cross}的红绿灯不亮了，车辆通行很混乱。', '{cross}的信号灯绿灯时间太短，行人来不及过马路，建议延长。', '{cross}左转信号灯一直是红灯，不变灯。'],
    articles: ['traffic-violation-handling'],
    agentChoice: 'TRAFFIC',
    redispatchTo: ['TRANSPORT'],
    replies: ['已修复信号灯故障，恢复正常运行。', '已优化信号配时，延长行人绿灯时间。'],
    open311: true,
  },
  {
    category: '交通/违章停车',
    weight: 7,
    types: { 投诉: 60, 举报: 40 },
    templates: ['{place}门口经常有车辆乱停乱放，堵住了小区出入口。', '{community}消防通道被私家车长期占用，存在安全隐患。', '{cross}附近大货车违章停放，影响通行。'],
    articles: ['traffic-violation-handling'],
    redispatchTo: ['CITY'],
    replies: ['已安排交警现场处理，对违停车辆进行处罚。', '已在该路段增设禁停标志并加强巡查。'],
  },
  {
    category: '社会保障/社保',
    weight: 7,
    types: { 咨询: 80, 求助: 20 },
    templates: ['社保卡丢了，想问一下怎么补办。', '想咨询灵活就业人员怎么缴纳养老保险。', '单位没有给我缴纳社保，想问一下怎么办。', '失业保险金怎么申领，需要带什么材料？'],
    articles: ['social-security-card-replacement', 'pension-contribution-flexible-employment', 'unemployment-benefit-claim', 'social-security-card-first-application'],
    agentChoice: 'HRSS',
    redispatchTo: ['HEALTHCARE'],
    replies: ['已电话告知办理流程和所需材料。', '已核实参保情况，指导市民到窗口办理。'],
  },
  {
    category: '社会保障/欠薪',
    weight: 4,
    types: { 投诉: 85, 求助: 15 },
    templates: ['{place}的公司拖欠工资{n}个月，老板一直找借口不发。', '在{district}一个工地干活，包工头拖欠工资跑了，请帮忙讨薪。', '公司在{place}，离职后拖欠最后一个月工资不给。'],
    articles: ['wage-arrears-complaint'],
    agentChoice: 'HRSS',
    redispatchTo: ['CENTER'],
    replies: ['已约谈企业负责人，企业承诺本周内支付拖欠工资。', '已责令企业支付拖欠工资，工人已领到工资。'],
  },
  {
    category: '医疗保障/医保报销',
    weight: 5,
    types: { 咨询: 80, 投诉: 20 },
    templates: ['在外地住院的费用回来怎么报销？', '门诊慢特病的医保报销比例是多少？', '去年的医保报销材料交上去两个月了还没到账。', '孩子的医保怎么办理，出生多久内要办？'],
    articles: ['medical-insurance-reimbursement', 'medical-insurance-out-of-town-filing', 'chronic-disease-outpatient', 'newborn-medical-insurance'],
    agentChoice: 'HEALTHCARE',
    redispatchTo: ['HRSS'],
    replies: ['已告知报销流程和所需材料。', '经核实报销款已于近日拨付。'],
  },
  {
    category: '住房/公积金',
    weight: 5,
    types: { 咨询: 90, 投诉: 10 },
    templates: ['租房可以提取公积金吗，一年能提几次？', '离职了公积金怎么转移到新单位？', '想咨询公积金贷款的额度怎么计算。', '公积金提取申请提交了一个月还没审批。'],
    articles: ['housing-fund-withdrawal-rent', 'housing-fund-transfer', 'housing-fund-loan', 'housing-fund-withdrawal-purchase'],
    agentChoice: 'HOUSING_FUND',
    redispatchTo: ['REAL_ESTATE'],
    replies: ['已电话告知办理条件和流程。', '已加快审批，提取款项已到账。'],
  },
  {
    category: '教育/入学',
    weight: 4,
    types: { 咨询: 85, 投诉: 15 },
    templates: ['孩子今年上小学，想问一下{district}的学区怎么划分。', '外地户口的孩子在{district}上学需要什么材料？', '{community}对口的小学今年说名额满了，孩子没学上。'],
    articles: ['primary-school-enrollment', 'student-transfer'],
    agentChoice: 'EDUCATION',
    redispatchTo: ['CIVIL'],
    replies: ['已告知招生政策和报名时间。', '经协调，已安排到就近学校就读。'],
  },
  {
    category: '其他/建议',
    weight: 5,
    types: { 建议: 100 },
    templates: ['建议在{place}增设一个公交站，附近居民出行很不方便。', '建议{community}附近增加公共停车位。', '建议{district}多建一些口袋公园，方便老人孩子活动。', '建议在{cross}增设人行天桥。'],
    redispatchTo: ['TRANSPORT'],
    replies: ['感谢您的建议，已转交相关部门研究采纳。', '您的建议已纳入明年规划研究。'],
    open311: true,
  },
];

/** Why departments send cases back (退单). */
export const RETURN_REASONS = ['不属于本单位职责', '诉求地址不在本单位辖区', '该事项应由其他部门主管', '需由产权单位处理'];
export const EXTENSION_REASONS = ['需现场勘查核实', '涉及多个部门需协调', '需等待检测结果', '维修材料需采购', '当事人暂时联系不上'];
export const SUPERVISE_REASONS = ['市民多次来电催办', '重点督办：涉及群众切身利益', '媒体关注，要求加快办理'];
/** What callers say when they are not satisfied at the callback (回访不满意). */
export const DISSATISFIED_REASONS: Record<string, number> = { 处理结果不满意: 30, 没有实际解决: 30, 态度差: 10, 答复敷衍: 12, 处理时间太长: 12, 承诺的事项没有兑现: 6 };

/** Questions the knowledge base has no article for: a few recur, the editors' to-do list. */
export const UNANSWERED: Array<{ q: string; lang: 'zh-CN' | 'en-US'; weight: number }> = [
  { q: '电动自行车上牌去哪里办', lang: 'zh-CN', weight: 12 },
  { q: '小区加装电梯有没有政府补贴', lang: 'zh-CN', weight: 9 },
  { q: '养犬登记在哪里办理', lang: 'zh-CN', weight: 8 },
  { q: '高龄老人免费乘车卡怎么办', lang: 'zh-CN', weight: 7 },
  { q: '新能源车充电桩物业不让装怎么办', lang: 'zh-CN', weight: 6 },
  { q: '公租房申请条件是什么', lang: 'zh-CN', weight: 5 },
  { q: '独生子女父母奖励金怎么领', lang: 'zh-CN', weight: 4 },
  { q: '房屋租赁合同备案怎么办', lang: 'zh-CN', weight: 4 },
  { q: '退役军人优待证在哪里领', lang: 'zh-CN', weight: 3 },
  { q: '流动摊贩临时经营许可怎么申请', lang: 'zh-CN', weight: 2 },
  { q: 'How do I register my dog', lang: 'en-US', weight: 3 },
  { q: 'Where can I get a residential parking permit', lang: 'en-US', weight: 2 },
  { q: '我家孩子的疫苗本丢了，还有我爸的退休金的事', lang: 'zh-CN', weight: 1 },
  { q: '你们这个热线能不能帮我查一下快递', lang: 'zh-CN', weight: 1 },
  { q: '小区物业费涨价合理吗', lang: 'zh-CN', weight: 1 },
  { q: '楼上漏水到我家物业不管', lang: 'zh-CN', weight: 1 },
  { q: '宠物医院收费太贵找谁', lang: 'zh-CN', weight: 1 },
  { q: 'Can I pay my water bill with a foreign card', lang: 'en-US', weight: 1 },
];

/** Vague questions the knowledge base asks to have said again (rephrase). */
export const VAGUE = ['那个证怎么弄', '我想问一下那个补贴', '办手续', '卡的事情', '社保那个', '公积金', '我想问个事', '孩子的那个', '这个政策', 'license', 'card problem'];

/** What people text or say when they want a person. */
export const WANT_HUMAN = { 'zh-CN': ['人工', '转人工', '人工服务'], 'en-US': ['agent', 'operator'] } as const;
