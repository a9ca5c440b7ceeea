#include "web/case_upload.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "web/http_json.h"

namespace dangan::web {

using Poco::JSON::Object;

namespace {

// Files one case may carry, in either encoding.
constexpr size_t kMaxFiles = 1000;

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

Result<std::string> ReceiveJson(const Poco::Net::HTTPRequest& req, std::istream& in,
                                const std::string& dir, const ServerOptions& opt) {
  auto body = ReadBody(req, in, opt.max_json_bytes);
  if (!body.ok()) return body.status();
  auto obj = ParseObject(*body);
  if (!obj.ok()) return obj.status();
  std::vector<FieldError> errors;
  if (auto files = (*obj)->getArray("files")) {
    // As many as a multipart body may carry: a large body of empty entries must not become
    // millions of staged files before the case is even validated.
    if (files->size() > kMaxFiles)
      return Status::InvalidArgument(
          "too many files", {{"files", "at most " + std::to_string(kMaxFiles) + " files"}});
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
      std::istringstream b64(f->getValue<std::string>("content"));
      std::ofstream out(dir + "/" + staged, std::ios::binary);
      // The decoder throws on a byte outside the alphabet, but the istream it hands bytes to
      // catches that and only sets badbit: without this check, bad content was staged truncated.
      bool decoded = true;
      try {
        Poco::Base64Decoder decoder(b64);
        Poco::StreamCopier::copyStream(decoder, out);
        decoded = !decoder.bad();
      } catch (const Poco::Exception&) {
        decoded = false;
      }
      if (!decoded) {
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

Result<std::string> ReceiveMultipart(const Poco::Net::HTTPRequest& req, std::istream& in,
                                     const std::string& dir, const ServerOptions& opt,
                                     std::vector<FieldError>* mismatch) {
  UploadParts parts(dir, opt.max_upload_bytes);
  Poco::Net::HTMLForm form;
  form.setFieldLimit(static_cast<int>(kMaxFiles));
  form.setValueLengthLimit(4 << 20);
  try {
    form.load(req, in, parts);
  } catch (const TooLarge& e) {
    return Status(ErrorCode::kTooLarge, e.what());
  } catch (const Poco::Exception& e) {
    return Status(ErrorCode::kMalformed, "the multipart body is malformed: " + e.displayText());
  }
  if (!form.has("case"))
    return Status::InvalidArgument("the multipart body needs a 'case' field holding the case JSON",
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
      if (!found) errors.push_back({field + ".name", "no uploaded file part named '" + name + "'"});
    }
  }
  for (size_t p = 0; p < parts.parts.size(); ++p)
    if (!used[p])
      errors.push_back({"parts", "uploaded file '" + parts.parts[p].filename +
                                     "' is not listed in the case's files"});
  if (!errors.empty() && mismatch == nullptr)
    return Status::InvalidArgument("the upload does not match the case", errors);
  if (mismatch != nullptr) *mismatch = std::move(errors);
  return Stringify(*obj);
}

}  // namespace

Result<std::string> ReceiveCaseBody(const Poco::Net::HTTPRequest& req, std::istream& body,
                                    const std::string& staging_dir, const ServerOptions& opt,
                                    std::vector<FieldError>* mismatch) {
  if (mismatch != nullptr) mismatch->clear();
  std::string type = req.getContentType();
  std::string mime = type.substr(0, type.find(';'));
  for (auto& c : mime) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!mime.empty() && mime.back() == ' ') mime.pop_back();
  if (mime == "application/json") return ReceiveJson(req, body, staging_dir, opt);
  if (mime == "multipart/form-data") return ReceiveMultipart(req, body, staging_dir, opt, mismatch);
  return Status(ErrorCode::kUnsupportedMediaType,
                "Content-Type must be application/json or multipart/form-data, got '" + type + "'");
}

}  // namespace dangan::web
