#include "archive/cli/capture_filing.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "archive/case_submission.h"
#include "archive/identifiers.h"
#include "archive/text.h"

namespace dangan::cli {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr const char* kCaseFile = "case.json";

Object::Ptr CaptureResultObject(const capture::CapturedDocument& doc, bool review);

std::string Stringify(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str();
}

std::string Stem(const std::string& name) {
  auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// The archived name of the scan: its own name when that is a valid archive file name.
std::string OriginalName(const capture::CapturedDocument& doc) {
  std::string name = fs::path(doc.path).filename().string();
  if (FileNameProblem(name).empty()) return name;
  std::string ext = doc.format == "JPEG"   ? "jpg"
                    : doc.format == "TIFF" ? "tif"
                    : doc.format == "PNG"  ? "png"
                                           : "pdf";
  return "scan." + ext;
}

Status WriteWhole(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path.string());
  return Status::Ok();
}

Result<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Today() { return NowIso8601().substr(0, 10); }

// A document date is usable as 形成日期 when it parses and is not in the future.
bool UsableDate(const std::string& iso) {
  return iso.size() == 10 && IsIsoDate(iso) && iso >= "1900-01-01" && iso <= Today();
}

// Decodes a staged case and gives its files the roles and properties a capture knows.
Result<CaseSubmission> DecodeStagedCase(const std::string& dir, const std::string& json,
                                        const ClassificationScheme& scheme) {
  CaseDecodeOptions opts;
  opts.base_dir = dir;
  auto c = DecodeCaseJson(json, scheme, opts);
  if (!c.ok()) return c.status();
  Poco::JSON::Parser parser;
  auto root = parser.parse(json).extract<Object::Ptr>();
  auto cap = root->getObject("capture");
  if (cap && c->files.size() >= 3) {
    c->pages = cap->optValue<int>("pages", 0);
    if (auto dz = cap->getObject("digitization")) {
      c->files[0].digitization.dpi = dz->optValue<int>("dpi", 0);
      c->files[0].digitization.colour_mode = dz->optValue<std::string>("colour_mode", "");
      c->files[0].digitization.compression = dz->optValue<std::string>("compression", "");
      c->files[0].digitization.pages = dz->optValue<int>("pages", 0);
    }
    c->files[0].role = "original";
    c->files[1].role = "text";
    // Drafts staged before the languages were recorded do not say which were used.
    std::string languages = cap->optValue<std::string>("ocr_languages", "");
    c->files[1].created_by =
        "Dangan capture: Leptonica + Tesseract" + (languages.empty() ? "" : " " + languages);
    c->files[2].role = "access";
    c->files[2].created_by = "Dangan capture: libharu searchable PDF";
    if (c->files.size() == 4) {  // the words with their boxes (drafts older than that have 3)
      c->files[3].role = "text";
      c->files[3].created_by = c->files[1].created_by;
    }
  }
  return c;
}

// Writes what a captured document is made of into `dir`: the scan under original/, its OCR text,
// word layout and access PDF, and the case that files them. `link` hard-links the scan instead of
// copying it, for a staging that lives only while the case is filed (the package gets its own
// copy, checked against the digest of what was recognised); a review staging waits for days
// and must not change when someone edits the scanned file in place.
Status StageCapture(const fs::path& dir, const capture::CapturedDocument& doc,
                    const std::string& original, const std::string& case_json, bool link) {
  std::error_code ec;
  fs::create_directories(dir / "original", ec);
  if (ec) return Status::IOError("cannot create " + dir.string() + ": " + ec.message());
  if (link) fs::create_hard_link(doc.path, dir / "original" / original, ec);
  if (!link || ec) {  // another file system needs a copy
    ec.clear();
    fs::copy_file(doc.path, dir / "original" / original, ec);
  }
  if (ec) return Status::IOError("cannot stage " + doc.path + ": " + ec.message());
  DANGAN_RETURN_IF_ERROR(WriteWhole(dir / "ocr.txt", doc.text));
  DANGAN_RETURN_IF_ERROR(WriteWhole(dir / "access.pdf", doc.access_pdf));
  DANGAN_RETURN_IF_ERROR(WriteWhole(dir / "ocr.json", OcrLayoutJson(doc)));
  // A reviewer sees the page as recognised, with the OCR boxes over it (web/review_api.cpp).
  if (!link)
    for (const auto& p : doc.pages)
      if (!p.access_jpeg.empty())
        DANGAN_RETURN_IF_ERROR(
            WriteWhole(dir / ("page-" + std::to_string(p.number) + ".jpg"), p.access_jpeg));
  return WriteWhole(dir / kCaseFile, case_json);
}

std::string RandomSuffix() {
  std::random_device rd;
  std::ostringstream s;
  s << std::hex << rd() << rd();
  return s.str();
}

}  // namespace

std::string CaptureCaseJson(const capture::CapturedDocument& doc, const std::string& sha,
                            const std::string& original_name, const std::string& organization,
                            const std::string& actor, const std::string& now) {
  const auto& cls = doc.classification;
  const auto& f = doc.fields;
  Object::Ptr c = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  c->set("source", "capture");
  c->set("case_id", sha);
  c->set("item", cls.item_code);
  c->set("title", doc.title);
  c->set("formed_on", UsableDate(f.date) ? f.date : now.substr(0, 10));
  c->set("closed_at", now);
  c->set("agency", organization);
  c->set("handler", actor);
  if (!f.serial.empty() && f.serial.size() <= 64) c->set("serial", f.serial);
  if (!f.id_numbers.empty()) {
    Object::Ptr p = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    p->set("id_number", f.id_numbers.front());
    p->set("name", f.name.empty() || f.name.size() > 50 ? "（姓名未识别）" : f.name);
    c->set("person", p);
  }
  if (!f.credit_codes.empty()) {
    Object::Ptr u = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    u->set("credit_code", f.credit_codes.front());
    u->set("name", f.unit.empty() || f.unit.size() > 200 ? "（单位名称未识别）" : f.unit);
    c->set("unit", u);
  }
  Array::Ptr steps = new Array;
  Object::Ptr step = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  step->set("action", "数字化");
  step->set("at", now);
  step->set("by", actor);
  step->set("description", "纸质文件扫描，OCR 识别并自动分类");
  steps->add(step);
  c->set("steps", steps);
  Array::Ptr files = new Array;
  const std::string stem = Stem(original_name);
  for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
           {original_name, "original/" + original_name},
           {stem + ".ocr.txt", "ocr.txt"},
           {stem + ".access.pdf", "access.pdf"},
           {stem + ".ocr.json", "ocr.json"}}) {
    Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    fo->set("name", name);
    fo->set("path", path);
    files->add(fo);
  }
  c->set("files", files);

  Object::Ptr cap = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  cap->set("file", fs::path(doc.path).filename().string());
  cap->set("content_sha256", sha);
  cap->set("pages", static_cast<int>(doc.pages.size()));
  Object::Ptr dz = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  dz->set("dpi", doc.digitization.dpi);
  dz->set("colour_mode", doc.digitization.colour_mode);
  dz->set("compression", doc.digitization.compression);
  dz->set("pages", doc.digitization.pages);
  cap->set("digitization", dz);
  cap->set("ocr_languages", doc.ocr_languages);
  cap->set("result", CaptureResultObject(doc, false));
  c->set("capture", cap);
  return Stringify(c);
}

std::string OcrLayoutJson(const capture::CapturedDocument& doc) {
  auto box = [](int l, int t, int w, int h) {
    Array::Ptr b = new Array;
    b->add(l);
    b->add(t);
    b->add(w);
    b->add(h);
    return b;
  };
  Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  root->set("format", "dangan-ocr/1");
  Array::Ptr pages = new Array;
  for (const auto& p : doc.pages) {
    Object::Ptr po = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    po->set("page", p.number);
    po->set("width", p.ocr.width);
    po->set("height", p.ocr.height);
    po->set("dpi", p.ocr.dpi);
    po->set("skew_degrees", p.skew_degrees);
    po->set("rotation_degrees", p.rotation_degrees);
    Array::Ptr lines = new Array;
    for (const auto& l : p.ocr.lines) {
      Object::Ptr lo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      lo->set("text", l.text);
      lo->set("box", box(l.left, l.top, l.width, l.height));
      Array::Ptr words = new Array;
      for (const auto& w : l.words) {
        Object::Ptr wo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        wo->set("text", w.text);
        wo->set("box", box(w.left, w.top, w.width, w.height));
        wo->set("confidence", std::round(w.confidence * 10) / 10);
        words->add(wo);
      }
      lo->set("words", words);
      lines->add(lo);
    }
    po->set("lines", lines);
    pages->add(po);
  }
  root->set("pages", pages);
  return Stringify(root);
}

namespace {

Object::Ptr CaptureResultObject(const capture::CapturedDocument& doc, bool review) {
  const auto& cls = doc.classification;
  const auto& f = doc.fields;
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("file", fs::path(doc.path).filename().string());
  o->set("pages", static_cast<int>(doc.pages.size()));
  o->set("category", cls.class_code);
  o->set("item", cls.item_code);
  o->set("retention", cls.retention);
  o->set("confidence", std::round(cls.confidence * 1000) / 1000);
  o->set("not_a_record", cls.not_a_record);
  o->set("title", doc.title);
  Array::Ptr evidence = new Array;
  for (const auto& e : cls.evidence) {
    Object::Ptr eo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    eo->set("kind", e.kind);
    eo->set("rule", e.rule);
    eo->set("token", e.token);
    eo->set("item", e.target);
    eo->set("weight", std::round(e.weight * 1000) / 1000);
    evidence->add(eo);
    if (evidence->size() >= 12) break;
  }
  o->set("evidence", evidence);
  Array::Ptr alternatives = new Array;
  for (const auto& a : cls.alternatives) {
    Object::Ptr ao = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    ao->set("item", a.item_code);
    ao->set("probability", std::round(a.probability * 1000) / 1000);
    alternatives->add(ao);
    if (alternatives->size() >= 3) break;
  }
  o->set("alternatives", alternatives);
  Object::Ptr fields = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  auto list = [](const std::vector<std::string>& v) {
    Array::Ptr a = new Array;
    for (const auto& s : v) a->add(s);
    return a;
  };
  fields->set("id_number", list(f.id_numbers));
  fields->set("credit_code", list(f.credit_codes));
  fields->set("social_security_card", list(f.social_security_cards));
  fields->set("name", f.name);
  fields->set("unit", f.unit);
  fields->set("date", f.date);
  fields->set("period", f.period);
  if (f.principal_fen) fields->set("amount_fen", static_cast<Poco::Int64>(*f.principal_fen));
  fields->set("serial", f.serial);
  o->set("fields", fields);
  Array::Ptr pages = new Array;
  for (const auto& p : doc.pages) {
    Object::Ptr po = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    po->set("page", p.number);
    po->set("skew_degrees", std::round(p.skew_degrees * 100) / 100);
    po->set("rotation_degrees", p.rotation_degrees);
    po->set("mean_confidence", std::round(p.ocr.mean_confidence * 10) / 10);
    pages->add(po);
  }
  o->set("page_details", pages);
  o->set("text", doc.text);
  o->set("review", review);
  return o;
}

}  // namespace

std::string CaptureResultJson(const capture::CapturedDocument& doc, bool review,
                              const CaptureOutcome& outcome) {
  Object::Ptr o = CaptureResultObject(doc, review);
  if (!outcome.reference.empty()) o->set("reference", outcome.reference);
  if (outcome.review_id) o->set("review_id", static_cast<Poco::Int64>(outcome.review_id));
  return Stringify(o);
}

CaptureArchive CaptureArchiveOf(ArchiveSession& session) {
  return CaptureArchive{session.root(), session.settings().organization, &session.scheme(),
                        &session.catalogue(), &session.filing()};
}

Result<std::optional<CaptureOutcome>> CaptureFiling::Earlier(const std::string& sha) {
  auto filed = archive_.catalogue->FindCase("capture", sha);
  if (!filed.ok()) return filed.status();
  if (*filed) return std::optional<CaptureOutcome>(CaptureOutcome{(*filed)->reference, 0, ""});
  auto queued = queue_.FindByContent(sha);
  if (!queued.ok()) return queued.status();
  if (*queued) {
    CaptureOutcome o;
    o.reference = (*queued)->reference;
    o.review_id = (*queued)->id;
    o.review_reason = "queued for review (" + (*queued)->state + ")";
    return std::optional<CaptureOutcome>(o);
  }
  return std::optional<CaptureOutcome>();
}

Result<FilingReceipt> FileCapture(Filing& filing, const ClassificationScheme& scheme,
                                  const std::string& staging_root, const std::string& organization,
                                  const std::string& actor, const capture::CapturedDocument& doc,
                                  const std::string& sha) {
  // Stage the case as `dangan ingest` would read it, then file it through the one Filing path.
  const std::string original = OriginalName(doc);
  const fs::path dir = fs::path(staging_root) / "intake" / ("capture-" + RandomSuffix());
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;  // a leftover staging directory holds no record
      fs::remove_all(dir, ignored);
    }
  } cleanup{dir};
  const std::string json = CaptureCaseJson(doc, sha, original, organization, actor, NowIso8601());
  DANGAN_RETURN_IF_ERROR(StageCapture(dir, doc, original, json, /*link=*/true));
  auto c = DecodeStagedCase(dir.string(), json, scheme);
  if (!c.ok()) return Status::InvalidArgument("the case is not valid: " + c.status().ToString());
  c->files[0].declared_sha256 = sha;  // the scan must still be the bytes that were recognised
  auto receipt = filing.File(*c, "capture", actor);
  if (!receipt.ok() && receipt.status().code() == ErrorCode::kInvalidArgument)
    return Status::InvalidArgument("filing refused it: " + receipt.status().ToString());
  return receipt;
}

Result<CaptureOutcome> CaptureFiling::Settle(const capture::CapturedDocument& doc,
                                             const std::string& sha, std::string review_reason) {
  if (!review_reason.empty()) return Queue(doc, sha, review_reason);
  auto receipt = FileCapture(*archive_.filing, *archive_.scheme, archive_.root,
                             archive_.organization, actor_, doc, sha);
  if (!receipt.ok()) {
    if (receipt.status().code() == ErrorCode::kInvalidArgument)
      return Queue(doc, sha, receipt.status().message());
    return receipt.status();
  }
  AuditEvent e;
  e.at = NowIso8601();
  e.actor = actor_;
  e.action = "classify";
  e.reference = receipt->reference;
  e.detail = CaptureClassifyDetail(doc);
  auto logged = archive_.catalogue->AppendEvents({e}, RecordCatalogue::Durability::kSynced);
  if (!logged.ok()) return logged.status();
  return CaptureOutcome{receipt->reference, 0, ""};
}

Result<capture::DocumentClassifier> LoadCaptureClassifier(const ClassificationScheme& scheme,
                                                          ReviewQueue* queue) {
  auto c = capture::DocumentClassifier::FromScheme(scheme);
  if (queue == nullptr) return c;
  auto examples = queue->Examples();
  if (!examples.ok()) return examples.status();
  for (const auto& e : *examples) {
    Status st = c.Learn(e.text, e.confirmed_item);
    // An example for an item a later scheme dropped teaches nothing; it is not an error.
    if (!st.ok() && st.code() != ErrorCode::kInvalidArgument) return st;
  }
  return c;
}

std::string CaptureReviewReason(const capture::Classification& cls, double threshold) {
  if (cls.not_a_record) return "not a business record of the scheme";
  if (cls.confidence < threshold)
    return "confidence " + std::to_string(cls.confidence).substr(0, 4) + " below " +
           std::to_string(threshold).substr(0, 4);
  return "";
}

Result<double> ParseCaptureThreshold(const std::string& text) {
  try {
    size_t used = 0;
    double threshold = std::stod(text, &used);
    if (used == text.size() && threshold >= 0 && threshold <= 1) return threshold;
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("--threshold must be a number from 0 to 1");
}

bool IsScanName(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const std::set<std::string> kExt = {".tif", ".tiff", ".png", ".jpg", ".jpeg", ".pdf"};
  return kExt.count(ext) > 0;
}

std::string CaptureClassifyDetail(const capture::CapturedDocument& doc) {
  const auto& cls = doc.classification;
  std::ostringstream detail;
  detail << "{\"confidence\":" << cls.confidence << ",\"item\":\"" << cls.item_code
         << "\",\"pages\":" << doc.pages.size() << "}";
  return detail.str();
}

Result<CaptureOutcome> CaptureFiling::Queue(const capture::CapturedDocument& doc,
                                            const std::string& sha, const std::string& reason) {
  // Queued before (a job redone, the same scan sent twice): its staging, perhaps being read or
  // filed just now, or gone with its filing, is left as it is.
  auto earlier = queue_.FindByContent(sha);
  if (!earlier.ok()) return earlier.status();
  if (*earlier)
    return CaptureOutcome{(*earlier)->reference, (*earlier)->id,
                          "queued for review before (" + (*earlier)->state + ")"};
  const std::string original = OriginalName(doc);
  const std::string rel = "review/" + sha.substr(0, 32);
  const fs::path final_dir = fs::path(archive_.root) / rel;
  const fs::path tmp = fs::path(archive_.root) / "review" / (".tmp-" + RandomSuffix());
  const std::string json =
      CaptureCaseJson(doc, sha, original, archive_.organization, actor_, NowIso8601());
  Status st = StageCapture(tmp, doc, original, json, /*link=*/false);
  std::error_code ec;
  if (st.ok()) {
    fs::remove_all(final_dir, ec);  // a staging left by an earlier, unfinished run
    fs::rename(tmp, final_dir, ec);
    if (ec) st = Status::IOError("cannot move " + tmp.string() + ": " + ec.message());
  }
  if (!st.ok()) {
    fs::remove_all(tmp, ec);
    return st;
  }
  ReviewItem item;
  item.content_sha256 = sha;
  item.file_name = fs::path(doc.path).filename().string();
  item.staged_dir = rel;
  item.draft_json = json;
  item.suggested_item = doc.classification.item_code;
  item.confidence = doc.classification.confidence;
  item.created_at = NowIso8601();
  auto id = queue_.Add(item, actor_);
  if (!id.ok()) return id.status();
  return CaptureOutcome{"", *id, reason};
}

Result<std::string> CaptureFiling::Accept(int64_t id, const std::string& item,
                                          const std::string& title, const std::string& formed_on) {
  auto found = queue_.Find(id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("no review item " + std::to_string(id));
  const ReviewItem& r = **found;
  if (r.state != "pending")
    return Status::Conflict("review item " + std::to_string(id) + " is already " + r.state +
                            (r.reference.empty() ? "" : " as " + r.reference));
  const std::string chosen = item.empty() ? r.suggested_item : item;
  if (archive_.scheme->FindItem(chosen) == nullptr)
    return Status::InvalidArgument("choose a business item of the scheme",
                                   {{"item", "'" + chosen + "' is not a business item"}});
  Poco::JSON::Parser parser;
  auto draft = parser.parse(r.draft_json).extract<Object::Ptr>();
  draft->set("item", chosen);
  if (!title.empty()) draft->set("title", title);
  if (!formed_on.empty()) draft->set("formed_on", formed_on);
  const std::string dir = (fs::path(archive_.root) / r.staged_dir).string();
  auto c = DecodeStagedCase(dir, Stringify(draft), *archive_.scheme);
  if (!c.ok()) return c.status();
  c->files[0].declared_sha256 = r.content_sha256;
  auto text = ReadWhole(fs::path(dir) / "ocr.txt");  // before filing, which frees the staging
  if (!text.ok()) return text.status();
  // Held while it is filed: a decision on another server (a PostgreSQL archive has several)
  // must not reject what is being filed. Ten minutes is far beyond any filing.
  auto claim = queue_.Claim(id, 600);
  if (!claim.ok()) return claim.status();
  auto receipt = archive_.filing->File(*c, "capture", actor_);
  if (!receipt.ok()) {
    Status released = queue_.Release(id, *claim);
    if (!released.ok())
      return receipt.status().WithContext("the review item stays held for ten minutes (" +
                                          released.message() + ")");
    return receipt.status();
  }
  ClassifierExample ex{r.content_sha256, r.suggested_item, chosen, *text, NowIso8601(), actor_};
  Status decided =
      queue_.Decide(id, "filed", chosen, receipt->reference, "", actor_, ex.at, ex, *claim);
  if (!decided.ok()) {
    // Free at once for the retry, which replays the filing and closes the item.
    Status released = queue_.Release(id, *claim);
    return decided.WithContext("filed as " + receipt->reference +
                               ", but the review item was not closed" +
                               (released.ok() ? "" : " (" + released.message() + ")"));
  }
  std::error_code ec;
  fs::remove_all(dir, ec);  // the package holds the files now
  return receipt->reference;
}

Status CaptureFiling::Reject(int64_t id, const std::string& reason) {
  auto found = queue_.Find(id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("no review item " + std::to_string(id));
  const ReviewItem& r = **found;
  if (r.state != "pending")
    return Status::Conflict("review item " + std::to_string(id) + " is already " + r.state);
  // Filed already (an acceptance that stopped before closing its item): accepting it again
  // closes the item with that record.
  auto filed = archive_.catalogue->FindCase("capture", r.content_sha256);
  if (!filed.ok()) return filed.status();
  if (*filed)
    return Status::Conflict("review item " + std::to_string(id) + " was filed as " +
                            (*filed)->reference + "; accept it to close it");
  const std::string dir = (fs::path(archive_.root) / r.staged_dir).string();
  auto text = ReadWhole(fs::path(dir) / "ocr.txt");
  if (!text.ok()) return text.status();
  ClassifierExample ex{r.content_sha256, r.suggested_item, "0000", *text, NowIso8601(), actor_};
  return queue_.Decide(id, "rejected", "0000", "", reason, actor_, ex.at, ex);
}

Result<std::string> CaptureReviewDesk::Accept(int64_t id, const std::string& item,
                                              const std::string& title,
                                              const std::string& formed_on,
                                              const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return CaptureFiling(archive_, actor).Accept(id, item, title, formed_on);
}

Status CaptureReviewDesk::Reject(int64_t id, const std::string& reason, const std::string& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return CaptureFiling(archive_, actor).Reject(id, reason);
}

}  // namespace dangan::cli
