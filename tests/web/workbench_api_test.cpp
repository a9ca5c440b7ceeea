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
#include <Poco/URI.h>
#include <leptonica/allheaders.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "archive/cli/capture_filing.h"
#include "archive/identifiers.h"
#include "archive/inquiry_rules.h"
#include "storage/inquiry_register.h"
#include "storage/password_hash.h"
#include "storage/secret_key.h"
#include "storage/user_registry.h"
#include "tests/support/case_factory.h"
#include "tests/support/fullwidth.h"
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
  std::string reason;
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

const std::map<std::string, std::string> kPeople = {{"admin", "admin"},
                                                    {"wang", "archivist"},
                                                    {"li", "leader"},
                                                    {"zhao", "inquiry"},
                                                    {"chen", "archivist"}};

class Fixture {
 public:
  explicit Fixture(const std::string& ui_root = "", bool with_scans = false,
                   double inquiries_per_address_hour = 0)
      : keys(archive.root()) {
    auto policy = AccessPolicy::LoadBuiltin().value();
    UserRegistry users(archive.session().catalogue());
    // Few PBKDF2 rounds: the stored form names its own count, so sign-in checks them as stored.
    for (const auto& name : {"admin", "wang", "li", "zhao", "chen"})
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
    opt.inquiries_per_address_hour = inquiries_per_address_hour;
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
      if (!headers.count("Content-Type")) req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    r.reason = resp.getReason();
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

std::string Encoded(const std::string& segment) {
  std::string out;
  Poco::URI::encode(segment, "/?#&=+;:@$!'()*,[]\"% ", out);
  return out;
}

// A blank gray A4 page at 150 dpi as PNG, drawn by Leptonica: a scan as a business system would
// send one.
std::string TinyPng() {
  Pix* pix = pixCreate(1240, 1754, 8);
  pixSetAllArbitrary(pix, 200);
  pixSetResolution(pix, 150, 150);
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMemPng(&data, &size, pix, 0);
  pixDestroy(&pix);
  std::string out(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sign_in_gives_a_strict_cookie_and_changes_need_its_csrf_token) {
  Fixture f;
  // Wrong password and unknown name: the same answer.
  auto wrong = f.Send("POST", "/api/v1/session", nullptr,
                      R"({"name":"wang","password":"not the password"})");
  auto nobody = f.Send("POST", "/api/v1/session", nullptr,
                       R"({"name":"nobody","password":"not the password"})");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(wrong.reason == "Unauthorized");
  BOOST_TEST(wrong.headers["X-Content-Type-Options"] == "nosniff");
  BOOST_TEST(nobody.status == 401);
  BOOST_TEST(wrong.Json()->getValue<std::string>("detail") ==
             nobody.Json()->getValue<std::string>("detail"));
  BOOST_TEST(wrong.cookies.empty());
  BOOST_TEST(f.Send("POST", "/api/v1/session", nullptr, "{not json").status == 400);
  // A cross-site form posts text/plain: it signs no one in.
  BOOST_TEST(f.Send("POST", "/api/v1/session", nullptr,
                    R"({"name":"wang","password":"pw-wang-secret"})",
                    {{"Content-Type", "text/plain"}})
                 .status == 415);
  BOOST_TEST(f.Send("GET", "/api/v1/session").status == 401);
  BOOST_TEST(f.Send("POST", "/api/v1/session", nullptr,
                    "{\"name\":\"" + std::string(200, 'a') + "\",\"password\":\"x\"}")
                 .status == 401);
  BOOST_TEST(f.Send("POST", "/api/v1/session", nullptr, R"({"name":1,"password":"x"})").status ==
             400);

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
      {"GET /api/v1/records/{reference}/files/{name}/pages/{page}", "wz"},
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
      {"GET /api/v1/inquiries", "wz"},
      {"GET /api/v1/inquiries/{number}", "wz"},
      {"POST /api/v1/inquiries/{number}/approve", "wz"},
      {"POST /api/v1/inquiries/{number}/reject", "wz"},
      {"POST /api/v1/inquiries/{number}/answer", "wz"},
      {"GET /api/v1/inquiries.csv", "awl"},
      {"GET /api/v1/inquiries.pdf", "awl"},
      {"GET /api/v1/stats/inquiries", "awl"},
      {"GET /api/v1/appraisals/due", "wl"},
      {"GET /api/v1/appraisals", "wl"},
      {"POST /api/v1/appraisals", "w"},
      {"POST /api/v1/appraisals/decisions", "l"},
      {"GET /api/v1/holds", "wl"},
      {"POST /api/v1/holds", "wl"},
      {"POST /api/v1/holds/{id}/release", "wl"},
      {"GET /api/v1/destructions", "wl"},
      {"POST /api/v1/destructions", "w"},
  };
  const std::set<std::string> open = {
      "GET /healthz",
      "GET /metrics",
      "GET /api/v1/openapi.json",
      "POST /api/v1/session",
      "GET /api/v1/session",
      "DELETE /api/v1/session",
      "GET /",
      "GET /assets/{file}",
      "GET /api/v1/reports/certificates/{serial}/verification",
      "GET /api/v1/public/inquiry-guide",
      "POST /api/v1/public/inquiries",
      "GET /api/v1/public/inquiries/{number}",
      "GET /api/v1/public/inquiries/{number}/certificate",
      "POST /api/v1/public/inquiries/{number}/rating",
      "POST /api/v1/public/inquiries/{number}/complaint",
      "GET /api/v1/public/inquiries/{number}/records/{reference}/files/{name}"};
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
            std::pair{"{id}", "999"}, std::pair{"{page}", "1"}, std::pair{"{number}", "CX-1"}}) {
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
  BOOST_TEST(f.CountEvents("view") == views + 2);  // the draft and its page image
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

BOOST_AUTO_TEST_CASE(inquiry_rules_are_data_and_count_working_days) {
  auto rules = InquiryRules::LoadBuiltin();
  BOOST_TEST_REQUIRE(rules.ok(), rules.status().ToString());
  BOOST_TEST(rules->promised_working_days() == 5);
  BOOST_TEST(rules->FindType("person")->online);
  BOOST_TEST(!rules->FindType("agent")->online);
  BOOST_TEST(Contains(rules->guide_json(), "一次告知") == false);  // the note is not shown
  BOOST_TEST(Contains(rules->guide_json(), "notice"));
  // Friday 10:00 + 5 working days = the next Friday; a Saturday counts from Monday.
  BOOST_TEST(rules->DueAt("2026-11-20T10:00:00+08:00").value() == "2026-11-27T10:00:00+08:00");
  BOOST_TEST(rules->DueAt("2026-11-21T10:00:00+08:00").value() == "2026-11-27T10:00:00+08:00");
  BOOST_TEST(!rules->DueAt("yesterday").ok());
  std::string json = BuiltinInquiryJson();
  std::string agent_online = json;
  Poco::replaceInPlace(agent_online, std::string("\"name\": \"受委托代理人\", \"online\": false"),
                       std::string("\"name\": \"受委托代理人\", \"online\": true"));
  BOOST_TEST(!InquiryRules::Parse(agent_online, "t").ok());
  std::string no_ratings = json;
  Poco::replaceInPlace(no_ratings, std::string("\"ratings\": [\"满意\", \"基本满意\", \"不满意\"]"),
                       std::string("\"ratings\": []"));
  BOOST_TEST(no_ratings != json);
  BOOST_TEST(!InquiryRules::Parse(no_ratings, "t").ok());
}

// The portal's request from submission through approval to the certificate and its check, with
// the requester seeing only their own records, then the rating, the complaint and its answer,
// the ledger and the figures.
BOOST_AUTO_TEST_CASE(an_inquiry_from_submission_to_certificate) {
  Fixture f;
  auto& s = f.archive.session();
  const std::string other_id = ValidIdNumber("11010519800101001");
  std::vector<std::string> own;
  own.push_back(
      s.filing()
          .File(f.archive.MakeCase("Q-1", "0102", "张三 参保人员增员申报表"), "business", "t")
          .value()
          .reference);
  own.push_back(s.filing()
                    .File(f.archive.MakeCase("Q-2", "0102", "张三 参保人员增员申报表（扫描）",
                                             {{"扫描件.png", TinyPng()}}),
                          "business", "t")
                    .value()
                    .reference);
  // Under the requester's number but another name: served only with a stated reason.
  auto misnamed = f.archive.MakeCase("Q-4", "0102", "张叁 参保人员增员申报表");
  misnamed.person = Person{ValidIdNumber(), "张叁"};
  const std::string misnamed_ref = s.filing().File(misnamed, "business", "t").value().reference;
  auto other_case = f.archive.MakeCase("Q-3", "0102", "李四 参保人员增员申报表");
  other_case.person = Person{other_id, "李四"};
  const std::string other_ref = s.filing().File(other_case, "business", "t").value().reference;

  auto guide = f.Send("GET", "/api/v1/public/inquiry-guide");
  BOOST_TEST_REQUIRE(guide.status == 200);
  BOOST_TEST(guide.Json()->getValue<int>("promised_working_days") == 5);

  // Bad requests are refused field by field, and nothing is stored.
  auto bad = f.Send("POST", "/api/v1/public/inquiries", nullptr,
                    R"({"requester_type":"person","name":"张三","identifier":"110105194912310020",)"
                    R"("purpose":"办理退休","contact":"13800000000"})");
  BOOST_TEST(bad.status == 422);
  BOOST_TEST(Contains(bad.body, "\"field\":\"identifier\""));
  auto agent = f.Send("POST", "/api/v1/public/inquiries", nullptr,
                      R"({"requester_type":"agent","name":"王五","identifier":"x",)"
                      R"("purpose":"其他","contact":"1"})");
  BOOST_TEST(agent.status == 422);
  BOOST_TEST(Contains(agent.body, "service window"));
  BOOST_TEST(f.Send("POST", "/api/v1/public/inquiries", nullptr, "{}").status == 422);
  BOOST_TEST(f.Send("POST", "/api/v1/public/inquiries", nullptr, "[").status == 400);
  BOOST_TEST(InquiryRegister(s.catalogue()).List("", 10).value().empty());

  const std::string ask = R"({"requester_type":"person","name":"张三","identifier":")" +
                          ValidIdNumber() + R"(","purpose":"办理退休","contact":"13800000000"})";
  auto made = f.Send("POST", "/api/v1/public/inquiries", nullptr, ask);
  BOOST_TEST_REQUIRE(made.status == 201, made.body);
  const std::string number = made.Json()->getValue<std::string>("number");
  const std::string code = made.Json()->getValue<std::string>("access_code");
  BOOST_TEST(number.rfind("CX-", 0) == 0);
  BOOST_TEST(code.size() == 32u);
  const std::map<std::string, std::string> with_code = {{"X-Inquiry-Code", code}};
  const std::string mine = "/api/v1/public/inquiries/" + number;

  // Before approval nothing about the holdings shows; a wrong code is an unknown number.
  BOOST_TEST(f.Send("GET", mine).status == 404);
  BOOST_TEST(f.Send("GET", mine, nullptr, "", {{"X-Inquiry-Code", std::string(32, '0')}}).status ==
             404);
  auto waiting = f.Send("GET", mine, nullptr, "", with_code);
  BOOST_TEST_REQUIRE(waiting.status == 200, waiting.body);
  BOOST_TEST(waiting.Json()->getValue<std::string>("state") == "submitted");
  BOOST_TEST(!waiting.Json()->has("records"));
  BOOST_TEST(!Contains(waiting.body, "张三"));  // masked even to its requester
  BOOST_TEST(!Contains(waiting.body, ValidIdNumber()));

  // The archivist sees the request and the records under its identifier, not the others'.
  Browser wang = f.SignIn("wang");
  auto queue = f.Send("GET", "/api/v1/inquiries?state=submitted", &wang);
  BOOST_TEST_REQUIRE(queue.status == 200);
  BOOST_TEST(queue.Json()->getArray("items")->size() == 1u);
  auto detail = f.Send("GET", "/api/v1/inquiries/" + number, &wang).Json();
  auto matches = detail->getArray("matches");
  BOOST_REQUIRE(matches->size() == 3u);
  BOOST_TEST(matches->getObject(0)->getValue<bool>("name_matches"));
  BOOST_TEST(matches->getObject(0)->getValue<std::string>("title") == "张三 参保人员增员申报表");
  BOOST_TEST(!Contains(f.Send("GET", "/api/v1/inquiries/" + number, &wang).body, other_ref));
  // Each matched record's access history shows the views (twice, above) and why.
  BOOST_TEST(f.Send("GET", "/api/v1/stats/utilization", &wang).status == 200);  // flushes
  for (const auto& r : s.catalogue().Events(own[0], 0, RecordCatalogue::EventKinds::kAll).value())
    if (r.action == "view") BOOST_TEST(Contains(r.detail, number), r.detail);
  int64_t own_views = 0;
  for (const auto& r : s.catalogue().Events(own[0], 0, RecordCatalogue::EventKinds::kAll).value())
    own_views += r.action == "view";
  BOOST_TEST(own_views == 2);

  // Only the requester's own records can be served.
  BOOST_TEST(
      f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang, R"({"references":"all"})")
          .status == 422);
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang,
                    R"({"copies_allowed":"yes"})")
                 .status == 422);
  auto foreign = f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang,
                        "{\"references\":[\"" + other_ref + "\"]}");
  BOOST_TEST(foreign.status == 422);
  Browser leader = f.SignIn("li");
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &leader, "{}").status ==
             403);
  auto misnamed_only = f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang,
                              "{\"references\":[\"" + misnamed_ref + "\"]}");
  BOOST_TEST(misnamed_only.status == 422);
  BOOST_TEST(Contains(misnamed_only.body, "override_reason"));
  // Identity checked (by telephone, say): copies may go online; the default serves the
  // records under the requester's own name only.
  auto approved = f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang,
                         R"({"copies_allowed":true})");
  BOOST_TEST_REQUIRE(approved.status == 200, approved.body);
  BOOST_TEST(approved.Json()->getArray("served")->size() == 2u);
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + number + "/approve", &wang, "{}").status == 409);

  auto served = f.Send("GET", mine, nullptr, "", with_code);
  BOOST_TEST_REQUIRE(served.status == 200);
  auto view = served.Json();
  BOOST_TEST(view->getValue<std::string>("state") == "approved");
  auto records = view->getArray("records");
  BOOST_REQUIRE(records->size() == 2u);
  BOOST_TEST(records->getObject(0)->getValue<std::string>("reference") == own[0]);
  BOOST_TEST(records->getObject(0)->getValue<std::string>("person") == "张三");
  BOOST_TEST(!Contains(served.body, other_ref));
  auto cert = view->getObject("certificate");
  BOOST_REQUIRE(cert);
  auto pdf = f.Send("GET", mine + "/certificate", nullptr, "", with_code);
  BOOST_TEST(pdf.status == 200);
  BOOST_TEST(pdf.body.rfind("%PDF", 0) == 0);
  BOOST_TEST(f.Send("GET", mine + "/certificate").status == 404);
  // Copies come watermarked with the request's number, text and scans alike, and flattened: each
  // page is one picture with the watermark in its pixels, no text or clean image to lift out.
  auto copy =
      f.Send("GET", mine + "/records/" + Encoded(own[0]) + "/files/" + Encoded("申请表.txt"),
             nullptr, "", with_code);
  BOOST_TEST_REQUIRE(copy.status == 200, copy.body);
  BOOST_TEST(copy.body.rfind("%PDF", 0) == 0);
  TempDir scratch;
  const std::string copy_pdf = scratch.path() + "/copy.pdf";
  std::ofstream(copy_pdf, std::ios::binary) << copy.body;
  auto text = Run("pdftotext -enc UTF-8 " + Quote(copy_pdf) + " - 2>/dev/null");
  BOOST_TEST(!Contains(text.out, "申请内容"), text.out);
  // What a reader sees is still the text: Tesseract reads it off the rendered page.
  auto seen = Run("pdftoppm -r 150 -png -f 1 -l 1 " + Quote(copy_pdf) + " " +
                  Quote(scratch.path() + "/page") + " && OMP_THREAD_LIMIT=1 tesseract " +
                  Quote(scratch.path() + "/page-1.png") + " - -l chi_sim 2>/dev/null");
  BOOST_TEST(Contains(seen.out, "申请"), seen.out);
  auto scan =
      f.Send("GET", mine + "/records/" + Encoded(own[1]) + "/files/" + Encoded("扫描件.png"),
             nullptr, "", with_code);
  BOOST_TEST_REQUIRE(scan.status == 200, scan.body);
  const std::string scan_pdf = scratch.path() + "/scan.pdf";
  std::ofstream(scan_pdf, std::ios::binary) << scan.body;
  // The embedded image itself carries the watermark: the blank gray page is blank no more.
  auto images = Run("pdfimages -j " + Quote(scan_pdf) + " " + Quote(scratch.path() + "/img") +
                    " && ls " + Quote(scratch.path()) + " | grep '^img-'");
  auto names = Lines(images.out);
  BOOST_REQUIRE(names.size() == 1u);
  Pix* raw = pixRead((scratch.path() + "/" + names[0]).c_str());
  BOOST_REQUIRE(raw != nullptr);
  Pix* gray = pixConvertTo8(raw, 0);
  l_int32 w = pixGetWidth(gray), h = pixGetHeight(gray), marked = 0;
  for (l_int32 y = 0; y < h; y += 2)
    for (l_int32 x = 0; x < w; x += 2) {
      l_uint32 v = 0;
      pixGetPixel(gray, x, y, &v);
      marked += std::abs(static_cast<int>(v) - 200) > 25;
    }
  pixDestroy(&gray);
  pixDestroy(&raw);
  BOOST_TEST(marked * 4 > w * h / 200, marked << " of " << (w * h / 4) << " sampled pixels");
  BOOST_TEST(f.Send("GET",
                    mine + "/records/" + Encoded(other_ref) + "/files/" + Encoded("申请表.txt"),
                    nullptr, "", with_code)
                 .status == 404);
  BOOST_TEST(f.Send("GET", mine + "/records/" + Encoded(own[0]) + "/files/" + Encoded("申请表.txt"))
                 .status == 404);

  auto check =
      f.Send("GET", "/api/v1/reports/certificates/" + cert->getValue<std::string>("serial") +
                        "/verification?code=" + cert->getValue<std::string>("code"));
  BOOST_TEST(check.status == 200);
  BOOST_TEST(check.Json()->getValue<bool>("genuine"));

  // Satisfaction once; a complaint once, answered by an archivist.
  BOOST_TEST(f.Send("POST", mine + "/rating", nullptr, R"({"rating":"很好"})", with_code).status ==
             422);
  BOOST_TEST(
      f.Send("POST", mine + "/rating", nullptr, R"({"rating":"满意","comment":"快"})", with_code)
          .status == 200);
  BOOST_TEST(
      f.Send("POST", mine + "/rating", nullptr, R"({"rating":"不满意"})", with_code).status == 409);
  BOOST_TEST(f.Send("POST", mine + "/complaint", nullptr, R"({"text":"  "})", with_code).status ==
             422);
  // The complaint repeats the requester's name and number: the ledger below shows neither.
  BOOST_TEST(f.Send("POST", mine + "/complaint", nullptr,
                    R"({"text":"张三（)" + ValidIdNumber() + R"()：窗口排队太久"})", with_code)
                 .status == 200);
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + number + "/answer", &wang,
                    R"({"text":"已增加窗口，感谢反馈"})")
                 .status == 200);
  auto answered = f.Send("GET", mine, nullptr, "", with_code).Json();
  BOOST_TEST(answered->getValue<std::string>("answer") == "已增加窗口，感谢反馈");

  // A unit's request, rejected with a reason the requester reads.
  auto unit = f.Send("POST", "/api/v1/public/inquiries", nullptr,
                     R"({"requester_type":"unit","name":"测试科技有限公司","identifier":")" +
                         ValidCreditCode() + R"(","purpose":"其他","contact":"010-1234567"})");
  BOOST_TEST_REQUIRE(unit.status == 201, unit.body);
  const std::string unit_number = unit.Json()->getValue<std::string>("number");
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + unit_number + "/reject", &wang, "{}").status ==
             422);
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + unit_number + "/reject", &wang,
                    R"({"reason":"请携带单位介绍信到窗口办理"})")
                 .status == 200);
  auto unit_view = f.Send("GET", "/api/v1/public/inquiries/" + unit_number, nullptr, "",
                          {{"X-Inquiry-Code", unit.Json()->getValue<std::string>("access_code")}});
  BOOST_TEST(unit_view.Json()->getValue<std::string>("reason") == "请携带单位介绍信到窗口办理");

  // The figures and the ledger (利用台账), which shows no identifier and no whole name.
  auto figures = f.Send("GET", "/api/v1/stats/inquiries", &leader).Json();
  BOOST_TEST(figures->getValue<int>("requests") == 2);
  BOOST_TEST(figures->getValue<int>("approved") == 1);
  BOOST_TEST(figures->getValue<int>("rejected") == 1);
  BOOST_TEST(figures->getValue<int>("records_served") == 2);
  BOOST_TEST(figures->getValue<int>("complaints_answered") == 1);
  BOOST_TEST(figures->getArray("ratings")->getObject(0)->getValue<int>("count") == 1);
  // The annual statistics count each served request as one 利用人次.
  auto annual = f.Send("GET", "/api/v1/stats/annual?year=" + number.substr(3, 4), &leader);
  BOOST_TEST_REQUIRE(annual.status == 200, annual.body);
  BOOST_TEST(annual.Json()->getValue<int>("persons_served") == 1);
  // Each read of the ledger is logged (a flush first: accesses are written in batches).
  auto reports_logged = [&] {
    BOOST_TEST_REQUIRE(f.Send("GET", "/api/v1/stats/utilization", &leader).status == 200);
    return f.CountEvents("report");
  };
  const int64_t reports_before = reports_logged();
  auto ledger = f.Send("GET", "/api/v1/inquiries.csv", &leader);
  BOOST_TEST_REQUIRE(ledger.status == 200);
  BOOST_TEST(Contains(ledger.body, number));
  BOOST_TEST(Contains(ledger.body, own[1]));
  BOOST_TEST(Contains(ledger.body, "已提供"));
  BOOST_TEST(Contains(ledger.body, "不予提供：请携带单位介绍信到窗口办理"));
  BOOST_TEST(!Contains(ledger.body, ValidIdNumber()));
  BOOST_TEST(!Contains(ledger.body, "张三"));
  BOOST_TEST(Contains(ledger.body, "张*（" + MaskIdNumber(ValidIdNumber()) + ")：窗口排队太久"),
             ledger.body);
  auto printed = f.Send("GET", "/api/v1/inquiries.pdf", &leader);
  BOOST_TEST_REQUIRE(printed.status == 200);
  std::ofstream(fs::path(scratch.path()) / "ledger.pdf", std::ios::binary) << printed.body;
  auto ledger_text = Run("pdftotext -enc UTF-8 " + Quote(scratch.path() + "/ledger.pdf") + " -");
  BOOST_TEST(Contains(ledger_text.out, "档案利用台账"), ledger_text.out);
  BOOST_TEST(Contains(ledger_text.out, number), ledger_text.out);
  BOOST_TEST(Contains(ledger_text.out, "已提供"), ledger_text.out);
  BOOST_TEST(reports_logged() == reports_before + 2);

  // At most three requests a day for one identifier.
  auto second = f.Send("POST", "/api/v1/public/inquiries", nullptr, ask);
  BOOST_TEST_REQUIRE(second.status == 201);
  auto third = f.Send("POST", "/api/v1/public/inquiries", nullptr, ask);
  BOOST_TEST_REQUIRE(third.status == 201);
  // Approved without an identity check: the list and the certificate online, copies at the window.
  const std::string second_number = second.Json()->getValue<std::string>("number");
  BOOST_TEST(f.Send("POST", "/api/v1/inquiries/" + second_number + "/approve", &wang, "").status ==
             200);
  auto no_copy = f.Send("GET",
                        "/api/v1/public/inquiries/" + second_number + "/records/" +
                            Encoded(own[0]) + "/files/" + Encoded("申请表.txt"),
                        nullptr, "",
                        {{"X-Inquiry-Code", second.Json()->getValue<std::string>("access_code")}});
  BOOST_TEST(no_copy.status == 403);
  BOOST_TEST(Contains(no_copy.body, "窗口"));
  auto fourth = f.Send("POST", "/api/v1/public/inquiries", nullptr, ask);
  BOOST_TEST(fourth.status == 429);
  BOOST_TEST(!fourth.headers["Retry-After"].empty());
  // Served under the requester's number but another name, with a reason: whose record it is was
  // settled by the archivist, not shown to the requester, so that name comes masked.
  const std::string third_number = third.Json()->getValue<std::string>("number");
  auto with_other_name = f.Send(
      "POST", "/api/v1/inquiries/" + third_number + "/approve", &wang,
      "{\"references\":[\"" + misnamed_ref + "\"],\"override_reason\":\"户籍证明：曾用名\"}");
  BOOST_TEST_REQUIRE(with_other_name.status == 200, with_other_name.body);
  auto third_view =
      f.Send("GET", "/api/v1/public/inquiries/" + third_number, nullptr, "",
             {{"X-Inquiry-Code", third.Json()->getValue<std::string>("access_code")}});
  BOOST_TEST_REQUIRE(third_view.status == 200, third_view.body);
  BOOST_TEST(Contains(third_view.body, misnamed_ref), third_view.body);
  BOOST_TEST(!Contains(third_view.body, "张叁"), third_view.body);
  BOOST_TEST(Contains(third_view.body, MaskName("张叁")), third_view.body);

  // Every step left an event.
  f.server->Stop(5);
  BOOST_TEST(f.CountEvents("inquiry-submit") == 4);
  BOOST_TEST(f.CountEvents("inquiry-approve") == 3);
  BOOST_TEST(f.CountEvents("inquiry-reject") == 1);
  BOOST_TEST(f.CountEvents("inquiry-rate") == 1);
  BOOST_TEST(f.CountEvents("inquiry-complaint") == 1);
  BOOST_TEST(f.CountEvents("inquiry-answer") == 1);
  BOOST_TEST(f.CountEvents("certify") == 5);  // one per record certified
}

BOOST_AUTO_TEST_CASE(inquiry_submissions_are_limited_per_address) {
  Fixture f("", false, /*inquiries_per_address_hour=*/10);
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = f.Send("POST", "/api/v1/public/inquiries", nullptr, "{}");
    if (r.status == 429) {
      ++limited;
      BOOST_TEST(!r.headers["Retry-After"].empty());
    } else {
      BOOST_TEST(r.status == 422);
    }
  }
  BOOST_TEST(limited == 3);  // a burst of five, then one every six minutes
}

// Names and 公民身份号码 on a record are whole only for roles with personal.read (档案管理员,
// 查询窗口); a leader or an administrator sees them masked, in the title and file names too.
BOOST_AUTO_TEST_CASE(personal_data_is_masked_for_roles_without_the_right) {
  Fixture f;
  auto c = f.archive.MakeCase("P-1", "0102", "张三丰 参保人员增员申报表",
                              {{"张三丰申请表.txt", "申请内容"}});
  c.person = Person{ValidIdNumber(), "张三丰"};
  // Another person's number in the text (a spouse): masked too, though it is not the holder's.
  const std::string spouse =
      "44010619621211918" + std::string(1, IdNumberCheckChar("44010619621211918"));
  BOOST_REQUIRE(!c.steps.empty());
  c.steps.back().description = "配偶身份证号 " + spouse;
  const std::string ref = f.archive.session().filing().File(c, "business", "t").value().reference;
  const std::string path = "/api/v1/records/" + Encoded(ref);
  Browser wang = f.SignIn("wang"), li = f.SignIn("li"), admin = f.SignIn("admin");
  auto whole = f.Send("GET", path, &wang);
  BOOST_TEST_REQUIRE(whole.status == 200);
  BOOST_TEST(Contains(whole.body, ValidIdNumber()));
  BOOST_TEST(Contains(whole.body, "张三丰 参保人员增员申报表"));
  BOOST_TEST(Contains(whole.body, spouse));
  for (Browser* who : {&li, &admin}) {
    auto masked = f.Send("GET", path, who);  // after the whole view: not served from its cache
    BOOST_TEST_REQUIRE(masked.status == 200);
    BOOST_TEST(!Contains(masked.body, ValidIdNumber()), masked.body);
    BOOST_TEST(!Contains(masked.body, spouse), masked.body);
    BOOST_TEST(Contains(masked.body, MaskIdNumber(spouse)), masked.body);
    BOOST_TEST(!Contains(masked.body, "张三丰"), masked.body);
    BOOST_TEST(Contains(masked.body, MaskIdNumber(ValidIdNumber())));
    BOOST_TEST(Contains(masked.body, "张** 参保人员增员申报表"));
    BOOST_TEST(Contains(masked.body, "张**申请表.txt"));
  }
  BOOST_TEST(Contains(f.Send("GET", path, &wang).body, ValidIdNumber()));  // and back

  // Search hits and the CSV of a query show the title as the record page does.
  const std::string search = "/api/v1/records?q=" + Encoded("申报表");
  const std::string csv = "/api/v1/records.csv?q=" + Encoded("申报表");
  auto full_hits = f.Send("GET", search, &wang);
  BOOST_TEST(Contains(full_hits.body, "张三丰 参保人员增员申报表"), full_hits.body);
  BOOST_TEST(Contains(f.Send("GET", csv, &wang).body, "张三丰 参保人员增员申报表"));
  for (Browser* who : {&li, &admin}) {
    auto hits = f.Send("GET", search, who);  // the same question: not served from wang's answer
    BOOST_TEST_REQUIRE(hits.status == 200, hits.body);
    BOOST_TEST(!Contains(hits.body, "张三丰"), hits.body);
    BOOST_TEST(Contains(hits.body, "张** 参保人员增员申报表"), hits.body);
    auto rows = f.Send("GET", csv, who);
    BOOST_TEST_REQUIRE(rows.status == 200, rows.body);
    BOOST_TEST(!Contains(rows.body, "张三丰"), rows.body);
    BOOST_TEST(Contains(rows.body, "张** 参保人员增员申报表"), rows.body);
  }
  BOOST_TEST(Contains(f.Send("GET", search, &wang).body, "张三丰 参保人员增员申报表"));
  // Part of the name asked for: the snippet is cut from the masked text, so the mark cannot
  // split the name ("张[三丰]") past the masking.
  const std::string part = "/api/v1/records?q=" + Encoded("三丰");
  BOOST_TEST(Contains(f.Send("GET", part, &wang).body, "三丰"));
  auto part_hits = f.Send("GET", part, &li);
  BOOST_TEST_REQUIRE(part_hits.status == 200, part_hits.body);
  BOOST_TEST(part_hits.Json()->getValue<int>("total") >= 1, part_hits.body);
  BOOST_TEST(!Contains(part_hits.body, "三丰"), part_hits.body);
  // A whole 公民身份号码 in the words is a search by number: refused as the person filter is.
  const std::string by_number = "/api/v1/records?q=" + ValidIdNumber();
  BOOST_TEST(f.Send("GET", by_number, &wang).Json()->getValue<int>("total") >= 1);
  BOOST_TEST(f.Send("GET", by_number, &li).status == 403);
  BOOST_TEST(f.Send("GET", "/api/v1/records.csv?q=" + ValidIdNumber(), &li).status == 403);
  // However the number is typed: fullwidth (as input methods give it) or in brackets.
  const std::string fullwidth = Fullwidth(ValidIdNumber());
  BOOST_TEST(fullwidth.size() == 3 * 18u);
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=" + Encoded(fullwidth), &wang)
                 .Json()
                 ->getValue<int>("total") >= 1);
  BOOST_TEST(f.Send("GET", "/api/v1/records?q=" + Encoded(fullwidth), &li).status == 403);
  BOOST_TEST(
      f.Send("GET", "/api/v1/records?q=" + Encoded("（" + ValidIdNumber() + "）"), &li).status ==
      403);

  // The 归档文件目录 shows titles as the record page does, and each one read is logged.
  // Accesses are written in batches; the utilization statistics flush them first.
  auto reports_logged = [&] {
    BOOST_TEST_REQUIRE(f.Send("GET", "/api/v1/stats/utilization", &wang).status == 200);
    return f.CountEvents("report");
  };
  const int64_t reports = reports_logged();
  auto pdf_text = [&](Browser* who) {
    auto pdf = f.Send("GET", "/api/v1/reports/catalogue?year=2025", who);
    BOOST_TEST_REQUIRE(pdf.status == 200, pdf.body.substr(0, 300));
    TempDir dir;
    std::ofstream(dir.path() + "/c.pdf", std::ios::binary) << pdf.body;
    return Run("pdftotext -enc UTF-8 " + Quote(dir.path() + "/c.pdf") + " - 2>/dev/null").out;
  };
  const std::string full_list = pdf_text(&wang);
  BOOST_TEST(Contains(full_list, "张三丰"), full_list);
  for (Browser* who : {&li, &admin}) {
    const std::string list = pdf_text(who);
    BOOST_TEST(Contains(list, ref), list);
    BOOST_TEST(!Contains(list, "张三丰"), list);
    BOOST_TEST(Contains(list, "张**"), list);
  }
  BOOST_TEST(reports_logged() == reports + 3);
  BOOST_TEST(f.Send("GET", csv, &li).status == 200);
  BOOST_TEST(reports_logged() == reports + 4);
}

// The page viewer: a scan's page as an image at the asked width, the page count in a header;
// text is downloaded, not viewed.
BOOST_AUTO_TEST_CASE(pages_of_a_scan_are_served_as_images) {
  Fixture f;
  const std::string ref =
      f.archive.session()
          .filing()
          .File(f.archive.MakeCase("V-1", "0102", "参保人员增员申报表（扫描）",
                                   {{"扫描件.png", TinyPng()}, {"说明.txt", "文字说明"}}),
                "business", "t")
          .value()
          .reference;
  Browser wang = f.SignIn("wang");
  const std::string base = "/api/v1/records/" + Encoded(ref) + "/files/";
  auto page = f.Send("GET", base + Encoded("扫描件.png") + "/pages/1?width=600", &wang);
  BOOST_TEST_REQUIRE(page.status == 200, page.body);
  BOOST_TEST(page.headers["Content-Type"] == "image/jpeg");
  BOOST_TEST(page.headers["X-Page-Count"] == "1");
  BOOST_TEST(page.body.substr(0, 3) == std::string("\xFF\xD8\xFF"));
  Pix* pix = pixReadMem(reinterpret_cast<const l_uint8*>(page.body.data()), page.body.size());
  BOOST_REQUIRE(pix != nullptr);
  BOOST_TEST(pixGetWidth(pix) == 600);
  pixDestroy(&pix);
  BOOST_TEST(f.Send("GET", base + Encoded("扫描件.png") + "/pages/2", &wang).status == 404);
  BOOST_TEST(f.Send("GET", base + Encoded("扫描件.png") + "/pages/x", &wang).status == 404);
  BOOST_TEST(f.Send("GET", base + Encoded("扫描件.png") + "/pages/1?width=5", &wang).status == 422);
  BOOST_TEST(f.Send("GET", base + Encoded("说明.txt") + "/pages/1", &wang).status == 415);
  BOOST_TEST(f.Send("GET", base + Encoded("无此文件.png") + "/pages/1", &wang).status == 404);
}

// Why: the purpose a client states with an access is kept with it; a malformed one is refused.
BOOST_AUTO_TEST_CASE(an_access_keeps_its_stated_purpose) {
  Fixture f;
  const std::string ref = f.archive.session()
                              .filing()
                              .File(f.archive.MakeCase("W-1"), "business", "t")
                              .value()
                              .reference;
  Browser wang = f.SignIn("wang");
  const std::string path = "/api/v1/records/" + Encoded(ref);
  BOOST_TEST(
      f.Send("GET", path, &wang, "", {{"X-Access-Purpose", Encoded("核对退休材料")}}).status ==
      200);
  BOOST_TEST(f.Send("GET", path, &wang, "", {{"X-Access-Purpose", "%ZZ"}}).status == 422);
  f.server->Stop(5);
  bool found = false;
  for (const auto& e : f.archive.session().catalogue().Events(ref).value())
    found |= e.action == "view" && Contains(e.detail, "\"purpose\":\"核对退休材料\"");
  BOOST_TEST(found);
}

namespace {

std::string SupervisorsJson(const std::vector<std::pair<std::string, std::string>>& people) {
  std::string s = "[";
  for (const auto& [name, password] : people)
    s += std::string(s.size() > 1 ? "," : "") + "{\"name\":\"" + name + "\",\"password\":\"" +
         password + "\"}";
  return s + "]";
}

std::string PasswordOf(const std::string& name) { return "pw-" + name + "-secret"; }

}  // namespace

// Why: appraisal, holds and destruction from the workbench follow the same rules as the command
// line: proposals by an archivist, decisions by a leader, a hold blocks destruction, and the two
// supervisors are people who confirm with their own passwords. The destroyed records are gone
// (410, packages removed) and the filed 销毁清册 lists them.
BOOST_AUTO_TEST_CASE(appraisal_hold_and_destruction_over_http) {
  Fixture f;
  auto& s = f.archive.session();
  std::vector<std::string> refs;
  for (const char* id : {"L-1", "L-2", "L-3"}) {
    auto c = f.archive.MakeCase(id, "0503", "张三 失业保险金申领审核表");
    c.formed_on = "2012-05-10";  // 10 years from 2013: due since 2023
    c.closed_at = "2012-05-10T16:00:00+08:00";
    refs.push_back(s.filing().File(c, "business", "t").value().reference);
  }
  const size_t packages_before = f.archive.PackageFiles().size();
  Browser wang = f.SignIn("wang"), li = f.SignIn("li");
  auto ids_of = [](const Reply& r) {
    std::vector<int64_t> ids;
    auto list = r.Json()->getArray("ids");
    for (size_t i = 0; i < list->size(); ++i) ids.push_back(list->getElement<int64_t>(i));
    return ids;
  };

  auto due = f.Send("GET", "/api/v1/appraisals/due?due_by=2100-01-01", &wang);
  BOOST_TEST_REQUIRE(due.status == 200, due.body);
  auto due_list = due.Json()->getArray("records");
  std::set<std::string> due_refs;
  for (size_t i = 0; i < due_list->size(); ++i) {
    auto d = due_list->getObject(i);
    due_refs.insert(d->getValue<std::string>("reference"));
    BOOST_TEST(d->getValue<std::string>("retention") == "D10");
    BOOST_TEST(d->isNull("open"));
  }
  for (const auto& r : refs) BOOST_TEST(due_refs.count(r) == 1u);
  BOOST_TEST(Contains(due.body, "张三 失业保险金申领审核表"), due.body);
  // The leader approves destructions without the right to personal data: names come masked.
  auto due_for_leader = f.Send("GET", "/api/v1/appraisals/due?due_by=2100-01-01", &li);
  BOOST_TEST_REQUIRE(due_for_leader.status == 200, due_for_leader.body);
  BOOST_TEST(!Contains(due_for_leader.body, "张三"), due_for_leader.body);
  BOOST_TEST(Contains(due_for_leader.body, "张* 失业保险金申领审核表"), due_for_leader.body);
  BOOST_TEST(f.Send("GET", "/api/v1/stats/utilization", &li).status == 200);  // flushes accesses
  BOOST_TEST(f.CountEvents("report") == 2);                                   // both due lists read
  BOOST_TEST(f.Send("GET", "/api/v1/appraisals/due?due_by=2100-13-01", &wang).status == 422);
  auto not_yet = f.Send("GET", "/api/v1/appraisals/due?due_by=2022-12-31", &wang);
  BOOST_TEST(not_yet.Json()->getArray("records")->size() == 0u);

  // Proposals: bad fields are named, nothing stored.
  auto bogus =
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + refs[0] + "\"],\"decision\":\"burn\",\"reason\":\"到期\"}");
  BOOST_TEST(bogus.status == 422);
  BOOST_TEST(Contains(bogus.body, "\"field\":\"decision\""), bogus.body);
  auto not_list = f.Send("POST", "/api/v1/appraisals", &wang,
                         "{\"references\":\"" + refs[0] + "\",\"decision\":\"destroy\"}");
  BOOST_TEST(not_list.status == 422);
  BOOST_TEST(
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + refs[2] + "\"],\"decision\":\"extend\",\"reason\":\"x\"}")
          .status == 422);  // extend names its new period
  BOOST_TEST(f.Send("POST", "/api/v1/appraisals", &wang, "{\"references\":[").status == 400);
  BOOST_TEST(f.Send("GET", "/api/v1/appraisals", &wang).Json()->getArray("appraisals")->size() ==
             0u);

  auto proposed =
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + refs[0] + "\",\"" + refs[1] +
                 "\"],\"decision\":\"destroy\",\"reason\":\"保管期满，无继续保存价值\"}");
  BOOST_TEST_REQUIRE(proposed.status == 201, proposed.body);
  const auto destroy_ids = ids_of(proposed);
  BOOST_REQUIRE(destroy_ids.size() == 2u);
  auto extended =
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + refs[2] +
                 "\"],\"decision\":\"extend\",\"retention\":\"D30\",\"reason\":\"涉诉\"}");
  BOOST_TEST_REQUIRE(extended.status == 201, extended.body);
  auto again =
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + refs[0] + "\"],\"decision\":\"keep\",\"reason\":\"再议\"}");
  BOOST_TEST(again.status == 422, again.body);  // one open proposal per record
  BOOST_TEST(Contains(again.body, "already proposed"), again.body);

  // Decisions: the leader's, never the archivist's; a rejection needs its reason.
  const std::string all_ids = std::to_string(destroy_ids[0]) + "," + std::to_string(destroy_ids[1]);
  BOOST_TEST(f.Send("POST", "/api/v1/appraisals/decisions", &wang,
                    "{\"ids\":[" + all_ids + "],\"approve\":true}")
                 .status == 403);
  BOOST_TEST(f.Send("POST", "/api/v1/appraisals/decisions", &li,
                    "{\"ids\":[" + std::to_string(ids_of(extended)[0]) + "],\"approve\":false}")
                 .status == 422);
  BOOST_TEST(f.Send("POST", "/api/v1/appraisals/decisions", &li,
                    "{\"ids\":[" + all_ids + "],\"approve\":\"yes\"}")
                 .status == 422);
  auto approved = f.Send("POST", "/api/v1/appraisals/decisions", &li,
                         "{\"ids\":[" + all_ids + "],\"approve\":true,\"note\":\"同意销毁\"}");
  BOOST_TEST_REQUIRE(approved.status == 200, approved.body);
  auto listed =
      f.Send("GET", "/api/v1/appraisals?state=approved", &li).Json()->getArray("appraisals");
  BOOST_TEST(listed->size() == 2u);
  BOOST_TEST(listed->getObject(0)->getValue<std::string>("decided_by") == "li");

  // A hold on one of them blocks the whole destruction.
  BOOST_TEST(f.Send("POST", "/api/v1/holds", &wang,
                    "{\"reference\":\"" + refs[0] + "\",\"class\":\"05\",\"reason\":\"诉讼\"}")
                 .status == 422);
  BOOST_TEST(
      f.Send("POST", "/api/v1/holds", &wang, "{\"person\":\"123\",\"reason\":\"诉讼\"}").status ==
      422);
  auto hold = f.Send("POST", "/api/v1/holds", &wang,
                     "{\"reference\":\"" + refs[0] + "\",\"reason\":\"劳动争议诉讼中\"}");
  BOOST_TEST_REQUIRE(hold.status == 201, hold.body);
  const std::string hold_id = std::to_string(hold.Json()->getValue<int64_t>("id"));
  auto holds = f.Send("GET", "/api/v1/holds", &li).Json()->getArray("holds");
  BOOST_REQUIRE(holds->size() == 1u);
  BOOST_TEST(holds->getObject(0)->getValue<std::string>("reference") == refs[0]);
  BOOST_TEST(holds->getObject(0)->getValue<bool>("active"));
  // The supervisors: two people other than the one carrying out the destruction (wang).
  const std::string both =
      SupervisorsJson({{"chen", PasswordOf("chen")}, {"li", PasswordOf("li")}});
  auto held =
      f.Send("POST", "/api/v1/destructions", &wang, "{\"all\":true,\"supervisors\":" + both + "}");
  BOOST_TEST(held.status == 409, held.body);
  BOOST_TEST(f.Send("GET", "/api/v1/records/" + Encoded(refs[1]), &wang).status == 200);
  BOOST_TEST(f.Send("POST", "/api/v1/holds/" + hold_id + "/release", &li, "{}").status == 200);
  BOOST_TEST(f.Send("POST", "/api/v1/holds/" + hold_id + "/release", &li, "{}").status == 404);
  BOOST_TEST(f.Send("POST", "/api/v1/holds/9999/release", &li, "{}").status == 404);

  // Supervisors: two different people, each confirmed by their own password and allowed to,
  // neither of them the one carrying it out; and what is destroyed is named (or all: true).
  auto with = [](const std::vector<std::pair<std::string, std::string>>& people) {
    return "{\"all\":true,\"supervisors\":" + SupervisorsJson(people) + "}";
  };
  const int64_t refusals_before = f.CountEvents("supervisor-refused");
  for (const auto& [body, status] : std::vector<std::pair<std::string, int>>{
           {with({{"chen", PasswordOf("chen")}}), 422},
           {with({{"chen", PasswordOf("chen")}, {"chen", PasswordOf("chen")}}), 422},
           {with({{"wang", PasswordOf("wang")}, {"li", PasswordOf("li")}}), 422},  // oneself
           {"{}", 422},
           {"{\"supervisors\":" + both + "}", 422},  // neither ids nor all
           {"{\"ids\":[1],\"all\":true,\"supervisors\":" + both + "}", 422},
           {"{\"ids\":[18446744073709551615],\"supervisors\":" + both + "}", 422},
           {"{\"ids\":[\"1\"],\"supervisors\":" + both + "}", 422},
           {with({{"li", "guess"}, {"chen", PasswordOf("chen")}}), 403},
           {with({{"nobody", "x"}, {"chen", PasswordOf("chen")}}), 403},
           // 查询窗口 staff may not supervise a destruction, even with the right password.
           {with({{"zhao", PasswordOf("zhao")}, {"chen", PasswordOf("chen")}}), 403},
       }) {
    BOOST_TEST_CONTEXT(body) {
      auto r = f.Send("POST", "/api/v1/destructions", &wang, body);
      BOOST_TEST(r.status == status, r.body);
    }
  }
  // Each failed confirmation is on record, whoever's name was tried. (The failing name comes
  // first above: every password tried counts against its name's sign-in limit.)
  BOOST_TEST(f.CountEvents("supervisor-refused") == refusals_before + 3);

  BOOST_TEST(f.Send("POST", "/api/v1/destructions", &li,
                    with({{"chen", PasswordOf("chen")}, {"wang", PasswordOf("wang")}}))
                 .status == 403);  // a leader approves destructions but does not carry them out
  BOOST_TEST(f.Send("GET", "/api/v1/destructions", &wang).Json()->getArray("tombstones")->size() ==
             0u);
  BOOST_TEST(f.archive.PackageFiles().size() == packages_before);

  auto done = f.Send("POST", "/api/v1/destructions", &wang,
                     "{\"ids\":[" + all_ids + "],\"supervisors\":" + both + "}");
  BOOST_TEST_REQUIRE(done.status == 201, done.body);
  auto destroyed = done.Json()->getArray("destroyed");
  std::set<std::string> gone;
  for (size_t i = 0; i < destroyed->size(); ++i) gone.insert(destroyed->getElement<std::string>(i));
  BOOST_TEST((gone == std::set<std::string>{refs[0], refs[1]}));
  auto registers = done.Json()->getArray("registers");
  BOOST_REQUIRE(registers->size() == 1u);
  const std::string register_ref = registers->getElement<std::string>(0);
  for (const auto& r : gone)
    BOOST_TEST(f.Send("GET", "/api/v1/records/" + Encoded(r), &wang).status == 410);
  // Two packages removed, one (the 销毁清册's) added.
  BOOST_TEST(f.archive.PackageFiles().size() == packages_before - 1);
  auto reg = f.Send("GET", "/api/v1/records/" + Encoded(register_ref), &wang);
  BOOST_TEST_REQUIRE(reg.status == 200, reg.body);
  BOOST_TEST(Contains(reg.body, "销毁清册"));
  BOOST_TEST(reg.Json()->getObject("parts")->getValue<std::string>("retention") == "Y");
  auto tombs = f.Send("GET", "/api/v1/destructions", &li).Json()->getArray("tombstones");
  BOOST_REQUIRE(tombs->size() == 2u);
  for (size_t i = 0; i < tombs->size(); ++i) {
    auto t = tombs->getObject(i);
    BOOST_TEST(t->getValue<std::string>("register_reference") == register_ref);
    BOOST_TEST(t->getValue<std::string>("approved_by") == "li");
    BOOST_TEST(t->getArray("supervisors")->size() == 2u);
    // The leader has no personal.read: the holder's name is masked in what remains of the title,
    // though the record it came from is gone.
    BOOST_TEST(t->getValue<std::string>("title") == "张* 失业保险金申领审核表");
  }
  // Nor through the 销毁清册, a record anyone who may search finds: its text lists the titles
  // masked.
  auto register_hits = f.Send("GET", "/api/v1/records?q=" + Encoded("失业保险金申领审核表"), &li);
  BOOST_TEST_REQUIRE(register_hits.status == 200, register_hits.body);
  BOOST_TEST(Contains(register_hits.body, register_ref), register_hits.body);
  BOOST_TEST(!Contains(register_hits.body, "张三"), register_hits.body);
  auto full = f.Send("GET", "/api/v1/destructions", &wang);
  BOOST_TEST(Contains(full.body, "张三 失业保险金申领审核表"), full.body);
  BOOST_TEST(!Contains(tombs->getObject(0)->getValue<std::string>("title"), "张三"));
  // A tombstone from before masked titles were kept cannot tell the name from the rest: its
  // title is withheld from the leader, not shown whole.
  BOOST_REQUIRE(f.archive.session()
                    .catalogue()
                    .WithConnection([](SqliteDb& db) {
                      return db.Exec("UPDATE destroyed_records SET masked_title=NULL");
                    })
                    .ok());
  auto legacy = f.Send("GET", "/api/v1/destructions", &li);
  BOOST_TEST(!Contains(legacy.body, "张三"), legacy.body);
  BOOST_TEST(Contains(legacy.body, "不予显示"), legacy.body);
  BOOST_TEST(Contains(f.Send("GET", "/api/v1/destructions", &wang).body, "张三"));
  // Nothing is left to destroy; the extended record is untouched.
  BOOST_TEST(
      f.Send("POST", "/api/v1/destructions", &wang, "{\"all\":true,\"supervisors\":" + both + "}")
          .status == 404);
  BOOST_TEST(f.Send("GET", "/api/v1/records/" + Encoded(refs[2]), &wang).status == 200);
  BOOST_TEST(f.CountEvents("destroy") == 2);
}

// Why: destroying a scanned record also destroys what capture kept of it: the review draft (with
// the person's name and 公民身份号码) is emptied and its text leaves the classifier's examples.
BOOST_AUTO_TEST_CASE(destroying_a_captured_record_removes_what_capture_kept) {
  Fixture f("", /*with_scans=*/true);
  Browser wang = f.SignIn("wang"), li = f.SignIn("li");
  auto items = f.Send("GET", "/api/v1/review", &wang).Json()->getArray("items");
  BOOST_REQUIRE(items->size() == 2u);
  const std::string id = std::to_string(items->getObject(0)->getValue<int64_t>("id"));
  // Filed as an old 失业保险金 record, so that it is due for appraisal now.
  auto accepted = f.Send("POST", "/api/v1/review/" + id + "/accept", &wang,
                         "{\"item\":\"0503\",\"date\":\"2012-05-10\"}");
  BOOST_TEST_REQUIRE(accepted.status == 201, accepted.body);
  const std::string ref = accepted.Json()->getValue<std::string>("reference");
  auto count = [&f, &ref](const std::string& sql) {
    int64_t n = -1;
    BOOST_REQUIRE(f.archive.session()
                      .catalogue()
                      .WithConnection([&](SqliteDb& db) -> Status {
                        auto q = db.Prepare(sql);
                        if (!q.ok()) return q.status();
                        q->Bind(1, ref);
                        Status err;
                        if (q->Step(&err)) n = q->Int(0);
                        return err;
                      })
                      .ok());
    return n;
  };
  const std::string examples =
      "SELECT count(*) FROM classifier_examples WHERE content_sha256 IN (SELECT content_sha256"
      " FROM capture_review WHERE reference=?1)";
  const std::string drafts =
      "SELECT count(*) FROM capture_review WHERE reference=?1 AND draft_json<>'{}'";
  BOOST_TEST_REQUIRE(count(examples) == 1);
  BOOST_TEST_REQUIRE(count(drafts) == 1);

  auto proposed =
      f.Send("POST", "/api/v1/appraisals", &wang,
             "{\"references\":[\"" + ref + "\"],\"decision\":\"destroy\",\"reason\":\"期满\"}");
  BOOST_TEST_REQUIRE(proposed.status == 201, proposed.body);
  const std::string aid = std::to_string(proposed.Json()->getArray("ids")->getElement<int64_t>(0));
  BOOST_TEST_REQUIRE(f.Send("POST", "/api/v1/appraisals/decisions", &li,
                            "{\"ids\":[" + aid + "],\"approve\":true}")
                         .status == 200);
  auto done =
      f.Send("POST", "/api/v1/destructions", &wang,
             "{\"all\":true,\"supervisors\":" +
                 SupervisorsJson({{"chen", PasswordOf("chen")}, {"li", PasswordOf("li")}}) + "}");
  BOOST_TEST_REQUIRE(done.status == 201, done.body);
  BOOST_TEST(count(examples) == 0);
  BOOST_TEST(count(drafts) == 0);
  auto item = f.Send("GET", "/api/v1/review/" + id, &wang);
  BOOST_TEST_REQUIRE(item.status == 200, item.body);
  BOOST_TEST(item.Json()->getObject("case")->size() == 0u, item.body);
}
