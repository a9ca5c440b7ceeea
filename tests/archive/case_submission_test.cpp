#define BOOST_TEST_MODULE case_submission
#include <boost/test/unit_test.hpp>

#include <set>

#include "archive/case_submission.h"
#include "archive/identifiers.h"

using namespace dangan;

namespace {

const ClassificationScheme& Scheme() {
  static ClassificationScheme s = ClassificationScheme::LoadBuiltin().value();
  return s;
}

std::string Id() {
  std::string body = "44010619621211918";
  return body + IdNumberCheckChar(body);
}

std::string ValidJson() {
  return R"({"source":"sbxt","case_id":"SB-2025-1","item":"0102","title":"参保人员增员申报表",
    "formed_on":"2025-03-01","closed_at":"2025-03-01T16:30:00+08:00","agency":"某市社保中心",
    "handler":"王五","person":{"id_number":")" +
         Id() + R"(","name":"张三"},
    "unit":{"credit_code":"91350100M000100Y43","name":"某公司"},
    "steps":[{"action":"受理","at":"2025-03-01T09:00:00+08:00","by":"窗口"}],
    "files":[{"name":"申请表.pdf","path":"files/申请表.pdf"}]})";
}

std::set<std::string> Fields(const Status& st) {
  std::set<std::string> out;
  for (const auto& f : st.fields()) out.insert(f.field);
  return out;
}

Result<CaseSubmission> Decode(const std::string& json) {
  CaseDecodeOptions o;
  o.base_dir = "/data/in/case1";
  o.today = "20261123";
  return DecodeCaseJson(json, Scheme(), o);
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
  return s.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_valid_case_decodes_with_paths_resolved) {
  auto c = Decode(ValidJson());
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  BOOST_TEST(c->item == "0102");
  BOOST_TEST(c->person->id_number == Id());
  BOOST_TEST(c->files.size() == 1u);
  BOOST_TEST(c->files[0].path == "/data/in/case1/files/申请表.pdf");
  BOOST_TEST(c->steps[0].action == "受理");
}

BOOST_AUTO_TEST_CASE(every_problem_is_named_by_field) {
  std::string j = ValidJson();
  j = Replace(j, R"("title":"参保人员增员申报表",)", "");
  j = Replace(j, R"("item":"0102")", R"("item":"9999")");
  j = Replace(j, "2025-03-01\",\"closed_at", "2025-02-30\",\"closed_at");
  j = Replace(j, "\"closed_at\":\"2025-03-01T16:30:00+08:00\"", "\"closed_at\":\"yesterday\"");
  j = Replace(j, Id(), Id().substr(0, 17) + (Id()[17] == '1' ? "2" : "1"));
  j = Replace(j, "91350100M000100Y43", "91350100M000100Y44");
  j = Replace(j, "files/申请表.pdf", "../../etc/passwd");
  auto c = Decode(j);
  BOOST_REQUIRE(!c.ok());
  auto f = Fields(c.status());
  for (const char* expected : {"title", "item", "formed_on", "closed_at", "person.id_number",
                               "unit.credit_code", "files[0].path"})
    BOOST_TEST(f.count(expected) == 1u, "missing error for " << expected);
  for (const auto& e : c.status().fields())
    if (e.field == "item") BOOST_TEST(e.message.find("9999") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wrong_types_and_non_json_are_errors) {
  BOOST_TEST(Decode("not json").status().message().find("not valid JSON") != std::string::npos);
  BOOST_TEST(Decode("[]").status().message().find("JSON object") != std::string::npos);
  auto c = Decode(Replace(ValidJson(), R"("title":"参保人员增员申报表")", R"("title":42)"));
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST(Fields(c.status()).count("title") == 1u);
  auto files = Decode(Replace(ValidJson(), R"("files":[{)", R"("files":[7,{)"));
  BOOST_TEST(Fields(files.status()).count("files[0]") == 1u);
}

BOOST_AUTO_TEST_CASE(file_names_and_paths_must_be_safe) {
  for (const std::string bad_path : {"/etc/passwd", "a/../../b", "..", "a\\\\b"}) {
    auto c = Decode(Replace(ValidJson(), "files/申请表.pdf", bad_path));
    BOOST_TEST(Fields(c.status()).count("files[0].path") == 1u, bad_path);
  }
  for (const std::string bad_name : {"a/b.pdf", "..", "", "x\\u0001y"}) {
    auto c =
        Decode(Replace(ValidJson(), R"("name":"申请表.pdf")", "\"name\":\"" + bad_name + "\""));
    BOOST_TEST(Fields(c.status()).count("files[0].name") == 1u, bad_name);
  }
  auto dup = Decode(Replace(ValidJson(), R"({"name":"申请表.pdf","path":"files/申请表.pdf"})",
                            R"({"name":"a.pdf","path":"x"},{"name":"a.pdf","path":"y"})"));
  BOOST_TEST(Fields(dup.status()).count("files[1].name") == 1u);
  auto none =
      Decode(Replace(ValidJson(), R"({"name":"申请表.pdf","path":"files/申请表.pdf"})", ""));
  BOOST_TEST(Fields(none.status()).count("files") == 1u);
}

BOOST_AUTO_TEST_CASE(future_dates_and_bad_sources_are_refused) {
  auto future =
      Decode(Replace(ValidJson(), "2025-03-01\",\"closed_at", "2027-01-01\",\"closed_at"));
  BOOST_TEST(Fields(future.status()).count("formed_on") == 1u);
  auto src = Decode(Replace(ValidJson(), R"("source":"sbxt")", R"("source":"bad source!")"));
  BOOST_TEST(Fields(src.status()).count("source") == 1u);
  auto sha = Decode(Replace(ValidJson(), R"("path":"files/申请表.pdf")",
                            R"("path":"files/申请表.pdf","sha256":"xyz")"));
  BOOST_TEST(Fields(sha.status()).count("files[0].sha256") == 1u);
}
