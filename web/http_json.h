// Small helpers every handler uses: JSON bodies, RFC 7807 problem responses with per-field errors,
// query parameters. Stateless; thread-safe.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <istream>
#include <map>
#include <string>

#include "archive/status.h"

namespace dangan::web {

void SendJson(Poco::Net::HTTPServerResponse& resp, int status, const std::string& json);
void SendJson(Poco::Net::HTTPServerResponse& resp, int status, const Poco::JSON::Object& json);
// A whole body from memory (a PDF, an image, a CSV) that no cache keeps, with the file name the
// browser saves it under (UTF-8, RFC 5987) as `inline` or `attachment`; no name: none given.
void SendBytes(Poco::Net::HTTPServerResponse& resp, const std::string& bytes,
               const std::string& content_type, const std::string& filename = "",
               bool attachment = false);
// {"type":"about:blank","title":…,"status":…,"detail":…,"errors":[{"field","message"}]}
void SendProblem(Poco::Net::HTTPServerResponse& resp, int status, const std::string& title,
                 const std::string& detail, const std::vector<FieldError>& fields = {});
// Maps a Status to an HTTP status (InvalidArgument 422, NotFound 404, Conflict 409, NoSpace 507,
// Unavailable 503, others 500) and sends it as a problem.
void SendStatus(Poco::Net::HTTPServerResponse& resp, const Status& status);
int HttpStatusFor(const Status& status);

std::string JsonQuote(const std::string& s);

// Decoded query parameters (last value wins); invalid percent-encoding is an error.
Result<std::map<std::string, std::string>> QueryParameters(const std::string& uri);
// Percent-decodes one path segment; fails on invalid encoding or invalid UTF-8.
Result<std::string> DecodePathSegment(const std::string& segment);

// A small JSON object body (at most `limit` bytes; an empty body is an empty object); anything
// else is kMalformed (400).
Result<Poco::JSON::Object::Ptr> ReadJsonObject(Poco::Net::HTTPServerRequest& req,
                                               size_t limit = 64 << 10);
// Reads the whole request body, refusing more than `limit` bytes (413).
Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& req, size_t limit);
// The same for a body already separated from its request (`req` gives the Content-Length).
Result<std::string> ReadBody(const Poco::Net::HTTPRequest& req, std::istream& body, size_t limit);

}  // namespace dangan::web
