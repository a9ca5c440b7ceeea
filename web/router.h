// Router: the table of HTTP routes (method, path pattern with {params}, access rule, summary).
// The same table dispatches requests and generates /api/v1/openapi.json, so the description can
// never drift from what is served. Built once at start; read-only and thread-safe afterwards.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "web/api_keys.h"

namespace dangan::web {

// What a route needs: a permission of archive/access_policy.h (roles.json), checked against the
// role of the key presented; kPublic routes need no key.
namespace Access {
inline const std::string kPublic;
}

struct Exchange {
  Poco::Net::HTTPServerRequest& req;
  Poco::Net::HTTPServerResponse& resp;
  std::vector<std::string> params;  // percent-decoded path parameters, in pattern order
  std::map<std::string, std::string> query;
  std::optional<ApiPrincipal> principal;
};

struct Route {
  Route(std::string m, std::string p, std::string a, std::string s,
        std::function<void(Exchange&)> h, std::vector<std::string> q = {})
      : method(std::move(m)),
        pattern(std::move(p)),
        permission(std::move(a)),
        summary(std::move(s)),
        handler(std::move(h)),
        query_parameters(std::move(q)) {}
  std::string method;      // "GET", "POST", ...
  std::string pattern;     // "/api/v1/records/{reference}"
  std::string permission;  // empty: public
  std::string summary;
  std::function<void(Exchange&)> handler;
  std::vector<std::string> query_parameters;  // documented in openapi.json
  // OpenAPI objects (JSON text) where the route says more than its table row: its requestBody,
  // and its responses (empty: "200 JSON, or a problem body").
  std::string request_body;
  std::string responses;
};

class Router {
 public:
  void Add(Route route);
  // The route for a method and raw (still percent-encoded) path; fills decoded `params`.
  // `path_known` tells a 405 from a 404. Bad percent-encoding yields nullopt + `bad_path`.
  const Route* Match(const std::string& method, const std::string& raw_path,
                     std::vector<std::string>* params, bool* path_known, bool* bad_path) const;
  const std::vector<Route>& routes() const { return routes_; }
  std::string OpenApiJson() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace dangan::web
