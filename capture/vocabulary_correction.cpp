#include "capture/vocabulary_correction.h"

#include <algorithm>
#include <map>
#include <set>

namespace dangan::capture {
namespace {

std::u32string Decode(std::string_view s, std::vector<size_t>* offsets) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > s.size()) n = 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (offsets) offsets->push_back(i);
    out.push_back(cp);
    i += n;
  }
  if (offsets) offsets->push_back(s.size());
  return out;
}

bool IsHan(char32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }

// Form labels common to social-insurance forms of every province, beside the scheme's words.
const char* const kFormLabels[] = {"公民身份号码",     "身份证号码",
                                   "统一社会信用代码", "社会保障卡号",
                                   "单位名称",         "用人单位",
                                   "参保单位",         "联系电话",
                                   "联系地址",         "法定代表人",
                                   "经办机构",         "经办人",
                                   "复核人",           "审核人",
                                   "审核意见",         "经办机构审核意见",
                                   "申请人签字",       "单位盖章",
                                   "填表说明",         "填报日期",
                                   "申请日期",         "业务日期",
                                   "所属期",           "缴费基数",
                                   "开户银行",         "银行账号",
                                   "户籍所在地",       "出生日期",
                                   "参加工作时间",     "社会保险",
                                   "养老保险",         "医疗保险",
                                   "失业保险",         "工伤保险",
                                   "生育保险",         "基本养老保险",
                                   "职工基本养老保险", "社会保险事业管理中心",
                                   "社会保险经办机构", "人力资源和社会保障局",
                                   "本单位承诺",       "本人承诺",
                                   "真实、准确、完整", "法律责任",
                                   "提交材料清单",     "材料名称",
                                   "居民身份证",       "复印件",
                                   "原件核验",         "加盖公章"};

const char* const kCommonCharacters =
    "零一二三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟及和与或的之对你我他她在为以于其该此"
    "并由从向将被把给已未不无有是扣代";

}  // namespace

VocabularyCorrection::VocabularyCorrection(std::vector<std::string> words) {
  std::set<std::u32string> seen;
  for (const auto& w : words) {
    std::u32string u = Decode(w, nullptr);
    // Three characters at least, all Han: shorter words are one substitution away from too
    // many real words to correct safely.
    if (u.size() < 3 || !std::all_of(u.begin(), u.end(), IsHan)) continue;
    if (seen.insert(u).second) words_.push_back(u);
  }
  for (const auto& w : words_) known_chars_.insert(w.begin(), w.end());
  // Numerals and function characters are real text wherever they stand (伤残八级, 记录及).
  for (char32_t c : Decode(kCommonCharacters, nullptr)) known_chars_.insert(c);
}

VocabularyCorrection VocabularyCorrection::FromScheme(const ClassificationScheme& scheme) {
  std::vector<std::string> words(std::begin(kFormLabels), std::end(kFormLabels));
  for (const BusinessItem* item : scheme.items()) {
    if (!item->capture) continue;
    words.push_back(item->name.substr(0, item->name.find('(')));
    words.insert(words.end(), item->aliases.begin(), item->aliases.end());
    words.insert(words.end(), item->keywords.begin(), item->keywords.end());
  }
  for (const auto& kind : scheme.non_record_kinds()) {
    words.insert(words.end(), kind.aliases.begin(), kind.aliases.end());
    words.insert(words.end(), kind.keywords.begin(), kind.keywords.end());
  }
  for (const auto& c : scheme.classes()) words.push_back(c.name);
  return VocabularyCorrection(std::move(words));
}

CorrectedText VocabularyCorrection::Correct(std::string_view text) const {
  std::vector<size_t> offsets;
  std::u32string t = Decode(text, &offsets);
  // Exact occurrences protect their characters: a correct word is never rewritten into another.
  std::vector<bool> exact(t.size(), false);
  for (const auto& w : words_)
    for (size_t p = t.find(w); p != std::u32string::npos; p = t.find(w, p + 1))
      std::fill(exact.begin() + p, exact.begin() + p + w.size(), true);

  // For each start position, the vocabulary entries one Han substitution away.
  struct Proposal {
    size_t start, length, at;
    char32_t ch;
  };
  std::vector<Proposal> proposals;
  for (size_t p = 0; p < t.size(); ++p) {
    if (!IsHan(t[p]) && t[p] != 0xFFFD) continue;
    for (const auto& w : words_) {
      if (p + w.size() > t.size()) continue;
      int diff = 0;
      size_t at = 0;
      for (size_t k = 0; k < w.size() && diff < 2; ++k) {
        if (t[p + k] != w[k]) {
          ++diff;
          at = p + k;
        }
      }
      // The misread character must be foreign to the vocabulary: OCR garbage (竹会保险), not a
      // real word one character off a known one (受理日期 is not a misread 受伤日期).
      if (diff != 1 || exact[at] || !IsHan(t[at]) || known_chars_.count(t[at])) continue;
      // A word of three characters must stand alone (line start, space or colon on both sides),
      // as labels do; longer words carry enough context themselves.
      if (w.size() == 3) {
        auto boundary = [](char32_t c) {
          return c == ' ' || c == '\n' || c == ':' || c == 0xFF1A || c == '|' || c == 0x3000;
        };
        bool left = p == 0 || boundary(t[p - 1]);
        bool right = p + 3 == t.size() || boundary(t[p + 3]);
        if (!left || !right) continue;
      }
      proposals.push_back({p, w.size(), at, w[at - p]});
    }
  }
  // Unambiguous only: every proposal touching a character must agree on its replacement.
  std::map<size_t, std::set<char32_t>> per_char;
  for (const auto& pr : proposals) per_char[pr.at].insert(pr.ch);
  std::map<size_t, std::set<char32_t>> conflicts;  // overlapping proposals that disagree
  for (const auto& a : proposals)
    for (const auto& b : proposals)
      if (a.at != b.at && a.start < b.start + b.length && b.start < a.start + a.length)
        conflicts[a.at].insert(b.ch);

  CorrectedText out;
  std::u32string fixed = t;
  std::set<size_t> done;
  for (const auto& pr : proposals) {
    if (done.count(pr.at) || per_char[pr.at].size() != 1 || conflicts.count(pr.at)) continue;
    done.insert(pr.at);
    fixed[pr.at] = pr.ch;
  }
  // Rebuild the text, reporting each corrected word span.
  std::string result;
  auto append = [&result](char32_t cp) {
    if (cp < 0x80) {
      result.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      result.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      result.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      result.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      result.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      result.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      result.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      result.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      result.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      result.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  };
  for (size_t i = 0; i < t.size(); ++i) {
    if (fixed[i] == t[i]) {
      result.append(text.substr(offsets[i], offsets[i + 1] - offsets[i]));
    } else {
      append(fixed[i]);
    }
  }
  for (const auto& pr : proposals) {
    if (!done.count(pr.at) || fixed[pr.at] != pr.ch) continue;
    VocabularyFix fix;
    fix.offset = offsets[pr.start];
    fix.original = std::string(
        text.substr(offsets[pr.start], offsets[pr.start + pr.length] - offsets[pr.start]));
    std::u32string word = fixed.substr(pr.start, pr.length);
    std::string w;
    std::swap(result, w);
    for (char32_t c : word) append(c);
    std::swap(result, w);
    fix.corrected = w;
    out.fixes.push_back(fix);
    done.erase(pr.at);  // report each character once
  }
  out.text = std::move(result);
  return out;
}

}  // namespace dangan::capture
