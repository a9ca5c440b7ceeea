// Synthetic social-insurance records for the search benchmarks (search_bench, pg_search_bench):
// deterministic from a seed, realistic in vocabulary and shape (names, valid 公民身份号码 and
// 统一社会信用代码, items weighted as an agency files them, 100-300 characters of form text).
// Header-only; not thread-safe (Generator numbers each series as it goes).
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "archive/identifiers.h"
#include "archive/record.h"
#include "archive/reference_number.h"

namespace dangan::bench {

// ---- deterministic randomness ------------------------------------------------------------------
inline uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
struct Rng {
  uint64_t s;
  Rng(uint64_t seed, uint64_t stream, uint64_t index)
      : s(Mix(Mix(seed * 1315423911u + stream) ^ index)) {}
  uint64_t Next() { return s = Mix(s); }
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Next() % v.size()];
  }
  std::string Hex(int n) {
    static const char* d = "0123456789abcdef";
    std::string s;
    while (static_cast<int>(s.size()) < n) s += d[Next() & 15];
    return s;
  }
};

// UTF-8 helpers: the vocabulary is strings of Han characters.
inline std::vector<std::string> Chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}
inline std::string PickChar(Rng& r, const std::vector<std::string>& chars) { return r.Pick(chars); }

// ---- vocabulary (after scripts/make_cases.py, extended) ----------------------------------------
const std::vector<std::string> kSurnames = Chars(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕"
    "丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "欧阳诸葛");
const std::vector<std::string> kGiven = Chars(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彬鹏辉建国志文博海波宇航晓东春"
    "梅秋菊"
    "子涵浩然欣怡梓轩雨桐宏德淑珍凤琴立新卫红爱民振华丹蕾婷雪琳晨阳俊鑫瑶佳");
struct City {
  const char* region;
  const char* name;    // 北京市朝阳区
  const char* short_;  // 北京
};
const std::vector<City> kCities = {
    {"110105", "北京市朝阳区", "北京"},     {"110108", "北京市海淀区", "北京"},
    {"310104", "上海市徐汇区", "上海"},     {"310115", "上海市浦东新区", "上海"},
    {"440106", "广州市天河区", "广州"},     {"440305", "深圳市南山区", "深圳"},
    {"350102", "福州市鼓楼区", "福州"},     {"350203", "厦门市思明区", "厦门"},
    {"510107", "成都市武侯区", "成都"},     {"420106", "武汉市武昌区", "武汉"},
    {"320102", "南京市玄武区", "南京"},     {"330106", "杭州市西湖区", "杭州"},
    {"370102", "济南市历下区", "济南"},     {"410105", "郑州市金水区", "郑州"},
    {"430103", "长沙市天心区", "长沙"},     {"610113", "西安市雁塔区", "西安"},
    {"500103", "重庆市渝中区", "重庆"},     {"210102", "沈阳市和平区", "沈阳"},
    {"130104", "石家庄市桥西区", "石家庄"}, {"450103", "南宁市青秀区", "南宁"},
};
const std::vector<std::string> kUnitWords = {
    "华信", "恒达", "金桥", "瑞丰", "长城", "新世纪", "东方", "宏远", "众诚", "天宇",
    "博雅", "鼎盛", "兴业", "安泰", "永利", "嘉禾",   "中联", "汇通", "创新", "联合"};
const std::vector<std::string> kUnitKinds = {
    "科技有限公司", "建筑工程有限公司", "商贸有限公司",     "物流有限公司",
    "医药有限公司", "餐饮管理有限公司", "机械制造有限公司", "物业服务有限公司",
    "纺织厂",       "第一中学",         "人民医院",         "街道办事处"};
const std::vector<std::string> kFiller = {
    "经审核，申报材料齐全，符合有关规定，同意办理。",
    "申请人对所提交材料的真实性负责。",
    "本表一式两份，经办机构与申请人各执一份。",
    "已核对原件，复印件与原件一致。",
    "请于十五个工作日内到经办机构窗口领取结果。",
    "如对本决定不服，可在收到之日起六十日内申请行政复议。",
    "信息已录入社会保险信息系统。",
    "单位已足额缴纳社会保险费，无欠费记录。",
    "经办人已告知申请人相关权利义务。",
    "附件：身份证复印件、劳动合同、银行账户信息。",
    "材料不全部分已一次性告知申请人补正。",
    "经电话回访，申请人确认信息无误。",
};
const std::vector<std::string> kInjury = {"左手被机器压伤",           "从脚手架跌落致腰椎骨折",
                                          "搬运货物时扭伤腰部",       "在上班途中发生交通事故",
                                          "操作冲床时右手食指被压伤", "被高空坠物砸伤头部",
                                          "清洗设备时被烫伤",         "在车间滑倒致右腿骨折"};
const std::vector<std::string> kReasons = {"劳动合同期满终止", "单位经济性裁员", "单位依法破产",
                                           "用人单位提出解除劳动合同", "单位被吊销营业执照"};
const std::vector<std::string> kRelations = {"配偶", "配偶", "配偶", "长子",   "长女", "次子",
                                             "女儿", "儿子", "孙子", "外孙女", "爷爷", "奶奶"};
const std::vector<std::string> kMarriage = {"已婚", "已婚", "已婚", "未婚", "离异", "丧偶"};

struct Item {
  const char* code;
  const char* class_code;
  const char* retention;
  const char* title;  // 题名 kind
  int weight;
};
const std::vector<Item> kItems = {
    {"0101", "01", "Y", "单位参保登记表", 4},
    {"0102", "01", "D100", "参保人员增员申报表", 14},
    {"0103", "01", "D100", "个人账户对账单", 6},
    {"0105", "01", "D50", "社会保障卡申领登记表", 8},
    {"0106", "01", "D50", "待遇领取资格认证表", 6},
    {"0201", "02", "D100", "社会保险费缴费申报核定表", 8},
    {"0202", "02", "D100", "养老保险补缴审批表", 6},
    {"0203", "02", "D30", "社会保险费退费申请表", 2},
    {"0301", "03", "D100", "基本养老金待遇核定表", 8},
    {"0303", "03", "D50", "丧葬补助金抚恤金申领表", 2},
    {"0304", "03", "D100", "养老保险关系转移接续申请表", 5},
    {"0305", "03", "D30", "养老金暂停发放审批表", 1},
    {"0501", "05", "D10", "失业登记表", 4},
    {"0503", "05", "D10", "失业保险金申领审核表", 7},
    {"0504", "05", "D10", "稳岗补贴申请表", 2},
    {"0602", "06", "D50", "工伤认定决定书", 5},
    {"0604", "06", "D50", "伤残待遇核定表", 2},
    {"0605", "06", "D30", "工伤医疗费用报销审核表", 2},
    {"0702", "07", "D10", "生育津贴核定表", 5},
    {"0901", "09", "D30", "社会保险稽核通知书", 2},
};

inline std::string Money(Rng& r, int lo_yuan, int hi_yuan) {
  int yuan = r.Int(lo_yuan, hi_yuan), fen = r.Int(0, 99);
  char b[32];
  std::snprintf(b, sizeof b, "%d.%02d", yuan, fen);
  return b;
}
inline std::string Date(int y, int m, int d) {
  char b[16];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, d);
  return b;
}
inline std::string CnDate(int y, int m, int d) {
  return std::to_string(y) + "年" + std::to_string(m) + "月" + std::to_string(d) + "日";
}

struct Generator {
  uint64_t seed;
  int64_t persons;
  int64_t units;
  ReferenceTemplate tmpl;
  std::map<std::string, int> next_seq;  // per series
  std::vector<int> item_cdf;

  Generator(uint64_t s, int64_t records, ReferenceTemplate t)
      : seed(s),
        persons(std::max<int64_t>(1, records / 2)),
        units(std::max<int64_t>(1, records / 50)),
        tmpl(std::move(t)) {
    int acc = 0;
    for (const auto& it : kItems) item_cdf.push_back(acc += it.weight);
  }

  std::string PersonName(Rng& r) const {
    std::string n = PickChar(r, kSurnames);
    if (r.Chance(2)) n += PickChar(r, kSurnames);  // 复姓-like
    n += PickChar(r, kGiven);
    if (r.Chance(70)) n += PickChar(r, kGiven);
    return n;
  }

  Person MakePerson(int64_t j) const {
    Rng r(seed, 1, static_cast<uint64_t>(j));
    const City& c = r.Pick(kCities);
    int y = r.Int(1955, 2004), m = r.Int(1, 12), d = r.Int(1, 28);
    char first17[24];
    std::snprintf(first17, sizeof first17, "%s%04d%02d%02d%03d", c.region, y, m, d, r.Int(1, 999));
    std::string id = std::string(first17) + IdNumberCheckChar(first17);
    return Person{id, PersonName(r)};
  }

  Unit MakeUnit(int64_t j) const {
    Rng r(seed, 2, static_cast<uint64_t>(j));
    const City& c = r.Pick(kCities);
    std::string body8;
    for (int k = 0; k < 8; ++k) body8 += static_cast<char>('0' + r.Int(0, 9));
    std::string first17 = std::string("91") + c.region + body8 + OrganizationCodeCheckChar(body8);
    std::string code = first17 + CreditCodeCheckChar(first17);
    return Unit{code, std::string(c.short_) + r.Pick(kUnitWords) + r.Pick(kUnitKinds)};
  }

  int64_t PersonOf(int64_t i) const {
    Rng r(seed, 3, static_cast<uint64_t>(i));
    return static_cast<int64_t>(r.Next() % static_cast<uint64_t>(persons));
  }

  Record Make(int64_t i) {
    Rng r(seed, 3, static_cast<uint64_t>(i));
    int64_t pj = static_cast<int64_t>(r.Next() % static_cast<uint64_t>(persons));
    Person p = MakePerson(pj);
    Unit u = MakeUnit(static_cast<int64_t>(r.Next() % static_cast<uint64_t>(units)));
    int w = r.Int(1, item_cdf.back());
    size_t k = 0;
    while (item_cdf[k] < w) ++k;
    const Item& item = kItems[k];
    const City& city = r.Pick(kCities);
    int year = r.Int(2016, 2025), month = r.Int(1, 12), day = r.Int(1, 28);
    std::string formed = Date(year, month, day);
    std::string agency = std::string(city.name) + "社会保险事业管理中心";

    Record rec;
    rec.parts.fonds = "J012";
    rec.parts.category = "SB";
    rec.parts.year = year;
    rec.parts.retention = item.retention;
    rec.parts.item = item.code;
    rec.parts.class_code = item.class_code;
    rec.series = tmpl.SeriesKey(rec.parts);
    rec.parts.seq = ++next_seq[rec.series];
    rec.reference = tmpl.Format(rec.parts);
    rec.source = "sbxt";
    char cid[48];
    std::snprintf(cid, sizeof cid, "SBXT-%04d-%08" PRId64, year, i + 1);
    rec.case_id = cid;
    rec.channel = "business";
    rec.fingerprint = r.Hex(64);
    rec.title = p.name + " " + item.title + " " + formed;
    if (r.Chance(40)) {
      rec.doc_number = std::string(city.short_) + "人社" +
                       (item.class_code[1] == '6' ? "伤" : "保") + "字〔" + std::to_string(year) +
                       "〕" + std::to_string(r.Int(1, 9999)) + "号";
    }
    rec.responsible = agency;
    rec.formed_on = formed;
    rec.closed_at = formed + "T16:30:00+08:00";
    rec.pages = r.Int(1, 12);
    rec.agency = agency;
    rec.handler = PersonName(r);
    char serial[32];
    std::snprintf(serial, sizeof serial, "LS%04d%08" PRId64, year, i + 1);
    rec.serial = serial;
    rec.person = p;
    rec.unit = u;
    rec.steps = {
        {"受理", formed + "T09:10:00+08:00", "窗口受理岗 " + PersonName(r), "", ""},
        {"审核", formed + "T14:00:00+08:00", "业务审核岗 " + PersonName(r), "",
         r.Chance(30) ? "材料齐全，审核通过" : ""},
        {"办结", formed + "T16:30:00+08:00", "经办岗 " + rec.handler, "", ""},
    };
    uint64_t bytes = static_cast<uint64_t>(r.Int(80, 4000)) * 1024;
    rec.files = {
        {"申请表.pdf", "original", "PDF", bytes, r.Hex(64), "", {}},
        {"申请表.txt", "text", "TXT", static_cast<uint64_t>(r.Int(300, 2000)), r.Hex(64), "", {}}};

    // Full text: the form as extracted (≈100-300 characters).
    std::string t = std::string(item.title) + "\n姓名：" + p.name + "  公民身份号码：" +
                    p.id_number + "\n单位名称：" + u.name + "  统一社会信用代码：" + u.credit_code +
                    "\n";
    std::string code = item.code;
    std::string d2 = CnDate(year, month, day);
    if (code == "0101") {
      t +=
          u.name + "于" + d2 +
          "申请办理单位参保登记，参保险种：企业职工基本养老保险、失业保险、工伤保险。法定代表人：" +
          PersonName(r) + "，职工人数" + std::to_string(r.Int(5, 900)) + "人。";
    } else if (code == "0102") {
      t += u.name + "申报增员" + std::to_string(r.Int(1, 30)) + "人，其中" + p.name + "自" + d2 +
           "起参加企业职工基本养老保险，缴费基数" + Money(r, 3000, 30000) + "元。婚姻状况：" +
           r.Pick(kMarriage) + "。";
    } else if (code == "0103") {
      t += "截至" + std::to_string(year) + "年末，个人账户累计储存额" + Money(r, 5000, 300000) +
           "元，本年缴费月数" + std::to_string(r.Int(1, 12)) + "个月，记账利率" +
           std::to_string(r.Int(2, 8)) + "%。";
    } else if (code == "0105") {
      t += "申领第三代社会保障卡，领卡方式：" + std::string(r.Chance(50) ? "邮寄" : "网点领取") +
           "，金融账户开户银行：" + std::string(r.Chance(50) ? "中国工商银行" : "中国建设银行") +
           "。";
    } else if (code == "0106") {
      t += "养老金领取人员" + p.name + "于" + d2 + "通过" +
           std::string(r.Chance(60) ? "人脸识别" : "社区上门") + "方式完成待遇领取资格认证。";
    } else if (code == "0201") {
      t += std::to_string(year) + "年" + std::to_string(month) + "月应缴社会保险费" +
           Money(r, 2000, 900000) + "元，其中单位缴纳" + Money(r, 1000, 600000) + "元，个人缴纳" +
           Money(r, 500, 300000) + "元。";
    } else if (code == "0202") {
      int y1 = year - r.Int(1, 8);
      t += "申请补缴" + std::to_string(y1) + "年" + std::to_string(r.Int(1, 12)) + "月至" +
           std::to_string(year - 1) + "年12月企业职工基本养老保险费，补缴金额" +
           Money(r, 2000, 90000) + "元，滞纳金" + Money(r, 0, 9000) + "元。";
    } else if (code == "0203") {
      t += "因重复缴费申请退还社会保险费" + Money(r, 100, 20000) + "元，退费原因经核实无误。";
    } else if (code == "0301") {
      t += p.name + "于" + d2 + "达到法定退休年龄，累计缴费年限" + std::to_string(r.Int(15, 42)) +
           "年，核定月基本养老金" + Money(r, 1800, 9000) + "元，其中基础养老金" +
           Money(r, 900, 4000) + "元。";
    } else if (code == "0303") {
      t += "参保人" + p.name + "于" + d2 + "因病死亡，其" + r.Pick(kRelations) + PersonName(r) +
           "申领丧葬补助金" + Money(r, 3000, 9000) + "元及一次性抚恤金" + Money(r, 10000, 90000) +
           "元。";
    } else if (code == "0304") {
      const City& from = r.Pick(kCities);
      t += p.name + "由" + from.name + "转入本地，转移基本养老保险关系，转入个人账户储存额" +
           Money(r, 3000, 200000) + "元，统筹基金" + Money(r, 3000, 300000) + "元。";
    } else if (code == "0305") {
      t += "因" + std::string(r.Chance(50) ? "服刑" : "未按时完成资格认证") + "，自" + d2 +
           "起暂停发放基本养老金。";
    } else if (code == "0501") {
      t += p.name + "因" + r.Pick(kReasons) + "，于" + d2 + "办理失业登记，求职意向：" +
           std::string(r.Chance(50) ? "技术工人" : "商业服务") + "。";
    } else if (code == "0503") {
      t += p.name + "因" + r.Pick(kReasons) + "与" + u.name + "解除劳动关系，累计缴纳失业保险费" +
           std::to_string(r.Int(12, 240)) + "个月，核定领取失业保险金" +
           std::to_string(r.Int(3, 24)) + "个月，每月" + Money(r, 1500, 2600) + "元。";
    } else if (code == "0504") {
      t += u.name + "上年度未裁员，申请稳岗补贴" + Money(r, 5000, 500000) + "元。";
    } else if (code == "0602") {
      t += p.name + "于" + d2 + "在" + u.name + "工作时" + r.Pick(kInjury) +
           "，经调查核实，根据《工伤保险条例》第十四条，认定为工伤。";
    } else if (code == "0604") {
      t += "经劳动能力鉴定委员会鉴定，伤残等级为" + std::to_string(r.Int(1, 10)) +
           "级，核定一次性伤残补助金" + Money(r, 20000, 300000) + "元。";
    } else if (code == "0605") {
      t += "工伤医疗费用" + Money(r, 500, 90000) + "元，其中基金支付" + Money(r, 400, 80000) +
           "元。";
    } else if (code == "0702") {
      t += p.name + "于" + d2 + "分娩，婚姻状况：已婚，产假" + std::to_string(r.Int(98, 188)) +
           "天，核定生育津贴" + Money(r, 5000, 60000) + "元，生育医疗费" + Money(r, 1000, 9000) +
           "元。";
    } else {
      t += "经稽核，" + u.name + "存在少报缴费基数问题，应补缴社会保险费" + Money(r, 1000, 200000) +
           "元。";
    }
    int fillers = r.Int(1, 3);
    for (int f = 0; f < fillers; ++f) t += r.Pick(kFiller);
    t += "\n经办机构：" + agency + "  经办人：" + rec.handler + "  日期：" + formed;
    rec.text = t;
    rec.filed_at = formed + "T17:00:00+08:00";
    rec.package_path = "packages/" + std::to_string(year) + "/" + rec.case_id + ".tar";
    rec.package_sha256 = r.Hex(64);
    rec.package_bytes = bytes + 20480;
    return rec;
  }
};


}  // namespace dangan::bench
