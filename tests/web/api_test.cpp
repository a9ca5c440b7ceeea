#define BOOST_TEST_MODULE api
#include <boost/test/unit_test.hpp>

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "storage/appraisal_register.h"
#include "storage/digest.h"
#include "storage/secret_key.h"
#include "tests/support/case_factory.h"
#include "tests/support/fault_env.h"
#include "web/api_server.h"

using namespace dangan;
using namespace dangan::testing;
using Poco::JSON::Object;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  Object::Ptr Json() const {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Object::Ptr>();
  }
};

// A real archive behind a real server on a loopback port.
class Fixture {
 public:
  explicit Fixture(uint64_t max_upload = 4ull << 30, double rate_per_address = 0,
                   double rate_per_key = 0, Env* env = Env::Default(),
                   const std::string& replica = "")
      : archive(env), keys(archive.root()) {
    if (!replica.empty()) {
      archive.session().AddReplica(replica).value();
      archive.Reopen(env);
    }
    secret = LoadOrCreateSecret(archive.root()).value();
    intake_key = keys.Create("sbxt", web::ApiRole::kIntake).value();
    other_key = keys.Create("other", web::ApiRole::kIntake).value();
    reader_key = keys.Create("workbench", web::ApiRole::kReader).value();
    auto& s = archive.session();
    web::Services services{archive.root(), &s.scheme(), &s.catalogue(),
                           &s.packages(),  &s.filing(), &keys,
                           secret,         "J012",      "测试市社会保险事业管理中心",
                           cli::NowIso8601};
    web::ServerOptions opt;
    opt.port = 0;
    opt.threads = 4;
    opt.max_json_bytes = 1 << 20;
    opt.max_upload_bytes = max_upload;
    opt.rate_per_address = rate_per_address;
    opt.rate_per_key = rate_per_key;
    server = std::make_unique<web::ApiServer>(services, opt);
    Status st = server->Start();
    if (!st.ok()) throw std::runtime_error(st.ToString());
  }
  ~Fixture() { server->Stop(5); }

  Reply Send(const std::string& method, const std::string& path, const std::string& key = "",
             const std::string& body = "", const std::string& type = "",
             const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server->port()));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!key.empty()) req.set("Authorization", "Bearer " + key);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!type.empty()) req.setContentType(type);
    if (!body.empty() || method == "POST")
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    Poco::StreamCopier::copyToString(in, r.body);
    for (const auto& [k, v] : resp) r.headers[k] = v;
    return r;
  }

  std::string CaseJson(const std::string& case_id, const std::string& title,
                       const std::vector<std::pair<std::string, std::string>>& files,
                       bool base64 = true, const std::string& declared = "") {
    std::string json = R"({"source":"sbxt","case_id":")" + case_id +
                       R"(","item":"0503","title":")" + title +
                       R"(","formed_on":"2025-04-01","closed_at":"2025-04-01T16:00:00+08:00",
      "agency":"测试市社会保险事业管理中心","handler":"王经办","serial":"流水-001",
      "person":{"id_number":")" +
                       ValidIdNumber() + R"(","name":"李四"},
      "unit":{"credit_code":")" +
                       ValidCreditCode() + R"(","name":"测试（中国）有限公司"},
      "steps":[{"action":"受理","at":"2025-04-01T09:00:00+08:00","by":"窗口","description":"材料齐全"}],
      "files":[)";
    for (size_t i = 0; i < files.size(); ++i) {
      json += (i ? "," : "") + std::string("{\"name\":\"") + files[i].first + "\"";
      if (base64) {
        std::ostringstream enc;
        Poco::Base64Encoder e(enc);
        e.rdbuf()->setLineLength(0);
        e << files[i].second;
        e.close();
        json += ",\"content\":\"" + enc.str() + "\"";
      }
      if (!declared.empty() && i == 0) json += ",\"sha256\":\"" + declared + "\"";
      json += "}";
    }
    return json + "]}";
  }

  std::string Multipart(const std::string& case_json,
                        const std::vector<std::pair<std::string, std::string>>& files,
                        std::string* type) {
    const std::string b = "----dangan-test-boundary";
    *type = "multipart/form-data; boundary=" + b;
    std::string body =
        "--" + b + "\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n" + case_json + "\r\n";
    for (const auto& [name, content] : files)
      body += "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name +
              "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n";
    return body + "--" + b + "--\r\n";
  }

  // Sends raw bytes and returns the status code of the reply (0 if none).
  int RawStatus(const std::string& request) {
    Poco::Net::StreamSocket sock(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server->port())));
    sock.sendBytes(request.data(), static_cast<int>(request.size()));
    char buf[512] = {};
    int n = sock.receiveBytes(buf, sizeof buf - 1);
    std::string head(buf, n > 0 ? static_cast<size_t>(n) : 0);
    if (head.rfind("HTTP/1.1 ", 0) != 0) return 0;
    return std::stoi(head.substr(9, 3));
  }

  int64_t Count() { return archive.session().catalogue().CountRecords().value(); }

  TestArchive archive;
  web::ApiKeyStore keys;
  std::string secret, intake_key, other_key, reader_key;
  std::unique_ptr<web::ApiServer> server;
};

std::set<std::string> ErrorFields(const Reply& r) {
  std::set<std::string> out;
  auto arr = r.Json()->getArray("errors");
  for (size_t i = 0; arr && i < arr->size(); ++i)
    out.insert(arr->getObject(i)->getValue<std::string>("field"));
  return out;
}

std::string Enc(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "/?#&=+", out);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(health_openapi_and_unknown_routes) {
  Fixture f;
  auto h = f.Send("GET", "/healthz");
  BOOST_TEST(h.status == 200);
  BOOST_TEST(h.body.find("\"status\":\"ok\"") != std::string::npos);
  auto api = f.Send("GET", "/api/v1/openapi.json");
  BOOST_REQUIRE(api.status == 200);
  auto paths = api.Json()->getObject("paths");
  // Every served route is described, with its method.
  for (const auto& r : f.server->router().routes()) {
    BOOST_TEST_CONTEXT(r.method << " " << r.pattern) {
      BOOST_REQUIRE(paths->has(r.pattern));
      std::string m = Poco::toLower(r.method);
      BOOST_TEST(paths->getObject(r.pattern)->has(m));
    }
  }
  BOOST_TEST(paths->size() >= 8u);
  // Every operation names its error body; intake describes its request and its receipt.
  for (const auto& [pattern, ops] : *paths)
    for (const auto& [method, op] : *ops.extract<Object::Ptr>()) {
      BOOST_TEST_CONTEXT(method << " " << pattern) {
        auto responses = op.extract<Object::Ptr>()->getObject("responses");
        BOOST_REQUIRE(responses);
        BOOST_TEST(responses->getObject("default")->getValue<std::string>("$ref") ==
                   "#/components/responses/Problem");
      }
    }
  auto components = api.Json()->getObject("components");
  auto schemas = components->getObject("schemas");
  for (const char* name : {"Problem", "Case", "CaseFile", "Receipt"})
    BOOST_TEST(schemas->has(name));
  auto intake = paths->getObject("/api/v1/cases")->getObject("post");
  auto content = intake->getObject("requestBody")->getObject("content");
  BOOST_TEST(
      content->getObject("application/json")->getObject("schema")->getValue<std::string>("$ref") ==
      "#/components/schemas/CaseWithContents");
  BOOST_TEST(content->has("multipart/form-data"));
  BOOST_TEST(intake->getObject("responses")
                 ->getObject("201")
                 ->getObject("content")
                 ->getObject("application/json")
                 ->getObject("schema")
                 ->getValue<std::string>("$ref") == "#/components/schemas/Receipt");

  // The Case schema says what the server accepts: a case with every property it names is filed,
  // its receipt has every property Receipt requires, and a case without any one property the
  // schema requires is refused with that field named.
  auto case_schema = schemas->getObject("Case");
  auto props = case_schema->getObject("properties");
  auto full = Poco::JSON::Parser()
                  .parse(f.CaseJson("OA-1", "工伤认定申请表", {{"申请表.txt", "内容"}}))
                  .extract<Object::Ptr>();
  full->set("doc_number", "人社工伤〔2025〕1号");
  full->set("responsible", "测试市人力资源和社会保障局");
  full->set("security", "");
  full->set("text", "全文");
  std::set<std::string> sent, described;
  for (const auto& [k, v] : *full) sent.insert(k);
  for (const auto& [k, v] : *props) described.insert(k);
  BOOST_TEST((sent == described));
  auto stringify = [](const Object::Ptr& o) {
    std::ostringstream out;
    o->stringify(out);
    return out.str();
  };
  auto filed = f.Send("POST", "/api/v1/cases", f.intake_key, stringify(full), "application/json");
  BOOST_REQUIRE_MESSAGE(filed.status == 201, filed.body);
  auto receipt_required = schemas->getObject("Receipt")->getArray("required");
  for (size_t i = 0; i < receipt_required->size(); ++i)
    BOOST_TEST(filed.Json()->has(receipt_required->getElement<std::string>(i)));
  auto required = case_schema->getArray("required");
  BOOST_TEST(required->size() >= 8u);
  for (size_t i = 0; i < required->size(); ++i) {
    const std::string field = required->getElement<std::string>(i);
    BOOST_TEST_CONTEXT("without " << field) {
      auto without = Poco::JSON::Parser().parse(stringify(full)).extract<Object::Ptr>();
      without->remove(field);
      without->set("case_id", "OA-without-" + field);
      if (field == "case_id") without->remove("case_id");
      auto r =
          f.Send("POST", "/api/v1/cases", f.intake_key, stringify(without), "application/json");
      BOOST_TEST(r.status == 422, r.body);
      // A case without steps is well formed but fails the filing checks, which name their rule.
      BOOST_TEST(ErrorFields(r).count(field == "steps" ? "GD-2-3" : field) == 1u, r.body);
    }
  }
  // Only what the schema requires (the files with their contents, as JSON needs) is enough, and
  // a value outside what it allows is refused with its field named: each 密级 it lists passes,
  // another does not, and each string one character over its maxLength is too long.
  auto minimal = Poco::JSON::Parser().parse(stringify(full)).extract<Object::Ptr>();
  std::set<std::string> needed;
  for (size_t i = 0; i < required->size(); ++i) needed.insert(required->getElement<std::string>(i));
  for (const auto& k : sent)
    if (!needed.count(k)) minimal->remove(k);
  auto security = props->getObject("security")->getArray("enum");
  for (size_t i = 0; i < security->size(); ++i) {
    const std::string level = security->getElement<std::string>(i);
    minimal->set("case_id", "OA-min-" + std::to_string(i));
    minimal->set("security", level);
    auto r = f.Send("POST", "/api/v1/cases", f.intake_key, stringify(minimal), "application/json");
    BOOST_TEST(r.status == 201, level << ": " << r.body);
  }
  minimal->set("case_id", "OA-secret");
  minimal->set("security", "秘密");
  auto secret =
      f.Send("POST", "/api/v1/cases", f.intake_key, stringify(minimal), "application/json");
  BOOST_TEST(ErrorFields(secret).count("security") == 1u, secret.body);
  minimal->remove("security");
  for (const auto& [name, prop] : *props) {
    auto p = prop.extract<Object::Ptr>();
    if (!p->has("maxLength") || name == "case_id") continue;
    BOOST_TEST_CONTEXT("over the maxLength of " << name) {
      auto longer = Poco::JSON::Parser().parse(stringify(minimal)).extract<Object::Ptr>();
      std::string text;
      for (int i = 0; i <= p->getValue<int>("maxLength"); ++i) text += "档";
      longer->set(name, text);
      longer->set("case_id", "OA-long-" + name);
      auto r = f.Send("POST", "/api/v1/cases", f.intake_key, stringify(longer), "application/json");
      BOOST_TEST(ErrorFields(r).count(name) == 1u, r.body);
    }
  }
  BOOST_TEST(f.Count() == 1 + static_cast<int64_t>(security->size()));
  BOOST_TEST(f.Send("GET", "/api/v1/nothing").status == 404);
  BOOST_TEST(f.Send("DELETE", "/api/v1/cases", f.intake_key).status == 405);
  auto bad = f.Send("GET", "/api/v1/records/%ZZ", f.reader_key);
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.headers["Content-Type"].find("application/problem+json") == 0);
}

// Every route × every kind of caller: what the roles (roles.json) forbid is refused before any
// work, what they allow is never refused for want of rights. The expected table is written out
// here, not derived from the policy, so a change to either shows.
BOOST_AUTO_TEST_CASE(role_by_endpoint_matrix) {
  Fixture f;
  auto filed = f.Send("POST", "/api/v1/cases", f.intake_key,
                      f.CaseJson("MX-1", "失业保险金申领审核表", {{"申请表.txt", "内容"}}),
                      "application/json");
  BOOST_TEST_REQUIRE(filed.status == 201, filed.body);
  const std::string ref = filed.Json()->getValue<std::string>("reference");
  // method path → (intake allowed, reader allowed); public routes need no key.
  const std::map<std::string, std::pair<bool, bool>> expected = {
      {"POST /api/v1/cases", {true, false}},
      {"GET /api/v1/cases/{source}/{case_id}", {true, true}},
      {"GET /api/v1/records", {false, true}},
      {"GET /api/v1/records/{reference}", {false, true}},
      {"GET /api/v1/records/{reference}/files/{name}", {false, true}},
      {"GET /api/v1/records/{reference}/package", {false, true}},
      {"GET /api/v1/records/{reference}/files/{name}/pages/{page}", {false, true}},
      {"GET /api/v1/records.csv", {false, true}},
      {"GET /api/v1/stats/holdings", {false, true}},
      {"GET /api/v1/stats/intake", {false, true}},
      {"GET /api/v1/stats/utilization", {false, true}},
      {"GET /api/v1/stats/fixity", {false, true}},
      {"GET /api/v1/stats/annual", {false, true}},
      {"GET /api/v1/reports/catalogue", {false, true}},
      {"GET /api/v1/reports/statistics", {false, true}},
      {"POST /api/v1/reports/certificates", {false, true}},
      {"GET /api/v1/scheme", {false, true}},
      {"GET /api/v1/review", {false, false}},
      {"GET /api/v1/review/{id}", {false, false}},
      {"GET /api/v1/review/{id}/pages/{page}", {false, false}},
      {"POST /api/v1/review/{id}/accept", {false, false}},
      {"POST /api/v1/review/{id}/reject", {false, false}},
      {"GET /api/v1/inquiries", {false, false}},
      {"GET /api/v1/inquiries/{number}", {false, false}},
      {"POST /api/v1/inquiries/{number}/approve", {false, false}},
      {"POST /api/v1/inquiries/{number}/reject", {false, false}},
      {"POST /api/v1/inquiries/{number}/answer", {false, false}},
      {"GET /api/v1/inquiries.csv", {false, true}},
      {"GET /api/v1/inquiries.pdf", {false, true}},
      {"GET /api/v1/stats/inquiries", {false, true}},
      // Appraisal, holds and destruction are people's work: no key may do them.
      {"GET /api/v1/appraisals/due", {false, false}},
      {"GET /api/v1/appraisals", {false, false}},
      {"POST /api/v1/appraisals", {false, false}},
      {"POST /api/v1/appraisals/decisions", {false, false}},
      {"GET /api/v1/holds", {false, false}},
      {"POST /api/v1/holds", {false, false}},
      {"POST /api/v1/holds/{id}/release", {false, false}},
      {"GET /api/v1/destructions", {false, false}},
      {"POST /api/v1/destructions", {false, false}},
  };
  const std::set<std::string> open = {
      "GET /healthz",
      "GET /metrics",
      "GET /api/v1/openapi.json",
      "GET /api/v1/reports/certificates/{serial}/verification",
      "GET /",
      "GET /assets/{file}",
      "POST /api/v1/session",
      "DELETE /api/v1/session",
      "GET /api/v1/public/inquiry-guide",
      "POST /api/v1/public/inquiries",
      "GET /api/v1/public/inquiries/{number}",
      "GET /api/v1/public/inquiries/{number}/certificate",
      "POST /api/v1/public/inquiries/{number}/rating",
      "POST /api/v1/public/inquiries/{number}/complaint",
      "GET /api/v1/public/inquiries/{number}/records/{reference}/files/{name}"};
  // Public, and answers 401 to anyone not signed in (tests/web/workbench_api_test.cpp).
  const std::string session_check = "GET /api/v1/session";
  auto spec = f.Send("GET", "/api/v1/openapi.json").Json();
  auto paths = spec->getObject("paths");
  std::set<std::string> seen;
  for (const auto& [pattern, ops_var] : *paths) {
    auto ops = ops_var.extract<Object::Ptr>();
    for (const auto& [method_lower, op] : *ops) {
      std::string method = Poco::toUpper(method_lower);
      const std::string route = method + " " + pattern;
      seen.insert(route);
      std::string path = pattern;
      auto fill = [&](const std::string& param, const std::string& value) {
        auto at = path.find(param);
        if (at != std::string::npos) path.replace(at, param.size(), value);
      };
      fill("{source}", "sbxt");
      fill("{case_id}", "MX-1");
      fill("{reference}", ref);
      fill("{name}", "申请表.txt");
      fill("{serial}", "CD-2026-000001");
      fill("{id}", "1");
      fill("{page}", "1");
      fill("{file}", "index.js");
      fill("{number}", "CX-2026-000001");
      std::string target;
      Poco::URI::encode(path, "?#", target);
      BOOST_TEST_CONTEXT(route) {
        if (route == session_check) continue;
        if (open.count(route)) {
          BOOST_TEST(f.Send(method, target).status != 401);
          continue;
        }
        auto it = expected.find(route);
        BOOST_TEST_REQUIRE((it != expected.end()), "route missing from the matrix: " << route);
        BOOST_TEST(f.Send(method, target).status == 401);
        const std::string body = method == "POST" ? "{}" : "";
        const std::string type = method == "POST" ? "application/json" : "";
        for (auto [key, allowed] : {std::pair{f.intake_key, it->second.first},
                                    std::pair{f.reader_key, it->second.second}}) {
          auto r = f.Send(method, target, key, body, type);
          if (allowed) {
            BOOST_TEST(r.status != 401, r.body);
            BOOST_TEST(r.status != 403, r.body);
          } else {
            BOOST_TEST(r.status == 403, r.body);
            BOOST_TEST(r.body.find("may not") != std::string::npos, r.body);
          }
        }
      }
    }
  }
  for (const auto& [route, _] : expected) BOOST_TEST(seen.count(route) == 1u, route);
  // A business system reads only its own cases.
  BOOST_TEST(f.Send("GET", "/api/v1/cases/sbxt/MX-1", f.other_key).status == 403);
}

// A destroyed record answers 410 Gone with its tombstone, also to a server that had it cached.
BOOST_AUTO_TEST_CASE(a_destroyed_record_is_gone) {
  Fixture f;
  CaseSubmission c = f.archive.MakeCase("OLD-1", "0503");
  c.formed_on = "2010-03-01";
  c.closed_at = "2010-03-01T10:00:00+08:00";
  for (auto& step : c.steps) step.at = "2010-03-01T09:00:00+08:00";
  auto filed = f.archive.session().filing().File(c, "business", "test");
  BOOST_TEST_REQUIRE(filed.ok(), filed.status().ToString());
  const std::string ref = filed->reference;
  std::string path;
  Poco::URI::encode("/api/v1/records/" + ref, "?#", path);
  BOOST_TEST_REQUIRE(f.Send("GET", path, f.reader_key).status == 200);  // now cached
  BOOST_TEST_REQUIRE(
      f.Send("GET", "/api/v1/records?q=OLD-1", f.reader_key).Json()->getValue<int>("total") == 1);

  AppraisalRegister reg(f.archive.session().catalogue(), f.archive.session().scheme());
  auto ids =
      reg.Propose({ref}, AppraisalDecision::kDestroy, "", "保管期满", "甲", cli::NowIso8601());
  BOOST_TEST_REQUIRE(ids.ok(), ids.status().ToString());
  BOOST_TEST_REQUIRE(reg.Decide(*ids, true, "乙", "", cli::NowIso8601()).ok());
  auto gone = reg.Destroy({}, {"丙", "丁"}, "甲", cli::NowIso8601());
  BOOST_TEST_REQUIRE(gone.ok(), gone.status().ToString());
  BOOST_TEST_REQUIRE(gone->size() == 1u);
  BOOST_TEST(gone->front().package_sha256 == filed->package_sha256);  // hex, as filed

  auto r = f.Send("GET", path, f.reader_key);
  BOOST_TEST(r.status == 410, r.body);
  BOOST_TEST(r.body.find("destroyed") != std::string::npos, r.body);
  // Nor is it found by search any more.
  auto search = f.Send("GET", "/api/v1/records?q=OLD-1", f.reader_key);
  BOOST_TEST(search.Json()->getValue<int>("total") == 0, search.body);
}

BOOST_AUTO_TEST_CASE(credentials_are_required_and_scoped) {
  Fixture f;
  std::string json = f.CaseJson("A-1", "失业保险金申领审核表", {{"申请表.txt", "内容"}});
  BOOST_TEST(f.Send("POST", "/api/v1/cases", "", json, "application/json").status == 401);
  std::string forged = f.intake_key;
  forged.back() = forged.back() == '0' ? '1' : '0';
  BOOST_TEST(f.Send("POST", "/api/v1/cases", forged, json, "application/json").status == 401);
  BOOST_TEST(f.Send("POST", "/api/v1/cases", "dk_zz", json, "application/json").status == 401);
  auto other = f.Send("POST", "/api/v1/cases", f.other_key, json, "application/json");
  BOOST_TEST(other.status == 403);
  // A reader key cannot file, not even for a source of its own name.
  std::string as_reader = json;
  as_reader.replace(as_reader.find("\"source\":\"sbxt\""), 15, "\"source\":\"workbench\"");
  BOOST_TEST(f.Send("POST", "/api/v1/cases", f.reader_key, as_reader, "application/json").status ==
             403);
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=失业", f.intake_key).status == 403);
  BOOST_TEST(f.Send("GET", "/api/v1/records", "").status == 401);
  BOOST_TEST(f.Count() == 0);
  // A case for another system's source is refused, and counted as such, not as invalid.
  auto metrics = f.Send("GET", "/metrics").body;
  BOOST_TEST(metrics.find("dangan_filings_total{result=\"forbidden\"} 1") != std::string::npos,
             metrics);
  BOOST_TEST(metrics.find("dangan_filings_total{result=\"invalid\"}") == std::string::npos,
             metrics);
}

BOOST_AUTO_TEST_CASE(json_intake_is_idempotent_and_signs_its_receipt) {
  Fixture f;
  std::string json = f.CaseJson("J-1", "李四 失业保险金申领审核表（第1次）",
                                {{"申请表 1.txt", "申请内容：失业保险金"}});
  auto r = f.Send("POST", "/api/v1/cases", f.intake_key, json, "application/json");
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  auto o = r.Json();
  std::string ref = o->getValue<std::string>("reference");
  BOOST_TEST(ref == "J012-SB·2025-D10-0503-0001");
  auto receipt = o->getObject("receipt");
  std::string signed_text = receipt->getValue<std::string>("signed");
  BOOST_TEST(signed_text.find(ref) != std::string::npos);
  BOOST_TEST(receipt->getValue<std::string>("signature") == HmacSha256Hex(f.secret, signed_text));
  BOOST_TEST(r.headers["Location"] == "/api/v1/cases/sbxt/J-1");

  auto again = f.Send("POST", "/api/v1/cases", f.intake_key, json, "application/json");
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.Json()->getValue<std::string>("reference") == ref);
  BOOST_TEST(again.Json()->getObject("receipt")->getValue<std::string>("signature") ==
             receipt->getValue<std::string>("signature"));

  auto changed = f.Send("POST", "/api/v1/cases", f.intake_key,
                        f.CaseJson("J-1", "别的题名", {{"申请表 1.txt", "申请内容：失业保险金"}}),
                        "application/json");
  BOOST_TEST(changed.status == 409);
  BOOST_TEST(f.Count() == 1);

  auto status = f.Send("GET", "/api/v1/cases/sbxt/J-1", f.intake_key);
  BOOST_TEST(status.status == 200);
  BOOST_TEST(status.Json()->getValue<std::string>("status") == "filed");
  BOOST_TEST(f.Send("GET", "/api/v1/cases/sbxt/NOPE", f.intake_key).status == 404);
  BOOST_TEST(f.Send("GET", "/api/v1/cases/sbxt/J-1", f.other_key).status == 403);
}

BOOST_AUTO_TEST_CASE(bad_cases_get_422_naming_fields_and_store_nothing) {
  Fixture f;
  auto digest = f.Send("POST", "/api/v1/cases", f.intake_key,
                       f.CaseJson("D-1", "题名", {{"a.txt", "abc"}}, true, std::string(64, '0')),
                       "application/json");
  BOOST_TEST(digest.status == 422);
  BOOST_TEST(ErrorFields(digest).count("files[0].sha256") == 1u);

  std::string json = f.CaseJson("D-2", "题名", {{"a.txt", "abc"}});
  json.replace(json.find("\"item\":\"0503\""), 13, "\"item\":\"9999\"");
  json.replace(json.find(ValidIdNumber()), 18, "110105194912310021");
  auto fields = f.Send("POST", "/api/v1/cases", f.intake_key, json, "application/json");
  BOOST_TEST(fields.status == 422);
  auto ef = ErrorFields(fields);
  BOOST_TEST(ef.count("item") == 1u);
  BOOST_TEST(ef.count("person.id_number") == 1u);

  auto no_content =
      f.Send("POST", "/api/v1/cases", f.intake_key,
             f.CaseJson("D-3", "题名", {{"a.txt", "abc"}}, false), "application/json");
  BOOST_TEST(no_content.status == 422);
  BOOST_TEST(ErrorFields(no_content).count("files[0].content") == 1u);

  auto traversal = f.CaseJson("D-4", "题名", {{"../../etc/passwd", "x"}});
  BOOST_TEST(f.Send("POST", "/api/v1/cases", f.intake_key, traversal, "application/json").status ==
             422);

  BOOST_TEST(
      f.Send("POST", "/api/v1/cases", f.intake_key, "{not json", "application/json").status == 400);
  BOOST_TEST(f.Send("POST", "/api/v1/cases", f.intake_key, "[1]", "application/json").status ==
             400);
  BOOST_TEST(f.Send("POST", "/api/v1/cases", f.intake_key, "hello", "text/plain").status == 415);
  // A declared body over the limit is refused before any of it is read.
  BOOST_TEST(f.RawStatus(
                 "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + f.intake_key +
                 "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n") == 413);
  BOOST_TEST(f.Count() == 0);
  BOOST_TEST(f.archive.PackageFiles().empty());
  BOOST_TEST(std::filesystem::is_empty(f.archive.Path("intake")));
}

BOOST_AUTO_TEST_CASE(multipart_intake_streams_files_and_checks_parts) {
  Fixture f(64 * 1024);
  std::string binary(20000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 31);
  binary.replace(0, 4, std::string("II*\0", 4));  // a TIFF signature: filing checks the format
  std::vector<std::pair<std::string, std::string>> files = {{"扫描件.tif", binary},
                                                            {"申请表.txt", "申请"}};
  std::string type;
  std::string body = f.Multipart(f.CaseJson("M-1", "工伤认定申请", files, false), files, &type);
  auto r = f.Send("POST", "/api/v1/cases", f.intake_key, body, type);
  BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  std::string ref = r.Json()->getValue<std::string>("reference");
  auto rec = f.archive.session().catalogue().GetRecord(ref).value();
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->files[0].sha256 == Digest::OfString(binary));

  // A listed file without its part, and a part nobody listed.
  std::string t2;
  auto missing = f.Send("POST", "/api/v1/cases", f.intake_key,
                        f.Multipart(f.CaseJson("M-2", "题名", files, false), {files[0]}, &t2), t2);
  BOOST_TEST(missing.status == 422);
  BOOST_TEST(ErrorFields(missing).count("files[1].name") == 1u);
  BOOST_TEST(missing.body.find("missing-part") == std::string::npos, missing.body);
  auto extra = f.Send("POST", "/api/v1/cases", f.intake_key,
                      f.Multipart(f.CaseJson("M-3", "题名", {files[1]}, false), files, &t2), t2);
  BOOST_TEST(extra.status == 422);
  BOOST_TEST(ErrorFields(extra).count("parts") == 1u);
  // What is wrong with the parts does not hide what is wrong with the case: one answer names both.
  auto both = f.Send("POST", "/api/v1/cases", f.intake_key,
                     f.Multipart(f.CaseJson("M-5", "", {files[1]}, false), files, &t2), t2);
  BOOST_TEST(both.status == 422);
  BOOST_TEST(ErrorFields(both).count("parts") == 1u, both.body);
  BOOST_TEST(ErrorFields(both).count("title") == 1u, both.body);
  BOOST_TEST(ErrorFields(both).count("files[0].path") == 0u, both.body);
  // Larger than the upload limit (64 KiB here).
  std::string big(100 * 1024, 'x');
  auto too_big = f.Send(
      "POST", "/api/v1/cases", f.intake_key,
      f.Multipart(f.CaseJson("M-4", "题名", {{"big.bin", big}}, false), {{"big.bin", big}}, &t2),
      t2);
  BOOST_TEST(too_big.status == 413);
  auto broken = f.Send("POST", "/api/v1/cases", f.intake_key, "--nope\r\ngarbage", t2);
  BOOST_TEST((broken.status == 400 || broken.status == 422));
  BOOST_TEST(f.Count() == 1);
}

BOOST_AUTO_TEST_CASE(records_search_detail_and_downloads) {
  Fixture f;
  std::string content = "0123456789申请表内容";
  auto r1 = f.Send("POST", "/api/v1/cases", f.intake_key,
                   f.CaseJson("R-1", "失业保险金申领审核表", {{"申请表.txt", content}}),
                   "application/json");
  auto r2 = f.Send("POST", "/api/v1/cases", f.intake_key,
                   f.CaseJson("R-2", "稳岗补贴核定", {{"b.txt", "x"}}), "application/json");
  BOOST_REQUIRE(r1.status == 201);
  BOOST_REQUIRE(r2.status == 201);
  std::string ref = r1.Json()->getValue<std::string>("reference");

  auto s = f.Send("GET", "/api/v1/records?q=" + Enc("失业") + "&size=5", f.reader_key);
  BOOST_REQUIRE_MESSAGE(s.status == 200, s.body);
  auto so = s.Json();
  BOOST_TEST(so->getValue<int>("total") == 1);
  auto hit = so->getArray("hits")->getObject(0);
  BOOST_TEST(hit->getValue<std::string>("reference") == ref);
  BOOST_TEST(hit->getValue<std::string>("snippet").find("[失业]") != std::string::npos);
  BOOST_TEST(so->getObject("facets")->getObject("class")->getValue<int>("05") == 1);
  auto one = f.Send("GET", "/api/v1/records?q=" + Enc("核"), f.reader_key);
  BOOST_TEST(one.Json()->getValue<int>("total") == 2);
  BOOST_TEST(f.Send("GET", "/api/v1/records?size=1000", f.reader_key).status == 422);
  BOOST_TEST(f.Send("GET", "/api/v1/records?year=abc", f.reader_key).status == 422);

  auto detail = f.Send("GET", "/api/v1/records/" + Enc(ref), f.reader_key);
  BOOST_REQUIRE(detail.status == 200);
  auto d = detail.Json();
  BOOST_TEST(d->getValue<std::string>("title") == "失业保险金申领审核表");
  BOOST_TEST(d->getObject("unit")->getValue<std::string>("name") == "测试（中国）有限公司");
  BOOST_TEST(d->getArray("steps")->getObject(0)->getValue<std::string>("description") ==
             "材料齐全");
  BOOST_TEST(d->getObject("fixity")->getValue<std::string>("status") == "unchecked");
  BOOST_TEST(d->getArray("events")->size() >= 1u);  // filed (the view is logged in batches)
  BOOST_TEST(d->getValue<size_t>("events_total") == d->getArray("events")->size());
  // The view is in the audit chain by the time utilization is asked for.
  auto usage = f.Send("GET", "/api/v1/stats/utilization", f.reader_key);
  BOOST_REQUIRE(usage.status == 200);
  BOOST_TEST(usage.body.find("\"action\":\"view\"") != std::string::npos);
  BOOST_TEST(
      f.Send("GET", "/api/v1/records/" + Enc("J012-SB·2025-D10-0503-9999"), f.reader_key).status ==
      404);

  std::string file_path = "/api/v1/records/" + Enc(ref) + "/files/" + Enc("申请表.txt");
  auto whole = f.Send("GET", file_path, f.reader_key);
  BOOST_TEST(whole.status == 200);
  BOOST_TEST(whole.body == content);
  auto part = f.Send("GET", file_path, f.reader_key, "", "", {{"Range", "bytes=2-5"}});
  BOOST_TEST(part.status == 206);
  BOOST_TEST(part.body == "2345");
  BOOST_TEST(part.headers["Content-Range"] == "bytes 2-5/" + std::to_string(content.size()));
  auto tail = f.Send("GET", file_path, f.reader_key, "", "", {{"Range", "bytes=-3"}});
  BOOST_TEST(tail.body == content.substr(content.size() - 3));
  BOOST_TEST(f.Send("GET", file_path, f.reader_key, "", "", {{"Range", "bytes=999-"}}).status ==
             416);
  BOOST_TEST(
      f.Send("GET", "/api/v1/records/" + Enc(ref) + "/files/nope.txt", f.reader_key).status == 404);

  auto pkg = f.Send("GET", "/api/v1/records/" + Enc(ref) + "/package", f.reader_key);
  BOOST_TEST(pkg.status == 200);
  auto rec = f.archive.session().catalogue().GetRecord(ref).value();
  BOOST_TEST(Digest::OfString(pkg.body) == rec->package_sha256);

  auto metrics = f.Send("GET", "/metrics");
  BOOST_TEST(metrics.body.find("dangan_filings_total{result=\"created\"} 2") != std::string::npos);
  BOOST_TEST(
      metrics.body.find("dangan_http_requests_total{method=\"GET\",route=\"/api/v1/records\"") !=
      std::string::npos);
  // The catalogue's memory: its pooled connections' page caches hold what was read above (0
  // until a connection has been used and returned).
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(metrics.body, m,
                                  std::regex("\ndangan_catalogue_cache_bytes ([0-9.e+]+)\n")));
  BOOST_TEST(std::stod(m[1]) > 0);
  BOOST_REQUIRE(std::regex_search(metrics.body, m,
                                  std::regex("\ndangan_catalogue_connections ([0-9.e+]+)\n")));
  BOOST_TEST(std::stod(m[1]) >= 1);
}

namespace {
std::string PdfText(const std::string& pdf) {
  TempDir dir;
  WriteFile(dir / "r.pdf", pdf);
  std::string cmd = "pdftotext -layout " + (dir / "r.pdf") + " " + (dir / "r.txt") + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return "";
  return ReadFile(dir / "r.txt");
}
}  // namespace

BOOST_AUTO_TEST_CASE(search_answers_follow_new_filings_and_every_search_is_logged) {
  Fixture f;
  auto file = [&](const std::string& id) {
    auto r = f.Send("POST", "/api/v1/cases", f.intake_key,
                    f.CaseJson(id, "失业保险金申领审核表", {{"申请表.txt", "内容"}}),
                    "application/json");
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.body);
  };
  auto total = [&](const std::string& query) {
    auto s = f.Send("GET", "/api/v1/records?q=" + Enc("失业") + query, f.reader_key);
    BOOST_REQUIRE_MESSAGE(s.status == 200, s.body);
    return s.Json()->getValue<int>("total");
  };
  file("C-1");
  BOOST_TEST(total("") == 1);
  BOOST_TEST(total("") == 1);  // asked again: the same answer
  file("C-2");
  BOOST_TEST(total("") == 2);  // a filing changes the answer at once
  BOOST_TEST(total("&class=05") == 2);
  BOOST_TEST(total("&class=06") == 0);  // every filter is part of the question
  // Filed by another process (here another session on the same archive): seen as well.
  {
    auto other = cli::ArchiveSession::Open(f.archive.root());
    BOOST_REQUIRE_MESSAGE(other.ok(), other.status().ToString());
    auto c = f.archive.MakeCase("C-3", "0503", "失业保险关系转移");
    BOOST_REQUIRE((*other)->filing().File(c, "business", "test").ok());
  }
  BOOST_TEST(total("") == 3);
  BOOST_TEST(total("&class=05") == 3);
  // Answers from memory are logged like any other: seven searches so far, plus this one.
  BOOST_TEST(total("") == 3);
  f.server->Stop(5);
  auto events = f.archive.session().catalogue().Events("", 1000).value();
  int searches = 0;
  // The question only keyed with the archive's secret: a plain digest of a 公民身份号码 could be
  // reversed by trying every number.
  const std::string keyed = HmacSha256Hex(f.secret, "失业||");
  for (const auto& e : events) {
    searches += e.action == "search";
    if (e.action != "search") continue;
    BOOST_TEST(e.detail.find("hmac-sha256:" + keyed) != std::string::npos, e.detail);
    BOOST_TEST(e.detail.find(Digest::OfString("失业||")) == std::string::npos, e.detail);
  }
  BOOST_TEST(searches == 8);
}

BOOST_AUTO_TEST_CASE(statistics_reports_and_csv) {
  Fixture f;
  auto r1 =
      f.Send("POST", "/api/v1/cases", f.intake_key,
             f.CaseJson("S-1", "失业保险金申领审核表", {{"a.txt", "abc"}}), "application/json");
  auto r2 =
      f.Send("POST", "/api/v1/cases", f.intake_key,
             f.CaseJson("S-2", "稳岗补贴, \\\"核定\\\"", {{"b.txt", "defg"}}), "application/json");
  BOOST_REQUIRE(r1.status == 201);
  BOOST_REQUIRE(r2.status == 201);
  std::string ref1 = r1.Json()->getValue<std::string>("reference");

  auto holdings = f.Send("GET", "/api/v1/stats/holdings", f.reader_key);
  BOOST_REQUIRE_MESSAGE(holdings.status == 200, holdings.body);
  BOOST_TEST(holdings.Json()->getObject("total")->getValue<int>("records") == 2);
  auto by_class = holdings.Json()->getArray("by_class");
  bool found05 = false;
  for (size_t i = 0; i < by_class->size(); ++i) {
    auto row = by_class->getObject(i);
    if (row->getValue<std::string>("key") == "05") {
      found05 = true;
      BOOST_TEST(row->getObject("holdings")->getValue<int>("records") == 2);
    }
  }
  BOOST_TEST(found05);
  auto intake = f.Send("GET", "/api/v1/stats/intake", f.reader_key);
  BOOST_TEST(intake.body.find("\"channel\":\"business\"") != std::string::npos);
  BOOST_TEST(f.Send("GET", "/api/v1/stats/annual", f.reader_key).status == 422);
  auto fixity = f.Send("GET", "/api/v1/stats/fixity", f.reader_key);
  BOOST_TEST(fixity.Json()->getValue<int>("never_checked") == 2);

  auto cat = f.Send("GET", "/api/v1/reports/catalogue?year=2025", f.reader_key);
  BOOST_REQUIRE_MESSAGE(cat.status == 200, cat.body.substr(0, 300));
  BOOST_TEST(cat.headers["Content-Type"] == "application/pdf");
  std::string text = PdfText(cat.body);
  BOOST_TEST(text.find("归档文件目录") != std::string::npos);
  BOOST_TEST(text.find(ref1) != std::string::npos);
  BOOST_TEST(text.find("失业保险金申领审核表") != std::string::npos);
  BOOST_TEST(f.Send("GET", "/api/v1/reports/catalogue?year=20x5", f.reader_key).status == 422);

  auto cert =
      f.Send("POST", "/api/v1/reports/certificates", f.reader_key,
             R"({"requester":"李四","purpose":"办理退休","references":[")" + ref1 + R"("]})",
             "application/json");
  BOOST_REQUIRE_MESSAGE(cert.status == 200, cert.body.substr(0, 300));
  std::string serial = cert.headers["X-Certificate-Serial"];
  std::string code = cert.headers["X-Certificate-Code"];
  BOOST_TEST(PdfText(cert.body).find(serial) != std::string::npos);
  auto genuine =
      f.Send("GET", "/api/v1/reports/certificates/" + serial + "/verification?code=" + code);
  BOOST_TEST(genuine.Json()->getValue<bool>("genuine"));
  auto forged =
      f.Send("GET", "/api/v1/reports/certificates/" + serial + "/verification?code=000000000000");
  BOOST_TEST(!forged.Json()->getValue<bool>("genuine"));
  auto unknown_ref = f.Send("POST", "/api/v1/reports/certificates", f.reader_key,
                            R"({"requester":"李四","purpose":"x","references":["J012-NOPE"]})",
                            "application/json");
  BOOST_TEST(unknown_ref.status == 422);

  auto csv = f.Send("GET", "/api/v1/records.csv?class=05", f.reader_key);
  BOOST_REQUIRE(csv.status == 200);
  BOOST_TEST(csv.body.find("失业保险金申领审核表") != std::string::npos);
  BOOST_TEST(csv.body.find("\"稳岗补贴, \"\"核定\"\"\"") != std::string::npos);
  BOOST_TEST(csv.headers["X-Rows"] == "2");
}

// Hostile input: each refused with a 4xx naming the problem and nothing stored, or, where it is
// legitimate text, kept and returned as exactly that text (never interpreted).
BOOST_AUTO_TEST_CASE(hostile_input_is_refused_or_kept_as_plain_text) {
  Fixture f;
  auto post = [&](const std::string& body) {
    return f.Send("POST", "/api/v1/cases", f.intake_key, body, "application/json");
  };
  // Deeply nested JSON: refused by the parser's depth limit, the server stays up.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  BOOST_TEST(post(deep).status == 400);
  std::string deep_field = f.CaseJson("H-0", "题名", {{"a.txt", "x"}});
  deep_field.insert(deep_field.size() - 1,
                    ",\"extra\":" + std::string(5000, '[') + std::string(5000, ']'));
  int nested = post(deep_field).status;
  BOOST_TEST((nested == 400 || nested == 422), nested);
  BOOST_TEST(f.Send("GET", "/healthz").status == 200);

  // Invalid UTF-8 anywhere: JSON must be UTF-8, so the body is refused as malformed.
  std::string bad_utf8 = f.CaseJson("H-1", "题名\xC3\x28\xFF", {{"a.txt", "x"}});
  auto utf8 = post(bad_utf8);
  BOOST_TEST(utf8.status == 400, utf8.body);
  BOOST_TEST(utf8.body.find("UTF-8") != std::string::npos, utf8.body);

  // File names that try to leave the package: relative, absolute, hidden in a directory.
  for (const char* name : {"../x.txt", "/etc/passwd", "a/../../b.txt", "dir/file.txt", ".."}) {
    auto r = post(f.CaseJson(std::string("H-2-") + name, "题名", {{name, "x"}}));
    BOOST_TEST(r.status == 422, name << ": " << r.body);
  }
  BOOST_TEST(f.Count() == 0);

  // Script and SQL in every free-text field are just text: stored, and returned as sent.
  const std::string script = "<script>alert('x')</script>";
  const std::string sql = "'); DROP TABLE records; --";
  std::string json = f.CaseJson("H-3", script + sql, {{"a.txt", "x"}});
  for (const char* field : {"\"handler\":\"王经办\"", "\"serial\":\"流水-001\""}) {
    std::string key = std::string(field).substr(0, std::string(field).find(':') + 1);
    json.replace(json.find(field), std::string(field).size(),
                 key + "\"<img src=x onerror=alert(1)>" + "'; DELETE FROM events; --\"");
  }
  auto stored = post(json);
  BOOST_REQUIRE_MESSAGE(stored.status == 201, stored.body);
  const std::string ref = stored.Json()->getValue<std::string>("reference");
  auto rec = f.Send("GET", "/api/v1/records/" + Enc(ref), f.reader_key);
  BOOST_REQUIRE(rec.status == 200);
  auto o = rec.Json();
  BOOST_TEST(o->getValue<std::string>("title") == script + sql);
  BOOST_TEST(o->getValue<std::string>("handler") ==
             "<img src=x onerror=alert(1)>'; DELETE FROM events; --");
  BOOST_TEST(rec.headers["Content-Type"].find("application/json") == 0);
  // The same payloads as search text: answered, not executed.
  for (const std::string& q : {sql, script, std::string("\" OR 1=1 --"), std::string("*) NEAR(")}) {
    auto r = f.Send("GET", "/api/v1/records?q=" + Enc(q), f.reader_key);
    BOOST_TEST(r.status == 200, q << ": " << r.body);
  }
  BOOST_TEST(f.Count() == 1);
  BOOST_TEST(f.archive.session().catalogue().Events(ref).value().size() >= 1u);  // its filing

  // Wrong, missing and replayed credentials.
  BOOST_TEST(f.Send("GET", "/api/v1/records", "dk_00000000_" + std::string(64, '0')).status == 401);
  BOOST_TEST(
      f.Send("GET", "/api/v1/records", "", "", "", {{"Authorization", "Basic eDp5"}}).status ==
      401);
  auto replay = post(json);  // the same request again: the original receipt, nothing new
  BOOST_TEST(replay.status == 200);
  BOOST_TEST(replay.Json()->getValue<std::string>("reference") == ref);
  BOOST_TEST(f.Count() == 1);
}

BOOST_AUTO_TEST_CASE(requests_beyond_the_rate_limits_get_429_and_store_nothing) {
  Fixture f(4ull << 30, /*rate_per_address=*/5, /*rate_per_key=*/0);
  int ok = 0, limited = 0;
  std::string retry;
  for (int i = 0; i < 30; ++i) {
    auto r = f.Send("GET", "/healthz");
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      retry = r.headers["Retry-After"];
      BOOST_TEST(r.Json()->getValue<int>("status") == 429);
    }
  }
  BOOST_TEST(ok >= 10);  // the burst (twice the rate)
  BOOST_TEST(ok <= 13);
  BOOST_TEST(limited == 30 - ok);
  BOOST_TEST(!retry.empty());
  // A limited filing stores nothing.
  auto r = f.Send("POST", "/api/v1/cases", f.intake_key,
                  f.CaseJson("RL-1", "题名", {{"a.txt", "x"}}), "application/json");
  BOOST_TEST(r.status == 429);
  BOOST_TEST(f.Count() == 0);

  Fixture k(4ull << 30, /*rate_per_address=*/0, /*rate_per_key=*/3);
  int key_ok = 0;
  for (int i = 0; i < 12; ++i)
    key_ok += k.Send("GET", "/api/v1/records", k.reader_key).status == 200;
  BOOST_TEST(key_ok >= 6);
  BOOST_TEST(key_ok <= 8);
  BOOST_TEST(k.Send("GET", "/api/v1/records", k.intake_key).status != 429);  // its own bucket
}

// Fault injection driven over HTTP, against a running server: each write-side file-system call of
// a filing fails in turn with each fault. Every time the client gets a clear 5xx problem (507 for
// a full disk), nothing of the case is visible, the server keeps serving, and the retry gets the
// next 件号 (no gap).
BOOST_AUTO_TEST_CASE(storage_faults_during_http_intake_give_a_clear_error_and_store_nothing) {
  FaultInjectionEnv env;
  Fixture f(4ull << 30, 0, 0, &env);
  auto post = [&](const std::string& id) {
    return f.Send("POST", "/api/v1/cases", f.intake_key,
                  f.CaseJson(id, "失业保险金申领审核表", {{"申请表.txt", "申请内容 " + id}}),
                  "application/json");
  };
  auto entries = [&](const std::string& rel) {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(f.archive.Path(rel), ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      ++n;
    return n;
  };
  // The first filing of a year also creates its directories; count the calls of a later one.
  BOOST_REQUIRE(post("FIRST").status == 201);
  env.FailAt(0, Fault::kNone);
  Reply clean = post("CLEAN");
  BOOST_REQUIRE(clean.status == 201);
  const int calls = env.calls();
  BOOST_TEST_MESSAGE("write-side calls per filing over HTTP: " << calls);
  BOOST_REQUIRE(calls >= 8);
  const std::string ref = clean.Json()->getValue<std::string>("reference");
  const std::string series = ref.substr(0, ref.size() - 4);
  int64_t filed = 2;
  for (Fault fault : {Fault::kNoSpace, Fault::kIOError, Fault::kShortWrite, Fault::kSyncFails}) {
    for (int n = 1; n <= calls; ++n) {
      const std::string id =
          "H-" + std::to_string(static_cast<int>(fault)) + "-" + std::to_string(n);
      env.FailAt(n, fault);
      Reply r = post(id);
      BOOST_TEST_CONTEXT("fault " << static_cast<int>(fault) << " at call " << n) {
        BOOST_TEST(env.fired());
        BOOST_TEST(r.status == (fault == Fault::kNoSpace ? 507 : 500));
        BOOST_TEST(r.headers["Content-Type"].rfind("application/problem+json", 0) == 0u);
        BOOST_TEST(!r.Json()->getValue<std::string>("detail").empty());
        env.FailAt(0, Fault::kNone);
        BOOST_TEST(f.Count() == filed);
        BOOST_TEST(f.archive.PackageFiles().size() == static_cast<size_t>(filed));
        BOOST_TEST(entries("packages/.staging") == 0u);
        BOOST_TEST(entries("packages/.pending") == 0u);
        BOOST_TEST(f.Send("GET", "/api/v1/cases/sbxt/" + id, f.intake_key).status == 404);
        BOOST_TEST(f.Send("GET", "/healthz").status == 200);
      }
      env.FailAt(0, Fault::kNone);
      Reply retry = post(id);
      BOOST_REQUIRE_MESSAGE(retry.status == 201, retry.body);
      ++filed;
      char seq[16];
      std::snprintf(seq, sizeof seq, "%04d", static_cast<int>(filed));
      BOOST_TEST(retry.Json()->getValue<std::string>("reference") == series + seq);
    }
  }
}

// A damaged primary copy is not served while a replica is intact: downloads read the replica
// (the fixity audit repairs the primary later); with every copy damaged, a 500 problem and no
// bytes of a damaged package.
BOOST_AUTO_TEST_CASE(downloads_never_serve_a_damaged_copy_while_a_good_one_exists) {
  TempDir replica;
  Fixture f(4ull << 30, 0, 0, Env::Default(), replica.path());
  const std::string content = "申请内容：第一页";
  Reply filed = f.Send("POST", "/api/v1/cases", f.intake_key,
                       f.CaseJson("DMG-1", "失业保险金申领审核表", {{"申请表.txt", content}}),
                       "application/json");
  BOOST_REQUIRE(filed.status == 201);
  const std::string ref = filed.Json()->getValue<std::string>("reference");
  auto rec = f.archive.session().catalogue().GetRecord(ref).value().value();
  auto& store = f.archive.session().packages();
  const std::string primary = store.CopyPath(0, rec.package_path);
  const std::string second = store.CopyPath(1, rec.package_path);
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto write = [](const std::string& p, const std::string& b) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << b;
  };
  const std::string good = read(primary);
  BOOST_REQUIRE(good == read(second));
  // A flipped byte wherever the content appears (the file, its extracted text): the tar still
  // reads, the bytes are wrong.
  std::string bad = good;
  size_t flipped = 0;
  for (size_t at = bad.find(content); at != std::string::npos; at = bad.find(content, at + 1)) {
    bad[at + 1] ^= 0x01;
    ++flipped;
  }
  BOOST_REQUIRE(flipped > 0u);
  write(primary, bad);

  const std::string base = "/api/v1/records/" + Enc(ref);
  Reply file = f.Send("GET", base + "/files/" + Enc("申请表.txt"), f.reader_key);
  BOOST_TEST(file.status == 200);
  BOOST_TEST(file.body == content);
  Reply package = f.Send("GET", base + "/package", f.reader_key);
  BOOST_TEST(package.status == 200);
  BOOST_TEST(package.body == good);
  BOOST_TEST(read(primary) == bad);  // reads do not repair; the audit does

  write(second, bad);
  Reply lost = f.Send("GET", base + "/package", f.reader_key);
  BOOST_TEST(lost.status == 500);
  BOOST_TEST(lost.Json()->getValue<std::string>("detail").find(ref) != std::string::npos);
  BOOST_TEST(f.Send("GET", base + "/files/" + Enc("申请表.txt"), f.reader_key).status == 500);
}

// Why: a body the server did not read (refused before the handler, or a route that takes none)
// must not be taken for the next request on the same keep-alive connection.
BOOST_AUTO_TEST_CASE(an_unread_body_does_not_spill_into_the_next_request) {
  Fixture f;
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(f.server->port()));
  session.setKeepAlive(true);
  auto exchange = [&session](const std::string& method, const std::string& path,
                             const std::string& body) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::string text;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), text);
    return std::make_pair(static_cast<int>(resp.getStatus()), text);
  };
  // A route that takes no body answers without reading the one sent (refusals close the
  // connection anyway).
  auto first = exchange("GET", "/healthz", "{\"GET /metrics HTTP/1.1\":1}");
  BOOST_TEST(first.first == 200, first.second);
  auto next = exchange("GET", "/healthz", "");
  BOOST_TEST(next.first == 200, next.second);
  // A larger one (bodies past 64 KiB end the connection instead).
  BOOST_TEST(exchange("GET", "/healthz", std::string(40000, ' ')).first == 200);
  next = exchange("GET", "/healthz", "");
  BOOST_TEST(next.first == 200, next.second);
}
