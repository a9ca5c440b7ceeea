#include "web/http_json.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/URI.h>

#include <iostream>
#include <sstream>

#include "archive/record_masking.h"
#include "archive/text.h"

namespace dangan::web {

std::string JsonQuote(const std::string& s) {
  std::ostringstream out;
  Poco::JSON::Stringifier::formatString(s, out);
  return out.str();
}

void SendJson(Poco::Net::HTTPServerResponse& resp, int status, const std::string& json) {
  resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  resp.setContentType("application/json; charset=utf-8");
  resp.set("X-Content-Type-Options", "nosniff");
  resp.setContentLength64(static_cast<Poco::Int64>(json.size()));
  resp.set("Cache-Control", "no-store");
  resp.set("X-Content-Type-Options", "nosniff");
  resp.send() << json;
}

void SendJson(Poco::Net::HTTPServerResponse& resp, int status, const Poco::JSON::Object& json) {
  std::ostringstream out;
  json.stringify(out);
  SendJson(resp, status, out.str());
}

void SendBytes(Poco::Net::HTTPServerResponse& resp, const std::string& bytes,
               const std::string& content_type, const std::string& filename, bool attachment) {
  resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
  resp.setContentType(content_type);
  if (!filename.empty()) {
    std::string encoded;
    Poco::URI::encode(filename, ";=,/?#&+:@$!'()*[]\"% ", encoded);
    resp.set("Content-Disposition",
             std::string(attachment ? "attachment" : "inline") + "; filename*=UTF-8''" + encoded);
  }
  resp.set("Cache-Control", "no-store");
  resp.set("X-Content-Type-Options", "nosniff");
  resp.setContentLength64(static_cast<Poco::Int64>(bytes.size()));
  resp.send().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void SendProblem(Poco::Net::HTTPServerResponse& resp, int status, const std::string& title,
                 const std::string& detail, const std::vector<FieldError>& fields) {
  std::string json = "{\"type\":\"about:blank\",\"title\":" + JsonQuote(title) +
                     ",\"status\":" + std::to_string(status) + ",\"detail\":" + JsonQuote(detail);
  if (!fields.empty()) {
    json += ",\"errors\":[";
    for (size_t i = 0; i < fields.size(); ++i) {
      json += (i ? "," : "") + std::string("{\"field\":") + JsonQuote(fields[i].field) +
              ",\"message\":" + JsonQuote(fields[i].message) + "}";
    }
    json += "]";
  }
  json += "}";
  resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  // An error may come before the request body was read; the connection cannot be reused then.
  resp.setKeepAlive(false);
  resp.setContentType("application/problem+json; charset=utf-8");
  resp.set("X-Content-Type-Options", "nosniff");
  resp.setContentLength64(static_cast<Poco::Int64>(json.size()));
  resp.set("Cache-Control", "no-store");
  resp.send() << json;
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kNoSpace:
      return 507;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kFailedCheck:
      return 422;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    default:
      return 500;
  }
}

void SendStatus(Poco::Net::HTTPServerResponse& resp, const Status& st) {
  int code = HttpStatusFor(st);
  if (code >= 500 && code != 503 && code != 507) {
    // The operator needs the detail; the client must not see server paths.
    // Never a 公民身份号码: a database error's detail can quote the row it failed on.
    std::cerr << "dangan: request failed: " << MaskIdentifiers(st.ToString()) << std::endl;
    SendProblem(resp, code, "Internal Server Error",
                "the archive could not complete the request; nothing was stored");
    return;
  }
  std::string title = code == 422   ? "Unprocessable Content"
                      : code == 404 ? "Not Found"
                      : code == 409 ? "Conflict"
                      : code == 507 ? "Insufficient Storage"
                      : code == 503 ? "Service Unavailable"
                      : code == 413 ? "Content Too Large"
                      : code == 400 ? "Bad Request"
                      : code == 415 ? "Unsupported Media Type"
                      : code == 401 ? "Unauthorized"
                      : code == 403 ? "Forbidden"
                                    : "Internal Server Error";
  SendProblem(resp, code, title, st.message(), st.fields());
}

Result<std::map<std::string, std::string>> QueryParameters(const std::string& uri) {
  std::map<std::string, std::string> out;
  auto q = uri.find('?');
  if (q == std::string::npos) return out;
  std::string query = uri.substr(q + 1);
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(i, amp - i);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string k = pair.substr(0, eq), v = eq == std::string::npos ? "" : pair.substr(eq + 1);
      for (auto* s : {&k, &v})
        for (auto& c : *s)
          if (c == '+') c = ' ';
      std::string dk, dv;
      try {
        Poco::URI::decode(k, dk);
        Poco::URI::decode(v, dv);
      } catch (const Poco::Exception&) {
        return Status::InvalidArgument("the query string is not valid percent-encoding");
      }
      if (!IsValidUtf8(dk) || !IsValidUtf8(dv))
        return Status::InvalidArgument("query parameter " + dk + " is not valid UTF-8",
                                       {{dk, "is not valid UTF-8"}});
      out[dk] = dv;
    }
    i = amp + 1;
  }
  return out;
}

Result<std::string> DecodePathSegment(const std::string& segment) {
  std::string out;
  try {
    Poco::URI::decode(segment, out);
  } catch (const Poco::Exception&) {
    return Status::InvalidArgument("the path is not valid percent-encoding");
  }
  if (!IsValidUtf8(out)) return Status::InvalidArgument("the path is not valid UTF-8");
  return out;
}

Result<Poco::JSON::Object::Ptr> ReadJsonObject(Poco::Net::HTTPServerRequest& req, size_t limit) {
  auto body = ReadBody(req, limit);
  if (!body.ok()) return body.status();
  if (body->empty()) return Poco::JSON::Object::Ptr(new Poco::JSON::Object);
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(*body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
  }
  return Status(ErrorCode::kMalformed, "the body must be a JSON object");
}

Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& req, size_t limit) {
  return ReadBody(req, req.stream(), limit);
}

Result<std::string> ReadBody(const Poco::Net::HTTPRequest& req, std::istream& in, size_t limit) {
  if (req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(limit))
    return Status(ErrorCode::kTooLarge,
                  "the request body is larger than " + std::to_string(limit) + " bytes");
  std::string body;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    body.append(buf, static_cast<size_t>(in.gcount()));
    if (body.size() > limit)
      return Status(ErrorCode::kTooLarge,
                    "the request body is larger than " + std::to_string(limit) + " bytes");
  }
  return body;
}

}  // namespace dangan::web
