#include "capture/document_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace dangan::capture {
namespace {

// ---- text normalisation ------------------------------------------------------------------------
// OCR text is matched after dropping whitespace and table rules and folding full-width ASCII, so
// "单位 名称" and "单位名称" match the same vocabulary. Every kept character remembers its byte
// span in the original text so evidence can quote the input verbatim.
struct NormalizedText {
  std::u32string chars;
  std::vector<size_t> begin, end;  // byte offsets into the original text
  std::vector<int> line;           // 0-based index of the non-empty line the character is on
};

// Decodes one UTF-8 sequence at `i`; invalid bytes decode as U+FFFD and advance one byte.
char32_t DecodeUtf8(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || *i + n > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc >> 6) != 2) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += n;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string ToUtf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(c, &out);
  return out;
}

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF);
}

bool IsDropped(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == 0x3000 || c == 0xA0 || c == '|' || c == '_' ||
         c == 0x2014 || c == '"' || c == '\'' || c == 0x201C || c == 0x201D;
}

NormalizedText Normalize(std::string_view text) {
  NormalizedText out;
  int line = 0;
  bool line_has_text = false;
  for (size_t i = 0; i < text.size();) {
    size_t start = i;
    char32_t c = DecodeUtf8(text, &i);
    if (c == '\n') {
      if (line_has_text) ++line;
      line_has_text = false;
      continue;
    }
    if (IsDropped(c)) continue;
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII
    if (c >= 'a' && c <= 'z') c = c - 'a' + 'A';
    out.chars.push_back(c);
    out.begin.push_back(start);
    out.end.push_back(i);
    out.line.push_back(line);
    line_has_text = true;
  }
  return out;
}

std::u32string NormalizeTerm(std::string_view term) { return Normalize(term).chars; }

// Han unigrams and bigrams (bigrams only of adjacent Han characters), each once, with the
// position of its first occurrence.
std::map<std::u32string, size_t> Features(const std::u32string& s) {
  std::map<std::u32string, size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsHan(s[i])) continue;
    out.emplace(std::u32string(1, s[i]), i);
    if (i + 1 < s.size() && IsHan(s[i + 1])) out.emplace(s.substr(i, 2), i);
  }
  return out;
}

// ---- weights (tuned on vocabulary only, see tests/capture/document_classifier_test.cpp) --------
constexpr int kTitleLines = 6;                // the first non-empty lines hold the title
constexpr double kAlpha = 0.1;                // additive smoothing of the model
constexpr double kModelWeight = 6.0;          // model score scale relative to rule weights
constexpr double kMinRuleScore = 2.0;         // below this nothing in the text names an item
constexpr double kTemperature = 2.0;          // softmax temperature over combined scores
constexpr double kVocabularyAlias = 3;        // model counts per alias feature
constexpr double kVocabularyKeyword = 1;      // model counts per keyword feature
constexpr size_t kMaxLearnedFeatures = 6000;  // per target, before rare features are pruned

double RuleWeight(const std::string& rule, size_t length) {
  double n = static_cast<double>(length);
  if (rule == "title-alias") return 4.0 + 0.5 * n;
  if (rule == "title-alias-gapped") return 2.0 + 0.25 * n;
  if (rule == "alias") return 1.0 + 0.25 * n;
  if (rule == "title-keyword") return 1.0 + 0.2 * n;
  return 0.4 + 0.1 * n;  // keyword
}

struct Match {
  size_t start = 0, length = 0;  // in normalized characters
  size_t term = 0;
  std::string rule;
  double weight = 0;
};

// Finds `term` as a subsequence inside one title line: first and last characters anchored,
// spanning at most twice its length. Catches province wordings such as 单位社会保险参保登记 for
// the alias 单位参保登记.
bool FindGapped(const NormalizedText& t, const std::u32string& term, size_t* start,
                size_t* length) {
  if (term.size() < 4) return false;
  for (size_t i = 0; i < t.chars.size() && t.line[i] < kTitleLines; ++i) {
    if (t.chars[i] != term[0]) continue;
    size_t k = 1, j = i + 1;
    size_t limit = i + 2 * term.size();
    for (; j < t.chars.size() && j < limit && t.line[j] == t.line[i] && k < term.size(); ++j)
      if (t.chars[j] == term[k]) ++k;
    if (k == term.size()) {
      *start = i;
      *length = j - i;
      return true;
    }
  }
  return false;
}

}  // namespace

// ---- construction ------------------------------------------------------------------------------

DocumentClassifier DocumentClassifier::FromScheme(const ClassificationScheme& scheme) {
  DocumentClassifier c;
  c.scheme_version_ = scheme.version();
  auto add_terms = [&c](const std::vector<std::string>& words, const std::string& target,
                        bool alias) {
    for (const auto& w : words) {
      std::u32string t = NormalizeTerm(w);
      if (t.empty()) continue;
      c.terms_.push_back({t, target, alias});
      c.AddFeatures(t, target, alias ? kVocabularyAlias : kVocabularyKeyword, false);
    }
  };
  for (const BusinessItem* item : scheme.items()) {
    if (!item->capture) continue;
    c.targets_[item->code] = {item->code, item->class_code, item->retention, false};
    // The item's own name is a title too (minus the parenthesised sub-cases).
    std::string name = item->name.substr(0, item->name.find('('));
    std::vector<std::string> aliases = item->aliases;
    aliases.push_back(name);
    add_terms(aliases, item->code, true);
    add_terms(item->keywords, item->code, false);
  }
  for (const auto& kind : scheme.non_record_kinds()) {
    c.targets_[kind.code] = {kind.code, kNotARecordClass, "", true};
    add_terms(kind.aliases, kind.code, true);
    add_terms(kind.keywords, kind.code, false);
  }
  if (!c.targets_.count(kNotARecordItem))
    c.targets_[kNotARecordItem] = {kNotARecordItem, kNotARecordClass, "", true};
  return c;
}

void DocumentClassifier::AddFeatures(const std::u32string& text, const std::string& target,
                                     double weight, bool learned) {
  Counts& counts = (learned ? learned_counts_ : vocabulary_counts_)[target];
  for (const auto& [feature, pos] : Features(text)) {
    (void)pos;
    double& slot = counts.features[feature];
    bool known_here = slot > 0 || (learned ? vocabulary_counts_[target].features.count(feature)
                                           : learned_counts_[target].features.count(feature));
    if (!known_here) ++feature_targets_[feature];
    slot += weight;
    counts.total += weight;
  }
}

Status DocumentClassifier::Learn(std::string_view text, const std::string& item_code) {
  if (!targets_.count(item_code)) {
    return Status::InvalidArgument("unknown business item '" + item_code + "'",
                                   {{"item_code", "not an item of the scheme nor 0000"}});
  }
  AddFeatures(Normalize(text).chars, item_code, 1.0, true);
  ++learned_docs_[item_code];
  ++learned_examples_;
  // Keep the stored model small: drop features seen once when a target grows too large.
  Counts& counts = learned_counts_[item_code];
  if (counts.features.size() > kMaxLearnedFeatures) {
    for (auto it = counts.features.begin(); it != counts.features.end();) {
      if (it->second <= 1.0) {
        counts.total -= it->second;
        if (!vocabulary_counts_[item_code].features.count(it->first) &&
            --feature_targets_[it->first] == 0)
          feature_targets_.erase(it->first);
        it = counts.features.erase(it);
      } else {
        ++it;
      }
    }
  }
  return Status::Ok();
}

// ---- classification ----------------------------------------------------------------------------

Classification DocumentClassifier::Classify(std::string_view text) const {
  Classification out;
  NormalizedText t = Normalize(text);
  auto quote = [&t, text](size_t start, size_t length) {
    return std::string(text.substr(t.begin[start], t.end[start + length - 1] - t.begin[start]));
  };

  // (a) Rules: every vocabulary match; a match inside a longer one is dropped, so 社会保险登记
  // inside 社会保险登记证 speaks only for the longer term.
  std::vector<Match> matches;
  for (size_t k = 0; k < terms_.size(); ++k) {
    const Term& term = terms_[k];
    bool found = false;
    for (size_t pos = t.chars.find(term.text); pos != std::u32string::npos;
         pos = t.chars.find(term.text, pos + 1)) {
      found = true;
      bool title = t.line[pos] < kTitleLines;
      std::string rule =
          term.alias ? (title ? "title-alias" : "alias") : (title ? "title-keyword" : "keyword");
      matches.push_back({pos, term.text.size(), k, rule, RuleWeight(rule, term.text.size())});
    }
    size_t start = 0, length = 0;
    if (!found && term.alias && FindGapped(t, term.text, &start, &length)) {
      matches.push_back({start, length, k, "title-alias-gapped",
                         RuleWeight("title-alias-gapped", term.text.size())});
    }
  }
  std::stable_sort(matches.begin(), matches.end(), [this](const Match& a, const Match& b) {
    size_t la = terms_[a.term].text.size(), lb = terms_[b.term].text.size();
    if (la != lb) return la > lb;
    return a.weight > b.weight;
  });
  std::vector<Match> kept;
  std::set<size_t> counted_terms;  // each term counts once, at its strongest occurrence
  for (const Match& m : matches) {
    bool inside = false;
    for (const Match& k : kept) {
      if (terms_[k.term].text.size() > terms_[m.term].text.size() && m.start >= k.start &&
          m.start + m.length <= k.start + k.length) {
        inside = true;
        break;
      }
    }
    if (inside) continue;
    kept.push_back(m);
  }
  std::map<std::string, double> rule_score;
  std::map<std::string, std::vector<Evidence>> evidence;
  std::sort(kept.begin(), kept.end(), [](const Match& a, const Match& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.start < b.start;
  });
  for (const Match& m : kept) {
    if (!counted_terms.insert(m.term).second) continue;
    const std::string& target = terms_[m.term].target;
    rule_score[target] += m.weight;
    evidence[target].push_back({"rule", m.rule, quote(m.start, m.length), target, m.weight});
  }

  // (b) Model: naive Bayes over the document's known features, averaged per feature so long
  // documents do not become overconfident.
  auto features = Features(t.chars);
  std::vector<std::pair<std::u32string, size_t>> known;
  for (const auto& f : features)
    if (feature_targets_.count(f.first)) known.push_back(f);
  double vocabulary_size = static_cast<double>(feature_targets_.size()) + 1;
  auto log_p = [&](const std::string& target, const std::u32string& f) {
    double count = 0, total = 0;
    if (auto it = vocabulary_counts_.find(target); it != vocabulary_counts_.end()) {
      total += it->second.total;
      if (auto ft = it->second.features.find(f); ft != it->second.features.end())
        count += ft->second;
    }
    if (auto it = learned_counts_.find(target); it != learned_counts_.end()) {
      total += it->second.total;
      if (auto ft = it->second.features.find(f); ft != it->second.features.end())
        count += ft->second;
    }
    return std::log((count + kAlpha) / (total + kAlpha * vocabulary_size));
  };
  std::map<std::string, double> model_score;
  double best_model = -1e300;
  for (const auto& [code, target] : targets_) {
    double s = 0;
    for (const auto& f : known) s += log_p(code, f.first);
    model_score[code] = s;
    best_model = std::max(best_model, s);
  }
  double n_known = std::max<double>(1, static_cast<double>(known.size()));

  struct Scored {
    std::string code;
    double combined, rules, model;
  };
  std::vector<Scored> scored;
  for (const auto& [code, target] : targets_) {
    double model = known.empty() ? 0 : kModelWeight * (model_score[code] - best_model) / n_known;
    double rules = rule_score.count(code) ? rule_score.at(code) : 0;
    scored.push_back({code, rules + model, rules, model});
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.combined != b.combined ? a.combined > b.combined : a.code < b.code;
  });

  double norm = 0;
  for (const auto& s : scored) norm += std::exp((s.combined - scored[0].combined) / kTemperature);
  for (size_t i = 0; i < scored.size() && i < 4; ++i) {
    out.alternatives.push_back(
        {scored[i].code, scored[i].combined,
         std::exp((scored[i].combined - scored[0].combined) / kTemperature) / norm});
  }

  const Scored& best = scored[0];
  const Target& winner = targets_.at(best.code);
  size_t han = 0;
  for (char32_t c : t.chars) han += IsHan(c) ? 1 : 0;
  // Confirmed examples name an item as well as the vocabulary does: a locally titled form the
  // archivists filed before is recognised even when no vocabulary term matches.
  bool learned_winner = learned_docs_.count(best.code) && scored.size() > 1 &&
                        best.combined - scored[1].combined >= 1.0;
  double support = best.rules + (learned_winner ? kMinRuleScore : 0);
  bool nothing_named = support < kMinRuleScore || han < 4;

  // Model evidence: the features that favour the winner most over the runner-up.
  if (!known.empty() && scored.size() > 1) {
    std::vector<std::pair<double, std::pair<std::u32string, size_t>>> contrib;
    for (const auto& f : known) {
      double d = log_p(best.code, f.first) - log_p(scored[1].code, f.first);
      if (d > 0 && f.first.size() == 2) contrib.push_back({d, f});
    }
    std::sort(contrib.begin(), contrib.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second.second < b.second.second;
    });
    for (size_t i = 0; i < contrib.size() && i < 5; ++i) {
      const auto& [feature, pos] = contrib[i].second;
      evidence[best.code].push_back({"model", "ngram", quote(pos, feature.size()), best.code,
                                     kModelWeight * contrib[i].first / n_known});
    }
  }

  if (nothing_named) {
    out.not_a_record = true;
    out.class_code = kNotARecordClass;
    out.item_code = kNotARecordItem;
    // Low by construction: nothing in the text names an item or an archive-work form.
    out.confidence = han < 4 ? 0.0 : std::min(0.3, best.rules / kMinRuleScore * 0.3);
    if (evidence.count(best.code)) out.evidence = evidence[best.code];
    return out;
  }
  out.not_a_record = winner.not_a_record;
  out.class_code = winner.class_code;
  out.item_code = winner.not_a_record ? std::string(kNotARecordItem) : winner.item_code;
  out.retention = winner.retention;
  double p_top = out.alternatives.empty() ? 0 : out.alternatives[0].probability;
  double strength = 1.0 - std::exp(-support / 6.0);
  out.confidence = std::clamp(p_top * strength, 0.0, 1.0);
  out.evidence = evidence[best.code];
  return out;
}

// ---- serialization -----------------------------------------------------------------------------
// Text, one line per entry, sorted: "dangan-classifier 1", "scheme <version>",
// "examples <n>", then per target "target <code> <documents> <features>" followed by that many
// "<count> <feature>" lines. Counts are whole numbers (one per example containing the feature).

std::string DocumentClassifier::Serialize() const {
  std::ostringstream out;
  out << "dangan-classifier 1\n";
  out << "scheme " << scheme_version_ << "\n";
  out << "examples " << learned_examples_ << "\n";
  for (const auto& [code, counts] : learned_counts_) {
    if (counts.features.empty()) continue;
    int docs = learned_docs_.count(code) ? learned_docs_.at(code) : 0;
    out << "target " << code << " " << docs << " " << counts.features.size() << "\n";
    for (const auto& [feature, count] : counts.features)
      out << static_cast<long long>(std::llround(count)) << " " << ToUtf8(feature) << "\n";
  }
  return out.str();
}

Result<DocumentClassifier> DocumentClassifier::Deserialize(const ClassificationScheme& scheme,
                                                           std::string_view serialized) {
  DocumentClassifier c = FromScheme(scheme);
  std::istringstream in{std::string(serialized)};
  std::string line;
  auto bad = [](const std::string& why) {
    return Status(ErrorCode::kMalformed, "classifier model: " + why);
  };
  if (!std::getline(in, line) || line != "dangan-classifier 1")
    return bad("not a dangan-classifier 1 model");
  if (!std::getline(in, line) || line.rfind("scheme ", 0) != 0) return bad("missing scheme line");
  if (!std::getline(in, line) || line.rfind("examples ", 0) != 0)
    return bad("missing examples line");
  try {
    c.learned_examples_ = std::stoi(line.substr(9));
  } catch (const std::exception&) {
    return bad("bad examples count");
  }
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream head(line);
    std::string word, code;
    int docs = 0;
    size_t n = 0;
    if (!(head >> word >> code >> docs >> n) || word != "target")
      return bad("expected a target line, got '" + line + "'");
    bool keep = c.targets_.count(code) > 0;  // items the scheme dropped are ignored
    if (keep) c.learned_docs_[code] = docs;
    for (size_t i = 0; i < n; ++i) {
      if (!std::getline(in, line)) return bad("target " + code + " is truncated");
      size_t space = line.find(' ');
      if (space == std::string::npos || space == 0) return bad("bad feature line '" + line + "'");
      long long count = 0;
      try {
        count = std::stoll(line.substr(0, space));
      } catch (const std::exception&) {
        return bad("bad count in '" + line + "'");
      }
      std::u32string feature = Normalize(line.substr(space + 1)).chars;
      if (count <= 0 || feature.empty() || feature.size() > 2)
        return bad("bad feature line '" + line + "'");
      if (!keep) continue;
      Counts& counts = c.learned_counts_[code];
      double& slot = counts.features[feature];
      if (slot == 0 && !c.vocabulary_counts_[code].features.count(feature))
        ++c.feature_targets_[feature];
      slot += static_cast<double>(count);
      counts.total += static_cast<double>(count);
    }
  }
  return c;
}

// ---- report ------------------------------------------------------------------------------------

ClassifierReport BuildClassifierReport(
    const ClassificationScheme& scheme,
    const std::vector<std::pair<std::string, std::string>>& predicted_confirmed) {
  auto class_of = [&scheme](const std::string& item) -> std::string {
    if (const BusinessItem* i = scheme.FindItem(item)) return i->class_code;
    return kNotARecordClass;
  };
  std::map<std::string, ClassifierReport::Row> rows;
  ClassifierReport report;
  for (const auto& [predicted, confirmed] : predicted_confirmed) {
    std::string pc = class_of(predicted), cc = class_of(confirmed);
    ++rows[pc].predicted;
    ++rows[cc].confirmed;
    if (pc == cc) ++rows[cc].correct, ++report.class_correct;
    if (predicted == confirmed) ++report.item_correct;
    ++report.total;
  }
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& c : scheme.classes()) order.push_back({c.code, c.name});
  order.push_back({kNotARecordClass, "非业务档案(档案工作用表等)"});
  for (const auto& [code, name] : order) {
    auto it = rows.find(code);
    if (it == rows.end()) continue;
    ClassifierReport::Row row = it->second;
    row.class_code = code;
    row.class_name = name;
    row.precision = row.predicted ? static_cast<double>(row.correct) / row.predicted : 0;
    row.recall = row.confirmed ? static_cast<double>(row.correct) / row.confirmed : 0;
    report.classes.push_back(row);
  }
  return report;
}

std::string FormatClassifierReport(const ClassifierReport& report) {
  std::string out = "class  predicted  confirmed  correct  precision  recall  name\n";
  char buf[256];
  for (const auto& r : report.classes) {
    std::snprintf(buf, sizeof buf, "%-5s  %9d  %9d  %7d  %9.3f  %6.3f  ", r.class_code.c_str(),
                  r.predicted, r.confirmed, r.correct, r.precision, r.recall);
    out += buf + r.class_name + "\n";
  }
  auto share = [&report](int n) {
    return report.total ? static_cast<double>(n) / report.total : 0;
  };
  std::snprintf(buf, sizeof buf, "total %d  class accuracy %.3f  item accuracy %.3f\n",
                report.total, share(report.class_correct), share(report.item_correct));
  out += buf;
  return out;
}

}  // namespace dangan::capture
