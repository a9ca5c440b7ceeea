// Two real `dangan serve --catalogue postgresql://…` processes on one PostgreSQL catalogue (CTest's
// `postgresql` fixture) and one archive with two storage roots (the root and a replica), filing
// over HTTP at once from several clients: no duplicate or missing 档号, each series gap-free,
// every package in both roots and intact, each record readable and found through the other
// server at once (nothing kept per server), the audit chain whole.
#define BOOST_TEST_MODULE serve_cluster
#include <boost/test/unit_test.hpp>

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "storage/digest.h"
#include "storage/pg_catalogue.h"
#include "tests/support/case_factory.h"
#include "tests/support/child_process.h"
#include "tests/support/pg_server.h"
#include "tests/support/temp_dir.h"
#include "web/api_keys.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

Reply Send(int port, const std::string& method, const std::string& path, const std::string& key,
           const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!key.empty()) req.set("Authorization", "Bearer " + key);
  if (method == "POST") {
    req.setContentType("application/json");
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

std::string Base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder e(out);
  e.rdbuf()->setLineLength(0);
  e << bytes;
  e.close();
  return out.str();
}

std::string CaseJson(const std::string& case_id, const std::string& title) {
  const std::string content = "申请内容 " + case_id;
  return R"({"source":"sbxt","case_id":")" + case_id + R"(","item":"0503","title":")" + title +
         R"(","formed_on":"2025-04-01","closed_at":"2025-04-01T16:00:00+08:00",
      "agency":"测试市社会保险事业管理中心","handler":"王经办","serial":"流水-001",
      "person":{"id_number":")" +
         ValidIdNumber() + R"(","name":"李四"},
      "steps":[{"action":"受理","at":"2025-04-01T09:00:00+08:00","by":"窗口","description":"材料齐全"}],
      "files":[{"name":"申请表.txt","content":")" +
         Base64(content) + R"("}]})";
}

// Starts `dangan serve` on the shared catalogue and waits for its port.
int StartServer(std::unique_ptr<ChildProcess>* process, const std::string& root,
                const std::string& url, const std::string& log) {
  *process = std::make_unique<ChildProcess>(
      std::vector<std::string>{"--root", root, "serve", "--port", "0", "--catalogue", url}, log);
  BOOST_REQUIRE((*process)->started());
  for (int i = 0; i < 200; ++i) {
    std::smatch m;
    const std::string text = Slurp(log);
    if (std::regex_search(text, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)")))
      return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_FAIL("the server did not start: " << Slurp(log));
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_servers_on_one_postgresql_file_at_once_into_two_storage_roots) {
  TestArchive archive;
  TempDir replica;
  BOOST_REQUIRE(archive.session().AddReplica(replica.path()).ok());
  archive.Close();  // the servers open the root themselves
  PgTestSchema schema;
  web::ApiKeyStore keys(archive.root());
  const std::string intake = keys.Create("sbxt", web::ApiRole::kIntake).value();
  const std::string reader = keys.Create("workbench", web::ApiRole::kReader).value();

  TempDir logs;
  std::unique_ptr<ChildProcess> a, b;
  const int ports[2] = {StartServer(&a, archive.root(), schema.url(), logs / "a.log"),
                        StartServer(&b, archive.root(), schema.url(), logs / "b.log")};

  // Four clients, two on each server, each filing its own cases.
  constexpr int kClients = 4, kCasesEach = 8;
  std::mutex mu;
  std::map<std::string, std::string> reference_of;  // case id → 档号
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0; i < kCasesEach; ++i) {
        const std::string id = "C" + std::to_string(c) + "-" + std::to_string(i);
        Reply r = Send(ports[c % 2], "POST", "/api/v1/cases", intake,
                       CaseJson(id, "失业保险金申领审核表 " + id));
        std::lock_guard<std::mutex> lock(mu);
        if (r.status != 201)
          failures.push_back(id + ": " + std::to_string(r.status) + " " + r.body);
        else
          reference_of[id] = r.Json()->getValue<std::string>("reference");
      }
    });
  for (auto& t : clients) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_REQUIRE_EQUAL(reference_of.size(), size_t{kClients * kCasesEach});

  // No 档号 twice, and one series numbered 1…n with no gap.
  std::set<std::string> references;
  std::set<int> numbers;
  for (const auto& [id, ref] : reference_of) {
    references.insert(ref);
    numbers.insert(std::stoi(ref.substr(ref.rfind('-') + 1)));
  }
  BOOST_TEST(references.size() == reference_of.size());
  BOOST_TEST(numbers.size() == reference_of.size());
  BOOST_TEST(*numbers.begin() == 1);
  BOOST_TEST(*numbers.rbegin() == kClients * kCasesEach);

  // The same case sent to the other server is the same filing, not a new one.
  const std::string first_id = reference_of.begin()->first;
  Reply again = Send(ports[1], "POST", "/api/v1/cases", intake,
                     CaseJson(first_id, "失业保险金申领审核表 " + first_id));
  BOOST_TEST(again.status == 200, again.body);
  BOOST_TEST(again.Json()->getValue<std::string>("reference") == reference_of[first_id]);

  // A record filed through one server is read and found through the other at once, even by a
  // question the other answered before the filing.
  const std::string query = "/api/v1/records?q=%E9%B9%8F%E7%A8%8B";  // 鹏程
  Reply before = Send(ports[1], "GET", query, reader);
  BOOST_REQUIRE_MESSAGE(before.status == 200, before.body);
  BOOST_TEST(before.Json()->getValue<int>("total") == 0, before.body);
  Reply late =
      Send(ports[0], "POST", "/api/v1/cases", intake, CaseJson("LATE", "稳岗补贴核定 鹏程"));
  BOOST_REQUIRE_MESSAGE(late.status == 201, late.body);
  const std::string late_ref = late.Json()->getValue<std::string>("reference");
  Reply found = Send(ports[1], "GET", query, reader);
  BOOST_REQUIRE_MESSAGE(found.status == 200, found.body);
  BOOST_TEST(found.Json()->getValue<int>("total") == 1, found.body);
  BOOST_TEST(found.body.find(late_ref) != std::string::npos, found.body);
  Reply view = Send(ports[1], "GET", "/api/v1/records/" + late_ref, reader);
  BOOST_TEST(view.status == 200, view.body);

  // Every package is in both storage roots and matches the catalogue's digest; the one served
  // by the other server is the same bytes.
  auto catalogue = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE_MESSAGE(catalogue.ok(), catalogue.status().ToString());
  references.insert(late_ref);
  for (const auto& ref : references) {
    auto rec = (*catalogue)->GetRecord(ref);
    BOOST_REQUIRE_MESSAGE(rec.ok() && *rec, ref);
    for (const std::string& root : {archive.root(), replica.path()}) {
      auto digest = Digest::OfFile((fs::path(root) / (*rec)->package_path).string(), "sha256");
      BOOST_TEST((digest.ok() && *digest == (*rec)->package_sha256), ref << " in " << root);
    }
  }
  auto served_rec = (*catalogue)->GetRecord(late_ref).value().value();
  Reply package = Send(ports[1], "GET", "/api/v1/records/" + late_ref + "/package", reader);
  BOOST_TEST(package.status == 200);
  BOOST_TEST(Digest::OfString(package.body) == served_rec.package_sha256);

  // Both servers answer for the same holdings; what needs the embedded catalogue says so.
  for (int port : ports) {
    Reply health = Send(port, "GET", "/healthz", "");
    BOOST_TEST(health.Json()->getValue<int64_t>("records") == kClients * kCasesEach + 1);
    Reply stats = Send(port, "GET", "/api/v1/stats/holdings", reader);
    BOOST_TEST(stats.status == 501, stats.body);
    BOOST_TEST(stats.body.find("PostgreSQL") != std::string::npos, stats.body);
  }

  // The servers stop cleanly, and the chain they both appended to (filings and the views and
  // searches above) holds.
  BOOST_TEST(a->Stop(30) == 0, Slurp(logs / "a.log"));
  BOOST_TEST(b->Stop(30) == 0, Slurp(logs / "b.log"));
  auto events = (*catalogue)->Events("", 0, RecordCatalogue::EventKinds::kAll);
  BOOST_REQUIRE(events.ok());
  std::string why;
  BOOST_TEST(!FindBrokenLink(*events, kGenesisHash, 1, &why).has_value(), why);
  int views = 0, files = 0;
  for (const auto& e : *events) {
    if (e.action == "view" && e.reference == late_ref) ++views;
    if (e.action == "file") ++files;
  }
  BOOST_TEST(views == 1);
  BOOST_TEST(files == kClients * kCasesEach + 1);
}
