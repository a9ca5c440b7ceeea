// Reading the body of POST /api/v1/cases: the case JSON and its files, from multipart/form-data
// (a 'case' field plus one file part per files[] entry, matched by filename and streamed to disk)
// or from application/json (each file's bytes base64 in files[].content). Stateless functions;
// thread-safe as long as each call has its own staging directory.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <istream>
#include <string>

#include "archive/status.h"
#include "web/api_server.h"

namespace dangan::web {

// Reads the case and its files from `body` (the request's body, framed by `req`'s Content-Type
// and Content-Length) into `staging_dir`, which must exist and is the caller's to remove. Each
// files[i].path of the returned case JSON names the staged bytes relative to `staging_dir`
// ("p0", "p1"…): the client never chooses a path on this machine. Errors: kUnsupportedMediaType,
// kTooLarge (opt.max_json_bytes / opt.max_upload_bytes), kMalformed, or kInvalidArgument naming
// each field.
// When the file parts do not match the case's files[] and `mismatch` is given, the mismatches go
// there and the case JSON is still returned (a file without its part names no staged bytes), so
// that the caller can report them together with what is wrong in the case itself.
Result<std::string> ReceiveCaseBody(const Poco::Net::HTTPRequest& req, std::istream& body,
                                    const std::string& staging_dir, const ServerOptions& opt,
                                    std::vector<FieldError>* mismatch = nullptr);

}  // namespace dangan::web
