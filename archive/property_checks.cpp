#include "archive/property_checks.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "archive/identifiers.h"
#include "archive/text.h"

namespace dangan {

const char* StageName(CheckStage stage) {
  switch (stage) {
    case CheckStage::kFiling:
      return "filing";
    case CheckStage::kTransfer:
      return "transfer";
    case CheckStage::kPreservation:
      return "preservation";
  }
  return "?";
}

const char* StageLabel(CheckStage stage) {
  switch (stage) {
    case CheckStage::kFiling:
      return "归档";
    case CheckStage::kTransfer:
      return "移交与接收";
    case CheckStage::kPreservation:
      return "长期保存";
  }
  return "?";
}

const char* StagePrefix(CheckStage stage) {
  switch (stage) {
    case CheckStage::kFiling:
      return "GD";
    case CheckStage::kTransfer:
      return "YJ";
    case CheckStage::kPreservation:
      return "BC";
  }
  return "?";
}

std::optional<CheckStage> ParseStage(const std::string& name) {
  for (CheckStage s : {CheckStage::kFiling, CheckStage::kTransfer, CheckStage::kPreservation})
    if (name == StageName(s)) return s;
  return std::nullopt;
}

const char* PropertyLabel(const std::string& property) {
  if (property == "authenticity") return "真实性";
  if (property == "integrity") return "完整性";
  if (property == "usability") return "可用性";
  if (property == "security") return "安全性";
  return "?";
}

namespace {

const std::set<std::string> kTests = {
    "file_digests",     "metadata_length",   "metadata_format",          "metadata_range",
    "reference_format", "reference_unique",  "content_matches_metadata", "location",
    "package_digest",   "required_metadata", "sequence_continuous",      "handling_steps",
    "content_present",  "manifest_complete", "metadata_readable",        "allowed_formats",
    "content_readable", "no_executable",     "no_foreign_files",         "package_as_filed",
    "malware_scan"};

const std::set<std::string> kProperties = {"authenticity", "integrity", "usability", "security"};

const std::set<std::string> kRequirable = {"title",     "formed_on",  "responsible", "retention",
                                           "reference", "doc_number", "agency",      "handler",
                                           "serial",    "closed_at"};

std::string FieldValue(const Record& r, const std::string& field) {
  if (field == "title") return r.title;
  if (field == "formed_on") return r.formed_on;
  if (field == "responsible") return r.responsible;
  if (field == "retention") return r.parts.retention;
  if (field == "reference") return r.reference;
  if (field == "doc_number") return r.doc_number;
  if (field == "agency") return r.agency;
  if (field == "handler") return r.handler;
  if (field == "serial") return r.serial;
  if (field == "closed_at") return r.closed_at;
  if (field == "person.name") return r.person ? r.person->name : "";
  if (field == "unit.name") return r.unit ? r.unit->name : "";
  return "";
}

bool IsLengthField(const std::string& field) {
  return kRequirable.count(field) || field == "person.name" || field == "unit.name";
}

using Json = Poco::JSON::Object::Ptr;

std::vector<std::string> Strings(const Json& obj, const std::string& key,
                                 const std::string& where) {
  std::vector<std::string> out;
  auto arr = obj->getArray(key);
  if (!arr) throw Poco::DataException(where + ": '" + key + "' must be a list");
  for (size_t i = 0; i < arr->size(); ++i) {
    if (!arr->get(i).isString())
      throw Poco::DataException(where + ": '" + key + "' must hold strings");
    out.push_back(arr->get(i).extract<std::string>());
  }
  return out;
}

// The raw parse of one document; absent lists stay empty (an overlay names only what it changes).
struct Draft {
  std::string version;
  std::optional<std::vector<std::string>> allowed_formats, security_levels, required;
  std::optional<std::vector<std::pair<std::string, size_t>>> max_lengths;
  std::vector<PropertyChecks::Item> items;
};

Status ParseDocument(const std::string& text, const std::string& origin, Draft* out) {
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(text).extract<Json>();
    if (!root) return Status::InvalidArgument(origin + ": the check rules must be a JSON object");
    out->version = root->optValue<std::string>("version", "");
    if (root->has("allowed_formats"))
      out->allowed_formats = Strings(root, "allowed_formats", origin);
    if (root->has("security_levels"))
      out->security_levels = Strings(root, "security_levels", origin);
    if (root->has("required")) {
      out->required = Strings(root, "required", origin);
      for (const auto& f : *out->required)
        if (!kRequirable.count(f))
          return Status::InvalidArgument(origin + ": 'required' names unknown field '" + f + "'");
    }
    if (root->has("max_lengths")) {
      auto lengths = root->getObject("max_lengths");
      if (!lengths) return Status::InvalidArgument(origin + ": 'max_lengths' must be an object");
      std::vector<std::pair<std::string, size_t>> v;
      for (const auto& [name, value] : *lengths) {
        if (!IsLengthField(name))
          return Status::InvalidArgument(origin + ": 'max_lengths' names unknown field '" + name +
                                         "'");
        if (!value.isInteger() || value.convert<int64_t>() <= 0)
          return Status::InvalidArgument(origin + ": max_lengths." + name +
                                         " must be a positive integer");
        v.emplace_back(name, static_cast<size_t>(value.convert<int64_t>()));
      }
      out->max_lengths = v;
    }
    if (root->has("items")) {
      auto items = root->getArray("items");
      if (!items) return Status::InvalidArgument(origin + ": 'items' must be a list");
      for (size_t i = 0; i < items->size(); ++i) {
        auto o = items->getObject(i);
        std::string where = origin + ": items[" + std::to_string(i) + "]";
        if (!o) return Status::InvalidArgument(where + " must be an object");
        PropertyChecks::Item item;
        item.id = o->optValue<std::string>("id", "");
        item.property = o->optValue<std::string>("property", "");
        item.name = o->optValue<std::string>("name", "");
        item.test = o->optValue<std::string>("test", "");
        if (item.id.empty() || item.name.empty())
          return Status::InvalidArgument(where + " needs an 'id' and a 'name'");
        if (!kProperties.count(item.property))
          return Status::InvalidArgument(where + ": unknown property '" + item.property + "'");
        if (!kTests.count(item.test))
          return Status::InvalidArgument(where + ": unknown test '" + item.test + "'");
        for (const auto& s : Strings(o, "stages", where)) {
          auto stage = ParseStage(s);
          if (!stage) return Status::InvalidArgument(where + ": unknown stage '" + s + "'");
          item.stages.push_back(*stage);
        }
        if (o->has("except_channels")) item.except_channels = Strings(o, "except_channels", where);
        out->items.push_back(std::move(item));
      }
    }
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(origin + ": " + e.displayText());
  }
  return Status::Ok();
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Formats whose bytes a sniffed kind stands for. Office and OFD files are ZIP containers.
bool SniffAgrees(const std::string& format, const std::string& sniffed) {
  if (format == "PDF" || format == "TIFF" || format == "JPEG" || format == "PNG")
    return sniffed == format;
  if (format == "OFD" || format == "DOCX" || format == "XLSX") return sniffed == "ZIP";
  if (format == "XML") return sniffed == "XML";
  if (format == "TXT" || format == "JSON") return sniffed == "TXT" || sniffed == "XML";
  return true;  // a format we cannot recognise by its bytes; 3-2 decides whether it is allowed
}

bool HasExecutableSignature(const FileObservation& f, std::string* what) {
  const std::string& h = f.head;
  auto starts = [&](const char* magic, size_t n) {
    return h.size() >= n && h.compare(0, n, magic, n) == 0;
  };
  if (starts("MZ", 2)) return *what = "Windows executable (MZ)", true;
  if (starts("\x7f"
             "ELF",
             4))
    return *what = "ELF executable", true;
  if (starts("\xcf\xfa\xed\xfe", 4) || starts("\xce\xfa\xed\xfe", 4))
    return *what = "Mach-O executable", true;
  if (starts("#!", 2)) return *what = "script (#!)", true;
  static const std::string kEicar = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE";
  if (h.find(kEicar) != std::string::npos || f.tail.find(kEicar) != std::string::npos)
    return *what = "EICAR test signature", true;
  for (const char* pdf_action : {"/JavaScript", "/Launch"})
    if (h.find(pdf_action) != std::string::npos || f.tail.find(pdf_action) != std::string::npos)
      return *what = std::string("PDF action ") + pdf_action, true;
  return false;
}

}  // namespace

std::string SniffFormat(const std::string& head) {
  auto starts = [&](const char* magic, size_t n) {
    return head.size() >= n && head.compare(0, n, magic, n) == 0;
  };
  if (starts("%PDF-", 5)) return "PDF";
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return "TIFF";
  if (starts("\xff\xd8\xff", 3)) return "JPEG";
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (starts("PK\x03\x04", 4)) return "ZIP";
  std::string_view body(head);
  if (body.substr(0, 3) == "\xef\xbb\xbf") body.remove_prefix(3);
  size_t first = body.find_first_not_of(" \t\r\n");
  // Text: valid UTF-8 (a sequence cut at the end of the sample is allowed).
  size_t end = body.size();
  for (size_t back = 0; back < 3 && end > 0; ++back) {
    unsigned char c = static_cast<unsigned char>(body[end - 1]);
    if ((c & 0xC0) == 0x80) {
      --end;
      continue;
    }
    if ((c & 0xC0) == 0xC0) --end;
    break;
  }
  std::string_view whole = body.substr(0, end);
  // Control characters other than layout ones mark binary data (executables, images).
  for (char ch : whole) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) return "";
  }
  if (!IsValidUtf8(whole)) return "";
  if (first != std::string_view::npos && body[first] == '<') return "XML";
  return "TXT";
}

bool CheckReport::passed() const {
  for (const auto& f : findings)
    if (f.outcome == CheckOutcome::kFailed) return false;
  return true;
}

std::vector<const CheckFinding*> CheckReport::failures() const {
  std::vector<const CheckFinding*> out;
  for (const auto& f : findings)
    if (f.outcome == CheckOutcome::kFailed) out.push_back(&f);
  return out;
}

std::string CheckReport::ToJson() const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("stage", StageName(stage));
  root.set("reference", reference);
  root.set("rules", rules_version);
  root.set("passed", passed());
  Poco::JSON::Array items;
  for (const auto& f : findings) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("code", f.code);
    o.set("property", f.property);
    o.set("name", f.name);
    o.set("outcome", f.outcome == CheckOutcome::kPassed   ? "passed"
                     : f.outcome == CheckOutcome::kFailed ? "failed"
                                                          : "not run");
    if (!f.detail.empty()) o.set("detail", f.detail);
    items.add(o);
  }
  root.set("items", items);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

std::string CheckReport::ToEventJson() const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("stage", StageName(stage));
  root.set("rules", rules_version);
  root.set("passed", passed());
  root.set("items", static_cast<int>(findings.size()));
  Poco::JSON::Array failed, not_run;
  for (const auto& f : findings) {
    if (f.outcome == CheckOutcome::kFailed) {
      Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
      o.set("code", f.code);
      o.set("detail", f.detail);
      failed.add(o);
    } else if (f.outcome == CheckOutcome::kNotRun) {
      not_run.add(f.code);
    }
  }
  root.set("failed", failed);
  root.set("not_run", not_run);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

std::vector<FieldError> CheckReport::AsFieldErrors() const {
  std::vector<FieldError> out;
  for (const auto* f : failures()) out.push_back({f->code, f->name + ": " + f->detail});
  return out;
}

Result<PropertyChecks> PropertyChecks::Parse(const std::string& base_json,
                                             const std::string& overlay_json,
                                             const std::string& overlay_origin) {
  Draft base;
  DANGAN_RETURN_IF_ERROR(ParseDocument(base_json, "check rules", &base));
  if (overlay_json.find_first_not_of(" \t\r\n") != std::string::npos) {
    Draft overlay;
    DANGAN_RETURN_IF_ERROR(ParseDocument(overlay_json, overlay_origin, &overlay));
    if (!overlay.version.empty()) base.version += " + " + overlay.version;
    if (overlay.allowed_formats) base.allowed_formats = overlay.allowed_formats;
    if (overlay.security_levels) base.security_levels = overlay.security_levels;
    if (overlay.required) base.required = overlay.required;
    if (overlay.max_lengths) base.max_lengths = overlay.max_lengths;
    for (auto& item : overlay.items) {
      auto same = std::find_if(base.items.begin(), base.items.end(),
                               [&](const Item& i) { return i.id == item.id; });
      if (same != base.items.end())
        *same = std::move(item);
      else
        base.items.push_back(std::move(item));
    }
  }
  PropertyChecks c;
  c.version_ = base.version;
  c.items_ = std::move(base.items);
  std::set<std::string> ids;
  for (const auto& i : c.items_)
    if (!ids.insert(i.id).second)
      return Status::InvalidArgument("check rules: item " + i.id + " is listed twice");
  if (!base.allowed_formats || base.allowed_formats->empty())
    return Status::InvalidArgument("check rules: 'allowed_formats' must list at least one format");
  c.allowed_formats_ = *base.allowed_formats;
  c.security_levels_ = base.security_levels.value_or(std::vector<std::string>{});
  c.required_ = base.required.value_or(std::vector<std::string>{});
  c.max_lengths_ = base.max_lengths.value_or(std::vector<std::pair<std::string, size_t>>{});
  return c;
}

Result<PropertyChecks> PropertyChecks::LoadBuiltin(const std::string& overlay_json,
                                                   const std::string& overlay_origin) {
  return Parse(BuiltinChecksJson(), overlay_json, overlay_origin);
}

CheckReport PropertyChecks::Run(CheckStage stage, const CheckSubject& s,
                                const ClassificationScheme& scheme,
                                const ReferenceTemplate& tmpl) const {
  CheckReport report;
  report.stage = stage;
  report.rules_version = version_;
  const Record& r = *s.record;
  report.reference = r.reference;

  for (const Item& item : items_) {
    if (std::find(item.stages.begin(), item.stages.end(), stage) == item.stages.end()) continue;
    CheckFinding f;
    f.code = std::string(StagePrefix(stage)) + "-" + item.id;
    f.property = item.property;
    f.name = item.name;
    std::vector<std::string> problems;
    auto not_run = [&](const std::string& why) {
      f.outcome = CheckOutcome::kNotRun;
      f.detail = why;
    };
    const std::string& t = item.test;

    if (Contains(item.except_channels, r.channel)) {
      not_run("not required for records from channel " + r.channel);
    } else if (t == "file_digests") {
      if (!s.files)
        not_run("files not observed");
      else
        for (size_t i = 0; i < s.files->size() && i < r.files.size(); ++i) {
          const auto& o = (*s.files)[i];
          if (o.present && o.sha256 != r.files[i].sha256)
            problems.push_back(o.name + ": SHA-256 " + o.sha256.substr(0, 12) + "… ≠ recorded " +
                               r.files[i].sha256.substr(0, 12) + "…");
        }
    } else if (t == "metadata_length") {
      for (const auto& [field, max] : max_lengths_) {
        size_t n = Utf8Length(FieldValue(r, field));
        if (n > max)
          problems.push_back(field + " has " + std::to_string(n) + " characters (at most " +
                             std::to_string(max) + ")");
      }
    } else if (t == "metadata_format") {
      if (!IsIsoDate(r.formed_on)) problems.push_back("formed_on is not a date YYYY-MM-DD");
      if (!r.closed_at.empty() && !IsIsoTimestamp(r.closed_at))
        problems.push_back("closed_at is not an ISO 8601 time");
      for (size_t i = 0; i < r.steps.size(); ++i)
        if (!IsIsoTimestamp(r.steps[i].at))
          problems.push_back("steps[" + std::to_string(i) + "].at is not an ISO 8601 time");
      if (r.pages < 0) problems.push_back("pages is negative");
      if (r.person && !r.person->id_number.empty() && !IsValidIdNumber(r.person->id_number))
        problems.push_back("person.id_number is not a valid 公民身份号码");
      if (r.unit && !r.unit->credit_code.empty() && !IsValidCreditCode(r.unit->credit_code))
        problems.push_back("unit.credit_code is not a valid 统一社会信用代码");
      for (const auto& field : {r.title, r.responsible, r.agency, r.handler})
        if (!IsValidUtf8(field)) problems.push_back("a text field is not valid UTF-8");
    } else if (t == "metadata_range") {
      const BusinessItem* bi = scheme.FindItem(r.parts.item);
      if (!bi)
        problems.push_back("item " + r.parts.item + " is not in scheme " + scheme.version());
      else {
        if (bi->retention != r.parts.retention)
          problems.push_back("retention " + r.parts.retention + " differs from item " + bi->code +
                             "'s " + bi->retention);
        if (bi->class_code != r.parts.class_code)
          problems.push_back("class " + r.parts.class_code + " differs from item " + bi->code +
                             "'s " + bi->class_code);
      }
      if (r.formed_on.size() >= 4 && r.formed_on.substr(0, 4) != std::to_string(r.parts.year))
        problems.push_back("年度 " + std::to_string(r.parts.year) +
                           " is not the year of formed_on");
      if (!security_levels_.empty() && !Contains(security_levels_, r.security))
        problems.push_back("密级 '" + r.security + "' is not an allowed level");
    } else if (t == "reference_format") {
      if (r.reference.empty())
        not_run("no 档号 assigned yet");
      else if (!tmpl.Matches(r.reference))
        problems.push_back("档号 does not have the shape " + tmpl.pattern());
      else if (tmpl.Format(r.parts) != r.reference)
        problems.push_back("档号 " + r.reference + " disagrees with its parts (" +
                           tmpl.Format(r.parts) + ")");
    } else if (t == "reference_unique") {
      if (!s.records_with_reference)
        not_run("catalogue not consulted");
      else if (*s.records_with_reference != 1)
        problems.push_back(std::to_string(*s.records_with_reference) + " records carry this 档号");
    } else if (t == "content_matches_metadata") {
      if (!s.files)
        not_run("files not observed");
      else
        for (size_t i = 0; i < s.files->size() && i < r.files.size(); ++i) {
          const auto& o = (*s.files)[i];
          const auto& m = r.files[i];
          if (!o.present) continue;  // 2-4 reports it
          if (o.size != m.size)
            problems.push_back(o.name + ": " + std::to_string(o.size) + " bytes, recorded " +
                               std::to_string(m.size));
          std::string sniffed = SniffFormat(o.head);
          if (!SniffAgrees(m.format, sniffed))
            problems.push_back(o.name + ": recorded as " + m.format + " but its bytes are " +
                               (sniffed.empty() ? std::string("of no known format") : sniffed));
        }
    } else if (t == "location") {
      if (!s.package_present)
        not_run("storage not consulted");
      else if (!*s.package_present)
        problems.push_back("no package at " + r.package_path);
    } else if (t == "package_digest") {
      if (!s.package_sha256)
        not_run("package not hashed");
      else if (*s.package_sha256 != r.package_sha256)
        problems.push_back("package SHA-256 " + s.package_sha256->substr(0, 12) +
                           "… ≠ catalogue's " + r.package_sha256.substr(0, 12) + "…");
    } else if (t == "required_metadata") {
      for (const auto& field : required_)
        if (FieldValue(r, field).empty() &&
            !(field == "reference" && stage == CheckStage::kFiling && r.reference.empty()))
          problems.push_back(field + " is empty");
    } else if (t == "sequence_continuous") {
      if (!s.missing_sequence_numbers)
        not_run("series not consulted");
      else if (!s.missing_sequence_numbers->empty()) {
        std::string gaps;
        size_t shown = 0;
        for (int n : *s.missing_sequence_numbers) {
          if (++shown > 10) {
            gaps += " …";
            break;
          }
          gaps += (gaps.empty() ? "" : ", ") + std::to_string(n);
        }
        problems.push_back(std::to_string(s.missing_sequence_numbers->size()) +
                           " 件号 missing in series " + r.series + ": " + gaps);
      }
    } else if (t == "handling_steps") {
      if (r.steps.empty()) problems.push_back("no handling step (业务行为) is recorded");
      for (size_t i = 0; i < r.steps.size(); ++i)
        if (r.steps[i].action.empty() || r.steps[i].at.empty())
          problems.push_back("steps[" + std::to_string(i) + "] lacks its action or time");
    } else if (t == "content_present") {
      bool original = std::any_of(r.files.begin(), r.files.end(),
                                  [](const RecordFile& f) { return f.role == "original"; });
      if (!original) problems.push_back("no original content file");
      if (s.files)
        for (const auto& o : *s.files)
          if (!o.present) problems.push_back(o.name + " is missing");
    } else if (t == "manifest_complete") {
      if (!s.package_findings)
        not_run("package not opened");
      else
        for (const auto& pf : *s.package_findings)
          if (pf.what != "extra") problems.push_back(pf.path + ": " + pf.what);
    } else if (t == "metadata_readable") {
      if (!s.metadata_problem)
        not_run("package metadata not read");
      else if (!s.metadata_problem->empty())
        problems.push_back(*s.metadata_problem);
    } else if (t == "allowed_formats") {
      for (const auto& m : r.files)
        if (!Contains(allowed_formats_, m.format))
          problems.push_back(m.name + ": format " + m.format + " is not on the allowed list");
    } else if (t == "content_readable") {
      if (!s.files)
        not_run("files not observed");
      else
        for (size_t i = 0; i < s.files->size() && i < r.files.size(); ++i) {
          const auto& o = (*s.files)[i];
          if (!o.present) continue;
          if (o.size == 0) {
            problems.push_back(o.name + " is empty");
            continue;
          }
          std::string sniffed = SniffFormat(o.head);
          if (sniffed.empty() && Contains(allowed_formats_, r.files[i].format))
            problems.push_back(o.name + ": its bytes are of no readable format");
          if (sniffed == "PDF" && o.tail.find("/Encrypt") != std::string::npos)
            problems.push_back(o.name + ": the PDF is encrypted");
        }
    } else if (t == "no_executable") {
      if (!s.files)
        not_run("files not observed");
      else
        for (const auto& o : *s.files) {
          std::string what;
          if (o.present && HasExecutableSignature(o, &what))
            problems.push_back(o.name + ": " + what);
        }
    } else if (t == "malware_scan") {
      if (!s.files)
        not_run("files not observed");
      else
        for (const auto& o : *s.files) {
          if (!o.present) continue;
          if (!o.malware) {
            problems.clear();
            not_run("no malware scanner is configured (archive.malware_scanner)");
            break;
          }
          if (!o.malware->empty()) problems.push_back(o.name + ": " + *o.malware);
        }
    } else if (t == "no_foreign_files") {
      if (!s.package_findings)
        not_run("package not opened");
      else
        for (const auto& pf : *s.package_findings)
          if (pf.what == "extra") problems.push_back(pf.path + " is not part of the record");
    } else if (t == "package_as_filed") {
      if (!s.filed_package_sha256)
        not_run("audit chain not consulted");
      else if (s.filed_package_sha256->empty())
        problems.push_back("the audit chain holds no filing event for this record");
      else if (*s.filed_package_sha256 != r.package_sha256)
        problems.push_back("the catalogue's package digest differs from the one filed (" +
                           s.filed_package_sha256->substr(0, 12) + "…)");
    }

    if (f.outcome != CheckOutcome::kNotRun && !problems.empty()) {
      f.outcome = CheckOutcome::kFailed;
      for (const auto& p : problems) f.detail += (f.detail.empty() ? "" : "; ") + p;
    }
    report.findings.push_back(std::move(f));
  }
  return report;
}

}  // namespace dangan
