#include "web/api_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>
#include <iostream>

#include <chrono>
#include <thread>

#include "web/http_json.h"

namespace dangan::web {

class Dispatcher : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(ApiServer* server) : server_(server) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    server_->Dispatch(req, resp);
  }

 private:
  ApiServer* server_;
};

namespace {
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(ApiServer* server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Dispatcher(server_);
  }

 private:
  ApiServer* server_;
};
}  // namespace

ApiServer::ApiServer(Services services, ServerOptions options)
    : services_(std::move(services)),
      options_(options),
      address_limit_(options.rate_per_address, 2 * options.rate_per_address),
      key_limit_(options.rate_per_key, 2 * options.rate_per_key) {
  if (services_.policy == nullptr) {
    // The built-in data is checked by the test suite; a broken copy leaves no role any right.
    auto policy = AccessPolicy::LoadBuiltin();
    if (policy.ok()) own_policy_ = std::move(*policy);
    services_.policy = &own_policy_;
  }
  if (services_.inquiry_rules == nullptr) {
    auto rules = InquiryRules::LoadBuiltin();  // checked by the test suite, like the policy
    if (rules.ok()) own_inquiry_rules_ = std::move(*rules);
    services_.inquiry_rules = &own_inquiry_rules_;
  }
  if (services_.records == nullptr) services_.records = services_.catalogue;
  if (services_.access_log == nullptr) {
    own_access_log_ = std::make_unique<AccessLog>(services_.records);
    services_.access_log = own_access_log_.get();
  }
  AddSystemRoutes(router_, services_, metrics_);
  AddIntakeRoutes(router_, services_, metrics_, options_);
  AddRecordRoutes(router_, services_);
  AddSchemeRoutes(router_, services_);
  AddStatisticsRoutes(router_, services_);
  AddUiRoutes(router_, options_);
  // Password guesses per user name, through sign-in or a supervisor's confirmation alike.
  auto password_tries = std::make_shared<RateLimiter>(options_.sign_in_rate_per_name, 5);
  AddSessionRoutes(router_, services_, options_, password_tries);
  AddReviewRoutes(router_, services_);
  AddReportRoutes(router_, services_);
  AddInquiryRoutes(router_, services_, options_);
  AddAnnualStatisticsRoutes(router_, services_);
  AddLifecycleRoutes(router_, services_, password_tries);
  // openapi.json is generated from the finished table, itself included.
  router_.Add({"GET", "/api/v1/openapi.json", Access::kPublic, "This API's OpenAPI description",
               [this](Exchange& x) { SendJson(x.resp, 200, router_.OpenApiJson()); }});
}

ApiServer::~ApiServer() { Stop(0); }

Status ApiServer::Start() {
  try {
    Poco::Net::SocketAddress address(options_.bind, static_cast<Poco::UInt16>(options_.port));
    Poco::Net::ServerSocket socket;
    if (!options_.tls_certificate.empty() || !options_.tls_private_key.empty()) {
      if (options_.tls_certificate.empty() || options_.tls_private_key.empty())
        return Status::InvalidArgument("TLS needs both a certificate and a private key");
      Poco::Net::Context::Ptr context =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, options_.tls_private_key,
                                 options_.tls_certificate, "", Poco::Net::Context::VERIFY_NONE);
      context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                Poco::Net::Context::PROTO_TLSV1 |
                                Poco::Net::Context::PROTO_TLSV1_1);
      socket = Poco::Net::SecureServerSocket(address, 64, context);
    } else {
      socket = Poco::Net::ServerSocket(address, 64);
    }
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options_.threads);
    params->setMaxQueued(options_.queue);
    params->setTimeout(Poco::Timespan(options_.timeout_seconds, 0));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(this), socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return Status::IOError("cannot listen on " + options_.bind + ":" +
                           std::to_string(options_.port) + ": " + e.displayText());
  }
  return Status::Ok();
}

void ApiServer::Stop(int grace_seconds) {
  if (!server_) return;
  stopping_ = true;
  server_->stop();  // no new connections
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  while (server_->currentConnections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  server_->stopAll(true);
  server_.reset();
  // Accesses already answered are written before the process may exit.
  if (Status st = services_.access_log->Flush(); !st.ok())
    std::cerr << "dangan: " << st.ToString() << "\n";
}

namespace {
void TooManyRequests(Poco::Net::HTTPServerResponse& resp, double wait, const std::string& who) {
  resp.set("Retry-After", std::to_string(static_cast<int>(wait) + 1));
  SendProblem(resp, 429, "Too Many Requests",
              "too many requests from " + who + "; try again in " +
                  std::to_string(static_cast<int>(wait) + 1) + " s");
}
}  // namespace

namespace {

// A body nobody read (a refusal before the handler, or a route that takes none) would be parsed
// as the next request on a keep-alive connection. What is left is read if it is small; otherwise
// the connection closes after this answer.
void DiscardUnreadBody(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
  // An answer that already ends the connection (every problem answer does) needs nothing read.
  if (!resp.getKeepAlive()) return;
  if (!req.getChunkedTransferEncoding() &&
      (!req.hasContentLength() || req.getContentLength64() == 0))
    return;
  constexpr std::streamsize kMostDiscarded = 64 << 10;
  std::istream& in = req.stream();
  char buf[4096];
  std::streamsize total = 0;
  while (in && total <= kMostDiscarded) {
    in.read(buf, sizeof buf);
    if (in.gcount() == 0) break;
    total += in.gcount();
  }
  if (!in.eof()) resp.setKeepAlive(false);
}

}  // namespace

void ApiServer::Dispatch(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
  auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  const std::string& uri = req.getURI();
  std::string path = uri.substr(0, uri.find('?'));
  try {
    if (stopping_) {
      resp.setKeepAlive(false);
      SendProblem(resp, 503, "Service Unavailable", "the server is shutting down");
    } else {
      std::vector<std::string> params;
      bool known = false, bad = false;
      const Route* route = router_.Match(req.getMethod(), path, &params, &known, &bad);
      auto query = QueryParameters(uri);
      if (bad || !query.ok()) {
        SendProblem(
            resp, 400, "Bad Request",
            bad ? "the path is not valid UTF-8 percent-encoding" : query.status().message());
      } else if (!route) {
        if (known) {
          SendProblem(resp, 405, "Method Not Allowed",
                      req.getMethod() + " is not allowed on " + path);
        } else {
          SendProblem(resp, 404, "Not Found", "no such endpoint: " + path);
        }
      } else {
        route_name = route->pattern;
        Exchange x{req, resp, std::move(params), std::move(*query), std::nullopt};
        bool allowed = true;
        // Before anything else, failed authentications included: guessing keys costs requests.
        double wait = 0;
        if (!address_limit_.Allow(req.clientAddress().host().toString(), &wait)) {
          TooManyRequests(resp, wait, "this address");
          allowed = false;
        } else if (!route->permission.empty()) {
          // A business system or tool presents an API key; a person in the browser, the
          // session cookie of their sign-in (and, to change anything, its CSRF token).
          std::string auth = req.get("Authorization", "");
          std::optional<ApiPrincipal> who;
          std::string refusal = auth.empty() ? "sign in, or present an API key (Authorization: "
                                               "Bearer KEY)"
                                             : "the API key is not valid";
          if (auth.rfind("Bearer ", 0) == 0) {
            who = services_.keys->Authenticate(auth.substr(7));
          } else if (auth.empty() && services_.sessions != nullptr) {
            auto user = SessionUser(services_, req);
            if (!user.ok()) throw std::runtime_error(user.status().ToString());
            if (*user && !CsrfTokenMatches(req, **user)) {
              SendProblem(resp, 403, "Forbidden",
                          "the X-CSRF-Token header is missing or not this session's");
              allowed = false;
            } else if (*user) {
              who = ApiPrincipal{};
              who->user = (*user)->name;
              who->user_role = (*user)->role;
            }
          }
          if (!allowed) {
          } else if (!who) {
            resp.set("WWW-Authenticate", "Bearer");
            SendProblem(resp, 401, "Unauthorized", refusal);
            allowed = false;
          } else if (Status may = services_.policy->Check(PolicyRole(*who), route->permission);
                     !may.ok()) {
            SendProblem(resp, 403, "Forbidden", may.message());
            allowed = false;
          }
          x.principal = who;
          if (allowed &&
              !key_limit_.Allow(who->person() ? "user:" + who->user : who->key_id, &wait)) {
            TooManyRequests(resp, wait, who->person() ? "this user" : "this API key");
            allowed = false;
          }
        }
        if (allowed) route->handler(x);
      }
    }
    DiscardUnreadBody(req, resp);
  } catch (const Poco::Exception& e) {
    // The client went away or sent garbage mid-body; answer if we still can, and end the
    // connection: where the next request would start is unknown.
    resp.setKeepAlive(false);
    if (!resp.sent()) SendProblem(resp, 400, "Bad Request", e.displayText());
  } catch (const std::exception& e) {
    resp.setKeepAlive(false);
    if (!resp.sent()) SendProblem(resp, 500, "Internal Server Error", "unexpected error");
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.ObserveRequest(req.getMethod(), route_name, static_cast<int>(resp.getStatus()), secs);
}

}  // namespace dangan::web
