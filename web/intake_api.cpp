// POST /api/v1/cases and GET /api/v1/cases/{source}/{case_id}: integrated archiving (一体化).
// A business system hands over a closed case with its files (multipart, streamed to disk, or
// JSON with base64 content) and receives its 档号 and a signed receipt, idempotently.
#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "archive/text.h"
#include "storage/secret_key.h"
#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

namespace fs = std::filesystem;
using Poco::JSON::Object;

namespace {

// A private directory for one request's uploads, removed with everything in it.
class StagingDir {
 public:
  explicit StagingDir(const std::string& root) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    path_ = root + "/intake/" + std::to_string(rng());
    fs::create_directories(path_, ec_);
  }
  ~StagingDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  bool ok() const { return !ec_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::error_code ec_;
};

struct TooLarge : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Streams each uploaded file part into the staging directory under a neutral name ("p0",
// "p1"…): the client's file name is only data until it has been validated.
class UploadParts : public Poco::Net::PartHandler {
 public:
  UploadParts(std::string dir, uint64_t limit) : dir_(std::move(dir)), limit_(limit) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition, name, filename;
    Poco::Net::NameValueCollection params;
    if (header.has("Content-Disposition")) {
      Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition"), disposition,
                                                params);
      name = params.get("name", "");
      filename = params.get("filename", "");
    }
    std::string staged = "p" + std::to_string(parts.size());
    std::ofstream out(dir_ + "/" + staged, std::ios::binary);
    char buf[65536];
    while (stream) {
      stream.read(buf, sizeof buf);
      std::streamsize n = stream.gcount();
      total_ += static_cast<uint64_t>(n);
      if (total_ > limit_)
        throw TooLarge("the upload is larger than " + std::to_string(limit_) + " bytes");
      out.write(buf, n);
    }
    if (!out) throw Poco::IOException("cannot stage upload");
    parts.push_back({name, filename, staged});
  }
  struct Part {
    std::string field, filename, staged;
  };
  std::vector<Part> parts;

 private:
  std::string dir_;
  uint64_t limit_;
  uint64_t total_ = 0;
};

std::string ReceiptJson(const Services& s, const std::string& source, const std::string& case_id,
                        const FilingReceipt& r) {
  // Each field as <length>:<value>, so no choice of case_id can make two receipts sign alike.
  std::string signed_text = "dangan-receipt/2";
  for (const std::string* f : {&source, &case_id, &r.reference, &r.package_sha256, &r.filed_at})
    signed_text += "|" + std::to_string(f->size()) + ":" + *f;
  return "{\"reference\":" + JsonQuote(r.reference) + ",\"source\":" + JsonQuote(source) +
         ",\"case_id\":" + JsonQuote(case_id) +
         ",\"package_sha256\":" + JsonQuote(r.package_sha256) +
         ",\"filed_at\":" + JsonQuote(r.filed_at) +
         ",\"receipt\":{\"algorithm\":\"HMAC-SHA256\",\"signed\":" + JsonQuote(signed_text) +
         ",\"signature\":" + JsonQuote(HmacSha256Hex(s.secret, signed_text)) + "}}";
}

Result<Object::Ptr> ParseObject(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(text);
    if (v.type() != typeid(Object::Ptr))
      return Status(ErrorCode::kMalformed, "a case must be a JSON object");
    return v.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::kMalformed, "the case is not valid JSON: " + e.message());
  }
}

std::string Stringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

// Reads the case and its files from the request into `dir`, pointing each files[i].path at the
// staged bytes. The client never chooses a path on this machine.
Result<std::string> ReceiveCase(Exchange& x, const std::string& dir, const ServerOptions& opt) {
  std::string type = x.req.getContentType();
  std::string mime = type.substr(0, type.find(';'));
  for (auto& c : mime) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!mime.empty() && mime.back() == ' ') mime.pop_back();
  if (mime == "application/json") {
    auto body = ReadBody(x.req, opt.max_json_bytes);
    if (!body.ok()) return body.status();
    auto obj = ParseObject(*body);
    if (!obj.ok()) return obj.status();
    std::vector<FieldError> errors;
    if (auto files = (*obj)->getArray("files")) {
      for (size_t i = 0; i < files->size(); ++i) {
        auto f = files->getObject(i);
        if (!f) continue;  // reported by the decoder
        std::string field = "files[" + std::to_string(i) + "]";
        std::string staged = "p" + std::to_string(i);
        f->set("path", staged);
        if (!f->has("content") || !f->get("content").isString()) {
          errors.push_back({field + ".content", "base64 content is required in a JSON upload"});
          continue;
        }
        std::istringstream in(f->getValue<std::string>("content"));
        std::ofstream out(dir + "/" + staged, std::ios::binary);
        try {
          Poco::Base64Decoder decoder(in);
          Poco::StreamCopier::copyStream(decoder, out);
        } catch (const Poco::Exception&) {
          errors.push_back({field + ".content", "is not valid base64"});
          continue;
        }
        if (!out) return Status::IOError("cannot stage " + field);
        f->remove("content");
      }
    }
    if (!errors.empty()) return Status::InvalidArgument("the case's files are not valid", errors);
    return Stringify(*obj);
  }
  if (mime == "multipart/form-data") {
    UploadParts parts(dir, opt.max_upload_bytes);
    Poco::Net::HTMLForm form;
    form.setFieldLimit(1000);
    form.setValueLengthLimit(4 << 20);
    try {
      form.load(x.req, x.req.stream(), parts);
    } catch (const TooLarge& e) {
      return Status(ErrorCode::kTooLarge, e.what());
    } catch (const Poco::Exception& e) {
      return Status(ErrorCode::kMalformed, "the multipart body is malformed: " + e.displayText());
    }
    if (!form.has("case"))
      return Status::InvalidArgument(
          "the multipart body needs a 'case' field holding the case JSON",
          {{"case", "is required"}});
    auto obj = ParseObject(form.get("case"));
    if (!obj.ok()) return obj.status();
    std::vector<FieldError> errors;
    std::vector<bool> used(parts.parts.size(), false);
    if (auto files = (*obj)->getArray("files")) {
      for (size_t i = 0; i < files->size(); ++i) {
        auto f = files->getObject(i);
        if (!f) continue;
        std::string name = f->optValue<std::string>("name", "");
        std::string field = "files[" + std::to_string(i) + "]";
        f->set("path", "missing-part-" + std::to_string(i));
        bool found = false;
        for (size_t p = 0; p < parts.parts.size() && !found; ++p) {
          if (!used[p] && parts.parts[p].filename == name) {
            used[p] = found = true;
            f->set("path", parts.parts[p].staged);
          }
        }
        if (!found)
          errors.push_back({field + ".name", "no uploaded file part named '" + name + "'"});
      }
    }
    for (size_t p = 0; p < parts.parts.size(); ++p)
      if (!used[p])
        errors.push_back({"parts", "uploaded file '" + parts.parts[p].filename +
                                       "' is not listed in the case's files"});
    if (!errors.empty())
      return Status::InvalidArgument("the upload does not match the case", errors);
    return Stringify(*obj);
  }
  return Status(ErrorCode::kUnsupportedMediaType,
                "Content-Type must be application/json or multipart/form-data, got '" + type + "'");
}

}  // namespace

void AddIntakeRoutes(Router& router, Services& services, Metrics& metrics,
                     const ServerOptions& options) {
  router.Add({"POST", "/api/v1/cases", Access::kIntake,
              "File a closed business case with its files; returns its 档号 and a signed receipt",
              [&services, &metrics, options](Exchange& x) {
                StagingDir dir(services.root);
                if (!dir.ok()) {
                  SendProblem(x.resp, 500, "Internal Server Error", "cannot stage the upload");
                  return;
                }
                auto json = ReceiveCase(x, dir.path(), options);
                if (!json.ok()) {
                  metrics.CountFiling("invalid");
                  SendStatus(x.resp, json.status());
                  return;
                }
                CaseDecodeOptions decode;
                decode.base_dir = dir.path();
                auto c = DecodeCaseJson(*json, *services.scheme, decode);
                if (!c.ok()) {
                  metrics.CountFiling("invalid");
                  SendStatus(x.resp, c.status());
                  return;
                }
                if (c->source != x.principal->source) {
                  metrics.CountFiling("invalid");
                  SendProblem(x.resp, 403, "Forbidden",
                              "this key files cases for source '" + x.principal->source +
                                  "', not '" + c->source + "'",
                              {{"source", "does not match the API key"}});
                  return;
                }
                auto receipt = services.filing->File(
                    *c, "business", "api:" + x.principal->source + ":" + x.principal->key_id);
                if (!receipt.ok()) {
                  metrics.CountFiling(receipt.status().code() == ErrorCode::kConflict ? "conflict"
                                      : receipt.status().code() == ErrorCode::kInvalidArgument
                                          ? "invalid"
                                          : "error");
                  SendStatus(x.resp, receipt.status());
                  return;
                }
                metrics.CountFiling(receipt->already_filed ? "replayed" : "created");
                if (!receipt->already_filed) {
                  std::string id;
                  Poco::URI::encode(c->case_id, "/?#&=+;:@$!'()*,[]\"% ", id);
                  x.resp.set("Location", "/api/v1/cases/" + c->source + "/" + id);
                }
                SendJson(x.resp, receipt->already_filed ? 200 : 201,
                         ReceiptJson(services, c->source, c->case_id, *receipt));
              }});

  router.Add(
      {"GET", "/api/v1/cases/{source}/{case_id}", Access::kAnyKey,
       "The filing status and receipt of a case", [&services](Exchange& x) {
         const std::string& source = x.params[0];
         const std::string& case_id = x.params[1];
         if (x.principal->role != ApiRole::kReader && source != x.principal->source) {
           SendProblem(x.resp, 403, "Forbidden", "this key may only query its own cases");
           return;
         }
         auto known = services.catalogue->FindCase(source, case_id);
         if (!known.ok()) return SendStatus(x.resp, known.status());
         if (!*known) {
           SendProblem(x.resp, 404, "Not Found",
                       "case " + source + "/" + case_id + " has not been filed");
           return;
         }
         FilingReceipt r{(*known)->reference, (*known)->package_sha256, (*known)->filed_at, true};
         std::string body = ReceiptJson(services, source, case_id, r);
         body.insert(1, "\"status\":\"filed\",");
         SendJson(x.resp, 200, body);
       }});
}

}  // namespace dangan::web
