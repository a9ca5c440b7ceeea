// Signing in to the web workbench: POST/GET/DELETE /api/v1/session. A session is an HttpOnly,
// SameSite=Strict cookie (storage/session_store.h); requests it authenticates must carry the
// session's CSRF token to change anything (the dispatcher checks it on every route).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/NameValueCollection.h>
#include <openssl/crypto.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

namespace {

constexpr const char* kCookie = "dangan_session";

std::string TokenOf(const Poco::Net::HTTPServerRequest& req) {
  Poco::Net::NameValueCollection cookies;
  req.getCookies(cookies);
  return cookies.get(kCookie, "");
}

void SetCookie(Poco::Net::HTTPServerResponse& resp, const std::string& value, bool secure,
               bool expire) {
  Poco::Net::HTTPCookie cookie(kCookie, value);
  cookie.setPath("/");
  cookie.setHttpOnly(true);
  cookie.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_STRICT);
  cookie.setSecure(secure);
  if (expire) cookie.setMaxAge(0);
  resp.addCookie(cookie);
}

std::string SessionJson(const Services& services, const SignedInUser& user) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("name", user.name);
  o.set("role", user.role);
  const AccessPolicy::Role* role = services.policy->FindRole(user.role);
  o.set("role_name", role ? role->name : user.role);
  Poco::JSON::Array::Ptr perms = new Poco::JSON::Array;
  if (role)
    for (const auto& p : role->permissions) perms->add(p);
  o.set("permissions", perms);
  o.set("csrf", user.csrf);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

Result<std::optional<SignedInUser>> SessionUser(Services& services,
                                                const Poco::Net::HTTPServerRequest& req) {
  if (services.sessions == nullptr) return std::optional<SignedInUser>();
  std::string token = TokenOf(req);
  if (token.empty()) return std::optional<SignedInUser>();
  return services.sessions->Find(token);
}

bool CsrfTokenMatches(const Poco::Net::HTTPServerRequest& req, const SignedInUser& user) {
  const std::string& m = req.getMethod();
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") return true;
  std::string presented = req.get("X-CSRF-Token", "");
  return presented.size() == user.csrf.size() && !user.csrf.empty() &&
         CRYPTO_memcmp(presented.data(), user.csrf.data(), presented.size()) == 0;
}

void AddSessionRoutes(Router& router, Services& services, const ServerOptions& options,
                      std::shared_ptr<RateLimiter> by_name) {
  const bool secure = !options.tls_certificate.empty() || options.secure_cookies;
  auto by_address = std::make_shared<RateLimiter>(options.sign_in_rate_per_address, 10);

  router.Add({"POST", "/api/v1/session", Access::kPublic,
              "Sign in to the web workbench with a user name and password; sets the session "
              "cookie and returns the user, role, permissions and CSRF token",
              [&services, secure, by_address, by_name](Exchange& x) {
                if (services.sessions == nullptr)
                  return SendProblem(x.resp, 503, "Service Unavailable",
                                     "signing in is not enabled on this server");
                // Only a script of this origin can send JSON (a cross-site form cannot without
                // a preflight this server refuses): no one signs a browser in behind its back.
                if (x.req.getContentType().rfind("application/json", 0) != 0)
                  return SendProblem(x.resp, 415, "Unsupported Media Type",
                                     "sign in with Content-Type: application/json");
                auto body = ReadBody(x.req, 64 << 10);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::string name, password;
                try {
                  Poco::JSON::Parser parser;
                  auto o = parser.parse(*body).extract<Poco::JSON::Object::Ptr>();
                  if (!o->get("name").isString() || !o->get("password").isString())
                    throw std::invalid_argument("name and password are text");
                  name = o->getValue<std::string>("name");
                  password = o->getValue<std::string>("password");
                } catch (const std::exception&) {
                  return SendProblem(x.resp, 400, "Bad Request",
                                     "the body must be a JSON object with name and password",
                                     {{"name", "required"}, {"password", "required"}});
                }
                // Longer names are nobody's; refused before they could fill the limiter.
                if (name.empty() || name.size() > 100 || password.size() > 1024)
                  return SendProblem(x.resp, 401, "Unauthorized",
                                     "the name or the password is wrong");
                double wait = 0;
                const std::string address = x.req.clientAddress().host().toString();
                if (!by_address->Allow(address, &wait) || !by_name->Allow(name, &wait)) {
                  x.resp.set("Retry-After", std::to_string(static_cast<int>(wait) + 1));
                  return SendProblem(x.resp, 429, "Too Many Requests",
                                     "too many sign-in attempts; try again in " +
                                         std::to_string(static_cast<int>(wait) + 1) + " s");
                }
                auto session = services.sessions->SignIn(name, password);
                if (!session.ok()) {
                  if (session.status().code() == ErrorCode::kUnauthorized)
                    return SendProblem(x.resp, 401, "Unauthorized", session.status().message());
                  return SendStatus(x.resp, session.status());
                }
                SetCookie(x.resp, session->token, secure, false);
                SendJson(x.resp, 200, SessionJson(services, session->user));
              }});

  router.Add({"GET", "/api/v1/session", Access::kPublic,
              "The signed-in user of this session cookie, with the CSRF token (401 if none)",
              [&services](Exchange& x) {
                auto user = SessionUser(services, x.req);
                if (!user.ok()) return SendStatus(x.resp, user.status());
                if (!*user) return SendProblem(x.resp, 401, "Unauthorized", "not signed in");
                SendJson(x.resp, 200, SessionJson(services, **user));
              }});

  router.Add({"DELETE", "/api/v1/session", Access::kPublic,
              "Sign out: ends the session and clears its cookie", [&services, secure](Exchange& x) {
                auto user = SessionUser(services, x.req);
                if (!user.ok()) return SendStatus(x.resp, user.status());
                if (*user) {
                  // Otherwise any page could sign the archivist out.
                  if (!CsrfTokenMatches(x.req, **user))
                    return SendProblem(x.resp, 403, "Forbidden",
                                       "the X-CSRF-Token header is missing or not this session's");
                  Status st = services.sessions->SignOut(TokenOf(x.req));
                  if (!st.ok()) return SendStatus(x.resp, st);
                }
                SetCookie(x.resp, "", secure, true);
                x.resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
                x.resp.setContentLength(0);
                x.resp.send();
              }});
}

}  // namespace dangan::web
