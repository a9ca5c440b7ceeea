#define BOOST_TEST_MODULE workbench_api
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "archive/cli/capture_filing.h"
#include "storage/password_hash.h"
#include "storage/secret_key.h"
#include "storage/user_registry.h"
#include "tests/support/case_factory.h"
#include "tests/support/shell.h"
#include "web/api_server.h"

// The web workbench's side of the server: sign-in sessions with cookies and CSRF tokens, what
// each person's role may reach, the capture review queue over HTTP, and the front end's files.
// A real archive behind a real server on a loopback port; review items come from the real
// `dangan capture` (Tesseract) on a scan of the test corpus.

using namespace dangan;
using namespace dangan::testing;
using Poco::JSON::Object;
namespace fs = std::filesystem;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::vector<std::string> cookies;
  Object::Ptr Json() const {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Object::Ptr>();
  }
};

// A person's browser: the session cookie and the CSRF token it was given at sign-in.
struct Browser {
  std::string cookie;
  std::string csrf;
};

const std::map<std::string, std::string> kPeople = {
    {"admin", "admin"}, {"wang", "archivist"}, {"li", "leader"}, {"zhao", "inquiry"}};

class Fixture {
 public:
  explicit Fixture(const std::string& ui_root = "", bool with_scans = false)
      : keys(archive.root()) {
    auto policy = AccessPolicy::LoadBuiltin().value();
    UserRegistry users(archive.session().catalogue());
    // Few PBKDF2 rounds: the stored form names its own count, so sign-in checks them as stored.
    for (const auto& name : {"admin", "wang", "li", "zhao"})
      BOOST_REQUIRE(users
                        .Add(name, kPeople.at(name), policy, "admin", cli::NowIso8601(),
                             HashPassword(std::string("pw-") + name + "-secret", 1000).value())
                        .ok());
    if (with_scans) CaptureForReview();
    secret = LoadOrCreateSecret(archive.root()).value();
    reader_key = keys.Create("workbench", web::ApiRole::kReader).value();
    auto& s = archive.session();
    web::Services services{archive.root(), &s.scheme(), &s.catalogue(),
                           &s.packages(),  &s.filing(), &keys,
                           secret,         "J012",      "测试市社会保险事业管理中心",
                           cli::NowIso8601};
    sessions = std::make_unique<SessionStore>(s.catalogue(), SessionStore::Options{});
    desk = std::make_unique<cli::CaptureReviewDesk>(s);
    services.sessions = sessions.get();
    services.review = desk.get();
    web::ServerOptions opt;
    opt.port = 0;
    opt.threads = 4;
    opt.rate_per_address = 0;
    opt.rate_per_key = 0;
    opt.ui_root = ui_root;
    server = std::make_unique<web::ApiServer>(services, opt);
    Status st = server->Start();
    if (!st.ok()) throw std::runtime_error(st.ToString());
  }
  ~Fixture() { server->Stop(5); }

  // Two scans of the corpus captured by the real program with --threshold 1, so both wait in
  // the review queue. The archive is closed meanwhile (one writer at a time).
  void CaptureForReview() {
    archive.Close();
    const std::string corpus = std::string(DANGAN_SOURCE_DIR) + "/tests/data/corpus/";
    auto r = Run(std::string(DANGAN_BINARY) + " --root " + Quote(archive.root()) +
                 " --actor wang capture --threshold 1 " + Quote(corpus + "dev_0001.jpg") + " " +
                 Quote(corpus + "dev_0005.jpg"));
    BOOST_TEST_REQUIRE(r.code == 0, r);
    archive.Reopen();
  }

  Reply Send(const std::string& method, const std::string& path, const Browser* who = nullptr,
             const std::string& body = "", const std::map<std::string, std::string>& headers = {},
             bool with_csrf = true) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server->port()));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (who && !who->cookie.empty()) {
      Poco::Net::NameValueCollection c;
      c.add("dangan_session", who->cookie);
      req.setCookies(c);
      if (with_csrf && method != "GET") req.set("X-CSRF-Token", who->csrf);
    }
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
      req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    Poco::StreamCopier::copyToString(in, r.body);
    for (const auto& [k, v] : resp) {
      r.headers[k] = v;
      if (Poco::icompare(k, "Set-Cookie") == 0) r.cookies.push_back(v);
    }
    return r;
  }

  Browser SignIn(const std::string& name) {
    auto r = Send("POST", "/api/v1/session", nullptr,
                  "{\"name\":\"" + name + "\",\"password\":\"pw-" + name + "-secret\"}");
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_REQUIRE(r.cookies.size() == 1u);
    const std::string& c = r.cookies[0];
    Browser b;
    auto eq = c.find('='), semi = c.find(';');
    b.cookie = c.substr(eq + 1, semi - eq - 1);
    b.csrf = r.Json()->getValue<std::string>("csrf");
    return b;
  }

  int64_t CountEvents(const std::string& action) {
    auto events = archive.session().catalogue().Events();
    int64_t n = 0;
    for (const auto& e : events.value()) n += e.action == action;
    return n;
  }

  TestArchive archive;
  web::ApiKeyStore keys;
  std::string secret, reader_key;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<cli::CaptureReviewDesk> desk;
  std::unique_ptr<web::ApiServer> server;
};

}  // namespace

BOOST_AUTO_TEST_CASE(sign_in_gives_a_strict_cookie_and_changes_need_its_csrf_token) {
  Fixture f;
  // Wrong password and unknown name: the same answer.
  auto wrong = f.Send("POST", "/api/v1/session", nullptr,
                      R"({"name":"wang","password":"not the password"})");
  auto nobody = f.Send("POST", "/api/v1/session", nullptr,
                       R"({"name":"nobody","password":"not the password"})");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(nobody.status == 401);
  BOOST_TEST(wrong.Json()->getValue<std::string>("detail") ==
             nobody.Json()->getValue<std::string>("detail"));
  BOOST_TEST(wrong.cookies.empty());
  BOOST_TEST(f.Send("POST", "/api/v1/session", nullptr, "{not json").status == 400);
  BOOST_TEST(f.Send("GET", "/api/v1/session").status == 401);

  auto ok =
      f.Send("POST", "/api/v1/session", nullptr, R"({"name":"wang","password":"pw-wang-secret"})");
  BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
  BOOST_REQUIRE(ok.cookies.size() == 1u);
  const std::string cookie = ok.cookies[0];
  BOOST_TEST(Contains(cookie, "HttpOnly"));
  BOOST_TEST(Contains(Poco::toLower(cookie), "samesite=strict"));
  BOOST_TEST(Contains(Poco::toLower(cookie), "path=/"));
  auto me = ok.Json();
  BOOST_TEST(me->getValue<std::string>("role") == "archivist");
  BOOST_TEST(me->getValue<std::string>("role_name") == "档案管理员");
  BOOST_TEST(me->getValue<std::string>("csrf").size() == 64u);
  // Only the token's hash is kept: the cookie's value is nowhere in the catalogue file.
  Browser wang{cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1),
               me->getValue<std::string>("csrf")};
  BOOST_TEST(f.CountEvents("sign-in") == 1);

  auto again = f.Send("GET", "/api/v1/session", &wang);
  BOOST_TEST_REQUIRE(again.status == 200);
  BOOST_TEST(again.Json()->getValue<std::string>("name") == "wang");
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=养老", &wang).status == 200);
  // Without the CSRF token (or with another), a cookie changes nothing.
  BOOST_TEST(
      f.Send("POST", "/api/v1/review/1/reject", &wang, R"({"reason":"x"})", {}, false).status ==
      403);
  BOOST_TEST(f.Send("POST", "/api/v1/review/1/reject", &wang, R"({"reason":"x"})",
                    {{"X-CSRF-Token", std::string(64, 'a')}}, false)
                 .status == 403);
  BOOST_TEST(f.Send("POST", "/api/v1/review/99/reject", &wang, R"({"reason":"x"})").status == 404);
  // A made-up cookie is nobody.
  Browser forged{std::string(64, '0'), wang.csrf};
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=养老", &forged).status == 401);
  // A person does not file through the business systems' call.
  BOOST_TEST(f.Send("POST", "/api/v1/cases", &wang, "{}").status == 403);

  // Signing out needs the token too, ends the session and clears the cookie.
  BOOST_TEST(f.Send("DELETE", "/api/v1/session", &wang, "", {}, false).status == 403);
  auto out = f.Send("DELETE", "/api/v1/session", &wang);
  BOOST_TEST(out.status == 204);
  BOOST_REQUIRE(out.cookies.size() == 1u);
  BOOST_TEST(Contains(Poco::toLower(out.cookies[0]), "expires="));
  BOOST_TEST(!Contains(out.cookies[0], wang.cookie));
  BOOST_TEST(f.Send("GET", "/api/v1/session", &wang).status == 401);
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=养老", &wang).status == 401);
  BOOST_TEST(f.CountEvents("sign-out") == 1);
}

BOOST_AUTO_TEST_CASE(a_new_password_ends_sessions_and_guessing_is_rate_limited) {
  Fixture f;
  Browser li = f.SignIn("li");
  UserRegistry users(f.archive.session().catalogue());
  BOOST_REQUIRE(users
                    .SetPassword("li", HashPassword("a new password", 1000).value(), "admin",
                                 cli::NowIso8601())
                    .ok());
  BOOST_TEST(f.Send("GET", "/api/v1/session", &li).status == 401);
  auto fresh =
      f.Send("POST", "/api/v1/session", nullptr, R"({"name":"li","password":"a new password"})");
  BOOST_TEST(fresh.status == 200);
  // Five guesses at one name in a burst, then 429 with Retry-After.
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = f.Send("POST", "/api/v1/session", nullptr,
                    R"({"name":"zhao","password":"guess number )" + std::to_string(i) + "\"}");
    if (r.status == 429) {
      ++limited;
      BOOST_TEST(!r.headers["Retry-After"].empty());
    } else {
      BOOST_TEST(r.status == 401);
    }
  }
  BOOST_TEST(limited >= 2);
}

// Every route × every person's role: what roles.json forbids is refused (403) before any work,
// what it allows is never refused for want of rights. The table is written out, not derived
// from the policy, so a change to either shows. a = admin, w = wang (archivist), l = li (leader),
// z = zhao (查询窗口).
BOOST_AUTO_TEST_CASE(role_by_endpoint_matrix_for_people) {
  Fixture f;
  const std::map<std::string, std::string> allowed = {
      {"POST /api/v1/cases", "w"},  // the permission; the call itself is for keys (403 to all)
      {"GET /api/v1/cases/{source}/{case_id}", "w"},
      {"GET /api/v1/records", "awlz"},
      {"GET /api/v1/records/{reference}", "awlz"},
      {"GET /api/v1/records/{reference}/files/{name}", "wz"},
      {"GET /api/v1/records/{reference}/package", "wz"},
      {"GET /api/v1/records.csv", "awl"},
      {"GET /api/v1/stats/holdings", "awl"},
      {"GET /api/v1/stats/intake", "awl"},
      {"GET /api/v1/stats/utilization", "awl"},
      {"GET /api/v1/stats/fixity", "awl"},
      {"GET /api/v1/stats/annual", "awl"},
      {"GET /api/v1/reports/catalogue", "awl"},
      {"GET /api/v1/reports/statistics", "awl"},
      {"POST /api/v1/reports/certificates", "wz"},
      {"GET /api/v1/scheme", "awlz"},
      {"GET /api/v1/review", "w"},
      {"GET /api/v1/review/{id}", "w"},
      {"GET /api/v1/review/{id}/pages/{page}", "w"},
      {"POST /api/v1/review/{id}/accept", "w"},
      {"POST /api/v1/review/{id}/reject", "w"},
  };
  const std::set<std::string> open = {"GET /healthz",
                                      "GET /metrics",
                                      "GET /api/v1/openapi.json",
                                      "POST /api/v1/session",
                                      "GET /api/v1/session",
                                      "DELETE /api/v1/session",
                                      "GET /",
                                      "GET /assets/{file}",
                                      "GET /api/v1/reports/certificates/{serial}/verification"};
  std::map<char, Browser> people = {{'a', f.SignIn("admin")},
                                    {'w', f.SignIn("wang")},
                                    {'l', f.SignIn("li")},
                                    {'z', f.SignIn("zhao")}};
  for (const auto& r : f.server->router().routes()) {
    const std::string route = r.method + " " + r.pattern;
    BOOST_TEST_CONTEXT(route) {
      if (open.count(route)) {
        BOOST_TEST(r.permission.empty());
        continue;
      }
      auto it = allowed.find(route);
      BOOST_TEST_REQUIRE((it != allowed.end()), "route missing from the matrix: " << route);
      std::string path = r.pattern;
      for (auto [param, value] :
           {std::pair{"{source}", "sbxt"}, std::pair{"{case_id}", "X-1"},
            std::pair{"{reference}", "J012-0102-2025-D30-0001"}, std::pair{"{name}", "a.txt"},
            std::pair{"{id}", "999"}, std::pair{"{page}", "1"}}) {
        auto at = path.find(param);
        if (at != std::string::npos) path.replace(at, std::string(param).size(), value);
      }
      BOOST_TEST(f.Send(r.method, path).status == 401);
      for (auto& [who, browser] : people) {
        BOOST_TEST_CONTEXT("as " << who) {
          auto reply = f.Send(r.method, path, &browser, r.method == "POST" ? "{}" : "");
          const bool may = it->second.find(who) != std::string::npos;
          if (!may) {
            BOOST_TEST(reply.status == 403);
            BOOST_TEST(Contains(reply.body, "may not"), reply.body);
          } else if (route != "POST /api/v1/cases") {
            BOOST_TEST(reply.status != 403, reply.body);
            BOOST_TEST(reply.status != 401);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_review_queue_over_http_files_and_rejects) {
  Fixture f("", /*with_scans=*/true);
  Browser wang = f.SignIn("wang");
  auto list = f.Send("GET", "/api/v1/review", &wang);
  BOOST_TEST_REQUIRE(list.status == 200, list.body);
  auto items = list.Json()->getArray("items");
  BOOST_REQUIRE(items->size() == 2u);
  const int64_t first = items->getObject(0)->getValue<int64_t>("id");
  const int64_t second = items->getObject(1)->getValue<int64_t>("id");
  BOOST_TEST(f.Send("GET", "/api/v1/review?state=bogus", &wang).status == 422);

  const int64_t views = f.CountEvents("view");
  auto one = f.Send("GET", "/api/v1/review/" + std::to_string(first), &wang);
  BOOST_TEST_REQUIRE(one.status == 200, one.body);
  auto doc = one.Json();
  BOOST_TEST(doc->getValue<std::string>("state") == "pending");
  BOOST_TEST(!doc->getValue<std::string>("text").empty());
  BOOST_TEST(doc->getObject("case")->has("title"));
  auto layout = doc->getObject("layout");
  BOOST_REQUIRE(layout);
  auto page = layout->getArray("pages")->getObject(0);
  BOOST_TEST(page->getValue<int>("width") > 0);
  BOOST_TEST(page->getArray("lines")->size() > 0u);
  BOOST_TEST(doc->getValue<int>("page_images") == 1);

  auto image = f.Send("GET", "/api/v1/review/" + std::to_string(first) + "/pages/1", &wang);
  BOOST_TEST_REQUIRE(image.status == 200);
  BOOST_TEST(image.headers["Content-Type"] == "image/jpeg");
  BOOST_TEST(image.body.substr(0, 3) == std::string("\xFF\xD8\xFF"));
  BOOST_TEST(f.Send("GET", "/api/v1/review/" + std::to_string(first) + "/pages/2", &wang).status ==
             404);
  BOOST_TEST(f.Send("GET", "/api/v1/review/abc", &wang).status == 404);

  // Corrected to another item, with another title: filed as that, under the archivist's name.
  auto bad_item = f.Send("POST", "/api/v1/review/" + std::to_string(first) + "/accept", &wang,
                         R"({"item":"9999"})");
  BOOST_TEST(bad_item.status == 422);
  auto accepted = f.Send("POST", "/api/v1/review/" + std::to_string(first) + "/accept", &wang,
                         R"({"item":"0503","title":"失业保险金申领登记表（更正）"})");
  BOOST_TEST_REQUIRE(accepted.status == 201, accepted.body);
  const std::string ref = accepted.Json()->getValue<std::string>("reference");
  auto record = f.archive.session().catalogue().GetRecord(ref).value();
  BOOST_REQUIRE(record);
  BOOST_TEST(record->parts.item == "0503");
  BOOST_TEST(record->title == "失业保险金申领登记表（更正）");
  BOOST_TEST(
      f.Send("POST", "/api/v1/review/" + std::to_string(first) + "/accept", &wang, "{}").status ==
      409);
  auto examples = f.desk->queue().Examples().value();
  BOOST_REQUIRE(examples.size() == 1u);
  BOOST_TEST(examples[0].confirmed_item == "0503");
  BOOST_TEST(examples[0].actor == "wang");

  // A rejection needs a reason.
  BOOST_TEST(
      f.Send("POST", "/api/v1/review/" + std::to_string(second) + "/reject", &wang, "{}").status ==
      422);
  BOOST_TEST(f.Send("POST", "/api/v1/review/" + std::to_string(second) + "/reject", &wang, "[1,2]")
                 .status == 400);
  auto rejected = f.Send("POST", "/api/v1/review/" + std::to_string(second) + "/reject", &wang,
                         R"({"reason":"空白页"})");
  BOOST_TEST(rejected.status == 200, rejected.body);
  auto left = f.Send("GET", "/api/v1/review", &wang).Json()->getArray("items");
  BOOST_TEST(left->size() == 0u);
  auto all = f.Send("GET", "/api/v1/review?state=all", &wang).Json()->getArray("items");
  BOOST_TEST(all->size() == 2u);
  // The draft names people: showing it was an access, logged once the server flushes its log.
  f.server->Stop(5);
  BOOST_TEST(f.CountEvents("view") == views + 1);
  BOOST_TEST(f.CountEvents("review") == 1);
  BOOST_TEST(f.CountEvents("review-reject") == 1);
}

BOOST_AUTO_TEST_CASE(the_front_end_is_served_under_a_strict_policy) {
  TempDir ui;
  fs::create_directories(fs::path(ui.path()) / "assets");
  std::ofstream(fs::path(ui.path()) / "index.html") << "<!doctype html><title>档案</title>";
  std::ofstream(fs::path(ui.path()) / "assets" / "app-1a2b.js") << "console.log(1)";
  std::ofstream(fs::path(ui.path()) / "secret.txt") << "not an asset";
  Fixture f(ui.path());
  auto index = f.Send("GET", "/");
  BOOST_TEST_REQUIRE(index.status == 200);
  BOOST_TEST(Contains(index.body, "档案"));
  BOOST_TEST(Contains(index.headers["Content-Security-Policy"], "script-src 'self'"));
  BOOST_TEST(Contains(index.headers["Content-Security-Policy"], "object-src 'none'"));
  BOOST_TEST(!Contains(index.headers["Content-Security-Policy"], "unsafe"));
  BOOST_TEST(index.headers["X-Content-Type-Options"] == "nosniff");
  auto js = f.Send("GET", "/assets/app-1a2b.js");
  BOOST_TEST(js.status == 200);
  BOOST_TEST(Contains(js.headers["Content-Type"], "javascript"));
  BOOST_TEST(Contains(js.headers["Cache-Control"], "immutable"));
  BOOST_TEST(f.Send("GET", "/assets/..%2Fsecret.txt").status == 404);
  BOOST_TEST(f.Send("GET", "/assets/..%2Findex.html").status == 404);
  BOOST_TEST(f.Send("GET", "/assets/nothing.js").status == 404);
  BOOST_TEST(f.Send("GET", "/secret.txt").status == 404);

  Fixture none;  // no front end configured
  auto missing = none.Send("GET", "/");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(Contains(missing.body, "not built"));
}
