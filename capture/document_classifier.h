// DocumentClassifier: decides which business item (业务环节) of the classification scheme an OCRed
// document belongs to, or that it is not a business record at all, and says why. It combines
// weighted rules from the scheme's vocabulary (titles, keywords) with a multinomial naive Bayes
// model over Han character unigrams and bigrams, trained from that vocabulary and from documents
// archivists confirmed or corrected. The classifier owns copies of everything it needs (it does
// not keep a pointer to the scheme). Classify() is const and safe to call from many threads at
// once; Learn() mutates the model and needs external synchronisation against every other call.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "archive/scheme.h"
#include "archive/status.h"

namespace dangan::capture {

// The item code used for documents that are not business records (档案工作用表, blank pages).
inline constexpr const char* kNotARecordItem = "0000";
inline constexpr const char* kNotARecordClass = "00";

// One reason behind a decision. `token` is always a real substring of the classified text.
struct Evidence {
  std::string kind;    // "rule" or "model"
  std::string rule;    // for rules: "title-alias", "alias", "title-keyword", "keyword",
                       // "title-alias-gapped"; for the model: "ngram"
  std::string token;   // the matched text, verbatim from the input
  std::string target;  // the item code the evidence speaks for
  double weight = 0;
};

struct Alternative {
  std::string item_code;
  double score = 0;        // the combined score (rules + model), comparable within one result
  double probability = 0;  // share of the probability mass, 0..1
};

struct Classification {
  std::string class_code;  // "00" when not a record
  std::string item_code;   // "0000" when not a record
  std::string retention;   // the item's retention code; empty when not a record
  // 0..1. Combines how clearly the winner beats the runner-up with how much rule evidence there
  // is; a document with no recognisable vocabulary gets a low value whatever the model says.
  double confidence = 0;
  std::vector<Evidence> evidence;         // strongest first, for the winning item
  std::vector<Alternative> alternatives;  // the winner first, then the next best items
  bool not_a_record = false;
};

class DocumentClassifier {
 public:
  // A classifier knowing only the scheme's vocabulary (no confirmed examples yet).
  static DocumentClassifier FromScheme(const ClassificationScheme& scheme);
  // Rebuilds FromScheme(scheme) and adds the learned counts from Serialize(). Learned counts for
  // item codes the scheme no longer has are dropped.
  static Result<DocumentClassifier> Deserialize(const ClassificationScheme& scheme,
                                                std::string_view serialized);

  // Adds a confirmed (or corrected) example: `item_code` is a scheme item or "0000" for a
  // document that is not a business record. Unknown codes are refused.
  Status Learn(std::string_view text, const std::string& item_code);

  Classification Classify(std::string_view text) const;

  // The learned part of the model only (the vocabulary part is rebuilt from the scheme), as
  // deterministic, sorted text: the same examples give the same bytes.
  std::string Serialize() const;
  int learned_examples() const { return learned_examples_; }

  struct Term {  // a vocabulary entry that signals one target
    std::u32string text;
    std::string target;  // item code or a "00xx" non-record code
    bool alias = false;  // a title (true) or a content keyword (false)
  };
  struct Target {
    std::string item_code, class_code, retention;
    bool not_a_record = false;
  };

 private:
  // Per target: feature -> count, and the total; vocabulary counts and learned counts are kept
  // apart so only the learned ones are serialized.
  struct Counts {
    std::map<std::u32string, double> features;
    double total = 0;
  };
  void AddFeatures(const std::u32string& text, const std::string& target, double weight,
                   bool learned);

  std::vector<Term> terms_;
  std::map<std::string, Target> targets_;
  std::map<std::string, Counts> vocabulary_counts_;
  std::map<std::string, Counts> learned_counts_;
  std::map<std::u32string, int> feature_targets_;  // how many targets know each feature
  std::map<std::string, int> learned_docs_;
  int learned_examples_ = 0;
  std::string scheme_version_;
};

// Precision and recall of the classifier per class, from (predicted item, confirmed item) pairs
// (item codes; "0000" for not-a-record). Used by `dangan classifier report`.
struct ClassifierReport {
  struct Row {
    std::string class_code, class_name;
    int predicted = 0, confirmed = 0, correct = 0;
    double precision = 0, recall = 0;  // 0 when undefined (nothing predicted / confirmed)
  };
  std::vector<Row> classes;  // scheme order, then "00"; only classes that occur
  int total = 0, class_correct = 0, item_correct = 0;
};
ClassifierReport BuildClassifierReport(
    const ClassificationScheme& scheme,
    const std::vector<std::pair<std::string, std::string>>& predicted_confirmed);
std::string FormatClassifierReport(const ClassifierReport& report);

}  // namespace dangan::capture
