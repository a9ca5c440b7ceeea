// POST /api/v1/cases and GET /api/v1/cases/{source}/{case_id}: integrated archiving (一体化).
// A business system hands over a closed case with its files (multipart, streamed to disk, or
// JSON with base64 content) and receives its 档号 and a signed receipt, idempotently.
#include <Poco/URI.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "storage/secret_key.h"
#include "web/api_server.h"
#include "web/case_upload.h"
#include "web/http_json.h"
#include "web/openapi_schemas.h"

namespace dangan::web {

namespace fs = std::filesystem;

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

}  // namespace

void AddIntakeRoutes(Router& router, Services& services, Metrics& metrics,
                     const ServerOptions& options) {
  Route intake(
      "POST", "/api/v1/cases", "file",
      "File a closed business case with its files; returns its 档号 and a signed receipt",
      [&services, &metrics, options](Exchange& x) {
        // The integrated-archiving call is a business system's, under its own key; a
        // person files through capture and review.
        if (x.principal->person()) {
          SendProblem(x.resp, 403, "Forbidden", "business systems file cases with their API key");
          return;
        }
        StagingDir dir(services.root);
        if (!dir.ok()) {
          SendProblem(x.resp, 500, "Internal Server Error", "cannot stage the upload");
          return;
        }
        std::vector<FieldError> mismatch;
        auto json = ReceiveCaseBody(x.req, x.req.stream(), dir.path(), options, &mismatch);
        if (!json.ok()) {
          metrics.CountFiling("invalid");
          SendStatus(x.resp, json.status());
          return;
        }
        CaseDecodeOptions decode;
        decode.base_dir = dir.path();
        auto c = DecodeCaseJson(*json, *services.scheme, decode);
        if (!mismatch.empty()) {
          // Files without their parts, parts without their files, and whatever else is wrong
          // in the case: one answer naming each.
          std::vector<FieldError> all = mismatch;
          if (!c.ok())
            for (const auto& e : c.status().fields())
              if (std::none_of(all.begin(), all.end(),
                               [&](const FieldError& m) { return m.field == e.field; }))
                all.push_back(e);
          metrics.CountFiling("invalid");
          SendStatus(x.resp, Status::InvalidArgument("the upload does not match the case", all));
          return;
        }
        if (!c.ok()) {
          metrics.CountFiling("invalid");
          SendStatus(x.resp, c.status());
          return;
        }
        if (c->source != x.principal->source) {
          metrics.CountFiling("forbidden");
          SendProblem(x.resp, 403, "Forbidden",
                      "this key files cases for source '" + x.principal->source + "', not '" +
                          c->source + "'",
                      {{"source", "does not match the API key"}});
          return;
        }
        auto receipt = services.filing->File(
            *c, "business", "api:" + x.principal->source + ":" + x.principal->key_id);
        if (!receipt.ok()) {
          metrics.CountFiling(receipt.status().code() == ErrorCode::kConflict          ? "conflict"
                              : receipt.status().code() == ErrorCode::kInvalidArgument ? "invalid"
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
      });
  intake.request_body = IntakeRequestBody();
  intake.responses = IntakeResponses();
  router.Add(std::move(intake));

  Route status(
      "GET", "/api/v1/cases/{source}/{case_id}", "case.read",
      "The filing status and receipt of a case", [&services](Exchange& x) {
        const std::string& source = x.params[0];
        const std::string& case_id = x.params[1];
        if (!x.principal->person() && x.principal->role != ApiRole::kReader &&
            source != x.principal->source) {
          SendProblem(x.resp, 403, "Forbidden", "this key may only query its own cases");
          return;
        }
        auto known = services.records->FindCase(source, case_id);
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
      });
  status.responses = CaseStatusResponses();
  router.Add(std::move(status));
}

}  // namespace dangan::web
