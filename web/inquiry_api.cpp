// The public inquiry service (查档): the portal's routes under /api/v1/public/ (no account; a
// request is reached by its number and the access code given at submission, sent as the
// X-Inquiry-Code header) and the workbench's under /api/v1/inquiries (permission
// inquiry.handle). Nothing about the archive's holdings is revealed before an archivist approves;
// the requester then sees only the records filed under their own identifier, with other people's
// personal data masked.
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "archive/identifiers.h"
#include "archive/record_masking.h"
#include "archive/text.h"
#include "retrieval/csv_export.h"
#include "retrieval/pdf_document.h"
#include "storage/digest.h"
#include "web/api_server.h"
#include "web/http_json.h"
#include "web/watermarked_copy.h"

namespace dangan::web {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Seconds since the epoch of an ISO 8601 time, or nullopt.
std::optional<int64_t> EpochOf(const std::string& iso) {
  Poco::DateTime t;
  int tz = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, iso, t, tz) &&
      !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, iso, t, tz))
    return std::nullopt;
  // The parser keeps the wall-clock time as written; the offset makes it an instant.
  return static_cast<int64_t>(t.timestamp().epochTime()) - tz;
}

// A text field of at most `max` bytes, trimmed; non-strings are refused.
std::string Text(const Object::Ptr& o, const std::string& name, size_t max,
                 std::vector<FieldError>* errors, bool required) {
  if (!o->has(name) || o->isNull(name)) {
    if (required) errors->push_back({name, "is required"});
    return "";
  }
  const auto& v = o->get(name);
  if (!v.isString()) {
    errors->push_back({name, "must be text"});
    return "";
  }
  std::string s = Poco::trim(v.extract<std::string>());
  if (required && s.empty()) errors->push_back({name, "is required"});
  if (s.size() > max) errors->push_back({name, "is longer than " + std::to_string(max) + " bytes"});
  if (!IsValidUtf8(s)) errors->push_back({name, "is not valid UTF-8"});
  for (unsigned char c : s)
    if (c < 0x20 && c != '\n') {
      errors->push_back({name, "holds control characters"});
      break;
    }
  return s;
}

// What the requester sees of one served record: someone else's name or 公民身份号码 never whole.
Object::Ptr PublicRecord(const Services& services, const Inquiry& q, Record r) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  // A unit sees its employees' records; their names and numbers are not the unit's to read. A
  // person sees a record whole when it names them; one served under their number but another name
  // (approved with a reason: a former name, or a record filed against the wrong number) shows
  // that name masked, since whose it is was never settled for the requester.
  const bool names_requester = q.requester_type == "person" && r.person &&
                               r.person->id_number == q.identifier && r.person->name == q.name;
  if (!names_requester) MaskPersonalData(r);
  o->set("reference", r.reference);
  o->set("title", r.title);
  o->set("formed_on", r.formed_on);
  const BusinessItem* item = services.scheme->FindItem(r.parts.item);
  o->set("item", item ? item->name : r.parts.item);
  if (r.person) {
    o->set("person", r.person->name);
    o->set("id_number", r.person->id_number);
  }
  if (r.unit) o->set("unit", r.unit->name);
  Array::Ptr files = new Array;
  for (const auto& f : r.files) {
    if (f.role == "metadata") continue;
    Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    fo->set("name", f.name);
    fo->set("format", f.format);
    fo->set("size", f.size);
    files->add(fo);
  }
  o->set("files", files);
  return o;
}

// A request against its promised time: open ones "on_time", "near_due" (within
// `near_due_hours`) or "overdue"; decided ones "on_time" or "late".
std::string Timing(const Inquiry& q, const std::string& now, int near_due_hours) {
  auto due = EpochOf(q.due_at), at = EpochOf(now);
  if (q.state == "submitted" && due && at) {
    if (*at > *due) return "overdue";
    if (*due - *at <= static_cast<int64_t>(near_due_hours) * 3600) return "near_due";
  } else if (q.state != "submitted" && due) {
    auto decided = EpochOf(q.decided_at);
    if (decided && *decided > *due) return "late";
  }
  return "on_time";
}

Object::Ptr InquiryObject(const Inquiry& q, bool staff, const std::string& now,
                          int near_due_hours) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("number", q.number);
  o->set("requester_type", q.requester_type);
  // The portal repeats the requester's own name masked: the page may be on a shared screen.
  o->set("name", staff ? q.name : MaskName(q.name));
  if (staff) {
    o->set("identifier", q.identifier);
    o->set("contact", q.contact);
    o->set("channel", q.channel);
  }
  o->set("purpose", q.purpose);
  o->set("submitted_at", q.submitted_at);
  o->set("due_at", q.due_at);
  o->set("state", q.state);
  o->set("timing", Timing(q, now, near_due_hours));
  if (q.state != "submitted") {
    o->set("decided_at", q.decided_at);
    if (staff) o->set("decided_by", q.decided_by);
    if (!q.reason.empty()) o->set("reason", q.reason);
  }
  if (q.state == "approved") o->set("copies_allowed", q.copies_allowed);
  if (staff && !q.override_reason.empty()) o->set("override_reason", q.override_reason);
  if (!q.certificate_serial.empty()) {
    Object::Ptr c = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    c->set("serial", q.certificate_serial);
    c->set("code", q.certificate_code);
    o->set("certificate", c);
  }
  if (!q.rating.empty()) {
    o->set("rating", q.rating);
    if (!q.rating_comment.empty()) o->set("rating_comment", q.rating_comment);
  }
  if (!q.complaint.empty()) {
    o->set("complaint", q.complaint);
    o->set("complained_at", q.complained_at);
    if (!q.answer.empty()) {
      o->set("answer", q.answer);
      o->set("answered_at", q.answered_at);
      if (staff) o->set("answered_by", q.answered_by);
    }
  }
  return o;
}

Status LogInquiryAccess(Services& s, const std::string& actor, const std::string& action,
                        const std::string& reference, const std::string& number) {
  AuditEvent e;
  e.at = s.clock();
  e.actor = actor;
  e.action = action;
  e.reference = reference;
  e.detail = "{\"inquiry\":" + JsonQuote(number) + "}";
  return s.access_log->Record(std::move(e));
}

// The request a portal route names, when its X-Inquiry-Code is right; otherwise the answer was
// sent (404 for an unknown number and a wrong code alike; 429 past the look-up limit).
std::optional<Inquiry> PublicLookup(Services& services, Exchange& x, RateLimiter& lookups) {
  double wait = 0;
  if (!lookups.Allow(x.req.clientAddress().host().toString(), &wait)) {
    x.resp.set("Retry-After", std::to_string(static_cast<int>(wait) + 1));
    SendProblem(x.resp, 429, "Too Many Requests", "too many look-ups; try again shortly");
    return std::nullopt;
  }
  InquiryRegister reg(*services.records);
  auto q = reg.FindWithCode(x.params[0], x.req.get("X-Inquiry-Code", ""));
  if (!q.ok()) {
    SendStatus(x.resp, q.status());
    return std::nullopt;
  }
  if (!*q) {
    SendProblem(x.resp, 404, "Not Found",
                "no inquiry with this number and access code (查询编号或查询码不正确)");
    return std::nullopt;
  }
  return **q;
}

std::optional<Inquiry> StaffLookup(Services& services, Exchange& x) {
  InquiryRegister reg(*services.records);
  auto q = reg.Find(x.params[0]);
  if (!q.ok()) {
    SendStatus(x.resp, q.status());
    return std::nullopt;
  }
  if (!*q) {
    SendProblem(x.resp, 404, "Not Found", "no inquiry " + x.params[0]);
    return std::nullopt;
  }
  return **q;
}

std::string IsoHoursAgo(const std::string& now, int hours) {
  Poco::DateTime t;
  int tz = 0;
  if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, now, t, tz)) return now;
  t -= Poco::Timespan(0, hours, 0, 0, 0);
  return Poco::DateTimeFormatter::format(t, Poco::DateTimeFormat::ISO8601_FORMAT, tz);
}

// 利用台账: a heading row, then every request oldest first, with the requester's name masked
// and no identifier (the ledger circulates among staff and inspectors), in the free texts too:
// a purpose or a complaint often repeats the requester's name or number.
Result<std::vector<std::vector<std::string>>> LedgerRows(Services& services) {
  InquiryRegister reg(*services.records);
  auto list = reg.List("", 1000000);
  if (!list.ok()) return list.status();
  const std::string now = services.clock();
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"申请编号", "申请人类型", "申请人", "查档目的", "渠道", "提交时间",
                  "承诺办结时间", "办结时间", "结果", "提供档案件数", "提供档案", "经办人",
                  "是否按时", "评价", "投诉", "答复"});
  for (auto it = list->rbegin(); it != list->rend(); ++it) {
    const Inquiry& q = *it;
    const InquiryRules::RequesterType* t = services.inquiry_rules->FindType(q.requester_type);
    const std::string timing = Timing(q, now, services.inquiry_rules->near_due_hours());
    std::string served;
    for (const auto& r : q.served) served += (served.empty() ? "" : " ") + r;
    const std::optional<Person> requester =
        q.requester_type == "person" ? std::optional<Person>(Person{q.identifier, q.name})
                                     : std::nullopt;
    auto shown = [&requester](std::string text) {
      MaskPersonalText(text, requester);
      return text;
    };
    rows.push_back({q.number, t ? t->name : q.requester_type, MaskName(q.name), shown(q.purpose),
                    q.channel == "online" ? "网上" : "窗口", q.submitted_at, q.due_at, q.decided_at,
                    q.state == "approved"   ? "已提供"
                    : q.state == "rejected" ? "不予提供：" + shown(q.reason)
                                            : "办理中",
                    std::to_string(q.served.size()), served, q.decided_by,
                    timing == "overdue" || timing == "late" ? "超时"
                    : q.state == "submitted"                ? ""
                                                            : "按时",
                    q.rating, shown(q.complaint), shown(q.answer)});
  }
  return rows;
}

constexpr uint64_t kMaxCopyBytes = 32ull << 20;
constexpr int kCopiesAtOnce = 2;

// One of the few places for rendering a copy, or none (taken() false).
class CopySlot {
 public:
  explicit CopySlot(const std::shared_ptr<std::atomic<int>>& in_flight) : in_flight_(in_flight) {
    taken_ = in_flight_->fetch_add(1) < kCopiesAtOnce;
  }
  ~CopySlot() { in_flight_->fetch_sub(1); }
  bool taken() const { return taken_; }

 private:
  std::shared_ptr<std::atomic<int>> in_flight_;
  bool taken_ = false;
};

}  // namespace

void AddInquiryRoutes(Router& router, Services& services, const ServerOptions& options) {
  auto submissions = std::make_shared<RateLimiter>(options.inquiries_per_address_hour / 3600, 5);
  auto lookups = std::make_shared<RateLimiter>(options.inquiry_lookups_per_second,
                                               10 * options.inquiry_lookups_per_second);
  const int per_identifier = options.inquiries_per_identifier_day;
  auto copies_in_flight = std::make_shared<std::atomic<int>>(0);
  // Decisions on one request never interleave (a certificate is issued before the decision is
  // stored, and certificates cannot be withdrawn).
  auto deciding = std::make_shared<std::mutex>();

  // ---- the portal (public) ---------------------------------------------------------------
  router.Add(
      {"GET", "/api/v1/public/inquiry-guide", Access::kPublic,
       "一次告知: who may apply and with what, purposes, the promised time, the rules",
       [&services](Exchange& x) { SendJson(x.resp, 200, services.inquiry_rules->guide_json()); }});

  router.Add(
      {"POST", "/api/v1/public/inquiries", Access::kPublic,
       "Submit an inquiry request {requester_type, name, identifier, purpose, contact}; returns "
       "its number, access code (shown once) and promised completion time",
       [&services, submissions, per_identifier](Exchange& x) {
         double wait = 0;
         if (!submissions->Allow(x.req.clientAddress().host().toString(), &wait)) {
           x.resp.set("Retry-After", std::to_string(static_cast<int>(wait) + 1));
           return SendProblem(x.resp, 429, "Too Many Requests",
                              "too many requests from this address; try again later");
         }
         auto body = ReadJsonObject(x.req);
         if (!body.ok()) return SendStatus(x.resp, body.status());
         const InquiryRules& rules = *services.inquiry_rules;
         std::vector<FieldError> errors;
         Inquiry q;
         q.requester_type = Text(*body, "requester_type", 20, &errors, true);
         q.name = Text(*body, "name", 200, &errors, true);
         std::string id = Poco::toUpper(Text(*body, "identifier", 40, &errors, true));
         q.purpose = Text(*body, "purpose", 500, &errors, true);
         q.contact = Text(*body, "contact", 100, &errors, true);
         const InquiryRules::RequesterType* type = rules.FindType(q.requester_type);
         if (!q.requester_type.empty() && (!type || !type->online))
           errors.push_back(
               {"requester_type", type ? "apply at the service window (" + type->name + ")"
                                       : "must be person or unit"});
         if (type && type->online) {
           bool valid = q.requester_type == "person" ? IsValidIdNumber(id) : IsValidCreditCode(id);
           if (!id.empty() && !valid)
             errors.push_back(
                 {"identifier", q.requester_type == "person"
                                    ? "is not a valid 公民身份号码 (check digit)"
                                    : "is not a valid 统一社会信用代码 (check digit)"});
         }
         if (q.requester_type == "person" && q.name.size() > 60)
           errors.push_back({"name", "a person's name is at most 60 bytes"});
         if (!errors.empty())
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "the request is not complete or not valid", errors);
         q.identifier = id;
         q.channel = "online";
         q.submitted_at = services.clock();
         auto due = rules.DueAt(q.submitted_at);
         if (!due.ok()) return SendStatus(x.resp, due.status());
         q.due_at = *due;
         InquiryRegister reg(*services.records);
         // Counted and stored in one turn: servers sharing the catalogue share the limit.
         auto made =
             reg.SubmitWithin(q, "public", {per_identifier, IsoHoursAgo(q.submitted_at, 24)});
         if (!made.ok()) return SendStatus(x.resp, made.status());
         if (!*made) {
           x.resp.set("Retry-After", "86400");
           return SendProblem(x.resp, 429, "Too Many Requests",
                              "too many requests for this identifier today; please try tomorrow "
                              "or ask at the service window");
         }
         Object o(Poco::JSON_PRESERVE_KEY_ORDER);
         o.set("number", (*made)->first.number);
         o.set("access_code", (*made)->second);
         o.set("state", "submitted");
         o.set("submitted_at", (*made)->first.submitted_at);
         o.set("due_at", (*made)->first.due_at);
         o.set("promised_working_days", rules.promised_working_days());
         SendJson(x.resp, 201, o);
       }});

  router.Add({"GET", "/api/v1/public/inquiries/{number}", Access::kPublic,
              "The requester's view of a request (X-Inquiry-Code header): its state and, once "
              "approved, their records and the 查档证明's serial and code",
              [&services, lookups](Exchange& x) {
                auto q = PublicLookup(services, x, *lookups);
                if (!q) return;
                Object::Ptr o = InquiryObject(*q, false, services.clock(),
                                              services.inquiry_rules->near_due_hours());
                if (q->state == "approved") {
                  Array::Ptr records = new Array;
                  for (const auto& ref : q->served) {
                    auto r = services.records->GetRecord(ref);
                    if (!r.ok()) return SendStatus(x.resp, r.status());
                    if (!*r) continue;  // destroyed or transferred since
                    records->add(PublicRecord(services, *q, **r));
                    Status logged = LogInquiryAccess(services, "requester:" + q->number, "view",
                                                     ref, q->number);
                    if (!logged.ok()) return SendStatus(x.resp, logged);
                  }
                  o->set("records", records);
                }
                SendJson(x.resp, 200, *o);
              }});

  router.Add({"GET", "/api/v1/public/inquiries/{number}/certificate", Access::kPublic,
              "The 查档证明 of an approved request, as PDF (X-Inquiry-Code header)",
              [&services, lookups](Exchange& x) {
                auto q = PublicLookup(services, x, *lookups);
                if (!q) return;
                if (q->certificate_serial.empty())
                  return SendProblem(x.resp, 404, "Not Found",
                                     "this request has no certificate (not approved)");
                auto ctx = ReportContextFor(services);
                auto cert = FindCertificate(ctx, q->certificate_serial);
                if (!cert.ok()) return SendStatus(x.resp, cert.status());
                auto pdf = RenderCertificatePdf(ctx, *cert);
                if (!pdf.ok()) return SendStatus(x.resp, pdf.status());
                Status logged =
                    LogInquiryAccess(services, "requester:" + q->number, "print", "", q->number);
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendBytes(x.resp, *pdf, "application/pdf", q->certificate_serial + ".pdf", true);
              }});

  router.Add(
      {"GET", "/api/v1/public/inquiries/{number}/records/{reference}/files/{name}", Access::kPublic,
       "A watermarked PDF copy of a content file of a record served for this request "
       "(X-Inquiry-Code header)",
       [&services, lookups, copies_in_flight](Exchange& x) {
         auto q = PublicLookup(services, x, *lookups);
         if (!q) return;
         const std::string& ref = x.params[1];
         const std::string& name = x.params[2];
         if (q->state != "approved" ||
             std::find(q->served.begin(), q->served.end(), ref) == q->served.end())
           return SendProblem(x.resp, 404, "Not Found", "no such record in this request");
         auto r = services.records->GetRecord(ref);
         if (!r.ok()) return SendStatus(x.resp, r.status());
         const RecordFile* file = nullptr;
         if (*r)
           for (const auto& f : (*r)->files)
             if (f.name == name && f.role != "metadata") file = &f;
         if (!file) return SendProblem(x.resp, 404, "Not Found", "no such file in this record");
         // Knowing a name and a 公民身份号码 proves little: copies leave online only when the
         // archivist checked the requester's identity, and never with someone else's data.
         if (!q->copies_allowed)
           return SendProblem(x.resp, 403, "Forbidden",
                              "copies of this request are handed over at the service window "
                              "against an identity document (复制件请凭有效身份证件到窗口领取)");
         if (q->requester_type != "person" && (*r)->person)
           return SendProblem(x.resp, 403, "Forbidden",
                              "this record names a person: its copy is handed over at the "
                              "service window");
         if (file->size > kMaxCopyBytes)
           return SendProblem(x.resp, 413, "Content Too Large",
                              "the file is too large to copy online; ask at the service window");
         // Rendering is the portal's one costly answer: a few at a time, the rest told to wait.
         CopySlot slot(copies_in_flight);
         if (!slot.taken()) {
           x.resp.set("Retry-After", "5");
           return SendProblem(x.resp, 503, "Service Unavailable",
                              "copies are being prepared for others; try again in a few seconds");
         }
         auto copy =
             services.packages->GoodCopy((*r)->package_path, (*r)->package_sha256, kMaxCopyBytes);
         if (!copy.ok()) return SendStatus(x.resp, copy.status());
         std::ostringstream read;
         Status st = services.packages->CopyMember((*r)->package_path, "data/files/" + name, 0,
                                                   file->size, read, *copy);
         if (!st.ok()) return SendStatus(x.resp, st);
         const std::string bytes = read.str();
         if (Digest::OfString(bytes) != file->sha256)
           return SendProblem(x.resp, 500, "Internal Server Error",
                              "the stored file does not match its digest; the archive's "
                              "operators have been alerted");
         const std::string today = services.clock().substr(0, 10);
         auto pdf = WatermarkedCopy(bytes, "仅供查档 " + q->number + " " + today + " 不得他用",
                                    ref + " " + name);
         if (!pdf.ok()) return SendStatus(x.resp, pdf.status());
         Status logged =
             LogInquiryAccess(services, "requester:" + q->number, "download", ref, q->number);
         if (!logged.ok()) return SendStatus(x.resp, logged);
         SendBytes(x.resp, *pdf, "application/pdf", name + ".pdf", true);
       }});

  router.Add({"POST", "/api/v1/public/inquiries/{number}/rating", Access::kPublic,
              "The requester rates the service once it was decided {rating, comment}",
              [&services, lookups](Exchange& x) {
                auto q = PublicLookup(services, x, *lookups);
                if (!q) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::vector<FieldError> errors;
                std::string rating = Text(*body, "rating", 40, &errors, true);
                std::string comment = Text(*body, "comment", 2000, &errors, false);
                const auto& scale = services.inquiry_rules->ratings();
                if (!rating.empty() && std::find(scale.begin(), scale.end(), rating) == scale.end())
                  errors.push_back({"rating", "must be one of the rating scale"});
                if (!errors.empty())
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "the rating is not valid", errors);
                InquiryRegister reg(*services.records);
                Status st = reg.Rate(q->number, rating, comment, services.clock());
                if (!st.ok()) return SendStatus(x.resp, st);
                SendJson(x.resp, 200,
                         "{\"number\":" + JsonQuote(q->number) +
                             ",\"rating\":" + JsonQuote(rating) + "}");
              }});

  router.Add({"POST", "/api/v1/public/inquiries/{number}/complaint", Access::kPublic,
              "The requester complains {text}; an archivist must answer",
              [&services, lookups](Exchange& x) {
                auto q = PublicLookup(services, x, *lookups);
                if (!q) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::vector<FieldError> errors;
                std::string text = Text(*body, "text", 4000, &errors, true);
                if (!errors.empty())
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "the complaint is empty or not valid", errors);
                InquiryRegister reg(*services.records);
                Status st = reg.Complain(q->number, text, services.clock());
                if (!st.ok()) return SendStatus(x.resp, st);
                SendJson(x.resp, 200, "{\"number\":" + JsonQuote(q->number) + "}");
              }});

  // ---- the utilization ledger and its figures -------------------------------------------
  router.Add({"GET", "/api/v1/inquiries.csv", "report",
              "利用台账: every inquiry request with requester type, purpose, records served, "
              "handler, times and outcome, as CSV",
              [&services](Exchange& x) {
                auto rows = LedgerRows(services);
                if (!rows.ok()) return SendStatus(x.resp, rows.status());
                if (Status st = LogAccess(services, x, "report", "", "inquiry ledger csv");
                    !st.ok())
                  return SendStatus(x.resp, st);
                std::string csv = "\xEF\xBB\xBF";  // BOM: spreadsheet programs read UTF-8
                for (const auto& row : *rows) csv += CsvLine(row);
                SendBytes(x.resp, csv, "text/csv; charset=utf-8", "利用台账.csv", true);
              }});

  router.Add(
      {"GET", "/api/v1/inquiries.pdf", "report",
       "利用台账 as a printable PDF (A4 landscape, paginated, headed)", [&services](Exchange& x) {
         auto rows = LedgerRows(services);
         if (!rows.ok()) return SendStatus(x.resp, rows.status());
         if (Status st = LogAccess(services, x, "report", "", "inquiry ledger pdf"); !st.ok())
           return SendStatus(x.resp, st);
         PdfOptions options;
         options.title = "档案利用台账";
         options.header = services.organization + " · 利用台账 · " + services.clock().substr(0, 10);
         options.author = services.organization;
         options.landscape = true;
         options.font_size = 7.5;
         auto pdf = PdfDocument::Create(options);
         if (!pdf.ok()) return SendStatus(x.resp, pdf.status());
         // The columns a printed ledger needs; the CSV has the complaint texts in full.
         const std::vector<size_t> pick = {0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13};
         const std::vector<double> widths = {24, 18, 14, 22, 26, 26, 30, 10, 44, 14, 10, 14};
         std::vector<PdfColumn> columns;
         for (size_t i = 0; i < pick.size(); ++i)
           columns.push_back({(*rows)[0][pick[i]], widths[i], PdfAlign::kLeft, 3});
         (*pdf)->BeginTable(columns);
         for (size_t r = 1; r < rows->size(); ++r) {
           std::vector<std::string> cells;
           for (size_t i : pick) cells.push_back((*rows)[r][i]);
           (*pdf)->AddRow(cells);
         }
         (*pdf)->EndTable();
         (*pdf)->Paragraph("共 " + std::to_string(rows->size() - 1) + " 条查档申请。");
         auto bytes = (*pdf)->SaveToString();
         if (!bytes.ok()) return SendStatus(x.resp, bytes.status());
         SendBytes(x.resp, *bytes, "application/pdf", "利用台账.pdf");
       }});

  router.Add({"GET", "/api/v1/stats/inquiries", "stats",
              "Inquiry service figures: requests by outcome, handling time against the promised "
              "time, records served, satisfaction, complaints",
              [&services](Exchange& x) {
                InquiryRegister reg(*services.records);
                auto list = reg.List("", 1000000);
                if (!list.ok()) return SendStatus(x.resp, list.status());
                const std::string now = services.clock();
                int64_t submitted = 0, approved = 0, rejected = 0, overdue = 0, near = 0,
                        on_time = 0, late = 0, served = 0, complaints = 0, answered = 0;
                std::vector<double> hours;
                std::map<std::string, int64_t> ratings;
                for (const auto& r : services.inquiry_rules->ratings()) ratings[r] = 0;
                for (const auto& q : *list) {
                  const std::string timing =
                      Timing(q, now, services.inquiry_rules->near_due_hours());
                  if (q.state == "submitted") {
                    ++submitted;
                    overdue += timing == "overdue";
                    near += timing == "near_due";
                  } else {
                    (q.state == "approved" ? approved : rejected) += 1;
                    (timing == "late" ? late : on_time) += 1;
                    auto a = EpochOf(q.submitted_at), b = EpochOf(q.decided_at);
                    if (a && b) hours.push_back(static_cast<double>(*b - *a) / 3600.0);
                  }
                  served += static_cast<int64_t>(q.served.size());
                  if (!q.rating.empty()) ++ratings[q.rating];
                  complaints += !q.complaint.empty();
                  answered += !q.answer.empty();
                }
                std::sort(hours.begin(), hours.end());
                Object o(Poco::JSON_PRESERVE_KEY_ORDER);
                o.set("requests", static_cast<int64_t>(list->size()));
                o.set("submitted", submitted);
                o.set("approved", approved);
                o.set("rejected", rejected);
                o.set("open_overdue", overdue);
                o.set("open_near_due", near);
                o.set("decided_on_time", on_time);
                o.set("decided_late", late);
                o.set("median_handling_hours",
                      hours.empty() ? 0.0 : std::round(hours[hours.size() / 2] * 10) / 10);
                o.set("promised_working_days", services.inquiry_rules->promised_working_days());
                o.set("records_served", served);
                Array::Ptr scale = new Array;
                for (const auto& r : services.inquiry_rules->ratings()) {
                  Object::Ptr ro = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                  ro->set("rating", r);
                  ro->set("count", ratings[r]);
                  scale->add(ro);
                }
                o.set("ratings", scale);
                o.set("complaints", complaints);
                o.set("complaints_answered", answered);
                SendJson(x.resp, 200, o);
              }});

  // ---- the workbench (inquiry.handle) ---------------------------------------------------
  router.Add(
      {"GET",
       "/api/v1/inquiries",
       "inquiry.handle",
       "Inquiry requests, newest first, with their timing against the promised time "
       "(state=submitted|approved|rejected)",
       [&services](Exchange& x) {
         std::string state = x.query.count("state") ? x.query["state"] : "";
         if (!state.empty() && state != "submitted" && state != "approved" && state != "rejected")
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "state must be submitted, approved or rejected",
                              {{"state", "unknown state"}});
         InquiryRegister reg(*services.records);
         auto list = reg.List(state, 1000);
         if (!list.ok()) return SendStatus(x.resp, list.status());
         const std::string now = services.clock();
         Object root(Poco::JSON_PRESERVE_KEY_ORDER);
         Array::Ptr items = new Array;
         for (const auto& q : *list)
           items->add(InquiryObject(q, true, now, services.inquiry_rules->near_due_hours()));
         root.set("items", items);
         root.set("now", now);
         Status logged = LogInquiryAccess(services, x.principal->Actor(), "view", "", "list");
         if (!logged.ok()) return SendStatus(x.resp, logged);
         SendJson(x.resp, 200, root);
       },
       {"state"}});

  router.Add({"GET", "/api/v1/inquiries/{number}", "inquiry.handle",
              "One request with the records filed under its identifier (for the decision)",
              [&services](Exchange& x) {
                auto q = StaffLookup(services, x);
                if (!q) return;
                Object::Ptr o = InquiryObject(*q, true, services.clock(),
                                              services.inquiry_rules->near_due_hours());
                InquiryRegister reg(*services.records);
                auto matches = reg.Matches(*q);
                if (!matches.ok()) return SendStatus(x.resp, matches.status());
                Array::Ptr list = new Array;
                for (const auto& m : *matches) {
                  Object::Ptr mo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                  mo->set("reference", m.reference);
                  mo->set("title", m.title);
                  mo->set("formed_on", m.formed_on);
                  const BusinessItem* item = services.scheme->FindItem(m.item_code);
                  mo->set("item", item ? item->name : m.item_code);
                  mo->set("holder_name", m.holder_name);
                  // The identifier matched; a different name on the record needs a closer look.
                  mo->set("name_matches", m.holder_name == q->name);
                  list->add(mo);
                }
                o->set("matches", list);
                Array::Ptr served = new Array;
                for (const auto& r : q->served) served->add(r);
                o->set("served", served);
                Status logged =
                    LogInquiryAccess(services, x.principal->Actor(), "view", "", q->number);
                // Each matched record's title and holder were shown: its access history says so.
                for (size_t i = 0; logged.ok() && i < matches->size(); ++i)
                  logged = LogInquiryAccess(services, x.principal->Actor(), "view",
                                            (*matches)[i].reference, q->number);
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendJson(x.resp, 200, *o);
              }});

  router.Add(
      {"POST", "/api/v1/inquiries/{number}/approve", "inquiry.handle",
       "Approve a request: serve {references} (default: every match under the requester's "
       "name), issue its 查档证明; {copies_allowed} once identity was checked; records under "
       "another name need an {override_reason}",
       [&services, deciding](Exchange& x) {
         std::lock_guard<std::mutex> one_decision(*deciding);
         auto q = StaffLookup(services, x);
         if (!q) return;
         if (q->state != "submitted")
           return SendProblem(x.resp, 409, "Conflict",
                              "inquiry " + q->number + " is already " + q->state);
         auto body = ReadJsonObject(x.req);
         if (!body.ok()) return SendStatus(x.resp, body.status());
         InquiryRegister reg(*services.records);
         auto matches = reg.Matches(*q);
         if (!matches.ok()) return SendStatus(x.resp, matches.status());
         std::set<std::string> own, other_name;
         for (const auto& m : *matches) {
           own.insert(m.reference);
           if (m.holder_name != q->name) other_name.insert(m.reference);
         }
         bool copies_allowed = false;
         std::string override_reason;
         if ((*body)->has("copies_allowed") && !(*body)->get("copies_allowed").isBoolean())
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "copies_allowed is true or false",
                              {{"copies_allowed", "must be true or false"}});
         try {
           copies_allowed = (*body)->optValue<bool>("copies_allowed", false);
           override_reason = Poco::trim((*body)->optValue<std::string>("override_reason", ""));
         } catch (const std::exception&) {
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "copies_allowed is true or false, override_reason text");
         }
         if (override_reason.size() > 2000)
           return SendProblem(x.resp, 422, "Unprocessable Content", "the reason is too long",
                              {{"override_reason", "at most 2000 bytes"}});
         std::vector<std::string> refs;
         Array::Ptr asked = (*body)->has("references") ? (*body)->getArray("references") : nullptr;
         if ((*body)->has("references") && !asked)
           return SendProblem(x.resp, 422, "Unprocessable Content", "references must be a list",
                              {{"references", "must be a list of 档号"}});
         if (asked) {
           for (size_t i = 0; i < asked->size(); ++i) {
             const auto& v = asked->get(static_cast<unsigned>(i));
             std::string ref = v.isString() ? v.extract<std::string>() : "";
             if (!own.count(ref))
               return SendProblem(x.resp, 422, "Unprocessable Content",
                                  "only the requester's own records can be served",
                                  {{"references[" + std::to_string(i) + "]",
                                    "is not a record filed under the requester's identifier"}});
             if (std::find(refs.begin(), refs.end(), ref) == refs.end()) refs.push_back(ref);
           }
         } else {
           for (const auto& m : *matches)
             if (!other_name.count(m.reference)) refs.push_back(m.reference);
         }
         // The identifier matched but the record names someone else: a typing error in either,
         // or someone asking with another's number. Only a stated reason serves it.
         for (const auto& ref : refs)
           if (other_name.count(ref) && override_reason.empty())
             return SendProblem(
                 x.resp, 422, "Unprocessable Content",
                 ref + " is filed under another name than the requester's",
                 {{"override_reason", "required to serve records under another name"}});
         if (refs.empty())
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "no record to serve; reject the request with a reason instead",
                              {{"references", "at least one record"}});
         CertificateRequest req;
         req.requester = q->name;
         req.purpose = q->purpose;
         req.references = refs;
         req.actor = x.principal->Actor();
         // The approval commits with its certificate: decided meanwhile on another server, the
         // request gets no certificate at all.
         const std::string actor = x.principal->Actor(), at = services.clock();
         auto issued = IssueCertificate(
             ReportContextFor(services), req, [&](SqlSession& db, const Certificate& c) {
               return InquiryRegister::ApproveIn(db, q->number, refs, copies_allowed,
                                                 override_reason, c.serial, c.code, actor, at);
             });
         if (!issued.ok()) return SendStatus(x.resp, issued.status());
         Object o(Poco::JSON_PRESERVE_KEY_ORDER);
         o.set("number", q->number);
         o.set("state", "approved");
         Array::Ptr served = new Array;
         for (const auto& r : refs) served->add(r);
         o.set("served", served);
         o.set("certificate_serial", issued->certificate.serial);
         SendJson(x.resp, 200, o);
       }});

  router.Add({"POST", "/api/v1/inquiries/{number}/reject", "inquiry.handle",
              "Reject a request with a {reason} the requester will read",
              [&services, deciding](Exchange& x) {
                std::lock_guard<std::mutex> one_decision(*deciding);
                auto q = StaffLookup(services, x);
                if (!q) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::vector<FieldError> errors;
                std::string reason = Text(*body, "reason", 2000, &errors, true);
                if (!errors.empty())
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "a rejection needs a reason", errors);
                InquiryRegister reg(*services.records);
                Status st = reg.Reject(q->number, reason, x.principal->Actor(), services.clock());
                if (!st.ok()) return SendStatus(x.resp, st);
                SendJson(x.resp, 200,
                         "{\"number\":" + JsonQuote(q->number) + ",\"state\":\"rejected\"}");
              }});

  router.Add({"POST", "/api/v1/inquiries/{number}/answer", "inquiry.handle",
              "Answer the requester's complaint {text}", [&services](Exchange& x) {
                auto q = StaffLookup(services, x);
                if (!q) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::vector<FieldError> errors;
                std::string text = Text(*body, "text", 4000, &errors, true);
                if (!errors.empty())
                  return SendProblem(x.resp, 422, "Unprocessable Content", "the answer is empty",
                                     errors);
                InquiryRegister reg(*services.records);
                Status st = reg.Answer(q->number, text, x.principal->Actor(), services.clock());
                if (!st.ok()) return SendStatus(x.resp, st);
                SendJson(x.resp, 200, "{\"number\":" + JsonQuote(q->number) + "}");
              }});
}

}  // namespace dangan::web
