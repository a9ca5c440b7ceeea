// Statistics (/api/v1/stats/…), PDF reports (/api/v1/reports/…) and CSV export of any catalogue
// query (/api/v1/records.csv).
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <sstream>

#include "retrieval/csv_export.h"
#include "retrieval/reports.h"
#include "retrieval/statistics.h"
#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

namespace {

std::string TallyJson(const Tally& t) {
  return "{\"records\":" + std::to_string(t.records) + ",\"pages\":" + std::to_string(t.pages) +
         ",\"bytes\":" + std::to_string(t.bytes) + "}";
}

std::string RowsJson(const std::vector<HoldingsRow>& rows) {
  std::string json = "[";
  for (size_t i = 0; i < rows.size(); ++i)
    json += (i ? "," : "") + std::string("{\"key\":") + JsonQuote(rows[i].key) +
            ",\"label\":" + JsonQuote(rows[i].label) + ",\"holdings\":" + TallyJson(rows[i].tally) +
            "}";
  return json + "]";
}

}  // namespace

ReportContext ReportContextFor(Services& s) {
  ReportContext c;
  c.catalogue = s.records;
  c.scheme = s.scheme;
  c.archive_root = s.root;
  c.fonds = s.fonds;
  c.organization = s.organization;
  c.clock = s.clock;
  return c;
}

namespace {

Result<int> YearParam(const Exchange& x, bool required) {
  auto it = x.query.find("year");
  if (it == x.query.end() || it->second.empty()) {
    if (required) return Status::InvalidArgument("year is required", {{"year", "is required"}});
    return 0;
  }
  try {
    size_t used = 0;
    int y = std::stoi(it->second, &used);
    if (used == it->second.size() && y >= 1900 && y <= 2999) return y;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("year is not valid",
                                 {{"year", "must be a year from 1900 to 2999"}});
}

std::string Param(const Exchange& x, const char* name) {
  auto it = x.query.find(name);
  return it == x.query.end() ? "" : it->second;
}

}  // namespace

void AddStatisticsRoutes(Router& router, Services& services) {
  router.Add({"GET", "/api/v1/stats/holdings", "stats",
              "Holdings by class, year and retention (件, pages, bytes)", [&services](Exchange& x) {
                auto by_class = HoldingsByClass(*services.records, services.scheme);
                auto by_year = HoldingsByYear(*services.records);
                auto by_retention = HoldingsByRetention(*services.records, services.scheme);
                auto total = TotalHoldings(*services.records);
                for (const Status* st : {&by_class.status(), &by_year.status(),
                                         &by_retention.status(), &total.status()})
                  if (!st->ok()) return SendStatus(x.resp, *st);
                SendJson(x.resp, 200,
                         "{\"total\":" + TallyJson(*total) + ",\"by_class\":" +
                             RowsJson(*by_class) + ",\"by_year\":" + RowsJson(*by_year) +
                             ",\"by_retention\":" + RowsJson(*by_retention) + "}");
              }});
  router.Add({"GET",
              "/api/v1/stats/intake",
              "stats",
              "Intake by month (YYYY-MM) and channel (business, capture, manual)",
              [&services](Exchange& x) {
                auto rows = IntakeByMonth(*services.records, Param(x, "from"), Param(x, "to"));
                if (!rows.ok()) return SendStatus(x.resp, rows.status());
                std::string json = "{\"months\":[";
                for (size_t i = 0; i < rows->size(); ++i) {
                  const auto& r = (*rows)[i];
                  json += (i ? "," : "") + std::string("{\"month\":") + JsonQuote(r.month) +
                          ",\"channel\":" + JsonQuote(r.channel) +
                          ",\"intake\":" + TallyJson(r.tally) + "}";
                }
                SendJson(x.resp, 200, json + "]}");
              },
              {"from", "to"}});
  router.Add({"GET", "/api/v1/stats/utilization", "stats",
              "Utilization: views, downloads and certificates, by month", [&services](Exchange& x) {
                // Accesses answered a moment ago are still queued; count them too.
                if (Status flushed = services.access_log->Flush(); !flushed.ok())
                  return SendStatus(x.resp, flushed);
                std::string json = "{\"months\":[";
                Status st = services.records->ReadTables([&json](SqlSession& db) -> Status {
                  auto q = db.Run(
                      "SELECT substr(at,1,7) AS m, action, count(*), count(DISTINCT reference)"
                      " FROM events WHERE action IN ('view','download','certify')"
                      " GROUP BY m, action ORDER BY m, action");
                  if (!q.ok()) return q.status();
                  for (size_t i = 0; i < q->size(); ++i)
                    json += (i ? "," : "") + std::string("{\"month\":") + JsonQuote(q->Text(i, 0)) +
                            ",\"action\":" + JsonQuote(q->Text(i, 1)) +
                            ",\"events\":" + std::to_string(q->Int(i, 2)) +
                            ",\"records\":" + std::to_string(q->Int(i, 3)) + "}";
                  return Status::Ok();
                });
                if (!st.ok()) return SendStatus(x.resp, st);
                SendJson(x.resp, 200, json + "]}");
              }});
  router.Add({"GET", "/api/v1/stats/fixity", "stats",
              "Fixity status: records intact, damaged and never checked", [&services](Exchange& x) {
                auto f = FixityStatusSummary(*services.records);
                if (!f.ok()) return SendStatus(x.resp, f.status());
                std::string damaged = "[";
                for (size_t i = 0; i < f->damaged_references.size(); ++i)
                  damaged += (i ? "," : "") + JsonQuote(f->damaged_references[i]);
                SendJson(x.resp, 200,
                         "{\"intact\":" + std::to_string(f->ok) +
                             ",\"damaged\":" + std::to_string(f->damaged) +
                             ",\"never_checked\":" + std::to_string(f->never_checked) +
                             ",\"last_checked_at\":" + JsonQuote(f->last_checked_at) +
                             ",\"damaged_records\":" + damaged + "]}");
              }});
}

void AddReportRoutes(Router& router, Services& services) {
  router.Add({"GET",
              "/api/v1/reports/catalogue",
              "report",
              "归档文件目录 as PDF for a year (and class) or a series",
              [&services](Exchange& x) {
                auto year = YearParam(x, Param(x, "series").empty());
                if (!year.ok()) return SendStatus(x.resp, year.status());
                CatalogueSelection sel{*year, Param(x, "class"), Param(x, "series")};
                // Titles name the persons: whole for those who may read personal data.
                sel.mask_personal =
                    !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
                auto pdf = RenderCataloguePdf(ReportContextFor(services), sel);
                if (!pdf.ok()) return SendStatus(x.resp, pdf.status());
                Status logged = LogAccess(
                    services, x, "report", "",
                    "catalogue year=" + (sel.series.empty() ? std::to_string(*year) : "") +
                        " class=" + sel.class_code + " series=" + sel.series +
                        (sel.mask_personal ? " masked" : ""));
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendBytes(x.resp, *pdf, "application/pdf",
                          "归档文件目录-" + std::to_string(*year) + ".pdf");
              },
              {"year", "class", "series"}});
  router.Add(
      {"POST", "/api/v1/reports/certificates", "certify",
       "Issue a 查档证明: JSON {requester, purpose, references[]} → PDF with serial and code",
       [&services](Exchange& x) {
         auto body = ReadBody(x.req, 1 << 20);
         if (!body.ok()) return SendStatus(x.resp, body.status());
         CertificateRequest req;
         try {
           Poco::JSON::Parser parser;
           auto o = parser.parse(*body).extract<Poco::JSON::Object::Ptr>();
           req.requester = o->optValue<std::string>("requester", "");
           req.purpose = o->optValue<std::string>("purpose", "");
           if (auto refs = o->getArray("references"))
             for (size_t i = 0; i < refs->size(); ++i)
               req.references.push_back(refs->getElement<std::string>(static_cast<unsigned>(i)));
         } catch (const std::exception&) {
           return SendProblem(x.resp, 400, "Bad Request",
                              "the body must be a JSON object with requester, purpose and"
                              " references");
         }
         req.actor = x.principal->Actor();
         auto issued = IssueCertificate(ReportContextFor(services), req);
         if (!issued.ok()) return SendStatus(x.resp, issued.status());
         x.resp.set("X-Certificate-Serial", issued->certificate.serial);
         x.resp.set("X-Certificate-Code", issued->certificate.code);
         SendBytes(x.resp, issued->pdf, "application/pdf",
                   "查档证明-" + issued->certificate.serial + ".pdf");
       }});
  router.Add({"GET",
              "/api/v1/reports/certificates/{serial}/verification",
              Access::kPublic,
              "Public check that a 查档证明 with this serial and code is genuine",
              [&services](Exchange& x) {
                auto check =
                    VerifyCertificate(ReportContextFor(services), x.params[0], Param(x, "code"));
                if (!check.ok()) return SendStatus(x.resp, check.status());
                std::string json = "{\"serial\":" + JsonQuote(x.params[0]) +
                                   ",\"genuine\":" + (check->genuine ? "true" : "false");
                if (check->genuine) {
                  json += ",\"issued_at\":" + JsonQuote(check->certificate.issued_at) +
                          ",\"records\":" + std::to_string(check->certificate.references.size());
                }
                SendJson(x.resp, 200, json + "}");
              },
              {"code"}});
  router.Add(
      {"GET",
       "/api/v1/records.csv",
       "report",
       "CSV export of a catalogue query (same parameters as /api/v1/records)",
       [&services](Exchange& x) {
         SearchSpec spec;
         spec.text = Param(x, "q");
         spec.class_code = Param(x, "class");
         spec.item = Param(x, "item");
         spec.retention = Param(x, "retention");
         spec.person_id = Param(x, "person");
         spec.unit_code = Param(x, "unit");
         if (!spec.person_id.empty() &&
             !services.policy->Allows(PolicyRole(*x.principal), "personal.read"))
           return SendProblem(x.resp, 403, "Forbidden",
                              "searching by 公民身份号码 needs the personal.read permission");
         auto year = YearParam(x, false);
         if (!year.ok()) return SendStatus(x.resp, year.status());
         spec.year = *year;
         spec.mask_personal = !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
         std::ostringstream csv;
         bool truncated = false;
         auto rows =
             ExportSearchCsv(*services.records, spec, services.scheme, csv, 100000, &truncated);
         if (!rows.ok()) return SendStatus(x.resp, rows.status());
         // As a search is logged: the question only as a digest, since it may be a number.
         Status logged =
             LogAccess(services, x, "report", "",
                       "csv " + QueryDigest(services, spec.text, spec.person_id, spec.unit_code) +
                           " rows=" + std::to_string(*rows));
         if (!logged.ok()) return SendStatus(x.resp, logged);
         std::string body = csv.str();
         x.resp.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
         x.resp.setContentType("text/csv; charset=utf-8");
         x.resp.set("Content-Disposition", "attachment; filename=\"records.csv\"");
         x.resp.set("X-Rows", std::to_string(*rows));
         if (truncated) x.resp.set("X-Truncated", "true");
         x.resp.setContentLength64(static_cast<Poco::Int64>(body.size()));
         x.resp.send() << body;
       },
       {"q", "class", "item", "year", "retention", "person", "unit"}});
}

void AddAnnualStatisticsRoutes(Router& router, Services& services) {
  router.Add({"GET",
              "/api/v1/stats/annual",
              "stats",
              "The figures of the annual 社会保险业务档案管理基本情况统计表",
              [&services](Exchange& x) {
                auto year = YearParam(x, true);
                if (!year.ok()) return SendStatus(x.resp, year.status());
                auto a = ComputeAnnualStatistics(*services.records, *services.scheme, *year);
                if (!a.ok()) return SendStatus(x.resp, a.status());
                SendJson(x.resp, 200, AnnualStatisticsToJson(*a));
              },
              {"year"}});

  router.Add({"GET",
              "/api/v1/reports/statistics",
              "report",
              "The annual statistics table as PDF",
              [&services](Exchange& x) {
                auto year = YearParam(x, true);
                if (!year.ok()) return SendStatus(x.resp, year.status());
                auto pdf = RenderAnnualStatisticsPdf(ReportContextFor(services), *year);
                if (!pdf.ok()) return SendStatus(x.resp, pdf.status());
                SendBytes(x.resp, *pdf, "application/pdf",
                          "统计表-" + std::to_string(*year) + ".pdf");
              },
              {"year"}});
}

}  // namespace dangan::web
