// The browser front end (web/ui, built by Vite into index.html and assets/) served by the same
// server: / and /assets/{file}, under a strict Content-Security-Policy so that even a string
// that slipped past escaping could not run as script.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

namespace fs = std::filesystem;

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

std::string ContentType(const std::string& name) {
  const std::string ext = fs::path(name).extension().string();
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".json") return "application/json";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

// A built asset's name is one plain segment; a decoded %2F or a dot-file never reaches the disk.
bool PlainName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name[0] == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

void SendFile(Exchange& x, const fs::path& path, const std::string& cache) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return SendProblem(x.resp, 404, "Not Found", "no such file");
  std::ostringstream body;
  body << in.rdbuf();
  const std::string bytes = body.str();
  x.resp.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  x.resp.setContentType(ContentType(path.filename().string()));
  x.resp.set("Content-Security-Policy", kContentSecurityPolicy);
  x.resp.set("X-Content-Type-Options", "nosniff");
  x.resp.set("Referrer-Policy", "no-referrer");
  x.resp.set("X-Frame-Options", "DENY");
  x.resp.set("Cache-Control", cache);
  x.resp.setContentLength64(static_cast<Poco::Int64>(bytes.size()));
  if (x.req.getMethod() == "HEAD") {
    x.resp.send();
    return;
  }
  x.resp.send().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

void AddUiRoutes(Router& router, const ServerOptions& options) {
  const std::string root = options.ui_root;
  router.Add(
      {"GET", "/", Access::kPublic, "The web workbench (browser front end)", [root](Exchange& x) {
         if (root.empty() || !fs::exists(fs::path(root) / "index.html"))
           return SendProblem(x.resp, 404, "Not Found",
                              "the web workbench is not built or not configured "
                              "(scripts/build.sh builds web/ui; dangan serve --ui DIR)");
         // Always asked again: a new build's index names new asset files.
         SendFile(x, fs::path(root) / "index.html", "no-cache");
       }});
  router.Add({"GET", "/assets/{file}", Access::kPublic,
              "A file of the built front end (content-hashed names, cached for good)",
              [root](Exchange& x) {
                if (root.empty() || !PlainName(x.params[0]))
                  return SendProblem(x.resp, 404, "Not Found", "no such file");
                SendFile(x, fs::path(root) / "assets" / x.params[0],
                         "public, max-age=31536000, immutable");
              }});
}

}  // namespace dangan::web
