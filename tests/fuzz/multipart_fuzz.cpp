// libFuzzer target: the body of POST /api/v1/cases (web/case_upload.h), as multipart/form-data
// with a fixed boundary and as application/json, staged into a scratch directory emptied before
// each input; a body that is accepted then goes through DecodeCaseJson as the server does.
// Invariants: nothing is staged outside the staging directory, an accepted case names only
// staged files, refusals are client errors (4xx), never internal ones, and JSON content that is
// not base64 is refused.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include "archive/case_submission.h"
#include "archive/scheme.h"
#include "tests/fuzz/fuzz_support.h"
#include "web/case_upload.h"
#include "web/http_json.h"

using namespace dangan;

namespace {

constexpr const char* kBoundary = "----dangan-fuzz-boundary";

// Base64 as Poco's decoder reads it: the alphabet, padding, and white space (skipped).
bool LooksLikeBase64(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '+' && c != '/' && c != '=' && !std::isspace(c)) return false;
  return true;
}

// A JSON body that was received had valid base64 in every files[].content.
void CheckContentWasBase64(const std::string& body) {
  Poco::JSON::Object::Ptr obj = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  auto files = obj->getArray("files");
  for (size_t i = 0; files && i < files->size(); ++i) {
    auto f = files->getObject(i);
    if (f && f->has("content") && f->get("content").isString() &&
        !LooksLikeBase64(f->getValue<std::string>("content")))
      fuzz::Fail("files[" + std::to_string(i) + "].content is not base64 but was accepted");
  }
}

void Receive(const std::string& content_type, const std::string& body) {
  const std::string dir = fuzz::FreshDir("staging");
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/cases",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType(content_type);
  req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  web::ServerOptions opt;
  opt.max_json_bytes = 1 << 20;
  opt.max_upload_bytes = 1 << 20;
  std::istringstream in(body);
  auto json = web::ReceiveCaseBody(req, in, dir, opt);
  // Whatever happened, the staging directory holds only the neutral names p0, p1, ...
  const std::string parent = fuzz::ScratchRoot();
  for (const auto& e : std::filesystem::directory_iterator(parent))
    if (e.path().filename() != "staging")
      fuzz::Fail("the upload created " + e.path().string() + " outside the staging directory");
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() < 2 || name[0] != 'p' ||
        name.find_first_not_of("0123456789", 1) != std::string::npos || !e.is_regular_file())
      fuzz::Fail("unexpected staged entry " + name);
  }
  if (!json.ok()) {
    fuzz::Note(content_type + ": refused: " + json.status().ToString());
    int http = web::HttpStatusFor(json.status());
    if (http < 400 || http >= 500) fuzz::Fail("the body gave " + json.status().ToString());
    return;
  }
  if (content_type == "application/json") CheckContentWasBase64(body);
  CaseDecodeOptions decode;
  decode.base_dir = dir;
  decode.today = "20261123";
  auto c = DecodeCaseJson(*json, fuzz::BuiltinScheme(), decode);
  if (!c.ok()) {
    fuzz::Note(content_type + ": received, but the case is refused: " + c.status().ToString());
    return;
  }
  fuzz::Note(content_type + ": accepted " + c->case_id + " with " +
             std::to_string(c->files.size()) + " file(s)");
  for (const auto& f : c->files) {
    std::string name = std::filesystem::path(f.path).filename().string();
    if (f.path != dir + "/" + name || !std::filesystem::is_regular_file(f.path))
      fuzz::Fail("an accepted case names '" + f.path + "', which is not a staged file");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::BuiltinScheme();
  fuzz::ScratchRoot();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body = fuzz::AsString(data, size);
  Receive(std::string("multipart/form-data; boundary=") + kBoundary, body);
  Receive("application/json", body);
  return 0;
}
