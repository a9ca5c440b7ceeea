// ApiServer: the Poco HTTP server of `dangan serve`: REST API under /api/v1, /healthz, /metrics,
// with bearer API keys, size limits, timeouts and a thread pool. It borrows the archive's services
// (the caller keeps them alive until Stop() returns). Start/Stop from one thread; requests are
// served concurrently.
#pragma once

#include <Poco/Net/HTTPServer.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "archive/access_policy.h"
#include "archive/filing.h"
#include "archive/inquiry_rules.h"
#include "archive/scheme.h"
#include "retrieval/reports.h"
#include "storage/access_log.h"
#include "storage/catalogue.h"
#include "storage/fixity_audit.h"
#include "storage/inquiry_register.h"
#include "storage/package_store.h"
#include "storage/record_catalogue.h"
#include "storage/session_store.h"
#include "web/api_keys.h"
#include "web/metrics.h"
#include "web/rate_limiter.h"
#include "web/review_desk.h"
#include "web/router.h"

namespace dangan::web {

// What the handlers work with; all borrowed.
struct Services {
  std::string root;
  const ClassificationScheme* scheme = nullptr;
  // The embedded SQLite catalogue, or null when the catalogue is a PostgreSQL server shared by
  // several servers (`records` below); then the caches that need this process to see every
  // change (search answers, record views) are off.
  Catalogue* catalogue = nullptr;
  PackageStore* packages = nullptr;
  Filing* filing = nullptr;
  ApiKeyStore* keys = nullptr;
  std::string secret;  // HMAC key for receipts
  std::string fonds;
  std::string organization;
  std::function<std::string()> clock;  // now, ISO 8601 with offset
  // Where views, downloads and searches are logged; the server makes its own when null.
  AccessLog* access_log = nullptr;
  // The background fixity audit's totals, shown on /metrics; null when none runs.
  const AuditCounters* audit = nullptr;
  // Search answers kept for questions asked again (0: none); see ResponseCache.
  size_t search_cache_entries = 1024;
  // Who may use which route; the built-in policy (roles.json) when null.
  const AccessPolicy* policy = nullptr;
  // Searches computed at once (0: no limit); the rest wait their turn in arrival order. A search
  // is all CPU once the catalogue is in memory: more at once than cores only stretches each one.
  size_t search_slots = 0;
  // Who is signed in to the web workbench (session cookies); null: API keys only.
  SessionStore* sessions = nullptr;
  // The capture review queue's decisions; null: the review routes answer 503.
  ReviewDesk* review = nullptr;
  // The public inquiry service's rules; the built-in ones (inquiry.json) when null.
  const InquiryRules* inquiry_rules = nullptr;
  // Filing, records, search and the audit chain, on either backend; `catalogue` when null.
  RecordCatalogue* records = nullptr;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
  // Connections served at once. Poco gives a keep-alive connection its thread until the client
  // closes it or idles past the keep-alive timeout, so a connection beyond this number waits in
  // the queue for that long: keep it above the clients expected (browsers open about 6 each).
  int threads = 128;
  int queue = 64;
  int timeout_seconds = 60;
  size_t max_json_bytes = 64u << 20;       // JSON bodies (base64 content included)
  uint64_t max_upload_bytes = 4ull << 30;  // one multipart request
  // TLS when both are set (PEM files); plain HTTP otherwise, e.g. behind a terminating proxy.
  std::string tls_certificate;
  std::string tls_private_key;
  // Public inquiry requests: submissions from one address per hour (bursts of 5), and per
  // identifier (公民身份号码 or 统一社会信用代码) per day (0: no limit; shared by the servers of
  // one catalogue); status look-ups per second per address.
  double inquiries_per_address_hour = 10;
  int inquiries_per_identifier_day = 3;
  double inquiry_lookups_per_second = 2;
  // Requests per second (sustained; bursts of twice that) from one address, and with one API
  // key; beyond them 429 with Retry-After. 0 turns a limit off.
  double rate_per_address = 1000;
  double rate_per_key = 500;
  // Sign-in attempts per second from one address and for one user name (bursts of 10 and 5):
  // with a quarter second of PBKDF2 per attempt, guessing stays slow.
  double sign_in_rate_per_address = 1;
  double sign_in_rate_per_name = 0.2;
  // The built browser front end (web/ui/dist: index.html and assets/), served at / under a
  // strict Content-Security-Policy; empty or missing: / answers 404.
  std::string ui_root;
  // Marks the session cookie Secure although this server speaks plain HTTP: for a TLS-terminating
  // proxy in front (it is always Secure when the server has TLS itself).
  bool secure_cookies = false;
};

class ApiServer {
 public:
  ApiServer(Services services, ServerOptions options);
  ~ApiServer();
  Status Start();
  // Stops accepting, lets requests in flight (filings included) finish, up to `grace_seconds`.
  void Stop(int grace_seconds = 30);
  int port() const { return port_; }
  const Router& router() const { return router_; }
  Metrics& metrics() { return metrics_; }

 private:
  friend class Dispatcher;
  void Dispatch(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);
  std::unique_ptr<AccessLog> own_access_log_;
  Services services_;
  AccessPolicy own_policy_;
  InquiryRules own_inquiry_rules_;
  ServerOptions options_;
  Router router_;
  Metrics metrics_;
  RateLimiter address_limit_;
  RateLimiter key_limit_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

// Route registration, one function per area (web/*_api.cpp).
void AddSystemRoutes(Router& router, Services& services, Metrics& metrics);
void AddIntakeRoutes(Router& router, Services& services, Metrics& metrics,
                     const ServerOptions& options);
void AddRecordRoutes(Router& router, Services& services);
// Holdings, intake, utilization and fixity statistics (either backend).
void AddStatisticsRoutes(Router& router, Services& services);
// The annual table, PDF reports and CSV export (the embedded catalogue).
void AddReportRoutes(Router& router, Services& services);
// `password_tries` limits password attempts per user name (sign-in and supervisors' confirmations).
void AddSessionRoutes(Router& router, Services& services, const ServerOptions& options,
                      std::shared_ptr<RateLimiter> password_tries);
void AddReviewRoutes(Router& router, Services& services);
// The annual 统计表 (JSON and PDF).
void AddAnnualStatisticsRoutes(Router& router, Services& services);
// GET /api/v1/scheme: the classes and items to choose from (needs no catalogue).
void AddSchemeRoutes(Router& router, Services& services);
void AddUiRoutes(Router& router, const ServerOptions& options);
void AddInquiryRoutes(Router& router, Services& services, const ServerOptions& options);
void AddLifecycleRoutes(Router& router, Services& services,
                        std::shared_ptr<RateLimiter> password_tries);

// Logs an access by the request's principal (with the purpose it states in X-Access-Purpose):
// every read of a record, and every search, listing or export that can show personal data.
// `reference` is empty for those that are not of one record.
Status LogAccess(Services& s, const Exchange& x, const std::string& action,
                 const std::string& reference, const std::string& what);

// A search's question (words, person, unit) as logged (storage/access_log.h KeyedSearchQuestion,
// with the server's secret).
std::string QueryDigest(const Services& s, const std::string& text, const std::string& person_id,
                        const std::string& unit_code);

// What the PDF reports need, from the server's services.
ReportContext ReportContextFor(Services& services);

// The signed-in person a request's session cookie names, or nullopt (no cookie, unknown or
// expired session). Errors reading the catalogue are errors, not "nobody".
Result<std::optional<SignedInUser>> SessionUser(Services& services,
                                                const Poco::Net::HTTPServerRequest& req);
// True when a cookie-authenticated request may change things: a safe method, or the
// X-CSRF-Token header equal to the session's token.
bool CsrfTokenMatches(const Poco::Net::HTTPServerRequest& req, const SignedInUser& user);

}  // namespace dangan::web
