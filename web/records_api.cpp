// Retrieval: GET /api/v1/records (search with facets and snippets), a record with its events and
// fixity status, its files (with HTTP ranges) and its whole package; and LogAccess and
// QueryDigest (web/api_server.h), which the other route files log their reads with.
#include <Poco/String.h>
#include <Poco/URI.h>

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "archive/cli/archive_session.h"
#include "archive/record_masking.h"
#include "storage/appraisal_register.h"
#include "storage/digest.h"
#include "storage/fair_gate.h"
#include "storage/record_json.h"
#include "web/api_server.h"
#include "web/http_json.h"
#include "web/page_image.h"
#include "web/response_cache.h"

namespace dangan::web {

namespace {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool partial = false;
};

// One "bytes=" range (RFC 9110 §14); several ranges are answered whole, which the RFC allows.
Result<ByteRange> ParseRange(const std::string& header, uint64_t size) {
  ByteRange r{0, size, false};
  if (header.empty() || header.find(',') != std::string::npos || size == 0) return r;
  static const std::regex kRange("bytes=([0-9]*)-([0-9]*)");
  std::smatch m;
  if (!std::regex_match(header, m, kRange) || (m[1].length() == 0 && m[2].length() == 0))
    return r;  // unknown units are ignored
  try {
    if (m[1].length() == 0) {  // suffix: the last N bytes
      uint64_t n = std::stoull(m[2]);
      if (n == 0) return Status::InvalidArgument("unsatisfiable");
      n = std::min(n, size);
      return ByteRange{size - n, n, true};
    }
    uint64_t first = std::stoull(m[1]);
    uint64_t last = m[2].length() ? std::stoull(m[2]) : size - 1;
    if (m[2].length() && last < first) return r;  // not a valid range: ignored (RFC 9110 §14.2)
    if (first >= size) return Status::InvalidArgument("unsatisfiable");
    last = std::min(last, size - 1);
    return ByteRange{first, last - first + 1, true};
  } catch (const std::exception&) {
    return Status::InvalidArgument("unsatisfiable");
  }
}

// Sends headers for a (possibly partial) body; returns false if it already answered 416.
bool StartBody(Exchange& x, uint64_t size, const std::string& type, const std::string& filename,
               ByteRange* range) {
  auto r = ParseRange(x.req.get("Range", ""), size);
  x.resp.set("Accept-Ranges", "bytes");
  if (!r.ok()) {
    x.resp.set("Content-Range", "bytes */" + std::to_string(size));
    SendProblem(x.resp, 416, "Range Not Satisfiable",
                "the file has " + std::to_string(size) + " bytes");
    return false;
  }
  *range = *r;
  if (range->partial) {
    x.resp.setStatus(Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
    x.resp.set("Content-Range", "bytes " + std::to_string(range->offset) + "-" +
                                    std::to_string(range->offset + range->length - 1) + "/" +
                                    std::to_string(size));
  } else {
    x.resp.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  }
  x.resp.setContentType(type);
  x.resp.setContentLength64(static_cast<Poco::Int64>(range->length));
  // RFC 6266 with RFC 8187 so Chinese names survive.
  std::string encoded;
  Poco::URI::encode(filename, ";=,/?#&+:@$!'()*[]\"% ", encoded);
  x.resp.set("Content-Disposition", "attachment; filename*=UTF-8''" + encoded);
  x.resp.set("X-Content-Type-Options", "nosniff");
  return true;
}

std::string MimeOf(const std::string& format) {
  if (format == "PDF") return "application/pdf";
  if (format == "TIFF") return "image/tiff";
  if (format == "JPEG") return "image/jpeg";
  if (format == "PNG") return "image/png";
  if (format == "XML") return "application/xml";
  if (format == "TXT") return "text/plain; charset=utf-8";
  if (format == "JSON") return "application/json";
  return "application/octet-stream";
}

Result<Record> FindRecord(Services& s, const std::string& reference) {
  auto rec = s.records->GetRecord(reference);
  if (!rec.ok()) return rec.status();
  if (!*rec) return Status::NotFound("no record " + reference);
  return std::move(**rec);
}

const RecordFile* FileNamed(const Record& r, const std::string& name) {
  for (const auto& f : r.files)
    if (f.name == name) return &f;
  return nullptr;
}

// Packages up to this size are hashed before each download, so a damaged copy is never served
// while a good one exists; larger ones rely on the fixity audit (hashing them per request would
// cost more than the download).
constexpr uint64_t kVerifyOnReadLimit = 64ull << 20;

// The copy a download reads: the first whose digest matches the catalogue's.
Result<size_t> ServedCopy(Services& s, const Record& r) {
  auto copy = s.packages->GoodCopy(r.package_path, r.package_sha256, kVerifyOnReadLimit);
  if (copy.ok() && *copy > 0)
    std::cerr << "dangan: FIXITY: the primary copy of " << r.reference
              << " is damaged or missing; served replica " << *copy
              << " (the fixity audit repairs it)" << std::endl;
  return copy;
}

void SendUnreadable(Poco::Net::HTTPServerResponse& resp, const Record& r, const Status& st) {
  std::cerr << "dangan: FIXITY: cannot serve " << r.reference << ": " << st.ToString() << std::endl;
  SendProblem(resp, 500, "Internal Server Error",
              "no intact copy of " + r.reference +
                  " can be read; the archive's operators have been alerted");
}

}  // namespace

// Who, what, when, and why: the purpose the client states in X-Access-Purpose (percent-encoded
// UTF-8, since header values are Latin-1; at most 200 bytes), kept with the access.
Status LogAccess(Services& s, const Exchange& x, const std::string& action,
                 const std::string& reference, const std::string& what) {
  AuditEvent e;
  e.at = s.clock();
  e.actor = x.principal->Actor();
  e.action = action;
  e.reference = reference;
  e.detail = "{\"what\":" + JsonQuote(what);
  const std::string stated = x.req.get("X-Access-Purpose", "");
  if (!stated.empty()) {
    auto purpose = DecodePathSegment(stated);
    if (!purpose.ok() || purpose->size() > 200)
      return Status::InvalidArgument(
          "X-Access-Purpose is not valid",
          {{"X-Access-Purpose", "percent-encoded UTF-8 text of at most 200 bytes"}});
    e.detail += ",\"purpose\":" + JsonQuote(*purpose);
  }
  e.detail += "}";
  return s.access_log->Record(std::move(e));
}

std::string QueryDigest(const Services& s, const std::string& text, const std::string& person_id,
                        const std::string& unit_code) {
  return KeyedSearchQuestion(s.secret, text, person_id, unit_code);
}

namespace {

// The JSON of one record as GET /api/v1/records/{档号} shows it; `masked` for a viewer without
// the right to personal data (personal.read): the person's name and 公民身份号码 masked wherever
// the record shows them (the title and file names often carry the name).
Result<std::string> RenderRecordView(Services& services, const std::string& reference,
                                     bool masked) {
  auto rec = FindRecord(services, reference);
  if (!rec.ok()) return rec.status();
  // Event and fixity details name files, whose names often carry the person's name.
  const std::optional<Person> holder = rec->person;
  auto shown = [&](std::string text) {
    if (masked) MaskPersonalText(text, holder);
    return text;
  };
  if (masked) MaskPersonalData(*rec);
  // The newest events only: a much-viewed record would otherwise answer megabytes.
  constexpr int kShownEvents = 100;
  auto events =
      services.records->Events(rec->reference, kShownEvents, RecordCatalogue::EventKinds::kHistory);
  auto events_total =
      services.records->CountEvents(rec->reference, RecordCatalogue::EventKinds::kHistory);
  if (!events_total.ok()) return events_total.status();
  auto fixity = services.records->LastFixity(rec->reference);
  if (!events.ok()) return events.status();
  if (!fixity.ok()) return fixity.status();
  std::string json = RecordToJson(*rec);
  json.pop_back();
  json += ",\"events_total\":" + std::to_string(*events_total) + ",\"events\":[";
  for (size_t i = 0; i < events->size(); ++i) {
    const auto& e = (*events)[i];
    json += (i ? "," : "") + std::string("{\"seq\":") + std::to_string(e.seq) +
            ",\"at\":" + JsonQuote(e.at) + ",\"actor\":" + JsonQuote(e.actor) +
            ",\"action\":" + JsonQuote(e.action) + ",\"detail\":" + JsonQuote(shown(e.detail)) +
            ",\"hash\":" + JsonQuote(e.hash) + "}";
  }
  json += "],\"fixity\":";
  if (*fixity)
    json += "{\"checked_at\":" + JsonQuote((*fixity)->checked_at) +
            ",\"status\":" + ((*fixity)->ok ? "\"intact\"" : "\"damaged\"") +
            ",\"detail\":" + JsonQuote(shown((*fixity)->detail)) + "}";
  else
    json += "{\"status\":\"unchecked\"}";
  return json + "}";
}

Result<int> IntParam(const std::map<std::string, std::string>& q, const std::string& name, int def,
                     int min, int max) {
  auto it = q.find(name);
  if (it == q.end() || it->second.empty()) return def;
  try {
    size_t used = 0;
    int v = std::stoi(it->second, &used);
    if (used == it->second.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("query parameter " + name + " is not valid",
                                 {{name, "must be a whole number from " + std::to_string(min) +
                                             " to " + std::to_string(max)}});
}

}  // namespace

void AddRecordRoutes(Router& router, Services& services) {
  // Shared by the handler's copies; lives as long as the routes do.
  auto cache = std::make_shared<ResponseCache>(4096, std::chrono::milliseconds(1000));
  // Search answers are checked against the newest record id, which other processes' filings
  // change too; the age limit only bounds what that cannot see.
  // On a PostgreSQL catalogue shared by several servers nothing is cached: ids are taken before
  // commit there, so the newest id does not tell when another server's filing became visible.
  std::shared_ptr<ResponseCache> search_cache;
  if (services.search_cache_entries > 0 && services.catalogue != nullptr)
    search_cache =
        std::make_shared<ResponseCache>(services.search_cache_entries, std::chrono::seconds(60));
  std::shared_ptr<FairGate> search_gate;
  if (services.search_slots > 0) search_gate = std::make_shared<FairGate>(services.search_slots);
  router.Add(
      {"GET",
       "/api/v1/records",
       "search",
       "Search records: full text (any length of Chinese), filters, facets, snippets",
       [&services, search_cache, search_gate](Exchange& x) {
         SearchSpec spec;
         auto get = [&](const char* k) {
           auto it = x.query.find(k);
           return it == x.query.end() ? std::string() : it->second;
         };
         spec.text = get("q");
         spec.class_code = get("class");
         spec.item = get("item");
         spec.retention = get("retention");
         spec.person_id = get("person");
         spec.unit_code = get("unit");
         // Asking whether a 公民身份号码 has records is itself personal data.
         if (!spec.person_id.empty() &&
             !services.policy->Allows(PolicyRole(*x.principal), "personal.read"))
           return SendProblem(x.resp, 403, "Forbidden",
                              "searching by 公民身份号码 needs the personal.read permission");
         auto year = IntParam(x.query, "year", 0, 0, 2999);
         auto page = IntParam(x.query, "page", 1, 1, 100000);
         auto size = IntParam(x.query, "size", 20, 1, 100);
         for (const auto* r : {&year, &page, &size})
           if (!r->ok()) return SendStatus(x.resp, r->status());
         if (spec.text.size() > 1000)
           return SendProblem(x.resp, 422, "Unprocessable Content", "the query is too long",
                              {{"q", "is longer than 1000 bytes"}});
         spec.year = *year;
         spec.limit = *size;
         spec.offset = (*page - 1) * *size;
         spec.facets = get("facets") != "false";  // ?facets=false skips the facet work
         // Searches can reveal whose records exist: kept, with the query only as a keyed digest,
         // and logged whether or not the answer comes from the cache.
         auto log = [&] {
           return LogAccess(services, x, "search", "",
                            QueryDigest(services, spec.text, spec.person_id, spec.unit_code));
         };
         // Whoever may not see personal data sees names and 公民身份号码 masked in the hits.
         spec.mask_personal = !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
         // The same question under the same newest record gets the same answer: the words, every
         // filter, the page and whether hits are masked, each with its length so that no two
         // questions share a key. Kept as a digest: an ID number asked for is not held in clear.
         std::string key;
         for (const std::string* v : {&spec.text, &spec.class_code, &spec.item, &spec.retention,
                                      &spec.person_id, &spec.unit_code})
           key += std::to_string(v->size()) + ":" + *v;
         key += "|" + std::to_string(spec.year) + "|" + std::to_string(*page) + "|" +
                std::to_string(*size) + (spec.facets ? "|f" : "|-") +
                (spec.mask_personal ? "|m" : "|-");
         key = Digest::OfString(key);
         uint64_t stamp = 0;
         if (search_cache) {
           auto newest = services.catalogue->HoldingsStamp();
           if (!newest.ok()) return SendStatus(x.resp, newest.status());
           stamp = static_cast<uint64_t>(*newest);
           if (auto hit = search_cache->Find(key, stamp)) {
             Status logged = log();
             if (!logged.ok()) return SendStatus(x.resp, logged);
             return SendJson(x.resp, 200, *hit);
           }
         }
         FairGate::Turn turn;
         if (search_gate) turn = search_gate->Enter();
         auto result = services.records->Search(spec);
         turn.Release();
         if (!result.ok()) return SendStatus(x.resp, result.status());
         Status logged = log();
         if (!logged.ok()) return SendStatus(x.resp, logged);
         std::string json =
             "{\"total\":" + std::to_string(result->total) +
             ",\"total_is_lower_bound\":" + (result->total_is_lower_bound ? "true" : "false") +
             ",\"page\":" + std::to_string(*page) + ",\"size\":" + std::to_string(*size) +
             ",\"hits\":[";
         for (size_t i = 0; i < result->hits.size(); ++i) {
           const auto& h = result->hits[i];
           json += (i ? "," : "") + std::string("{\"reference\":") + JsonQuote(h.reference) +
                   ",\"title\":" + JsonQuote(h.title) + ",\"year\":" + std::to_string(h.year) +
                   ",\"class\":" + JsonQuote(h.class_code) + ",\"item\":" + JsonQuote(h.item) +
                   ",\"retention\":" + JsonQuote(h.retention) +
                   ",\"formed_on\":" + JsonQuote(h.formed_on) +
                   ",\"snippet\":" + JsonQuote(h.snippet) + "}";
         }
         json += std::string("],\"facets_are_sample\":") +
                 (result->facets_are_sample ? "true" : "false") + ",\"facets\":{";
         bool first = true;
         for (const auto& [facet, counts] : result->facets) {
           json += (first ? "" : ",") + JsonQuote(facet) + ":{";
           first = false;
           bool f2 = true;
           for (const auto& [v, n] : counts) {
             json += (f2 ? "" : ",") + JsonQuote(v) + ":" + std::to_string(n);
             f2 = false;
           }
           json += "}";
         }
         json += "}}";
         if (search_cache) search_cache->Put(key, stamp, json);
         SendJson(x.resp, 200, json);
       },
       {"q", "class", "item", "year", "retention", "person", "unit", "page", "size", "facets"}});

  router.Add({"GET", "/api/v1/records/{reference}", "record.read",
              "A record: metadata, handling steps, files, events and fixity status",
              [&services, cache](Exchange& x) {
                const std::string& reference = x.params[0];
                const bool masked =
                    !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
                const std::string key = masked ? reference + "\x1fmasked" : reference;
                // Records change only by destruction, possibly by another process: its stamp
                // joins this process's generation in the cache key. Another server's writes to
                // a shared PostgreSQL catalogue (events, fixity) are not seen: no cache there.
                const bool cached = services.catalogue != nullptr;
                uint64_t generation = 0;
                std::optional<std::string> body;
                if (cached) {
                  auto destroyed = services.catalogue->DestructionStamp();
                  if (!destroyed.ok()) return SendStatus(x.resp, destroyed.status());
                  generation = services.catalogue->generation() ^
                               (static_cast<uint64_t>(*destroyed) * 0x9E3779B97F4A7C15ull);
                  body = cache->Find(key, generation);
                }
                if (!body) {
                  auto rendered = RenderRecordView(services, reference, masked);
                  if (!rendered.ok() && rendered.status().code() == ErrorCode::kNotFound) {
                    AppraisalRegister reg(*services.records, *services.scheme);
                    auto tomb = reg.FindTombstone(reference);
                    if (!tomb.ok()) return SendStatus(x.resp, tomb.status());
                    if (*tomb)
                      return SendProblem(x.resp, 410, "Gone",
                                         "the record " + reference + " was destroyed on " +
                                             (*tomb)->destroyed_at + " (appraisal " +
                                             std::to_string((*tomb)->appraisal_id) + ", 销毁清册 " +
                                             (*tomb)->register_reference + ")");
                  }
                  if (!rendered.ok()) return SendStatus(x.resp, rendered.status());
                  body = std::move(*rendered);
                  if (cached) cache->Put(key, generation, *body);
                }
                Status logged = LogAccess(services, x, "view", reference, "metadata");
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendJson(x.resp, 200, *body);
              }});

  router.Add({"GET", "/api/v1/records/{reference}/files/{name}", "record.download",
              "Download one content file of a record (Range requests supported)",
              [&services](Exchange& x) {
                auto rec = FindRecord(services, x.params[0]);
                if (!rec.ok()) return SendStatus(x.resp, rec.status());
                const RecordFile* file = FileNamed(*rec, x.params[1]);
                if (!file)
                  return SendProblem(x.resp, 404, "Not Found",
                                     rec->reference + " has no file named '" + x.params[1] + "'");
                auto copy = ServedCopy(services, *rec);
                if (!copy.ok()) return SendUnreadable(x.resp, *rec, copy.status());
                const std::string member = "data/files/" + file->name;
                auto size = services.packages->MemberSize(rec->package_path, member, *copy);
                if (!size.ok()) return SendStatus(x.resp, size.status());
                Status logged = LogAccess(services, x, "download", rec->reference, file->name);
                if (!logged.ok()) return SendStatus(x.resp, logged);
                ByteRange range;
                if (!StartBody(x, *size, MimeOf(file->format), file->name, &range)) return;
                x.resp.set("ETag", "\"" + file->sha256 + "\"");
                std::ostream& out = x.resp.send();
                services.packages->CopyMember(rec->package_path, member, range.offset, range.length,
                                              out, *copy);
              }});

  router.Add({"GET",
              "/api/v1/records/{reference}/files/{name}/pages/{page}",
              "record.download",
              "Page N (from 1) of a scan or PDF as an image for the page viewer (?width=, "
              "default 1200); X-Page-Count gives the document's pages",
              [&services](Exchange& x) {
                auto rec = FindRecord(services, x.params[0]);
                if (!rec.ok()) return SendStatus(x.resp, rec.status());
                const RecordFile* file = FileNamed(*rec, x.params[1]);
                if (!file)
                  return SendProblem(x.resp, 404, "Not Found",
                                     rec->reference + " has no file named '" + x.params[1] + "'");
                int n = 0;
                try {
                  size_t used = 0;
                  n = std::stoi(x.params[2], &used);
                  if (used != x.params[2].size()) n = 0;
                } catch (const std::exception&) {
                }
                if (n < 1 || n > 100000)
                  return SendProblem(x.resp, 404, "Not Found", "no page " + x.params[2]);
                auto width = IntParam(x.query, "width", 1200, 100, 3000);
                if (!width.ok()) return SendStatus(x.resp, width.status());
                // Larger files are viewed after downloading them.
                if (file->size > (64u << 20))
                  return SendProblem(x.resp, 413, "Content Too Large",
                                     "the file is too large to view page by page; download it");
                auto copy = ServedCopy(services, *rec);
                if (!copy.ok()) return SendUnreadable(x.resp, *rec, copy.status());
                std::ostringstream bytes;
                Status read = services.packages->CopyMember(
                    rec->package_path, "data/files/" + file->name, 0, file->size, bytes, *copy);
                if (!read.ok()) return SendStatus(x.resp, read);
                auto image = RenderPageImage(bytes.str(), n, *width);
                if (!image.ok()) return SendStatus(x.resp, image.status());
                Status logged = LogAccess(services, x, "view", rec->reference,
                                          file->name + "#" + std::to_string(n));
                if (!logged.ok()) return SendStatus(x.resp, logged);
                x.resp.set("X-Page-Count", std::to_string(image->pages));
                SendBytes(x.resp, image->bytes, image->content_type);
              },
              {"width"}});

  router.Add({"GET", "/api/v1/records/{reference}/package", "record.download",
              "Download the record's package: a BagIt bag as a tar (Range requests supported)",
              [&services](Exchange& x) {
                auto rec = FindRecord(services, x.params[0]);
                if (!rec.ok()) return SendStatus(x.resp, rec.status());
                auto copy = ServedCopy(services, *rec);
                if (!copy.ok()) return SendUnreadable(x.resp, *rec, copy.status());
                std::string path = services.packages->CopyPath(*copy, rec->package_path);
                std::ifstream in(path, std::ios::binary);
                if (!in)
                  return SendProblem(x.resp, 500, "Internal Server Error",
                                     "the package of " + rec->reference + " cannot be read");
                Status logged = LogAccess(services, x, "download", rec->reference, "package");
                if (!logged.ok()) return SendStatus(x.resp, logged);
                ByteRange range;
                auto slash = rec->package_path.rfind('/');
                if (!StartBody(x, rec->package_bytes, "application/x-tar",
                               rec->package_path.substr(slash + 1), &range))
                  return;
                x.resp.set("ETag", "\"" + rec->package_sha256 + "\"");
                std::ostream& out = x.resp.send();
                in.seekg(static_cast<std::streamoff>(range.offset));
                std::vector<char> buf(1 << 20);
                uint64_t left = range.length;
                while (left > 0 && in) {
                  in.read(buf.data(),
                          static_cast<std::streamsize>(std::min<uint64_t>(left, buf.size())));
                  std::streamsize n = in.gcount();
                  if (n <= 0) break;
                  out.write(buf.data(), n);
                  left -= static_cast<uint64_t>(n);
                }
              }});
}

}  // namespace dangan::web
