// Two real `dangan serve --catalogue postgresql://…` processes on one PostgreSQL catalogue (CTest's
// `postgresql` fixture) and one archive with two storage roots (the root and a replica), filing
// over HTTP at once from several clients: no duplicate or missing 档号, each series gap-free,
// every package in both roots and intact, each record readable and found through the other
// server at once (nothing kept per server), the audit chain whole. Then the same with two
// `dangan worker`s filing and capturing beside the servers, one of them killed mid-job.
#define BOOST_TEST_MODULE serve_cluster
#include <boost/test/unit_test.hpp>

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <fstream>
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
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"
#include "tests/support/worker_cluster.h"
#include "web/api_keys.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::string session_cookie;  // the dangan_session cookie the answer set, if any
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

Reply Send(int port, const std::string& method, const std::string& path, const std::string& key,
           const std::string& body = "", const std::map<std::string, std::string>& headers = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!key.empty()) req.set("Authorization", "Bearer " + key);
  for (const auto& [k, v] : headers) req.set(k, v);
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
  std::vector<Poco::Net::HTTPCookie> cookies;
  resp.getCookies(cookies);
  for (const auto& c : cookies)
    if (c.getName() == "dangan_session") r.session_cookie = c.getValue();
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

// The case a `make_cases.py` directory holds, as the JSON intake takes it: each file's bytes in
// base64 under `content` instead of its path.
std::string CaseDirJson(const fs::path& dir) {
  std::ifstream in(dir / "case.json");
  Poco::JSON::Parser parser;
  auto c = parser.parse(in).extract<Poco::JSON::Object::Ptr>();
  auto files = c->getArray("files");
  for (size_t i = 0; i < files->size(); ++i) {
    auto f = files->getObject(static_cast<unsigned>(i));
    f->set("content", Base64(Slurp(dir / f->getValue<std::string>("path"))));
    f->remove("path");
  }
  std::ostringstream out;
  c->stringify(out);
  return out.str();
}

// Starts `dangan serve` on the shared catalogue and waits for its port.
int StartServer(std::unique_ptr<ChildProcess>* process, const std::string& root,
                const std::string& url, const std::string& log,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--root", root, "serve", "--port", "0", "--catalogue", url};
  args.insert(args.end(), extra.begin(), extra.end());
  *process = std::make_unique<ChildProcess>(args, log);
  BOOST_REQUIRE((*process)->started());
  for (int i = 0; i < 1200; ++i) {  // a minute: CI machines can be slow to start a process
    std::smatch m;
    const std::string text = Slurp(log);
    if (std::regex_search(text, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)")))
      return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_FAIL("the server did not start: " << Slurp(log));
  return 0;
}

// Registers an administrator (no password) and 档案员, an archivist signing in with "long enough
// pw", in the shared catalogue.
void RegisterArchivist(const std::string& root, const std::string& url) {
  auto admin = Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) +
                   " user add 管理员 --role admin --catalogue " + Quote(url) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(admin.code == 0, admin);
  auto archivist = Run("printf 'long enough pw\\n' | " + Quote(DANGAN_BINARY) + " --root " +
                       Quote(root) + " --actor 管理员 user add 档案员 --role archivist" +
                       " --password-stdin --catalogue " + Quote(url) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(archivist.code == 0, archivist);
}

// Registers `name` with `role`, signing in with "long enough pw", in the shared catalogue (after
// RegisterArchivist, whose administrator adds them).
void RegisterUser(const std::string& root, const std::string& url, const std::string& name,
                  const std::string& role) {
  auto added = Run("printf 'long enough pw\\n' | " + Quote(DANGAN_BINARY) + " --root " +
                   Quote(root) + " --actor 管理员 user add " + name + " --role " + role +
                   " --password-stdin --catalogue " + Quote(url) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(added.code == 0, added);
}

// `name` (档案员 unless told) signed in through the server on `port`: the headers of their
// requests.
std::map<std::string, std::string> SignInArchivist(int port, const std::string& name = "档案员") {
  Reply signed_in = Send(port, "POST", "/api/v1/session", "",
                         R"({"name":")" + name + R"(","password":"long enough pw"})");
  BOOST_REQUIRE_MESSAGE(signed_in.status == 200, signed_in.body);
  return {{"Cookie", "dangan_session=" + signed_in.session_cookie},
          {"X-CSRF-Token", signed_in.Json()->getValue<std::string>("csrf")}};
}

// The shared catalogue's events by action, once its chain is checked intact link by link.
std::map<std::string, int> ActionsOnTheSharedChain(const std::string& url) {
  auto catalogue = PgCatalogue::Open(url, nullptr);
  BOOST_REQUIRE(catalogue.ok());
  auto events = (*catalogue)->Events("", 0, RecordCatalogue::EventKinds::kAll).value();
  std::string why;
  BOOST_TEST(!FindBrokenLink(events, kGenesisHash, 1, &why).has_value(), why);
  std::map<std::string, int> count;
  for (const auto& e : events) ++count[e.action];
  return count;
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
  // b with a pool smaller than its clients: they queue for connections, none is refused.
  const int ports[2] = {StartServer(&a, archive.root(), schema.url(), logs / "a.log"),
                        StartServer(&b, archive.root(), schema.url(), logs / "b.log",
                                    {"--catalogue-connections", "2"})};

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
  BOOST_TEST(view.Json()->getObject("fixity")->getValue<std::string>("status") == "unchecked",
             view.body);

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
  // A change another process makes (here a worker's fixity result) shows in the next view:
  // no server keeps a view of its own.
  BOOST_REQUIRE(
      (*catalogue)->RecordFixity({{late_ref, "2026-11-24T10:00:00+08:00", true, "{}"}}).ok());
  Reply checked = Send(ports[1], "GET", "/api/v1/records/" + late_ref, reader);
  BOOST_TEST(checked.Json()->getObject("fixity")->getValue<std::string>("status") != "unchecked",
             checked.body);
  auto served_rec = (*catalogue)->GetRecord(late_ref).value().value();
  Reply package = Send(ports[1], "GET", "/api/v1/records/" + late_ref + "/package", reader);
  BOOST_TEST(package.status == 200);
  BOOST_TEST(Digest::OfString(package.body) == served_rec.package_sha256);

  // Both servers answer for the same holdings; what needs the embedded catalogue says so.
  for (int port : ports) {
    Reply health = Send(port, "GET", "/healthz", "");
    BOOST_TEST(health.Json()->getValue<int64_t>("records") == kClients * kCasesEach + 1);
    Reply metrics = Send(port, "GET", "/metrics", "");
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(metrics.body.find("dangan_records " + std::to_string(kClients * kCasesEach + 1)) !=
                   std::string::npos,
               metrics.body);
    Reply holdings = Send(port, "GET", "/api/v1/stats/holdings", reader);
    BOOST_REQUIRE_MESSAGE(holdings.status == 200, holdings.body);
    BOOST_TEST(holdings.Json()->getObject("total")->getValue<int64_t>("records") ==
                   kClients * kCasesEach + 1,
               holdings.body);
    Reply fixity = Send(port, "GET", "/api/v1/stats/fixity", reader);
    BOOST_REQUIRE_MESSAGE(fixity.status == 200, fixity.body);
    BOOST_TEST(fixity.Json()->getValue<int64_t>("intact") == 1, fixity.body);
    BOOST_TEST(fixity.Json()->getValue<int64_t>("never_checked") == kClients * kCasesEach,
               fixity.body);
    Reply intake_stats = Send(port, "GET", "/api/v1/stats/intake", reader);
    BOOST_REQUIRE_MESSAGE(intake_stats.status == 200, intake_stats.body);
    auto months = intake_stats.Json()->getArray("months");
    BOOST_REQUIRE_EQUAL(months->size(), 1u);
    BOOST_TEST(months->getObject(0)->getObject("intake")->getValue<int64_t>("records") ==
               kClients * kCasesEach + 1);
    Reply utilization = Send(port, "GET", "/api/v1/stats/utilization", reader);
    BOOST_TEST(utilization.status == 200, utilization.body);
    BOOST_TEST(utilization.body.find("\"view\"") != std::string::npos, utilization.body);
    // The annual table counts what was filed in the year of filing (today's).
    const std::string this_year = served_rec.filed_at.substr(0, 4);
    Reply annual = Send(port, "GET", "/api/v1/stats/annual?year=" + this_year, reader);
    BOOST_REQUIRE_MESSAGE(annual.status == 200, annual.body);
    BOOST_TEST(annual.Json()->getObject("intake")->getValue<int64_t>("records") ==
                   kClients * kCasesEach + 1,
               annual.body);

    BOOST_TEST(Send(port, "GET", "/api/v1/public/inquiry-guide", "").status == 200);
  }

  // A person registered in the shared catalogue signs in through one server and is known to the
  // other, until signed out there.
  auto added = Run("printf 'long enough pw\\n' | " + Quote(DANGAN_BINARY) + " --root " +
                   Quote(archive.root()) + " user add 管理员 --role admin --password-stdin" +
                   " --catalogue " + Quote(schema.url()));
  BOOST_REQUIRE_MESSAGE(added.code == 0, added);
  // From now on only an administrator of that catalogue adds people to it.
  auto add_reader = [&](const std::string& actor) {
    return Run(Quote(DANGAN_BINARY) + " --root " + Quote(archive.root()) + " --actor " +
               Quote(actor) + " user add 读者 --role reader --catalogue " + Quote(schema.url()) +
               " 2>&1");
  };
  auto stranger = add_reader("无名");
  BOOST_TEST(stranger.code != 0, stranger);
  BOOST_TEST(Contains(stranger.out, "not a user"), stranger);
  auto by_admin = add_reader("管理员");
  BOOST_TEST(by_admin.code == 0, by_admin);
  Reply signed_in = Send(ports[0], "POST", "/api/v1/session", "",
                         R"({"name":"管理员","password":"long enough pw"})");
  BOOST_REQUIRE_MESSAGE(signed_in.status == 200, signed_in.body);
  BOOST_REQUIRE(!signed_in.session_cookie.empty());
  const std::map<std::string, std::string> cookie = {
      {"Cookie", "dangan_session=" + signed_in.session_cookie}};
  Reply as_person = Send(ports[1], "GET", query, "", "", cookie);
  BOOST_TEST(as_person.status == 200, as_person.body);
  std::map<std::string, std::string> sign_out = cookie;
  sign_out["X-CSRF-Token"] = signed_in.Json()->getValue<std::string>("csrf");
  BOOST_TEST(Send(ports[1], "DELETE", "/api/v1/session", "", "", sign_out).status == 204);
  BOOST_TEST(Send(ports[0], "GET", query, "", "", cookie).status == 401);

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
  BOOST_TEST(views == 2);
  BOOST_TEST(files == kClients * kCasesEach + 1);

  // The servers anchored the shared chain's head in both storage roots, beside (not over) the
  // embedded catalogue's anchor; `audit verify --catalogue` checks the chain against them, and a
  // chain cut at its end (by someone able to lift the append-only trigger) no longer passes.
  for (const std::string& root : {archive.root(), replica.path()}) {
    BOOST_TEST(fs::exists(fs::path(root) / "audit-head-postgresql"), root);
    const std::string head = Slurp(fs::path(root) / "audit-head-postgresql");
    BOOST_TEST(Contains(head, "seq: " + std::to_string(events->back().seq)), head);
  }
  auto verify = [&] {
    return Run(Quote(DANGAN_BINARY) + " --root " + Quote(archive.root()) +
               " audit verify --catalogue " + Quote(schema.url()) + " 2>&1");
  };
  auto intact = verify();
  BOOST_TEST(intact.code == 0, intact);
  BOOST_TEST(Contains(intact.out, "audit chain intact (PostgreSQL)"), intact);
  BOOST_TEST(Contains(intact.out, "matches the chain"), intact);
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_REQUIRE((*db)
                    ->Exec("ALTER TABLE events DISABLE TRIGGER USER;"
                           " DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
                    .ok());
  auto cut = verify();
  BOOST_TEST(cut.code == 1, cut);
  BOOST_TEST(Contains(cut.out, "removed from the end"), cut);
}

BOOST_AUTO_TEST_CASE(two_servers_and_two_workers_file_and_capture_at_once_each_case_once) {
  TestArchive archive;
  TempDir replica;
  BOOST_REQUIRE(archive.session().AddReplica(replica.path()).ok());
  archive.Close();
  const std::string root = archive.root();
  PgTestSchema schema;
  web::ApiKeyStore keys(root);
  const std::string intake = keys.Create("sbxt", web::ApiRole::kIntake).value();

  // The same items and year by both ways in (different case ids), so their series interleave.
  TempDir shared;
  constexpr int kQueued = 16, kPosted = 16;
  MakeCases(shared / "queued", kQueued, 1);
  MakeCases(shared / "posted", kPosted, 2);
  CopyScans(shared / "scans", {"dev_0001.jpg", "dev_0006.jpg"});
  auto dangan = [&](const std::string& args) {
    return Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) + " " + args + " --catalogue " +
               Quote(schema.url()));
  };
  auto ingest = dangan("worker enqueue ingest " + Quote(shared / "queued"));
  BOOST_REQUIRE_MESSAGE(ingest.code == 0, ingest);
  auto capture = dangan("worker enqueue capture " + Quote(shared / "scans"));
  BOOST_REQUIRE_MESSAGE(capture.code == 0, capture);
  std::vector<std::string> posted;
  for (const auto& e : fs::directory_iterator(shared / "posted"))
    posted.push_back(CaseDirJson(e.path()));
  BOOST_REQUIRE_EQUAL(posted.size(), size_t{kPosted});

  TempDir logs;
  std::unique_ptr<ChildProcess> a, b;
  const int ports[2] = {StartServer(&a, root, schema.url(), logs / "a.log"),
                        StartServer(&b, root, schema.url(), logs / "b.log")};
  auto worker = [&](const std::string& name) {
    return WorkerCommand(root, schema.url(), name, {"--pace-ms", "150"});
  };
  ChildProcess w1(worker("w1"), logs / "w1.log");
  ChildProcess w2(worker("w2"), logs / "w2.log");
  BOOST_REQUIRE(w1.started() && w2.started());

  std::mutex mu;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      for (size_t i = c; i < posted.size(); i += 4) {
        Reply r = Send(ports[c % 2], "POST", "/api/v1/cases", intake, posted[i]);
        if (r.status != 201) {
          std::lock_guard<std::mutex> lock(mu);
          failures.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });

  // w1 is killed once it has finished a job and holds another: its job goes to w2.
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  const std::string held = JobHeldBy(**db, "w1", true, 30);
  w1.Kill();
  for (auto& t : clients) t.join();
  BOOST_REQUIRE_MESSAGE(!held.empty(), Slurp(logs / "w1.log"));
  int code = w2.Wait(240);
  BOOST_REQUIRE_MESSAGE(code == 0, "w2 exit " << code << "\n" << Slurp(logs / "w2.log"));
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(a->Stop(30) == 0, Slurp(logs / "a.log"));
  BOOST_TEST(b->Stop(30) == 0, Slurp(logs / "b.log"));

  // The job w1 died holding was finished by w2, unless w1 finished it in the instant between
  // the look and the kill (tests/cli/worker_test.cpp pins that case down).
  const std::string finisher = Scalar(**db, "SELECT worker FROM jobs WHERE id=" + held);
  BOOST_TEST((finisher == "w2" || finisher == "w1"), finisher);
  if (finisher == "w1") BOOST_TEST_MESSAGE("w1 finished job " << held << " before the kill");

  // Every job done once, every case filed once, whichever way it came in.
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM jobs WHERE state<>'done'") == "0",
             Scalar(**db, "SELECT string_agg(error, '; ') FROM jobs"));
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE channel='business'") ==
             std::to_string(kQueued + kPosted));
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE channel='capture'") != "0",
             Scalar(**db, "SELECT string_agg(result, ' | ') FROM jobs WHERE kind='capture'"));
  // Series that both ways filed into, each numbered 1..n: no 件号 missing, none twice.
  BOOST_TEST(
      std::stoi(Scalar(**db,
                       "SELECT count(*) FROM (SELECT series FROM records WHERE channel='business'"
                       " GROUP BY series HAVING count(DISTINCT substr(case_id, 1, 11)) > 1)"
                       " mixed")) > 0);
  CheckFiledOnceWithoutGaps(**db);
  // Every package in both storage roots, intact.
  auto catalogue = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(catalogue.ok());
  auto refs = (*catalogue)->References();
  BOOST_REQUIRE(refs.ok());
  for (const auto& ref : *refs) {
    auto rec = (*catalogue)->GetRecord(ref).value().value();
    for (const std::string& copy : {root, replica.path()}) {
      auto digest = Digest::OfFile((fs::path(copy) / rec.package_path).string(), "sha256");
      BOOST_TEST((digest.ok() && *digest == rec.package_sha256), ref << " in " << copy);
    }
  }
  auto events = (*catalogue)->Events("", 0, RecordCatalogue::EventKinds::kAll);
  BOOST_REQUIRE(events.ok());
  std::string why;
  BOOST_TEST(!FindBrokenLink(*events, kGenesisHash, 1, &why).has_value(), why);
}

// Scans a worker is unsure of wait in the shared review queue, staged under the shared root, and
// are filed or rejected from either server, once.
BOOST_AUTO_TEST_CASE(unsure_captures_wait_for_review_and_are_decided_on_any_server_once) {
  TestArchive archive;
  archive.Close();
  const std::string root = archive.root();
  PgTestSchema schema;
  auto dangan = [&](const std::string& args) {
    return Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) + " " + args + " --catalogue " +
               Quote(schema.url()) + " 2>&1");
  };
  RegisterArchivist(root, schema.url());
  TempDir shared;
  CopyScans(shared / "scans", {"dev_0001.jpg", "dev_0006.jpg"});
  auto queued = dangan("worker enqueue capture " + Quote(shared / "scans"));
  BOOST_REQUIRE_MESSAGE(queued.code == 0, queued);

  // A threshold above any confidence: every scan waits for an archivist.
  TempDir logs;
  ChildProcess worker(WorkerCommand(root, schema.url(), "w1", {"--threshold", "1"}),
                      logs / "w1.log");
  BOOST_REQUIRE(worker.started());
  BOOST_REQUIRE_MESSAGE(worker.Wait(240) == 0, Slurp(logs / "w1.log"));
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_TEST(
      Scalar(**db, "SELECT count(*) FROM jobs WHERE state='done' AND result LIKE 'review %'") ==
          "2",
      Scalar(**db, "SELECT string_agg(coalesce(result, error), ' | ') FROM jobs"));
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records") == "0");
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM capture_review WHERE state='pending'") == "2");

  // What killed processes left in the shared root: uploads, a package temporary, a package
  // whose row never committed. Two hours old, it is swept when a server starts; written just
  // now, it may be another server's work in flight and stays.
  const fs::path r(root);
  const auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  auto debris = [&](const fs::path& path, const std::string& text, bool old) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    if (old) {
      fs::last_write_time(path, two_hours_ago);
      fs::last_write_time(path.parent_path(), two_hours_ago);
    }
  };
  debris(r / "intake" / "old-upload" / "申请表.txt", "张三 110105194912310021", true);
  debris(r / "intake" / "fresh-upload" / "申请表.txt", "in flight", false);
  debris(r / "packages" / ".staging" / "old.tmp", "half a package", true);
  debris(r / "packages" / ".staging" / "fresh.tmp", "half a package", false);
  debris(r / "packages" / "2025" / "J012-DEAD.tar", "never committed", false);
  debris(r / "packages" / ".pending" / "J012-DEAD.tar.marker", "packages/2025/J012-DEAD.tar\n",
         true);

  std::unique_ptr<ChildProcess> a, b;
  const int ports[2] = {StartServer(&a, root, schema.url(), logs / "a.log"),
                        StartServer(&b, root, schema.url(), logs / "b.log")};
  for (int i = 0; i < 200 && fs::exists(r / "intake" / "old-upload"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_TEST(!fs::exists(r / "intake" / "old-upload"), Slurp(logs / "a.log"));
  BOOST_TEST(!fs::exists(r / "packages" / ".staging" / "old.tmp"));
  BOOST_TEST(!fs::exists(r / "packages" / "2025" / "J012-DEAD.tar"));
  BOOST_TEST(!fs::exists(r / "packages" / ".pending" / "J012-DEAD.tar.marker"));
  BOOST_TEST(fs::exists(r / "intake" / "fresh-upload" / "申请表.txt"));
  BOOST_TEST(fs::exists(r / "packages" / ".staging" / "fresh.tmp"));
  const auto as_archivist = SignInArchivist(ports[0]);

  Reply list = Send(ports[1], "GET", "/api/v1/review", "", "", as_archivist);
  BOOST_REQUIRE_MESSAGE(list.status == 200, list.body);
  auto items = list.Json()->getArray("items");
  BOOST_REQUIRE_EQUAL(items->size(), 2u);
  const std::string first = std::to_string(items->getObject(0)->getValue<int64_t>("id"));
  const std::string second = std::to_string(items->getObject(1)->getValue<int64_t>("id"));
  // The staging the worker wrote is read by a server: the recognised text and the page.
  Reply shown = Send(ports[1], "GET", "/api/v1/review/" + first, "", "", as_archivist);
  BOOST_REQUIRE_MESSAGE(shown.status == 200, shown.body);
  BOOST_TEST(!shown.Json()->getValue<std::string>("text").empty());
  BOOST_TEST(
      Send(ports[0], "GET", "/api/v1/review/" + first + "/pages/1", "", "", as_archivist).status ==
      200);

  // Filed through b as the item the archivist chose; a second decision through a is refused.
  Reply accepted = Send(ports[1], "POST", "/api/v1/review/" + first + "/accept", "",
                        R"({"item":"0503","title":"失业保险金申领登记表（更正）"})", as_archivist);
  BOOST_REQUIRE_MESSAGE(accepted.status == 201, accepted.body);
  const std::string ref = accepted.Json()->getValue<std::string>("reference");
  BOOST_TEST(Send(ports[0], "POST", "/api/v1/review/" + first + "/accept", "", "{}", as_archivist)
                 .status == 409);
  Reply rejected = Send(ports[0], "POST", "/api/v1/review/" + second + "/reject", "",
                        R"({"reason":"空白页"})", as_archivist);
  BOOST_TEST(rejected.status == 200, rejected.body);
  BOOST_TEST(Send(ports[1], "POST", "/api/v1/review/" + second + "/reject", "",
                  R"({"reason":"空白页"})", as_archivist)
                 .status == 409);
  Reply view = Send(ports[0], "GET", "/api/v1/records/" + ref, "", "", as_archivist);
  BOOST_REQUIRE_MESSAGE(view.status == 200, view.body);
  BOOST_TEST(view.Json()->getValue<std::string>("title") == "失业保险金申领登记表（更正）");
  BOOST_TEST(a->Stop(30) == 0, Slurp(logs / "a.log"));
  BOOST_TEST(b->Stop(30) == 0, Slurp(logs / "b.log"));

  // One record, filed from the capture channel; both decisions teach the classifier; the
  // accepted document's staging is gone (its package holds the files).
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE channel='capture'") == "1");
  BOOST_TEST(Scalar(**db,
                    "SELECT string_agg(confirmed_item, ',' ORDER BY id) FROM"
                    " classifier_examples") == "0503,0000");
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM capture_review WHERE state='pending'") == "0");
  const std::string staged =
      Scalar(**db, "SELECT staged_dir FROM capture_review WHERE id=" + first);
  BOOST_TEST(!fs::exists(fs::path(root) / staged), staged);
  auto count = ActionsOnTheSharedChain(schema.url());
  BOOST_TEST(count["queue-review"] == 2);
  BOOST_TEST(count["review"] == 1);
  BOOST_TEST(count["review-reject"] == 1);
  BOOST_TEST(count["file"] == 1);
}

// The public inquiry service and the reports across servers: requests submitted on either are
// numbered once, decided on the other with a 查档证明, seen and printed by the requester on
// either; certificates issued on both at once are numbered without gaps; the 归档文件目录 and the
// CSV export are made from the shared catalogue.
BOOST_AUTO_TEST_CASE(inquiries_certificates_and_reports_are_served_from_the_shared_catalogue) {
  TestArchive archive;
  archive.Close();
  const std::string root = archive.root();
  PgTestSchema schema;
  RegisterArchivist(root, schema.url());
  web::ApiKeyStore keys(root);
  const std::string intake = keys.Create("sbxt", web::ApiRole::kIntake).value();
  TempDir logs;
  std::unique_ptr<ChildProcess> a, b;
  const int ports[2] = {StartServer(&a, root, schema.url(), logs / "a.log"),
                        StartServer(&b, root, schema.url(), logs / "b.log")};
  std::vector<std::string> refs;
  for (const char* id : {"Q-1", "Q-2"}) {
    Reply filed = Send(ports[0], "POST", "/api/v1/cases", intake,
                       CaseJson(id, std::string("失业保险金申领审核表 ") + id));
    BOOST_REQUIRE_MESSAGE(filed.status == 201, filed.body);
    refs.push_back(filed.Json()->getValue<std::string>("reference"));
  }

  // Eight requests at once, four on each server (each server's per-address burst), each for
  // its own person; the first for the person the cases were filed under.
  std::mutex mu;
  std::map<std::string, std::string> code_of;  // number → access code
  std::string mine;
  std::vector<std::string> failures;
  std::vector<std::thread> requesters;
  for (int i = 0; i < 8; ++i)
    requesters.emplace_back([&, i] {
      const std::string id =
          i == 0 ? ValidIdNumber() : ValidIdNumber("1101051960010100" + std::to_string(i));
      Reply r = Send(ports[i % 2], "POST", "/api/v1/public/inquiries", "",
                     R"({"requester_type":"person","name":"李四","identifier":")" + id +
                         R"(","purpose":"办理退休","contact":"13800000000"})");
      std::lock_guard<std::mutex> lock(mu);
      if (r.status != 201) {
        failures.push_back(std::to_string(r.status) + " " + r.body);
        return;
      }
      const std::string number = r.Json()->getValue<std::string>("number");
      code_of[number] = r.Json()->getValue<std::string>("access_code");
      if (i == 0) mine = number;
    });
  for (auto& t : requesters) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_REQUIRE_EQUAL(code_of.size(), 8u);
  const std::string year = mine.substr(3, 4);
  BOOST_TEST(code_of.begin()->first == "CX-" + year + "-000001");
  BOOST_TEST(code_of.rbegin()->first == "CX-" + year + "-000008");

  // Decided on b, with a certificate; a second decision on a is refused.
  const auto staff_b = SignInArchivist(ports[1]);
  const auto staff_a = SignInArchivist(ports[0]);
  Reply detail = Send(ports[1], "GET", "/api/v1/inquiries/" + mine, "", "", staff_b);
  BOOST_REQUIRE_MESSAGE(detail.status == 200, detail.body);
  BOOST_TEST(detail.Json()->getArray("matches")->size() == 2u, detail.body);
  Reply approved = Send(ports[1], "POST", "/api/v1/inquiries/" + mine + "/approve", "",
                        R"({"copies_allowed":true})", staff_b);
  BOOST_REQUIRE_MESSAGE(approved.status == 200, approved.body);
  BOOST_TEST(approved.Json()->getArray("served")->size() == 2u);
  BOOST_TEST(Send(ports[0], "POST", "/api/v1/inquiries/" + mine + "/reject", "",
                  R"({"reason":"x"})", staff_a)
                 .status == 409);
  // A second approval is refused, and leaves no certificate (counted below).
  BOOST_TEST(
      Send(ports[0], "POST", "/api/v1/inquiries/" + mine + "/approve", "", "{}", staff_a).status ==
      409);

  // The requester, on a, sees the records served and prints the certificate, which b verifies.
  const std::map<std::string, std::string> with_code = {{"X-Inquiry-Code", code_of[mine]}};
  Reply served = Send(ports[0], "GET", "/api/v1/public/inquiries/" + mine, "", "", with_code);
  BOOST_REQUIRE_MESSAGE(served.status == 200, served.body);
  BOOST_TEST(served.Json()->getValue<std::string>("state") == "approved");
  BOOST_TEST(served.Json()->getArray("records")->size() == 2u);
  auto cert = served.Json()->getObject("certificate");
  BOOST_REQUIRE(cert);
  Reply pdf =
      Send(ports[0], "GET", "/api/v1/public/inquiries/" + mine + "/certificate", "", "", with_code);
  BOOST_TEST(pdf.status == 200);
  BOOST_TEST(pdf.body.rfind("%PDF", 0) == 0);
  Reply verified = Send(ports[1], "GET",
                        "/api/v1/reports/certificates/" + cert->getValue<std::string>("serial") +
                            "/verification?code=" + cert->getValue<std::string>("code"),
                        "");
  BOOST_TEST(verified.status == 200, verified.body);
  BOOST_TEST(verified.Json()->getValue<bool>("genuine"), verified.body);
  Reply figures = Send(ports[0], "GET", "/api/v1/stats/inquiries", "", "", staff_a);
  BOOST_REQUIRE_MESSAGE(figures.status == 200, figures.body);
  BOOST_TEST(figures.Json()->getValue<int64_t>("requests") == 8);
  BOOST_TEST(figures.Json()->getValue<int64_t>("approved") == 1);

  // Certificates issued on both servers at once: numbered after the inquiry's, once each.
  std::vector<std::thread> issuers;
  for (int i = 0; i < 6; ++i)
    issuers.emplace_back([&, i] {
      Reply r =
          Send(ports[i % 2], "POST", "/api/v1/reports/certificates", "",
               R"({"requester":"李四","purpose":"办理退休","references":[")" + refs[0] + R"("]})",
               i % 2 ? staff_b : staff_a);
      std::lock_guard<std::mutex> lock(mu);
      if (r.status != 200 || r.body.rfind("%PDF", 0) != 0)
        failures.push_back(std::to_string(r.status) + " " + r.body.substr(0, 300));
    });
  for (auto& t : issuers) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_TEST(Scalar(**db, "SELECT count(DISTINCT serial) FROM certificates") == "7");
  BOOST_TEST(Scalar(**db, "SELECT max(seq) - min(seq) + 1 FROM certificates") == "7");

  // The 归档文件目录 and the CSV export, from either server.
  Reply catalogue = Send(ports[1], "GET", "/api/v1/reports/catalogue?year=2025", "", "", staff_b);
  BOOST_REQUIRE_MESSAGE(catalogue.status == 200, catalogue.body);
  TempDir scratch;
  std::ofstream(scratch / "catalogue.pdf", std::ios::binary) << catalogue.body;
  auto text = Run("pdftotext -enc UTF-8 " + Quote(scratch / "catalogue.pdf") + " -");
  BOOST_TEST(Contains(text.out, "归档文件目录"), text.out);
  for (const auto& ref : refs) BOOST_TEST(Contains(text.out, ref), ref << "\n" << text.out);
  Reply csv = Send(ports[0], "GET", "/api/v1/records.csv?q=" + std::string("%E5%A4%B1%E4%B8%9A"),
                   "", "", staff_a);  // 失业
  BOOST_REQUIRE_MESSAGE(csv.status == 200, csv.body);
  for (const auto& ref : refs) BOOST_TEST(Contains(csv.body, ref), csv.body);
  Reply ledger = Send(ports[1], "GET", "/api/v1/inquiries.csv", "", "", staff_b);
  BOOST_TEST(ledger.status == 200, ledger.body);
  BOOST_TEST(Contains(ledger.body, mine));

  BOOST_TEST(a->Stop(30) == 0, Slurp(logs / "a.log"));
  BOOST_TEST(b->Stop(30) == 0, Slurp(logs / "b.log"));
  auto count = ActionsOnTheSharedChain(schema.url());
  BOOST_TEST(count["inquiry-submit"] == 8);
  BOOST_TEST(count["inquiry-approve"] == 1);
  BOOST_TEST(count["certify"] == 2 + 6);  // the inquiry's two records, then one each
}

// Appraisal, holds and destruction across servers: proposed on one, approved on the other, held
// and released, then carried out on both at once. Each record is destroyed once, its packages
// leave both storage roots, one 销毁清册 is filed, and either server answers 410 for it. Then a
// year is transferred from the shared catalogue while the servers run.
BOOST_AUTO_TEST_CASE(records_are_appraised_held_and_destroyed_once_across_servers) {
  TestArchive archive;
  TempDir replica;
  BOOST_REQUIRE(archive.session().AddReplica(replica.path()).ok());
  archive.Close();
  const std::string root = archive.root();
  PgTestSchema schema;
  RegisterArchivist(root, schema.url());
  RegisterUser(root, schema.url(), "领导", "leader");
  RegisterUser(root, schema.url(), "监销员", "leader");
  web::ApiKeyStore keys(root);
  const std::string intake = keys.Create("sbxt", web::ApiRole::kIntake).value();
  TempDir logs;
  std::unique_ptr<ChildProcess> a, b;
  const int ports[2] = {StartServer(&a, root, schema.url(), logs / "a.log"),
                        StartServer(&b, root, schema.url(), logs / "b.log")};
  std::vector<std::string> refs;
  for (const char* id : {"X-1", "X-2", "X-3"}) {
    // Formed in 2012 with 10 years (失业保险金申领审核表): due since 2023.
    std::string json = CaseJson(id, std::string("失业保险金申领审核表 ") + id);
    for (size_t at; (at = json.find("2025-04-01")) != std::string::npos;)
      json.replace(at, 10, "2012-04-01");
    Reply filed = Send(ports[0], "POST", "/api/v1/cases", intake, json);
    BOOST_REQUIRE_MESSAGE(filed.status == 201, filed.body);
    refs.push_back(filed.Json()->getValue<std::string>("reference"));
  }
  std::vector<std::string> year_2025;  // transferred below
  for (const char* id : {"T-1", "T-2"}) {
    Reply filed = Send(ports[1], "POST", "/api/v1/cases", intake,
                       CaseJson(id, std::string("失业保险金申领审核表 ") + id));
    BOOST_REQUIRE_MESSAGE(filed.status == 201, filed.body);
    year_2025.push_back(filed.Json()->getValue<std::string>("reference"));
  }
  const auto archivist = SignInArchivist(ports[0]);
  const auto leader = SignInArchivist(ports[1], "领导");

  // The command line sees the same, beside the running servers.
  const std::string cli = Quote(DANGAN_BINARY) + " --root " + Quote(root) + " --actor 档案员 ";
  const std::string on_pg = " --catalogue " + Quote(schema.url()) + " 2>&1";
  auto due_cli = Run(cli + "appraise due --due-by 2026-11-25" + on_pg);
  BOOST_REQUIRE_MESSAGE(due_cli.code == 0, due_cli);
  for (const auto& ref : refs) BOOST_TEST(Contains(due_cli.out, ref), due_cli.out);
  BOOST_TEST(Run(cli + "appraise due --catalogue mysql://x 2>&1").code == 2);
  BOOST_TEST(Run(cli + "hold list --catalogue '' 2>&1").code == 2);  // never the embedded one
  // The shared catalogue's users decide: a stranger is refused, whatever the root's file says.
  auto stranger =
      Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) + " --actor 路人 hold list" + on_pg);
  BOOST_TEST(stranger.code == 3, stranger);
  BOOST_TEST(Contains(stranger.out, "not a user of this PostgreSQL catalogue"), stranger);
  auto leader_cli =
      Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) + " --actor 领导 appraise propose " +
          refs[0] + " --decision destroy --reason 期满" + on_pg);
  BOOST_TEST(leader_cli.code == 3, leader_cli);  // a leader decides, never proposes
  Reply due = Send(ports[1], "GET", "/api/v1/appraisals/due", "", "", leader);
  BOOST_REQUIRE_MESSAGE(due.status == 200, due.body);
  BOOST_TEST(due.Json()->getArray("records")->size() == 3u, due.body);
  const std::string list = "[\"" + refs[0] + "\",\"" + refs[1] + "\",\"" + refs[2] + "\"]";
  Reply proposed =
      Send(ports[0], "POST", "/api/v1/appraisals", "",
           R"({"references":)" + list + R"(,"decision":"destroy","reason":"期满"})", archivist);
  BOOST_REQUIRE_MESSAGE(proposed.status == 201, proposed.body);
  std::string ids;
  auto id_list = proposed.Json()->getArray("ids");
  for (size_t i = 0; i < id_list->size(); ++i)
    ids += (i ? "," : "") + std::to_string(id_list->getElement<int64_t>(i));
  // Proposed on a, seen as open on b; approved there by someone else.
  BOOST_TEST(Send(ports[1], "POST", "/api/v1/appraisals", "",
                  R"({"references":)" + list + R"(,"decision":"destroy","reason":"期满"})",
                  archivist)
                 .status == 422);
  Reply approved = Send(ports[1], "POST", "/api/v1/appraisals/decisions", "",
                        R"({"ids":[)" + ids + R"(],"approve":true})", leader);
  BOOST_REQUIRE_MESSAGE(approved.status == 200, approved.body);

  // A hold placed on b stops a destruction on a; released, the destruction may go.
  Reply hold = Send(ports[1], "POST", "/api/v1/holds", "",
                    R"({"reference":")" + refs[2] + R"(","reason":"信访调查"})", leader);
  BOOST_REQUIRE_MESSAGE(hold.status == 201, hold.body);
  auto holds_cli = Run(cli + "hold list" + on_pg);
  BOOST_TEST(Contains(holds_cli.out, refs[2] + "\t信访调查"), holds_cli);
  const std::string supervisors = R"("supervisors":[{"name":"领导","password":"long enough pw"},)"
                                  R"({"name":"监销员","password":"long enough pw"}])";
  Reply held = Send(ports[0], "POST", "/api/v1/destructions", "",
                    R"({"all":true,)" + supervisors + "}", archivist);
  BOOST_TEST(held.status == 409, held.body);
  BOOST_TEST(Contains(held.body, refs[2]), held.body);
  Reply released =
      Send(ports[0], "POST",
           "/api/v1/holds/" + std::to_string(hold.Json()->getValue<int64_t>("id")) + "/release", "",
           "", archivist);
  BOOST_REQUIRE_MESSAGE(released.status == 200, released.body);

  // Carried out on both servers at once: one destroys, the other finds nothing left.
  std::mutex mu;
  std::vector<std::string> destroyed, registers, failures;
  std::vector<std::thread> runs;
  for (int i = 0; i < 2; ++i)
    runs.emplace_back([&, i] {
      Reply r = Send(ports[i], "POST", "/api/v1/destructions", "",
                     R"({"all":true,)" + supervisors + "}", archivist);
      std::lock_guard<std::mutex> lock(mu);
      if (r.status == 201) {
        auto d = r.Json()->getArray("destroyed");
        for (size_t k = 0; k < d->size(); ++k) destroyed.push_back(d->getElement<std::string>(k));
        auto g = r.Json()->getArray("registers");
        for (size_t k = 0; k < g->size(); ++k) registers.push_back(g->getElement<std::string>(k));
      } else if (r.status != 404) {
        failures.push_back(std::to_string(r.status) + " " + r.body);
      }
    });
  for (auto& t : runs) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(std::set<std::string>(destroyed.begin(), destroyed.end()) ==
             std::set<std::string>(refs.begin(), refs.end()));
  BOOST_TEST(destroyed.size() == refs.size());
  BOOST_REQUIRE(!registers.empty());
  BOOST_TEST(std::set<std::string>(registers.begin(), registers.end()).size() == 1u);

  for (int port : ports) {
    Reply gone = Send(port, "GET", "/api/v1/records/" + refs[0], "", "", archivist);
    BOOST_TEST(gone.status == 410, gone.body);
  }
  auto tombstones_cli = Run(cli + "destroy --list" + on_pg);
  BOOST_REQUIRE_MESSAGE(tombstones_cli.code == 0, tombstones_cli);
  for (const auto& ref : refs) BOOST_TEST(Contains(tombstones_cli.out, ref), tombstones_cli.out);
  Reply tombstones = Send(ports[1], "GET", "/api/v1/destructions", "", "", leader);
  BOOST_REQUIRE_MESSAGE(tombstones.status == 200, tombstones.body);
  auto stones = tombstones.Json()->getArray("tombstones");
  BOOST_REQUIRE_EQUAL(stones->size(), 3u);
  for (size_t i = 0; i < stones->size(); ++i)
    BOOST_TEST(stones->getObject(i)->getValue<std::string>("register_reference") ==
               registers.front());
  Reply register_record =
      Send(ports[1], "GET", "/api/v1/records/" + registers.front(), "", "", leader);
  BOOST_TEST(register_record.status == 200, register_record.body);
  BOOST_TEST(Contains(register_record.body, "销毁清册"), register_record.body);

  // 2025 handed over to the state archives from the shared catalogue while both servers run.
  TempDir out;
  auto transfer = Run(Quote(DANGAN_BINARY) + " --root " + Quote(root) +
                      " --actor 档案员 transfer --year 2025 --out " + Quote(out / "2025") +
                      " --catalogue " + Quote(schema.url()) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(transfer.code == 0, transfer);
  for (const auto& ref : year_2025) BOOST_TEST(Contains(transfer.out, ref), transfer.out);
  auto received = Run(Quote(DANGAN_BINARY) + " receive " + Quote(out / "2025") + " 2>&1");
  BOOST_TEST(received.code == 0, received);
  BOOST_TEST(Contains(received.out, "2 package(s)"), received);

  BOOST_TEST(a->Stop(30) == 0, Slurp(logs / "a.log"));
  BOOST_TEST(b->Stop(30) == 0, Slurp(logs / "b.log"));
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM destroyed_records WHERE packages_removed=1") ==
             "3");
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE source='dangan'") == "1");
  // Only the register's and the transferred records' packages are left, in each root.
  for (const std::string& r : {root, replica.path()}) {
    int packages = 0;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(r) / "packages"))
      packages += e.path().extension() == ".tar";
    BOOST_TEST(packages == 3, r);
  }
  auto count = ActionsOnTheSharedChain(schema.url());
  BOOST_TEST(count["destroy"] == 3);
  BOOST_TEST(count["appraise"] == 3);
  BOOST_TEST(count["appraise-approve"] == 3);
  BOOST_TEST(count["transfer"] == 2);
  BOOST_TEST(Scalar(**db, "SELECT count(*) FROM records WHERE state='transferred'") == "2");
}

BOOST_AUTO_TEST_CASE(bad_shared_catalogue_command_lines_are_refused_before_anything_opens) {
  TestArchive archive;
  archive.Close();
  TempDir scratch;
  auto serve = [&](const std::string& prefix, const std::string& args) {
    return Shell(scratch.path(), scratch.path(),
                 prefix + Quote(DANGAN_BINARY) + " --root " + Quote(archive.root()) +
                     " serve --port 0 " + args);
  };
  const std::string pg = "--catalogue postgresql://nobody@127.0.0.1:1/none ";
  struct Case {
    std::string prefix, args, says;
  };
  for (const Case& c :
       {Case{"", "--catalogue mysql://x", "postgresql://"},
        Case{"", "--catalogue-connections 4", "needs --catalogue"},
        Case{"", pg + "--catalogue-connections 0", "--catalogue-connections"},
        Case{"", pg + "--audit-rate 5", "does not apply"},
        Case{"", pg + "--search-cache 10", "does not apply"},
        Case{"DANGAN_CATALOGUE=postgresql://x/y ", "", "$DANGAN_CATALOGUE is set"}}) {
    auto r = serve(c.prefix, c.args);
    BOOST_TEST(r.code == 2, c.args << ": " << r);
    BOOST_TEST(Contains(r.err, c.says), c.args << ": " << r);
  }
  // audit verify --catalogue: the same URL rule; the other audit commands refuse the flag; an
  // unreachable server is an error, not a verdict; none writes an anchor.
  auto audit = [&](const std::string& args) {
    return Shell(scratch.path(), scratch.path(),
                 Quote(DANGAN_BINARY) + " --root " + Quote(archive.root()) + " audit " + args);
  };
  for (const Case& c : {Case{"", "verify --catalogue mysql://x", "postgresql://"},
                        Case{"", "run " + pg, "audit verify only"},
                        Case{"", "reanchor --reason x " + pg, "audit verify only"}}) {
    auto r = audit(c.args);
    BOOST_TEST(r.code == 2, c.args << ": " << r);
    BOOST_TEST(Contains(r.err, c.says), c.args << ": " << r);
  }
  auto unreachable = audit("verify " + pg);
  BOOST_TEST(unreachable.code == 1, unreachable);
  BOOST_TEST(!Contains(unreachable.out, "intact"), unreachable);
  BOOST_TEST(!fs::exists(fs::path(archive.root()) / "audit-head-postgresql"));
  // None of them marked the root as shared.
  BOOST_TEST(!fs::exists(fs::path(archive.root()) / cli::ArchiveSession::kWorkerMark));
}
