#include "web/router.h"

#include <map>
#include <sstream>

#include "web/http_json.h"
#include "web/openapi_schemas.h"

namespace dangan::web {

namespace {
std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  std::string seg;
  std::istringstream in(path);
  while (std::getline(in, seg, '/'))
    if (!seg.empty()) out.push_back(seg);
  return out;
}
}  // namespace

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::Match(const std::string& method, const std::string& raw_path,
                           std::vector<std::string>* params, bool* path_known,
                           bool* bad_path) const {
  *path_known = false;
  *bad_path = false;
  auto segs = Split(raw_path);
  for (const auto& r : routes_) {
    auto pat = Split(r.pattern);
    if (pat.size() != segs.size()) continue;
    std::vector<std::string> found;
    bool ok = true;
    for (size_t i = 0; i < pat.size() && ok; ++i) {
      if (pat[i].front() == '{') {
        auto decoded = DecodePathSegment(segs[i]);
        if (!decoded.ok()) {
          *bad_path = true;
          return nullptr;
        }
        found.push_back(*decoded);
      } else {
        ok = pat[i] == segs[i];
      }
    }
    if (!ok) continue;
    *path_known = true;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      *params = std::move(found);
      return &r;
    }
  }
  return nullptr;
}

std::string Router::OpenApiJson() const {
  std::map<std::string, std::vector<const Route*>> by_path;
  for (const auto& r : routes_) by_path[r.pattern].push_back(&r);
  std::string json =
      "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"Dangan archive API\",\"version\":\"1\"},"
      "\"components\":" +
      OpenApiComponents() + ",\"paths\":{";
  bool first_path = true;
  for (const auto& [path, routes] : by_path) {
    json += (first_path ? "" : ",") + JsonQuote(path) + ":{";
    first_path = false;
    bool first_op = true;
    for (const Route* r : routes) {
      std::string method = r->method;
      for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      json += (first_op ? "" : ",") + JsonQuote(method) + ":{\"summary\":" + JsonQuote(r->summary);
      first_op = false;
      json += ",\"parameters\":[";
      bool first_param = true;
      for (const auto& seg : Split(path)) {
        if (seg.front() != '{') continue;
        json += (first_param ? "" : ",") + std::string("{\"name\":") +
                JsonQuote(seg.substr(1, seg.size() - 2)) +
                ",\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}";
        first_param = false;
      }
      for (const auto& q : r->query_parameters) {
        json += (first_param ? "" : ",") + std::string("{\"name\":") + JsonQuote(q) +
                ",\"in\":\"query\",\"schema\":{\"type\":\"string\"}}";
        first_param = false;
      }
      json += "]";
      if (!r->request_body.empty()) json += ",\"requestBody\":" + r->request_body;
      if (!r->permission.empty())
        json += ",\"security\":[{\"apiKey\":[]}],\"x-permission\":\"" + r->permission + "\"";
      json += ",\"responses\":" +
              (r->responses.empty()
                   ? std::string("{\"2XX\":{\"description\":\"JSON (or the file, PDF or CSV the "
                                 "route names)\"},\"default\":{\"$ref\":\"#/components/"
                                 "responses/Problem\"}}")
                   : r->responses) +
              "}";
    }
    json += "}";
  }
  json += "}}";
  return json;
}

}  // namespace dangan::web
