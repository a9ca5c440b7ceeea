#define BOOST_TEST_MODULE document_classifier
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>

#include "capture/document_classifier.h"

using namespace dangan;
using namespace dangan::capture;

namespace {

const ClassificationScheme& Scheme() {
  static const ClassificationScheme scheme = [] {
    auto s = ClassificationScheme::LoadBuiltin();
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    return s.value();
  }();
  return scheme;
}

struct TruthDoc {
  std::string text, item, category, retention;
};

std::vector<TruthDoc> LoadTruth() {
  std::vector<TruthDoc> docs;
  std::ifstream in(DANGAN_SOURCE_DIR "/tests/data/corpus/truth.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    Poco::JSON::Parser parser;
    auto o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    docs.push_back({o->getValue<std::string>("text"), o->getValue<std::string>("scheme_item"),
                    o->getValue<std::string>("category_code"),
                    o->getValue<std::string>("retention_code")});
  }
  return docs;
}

const char* kUnitRegistration =
    "某市社会保险事业管理中心\n单位参保登记表\n单位名称 某某科技有限公司\n"
    "统一社会信用代码 91350100M000100Y43 法定代表人 张三\n开户银行 某银行\n"
    "单位（盖章）： 2025年06月30日";

}  // namespace

BOOST_AUTO_TEST_CASE(evidence_quotes_real_substrings_of_the_input) {
  auto c = DocumentClassifier::FromScheme(Scheme());
  std::string text =
      "某市社会保险事业管理中心\n失业保险金 申领登记表\n姓名 王五  失业原因 合同到期\n";
  auto r = c.Classify(text);
  BOOST_TEST(r.item_code == "0503");
  BOOST_TEST(r.class_code == "05");
  BOOST_TEST(r.retention == "D10");
  BOOST_REQUIRE(!r.evidence.empty());
  for (const auto& e : r.evidence) {
    BOOST_TEST_INFO(e.token);
    BOOST_TEST(text.find(e.token) != std::string::npos);
    BOOST_TEST((e.kind == "rule" || e.kind == "model"));
  }
  BOOST_TEST(r.evidence.front().kind == "rule");
  BOOST_TEST(r.alternatives.size() >= 2u);
  BOOST_TEST(r.alternatives.front().item_code == "0503");
}

BOOST_AUTO_TEST_CASE(ground_truth_texts_reach_accuracy_floors_without_training) {
  auto docs = LoadTruth();
  BOOST_REQUIRE_GE(docs.size(), 50u);
  auto c = DocumentClassifier::FromScheme(Scheme());
  int cls = 0, item = 0, retention = 0;
  double wrong_confidence = 0;
  int wrong = 0;
  for (const auto& d : docs) {
    auto r = c.Classify(d.text);
    cls += r.class_code == d.category;
    item += r.item_code == d.item;
    retention += d.item == "0000" ? r.not_a_record : r.retention == d.retention;
    if (r.item_code != d.item) wrong_confidence += r.confidence, ++wrong;
  }
  double n = static_cast<double>(docs.size());
  BOOST_TEST(cls / n >= 0.97);
  BOOST_TEST(item / n >= 0.93);
  BOOST_TEST(retention / n >= 0.93);
  if (wrong) BOOST_TEST(wrong_confidence / wrong < 0.6);
}

BOOST_AUTO_TEST_CASE(archive_work_forms_and_unrelated_texts_are_not_records) {
  auto c = DocumentClassifier::FromScheme(Scheme());
  // A 查档 request mentions business words (参保缴费记录, 退休) but its title says what it is.
  auto inquiry = c.Classify(
      "某市社会保险事业管理中心\n档案查阅申请表\n查阅人 李四 证件类型 居民身份证\n"
      "查阅目的 办理退休手续\n查阅档案内容 本人参保缴费记录\n利用方式 复制 摘录");
  BOOST_TEST(inquiry.not_a_record);
  BOOST_TEST(inquiry.item_code == "0000");
  BOOST_TEST(inquiry.class_code == "00");
  BOOST_TEST(inquiry.retention.empty());

  auto recipe =
      c.Classify("红烧肉\n五花肉500克，冰糖30克，生抽两勺，老抽一勺。\n小火慢炖四十分钟。");
  BOOST_TEST(recipe.not_a_record);
  BOOST_TEST(recipe.confidence < 0.35);

  auto blank = c.Classify("");
  BOOST_TEST(blank.not_a_record);
  BOOST_TEST(blank.confidence == 0.0);
  BOOST_TEST(c.Classify("   \n \n").not_a_record);
}

BOOST_AUTO_TEST_CASE(longer_titles_win_over_words_they_contain) {
  auto c = DocumentClassifier::FromScheme(Scheme());
  BOOST_TEST(c.Classify(kUnitRegistration).item_code == "0101");
  auto card = c.Classify("社会保障卡补换申请表\n姓名 赵六 社会保障卡号 A12345678\n补换原因 遗失");
  BOOST_TEST(card.item_code == "0105");
  // A gapped title (another province's wording) still finds its item.
  auto transfer = c.Classify("某省社会保险局\n基本养老保险参保人员关系转移接续申请表\n转出地 甲市");
  BOOST_TEST(transfer.item_code == "0304");
}

BOOST_AUTO_TEST_CASE(learning_corrected_examples_changes_similar_documents) {
  auto c = DocumentClassifier::FromScheme(Scheme());
  // A locally named form the vocabulary does not know: the archivist files it under 0106.
  std::string form =
      "某县社会保险服务中心\n退休人员年度核查表\n姓名 钱七 公民身份号码 110105194912310021\n"
      "核查方式 上门核查 核查结果 正常\n退休时间 2009年 月养老金 2300元";
  auto before = c.Classify(form);
  BOOST_TEST(before.item_code != "0106");
  for (int i = 0; i < 3; ++i) {
    BOOST_REQUIRE(c.Learn("某县社会保险服务中心\n退休人员年度核查表\n姓名 孙" + std::to_string(i) +
                              "\n核查方式 上门核查 核查结果 正常\n退休时间 2010年",
                          "0106")
                      .ok());
  }
  auto after = c.Classify(form);
  BOOST_TEST(after.item_code == "0106");
  BOOST_TEST(c.learned_examples() == 3);
  // Unrelated documents keep their class.
  BOOST_TEST(c.Classify(kUnitRegistration).item_code == "0101");
  BOOST_TEST(!c.Learn("x", "9999").ok());
  BOOST_TEST(c.Learn("查阅登记", "0000").ok());
}

BOOST_AUTO_TEST_CASE(serialization_round_trips_and_is_deterministic) {
  auto c = DocumentClassifier::FromScheme(Scheme());
  BOOST_REQUIRE(c.Learn("退休人员年度核查表 核查方式 上门核查", "0106").ok());
  BOOST_REQUIRE(c.Learn("档案借阅登记簿 借阅人 归还日期", "0000").ok());
  std::string model = c.Serialize();
  BOOST_TEST(model.size() < 4000u);
  auto restored = DocumentClassifier::Deserialize(Scheme(), model);
  BOOST_REQUIRE_MESSAGE(restored.ok(), restored.status().ToString());
  BOOST_TEST(restored->Serialize() == model);
  BOOST_TEST(restored->learned_examples() == 2);
  std::string probe = "退休人员年度核查表\n核查方式 上门核查";
  auto a = c.Classify(probe), b = restored->Classify(probe);
  BOOST_TEST(a.item_code == b.item_code);
  BOOST_TEST(a.confidence == b.confidence);

  auto c2 = DocumentClassifier::FromScheme(Scheme());
  BOOST_REQUIRE(c2.Learn("退休人员年度核查表 核查方式 上门核查", "0106").ok());
  BOOST_REQUIRE(c2.Learn("档案借阅登记簿 借阅人 归还日期", "0000").ok());
  BOOST_TEST(c2.Serialize() == model);

  BOOST_TEST(!DocumentClassifier::Deserialize(Scheme(), "garbage").ok());
  BOOST_TEST(!DocumentClassifier::Deserialize(Scheme(),
                                              "dangan-classifier 1\nscheme x\nexamples 1\n"
                                              "target 0106 1 5\n1 退\n")
                  .ok());
}

BOOST_AUTO_TEST_CASE(report_counts_precision_and_recall_per_class) {
  auto report = BuildClassifierReport(
      Scheme(), {{"0101", "0101"}, {"0102", "0101"}, {"0503", "0503"}, {"0000", "0503"}});
  BOOST_TEST(report.total == 4);
  BOOST_TEST(report.item_correct == 2);
  BOOST_TEST(report.class_correct == 3);
  BOOST_REQUIRE_EQUAL(report.classes.size(), 3u);
  BOOST_TEST(report.classes[0].class_code == "01");
  BOOST_TEST(report.classes[0].precision == 1.0);
  BOOST_TEST(report.classes[1].class_code == "05");
  BOOST_TEST(report.classes[1].recall == 0.5);
  std::string text = FormatClassifierReport(report);
  BOOST_TEST(text.find("社会保险管理类") != std::string::npos);
  BOOST_TEST(text.find("item accuracy 0.500") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(vocabulary_and_non_record_kinds_are_loaded_and_validated) {
  auto s = ClassificationScheme::LoadBuiltin();
  BOOST_REQUIRE(s.ok());
  for (const BusinessItem* item : s->items()) {
    if (!item->capture) continue;  // the archive's own documents are never captured
    BOOST_TEST_INFO(item->code);
    BOOST_TEST(!item->aliases.empty());
    BOOST_TEST(!item->keywords.empty());
  }
  BOOST_REQUIRE(!s->non_record_kinds().empty());
  BOOST_TEST(s->non_record_kinds()[0].code == "0000");
  auto bad = ClassificationScheme::Parse(
      R"({"retention":[{"code":"Y","name":"永久"}],"classes":[{"code":"01","name":"a","items":[
        {"code":"0101","name":"x","retention":"Y","aliases":["ok",""],"keywords":"no"}]}],
        "not_records":[{"code":"0101","name":"y"}]})");
  BOOST_REQUIRE(!bad.ok());
  std::string why = bad.status().ToString();
  BOOST_TEST(why.find("aliases[1]") != std::string::npos);
  BOOST_TEST(why.find("keywords") != std::string::npos);
  BOOST_TEST(why.find("not a non-record code") != std::string::npos);
  BOOST_TEST(why.find("needs at least one alias or keyword") != std::string::npos);
}
