#include "archive/case_submission.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <regex>
#include <set>

#include "archive/identifiers.h"
#include "archive/text.h"

namespace dangan {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

class FieldReader {
 public:
  explicit FieldReader(std::vector<FieldError>* errors) : errors_(errors) {}

  std::string String(const Object::Ptr& o, const std::string& key, const std::string& path) {
    if (!o->has(key) || o->isNull(key)) return "";
    Poco::Dynamic::Var v = o->get(key);
    if (!v.isString()) {
      errors_->push_back({path, "must be a string"});
      return "";
    }
    std::string s = v.extract<std::string>();
    if (!IsValidUtf8(s)) {
      errors_->push_back({path, "is not valid UTF-8"});
      return "";
    }
    return s;
  }

  Object::Ptr ObjectAt(const Object::Ptr& o, const std::string& key, const std::string& path) {
    if (!o->has(key) || o->isNull(key)) return nullptr;
    auto obj = o->getObject(key);
    if (!obj) errors_->push_back({path, "must be an object"});
    return obj;
  }

  Array::Ptr ArrayAt(const Object::Ptr& o, const std::string& key, const std::string& path) {
    if (!o->has(key) || o->isNull(key)) return nullptr;
    auto arr = o->getArray(key);
    if (!arr) errors_->push_back({path, "must be an array"});
    return arr;
  }

 private:
  std::vector<FieldError>* errors_;
};

std::string TodayYmd() {
  time_t t = time(nullptr);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[16];
  strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

void Require(const std::string& value, const std::string& field, size_t max_chars,
             std::vector<FieldError>* errors) {
  if (value.empty()) {
    errors->push_back({field, "is required"});
  } else if (Utf8Length(value) > max_chars) {
    errors->push_back({field, "is longer than " + std::to_string(max_chars) + " characters"});
  }
}

void Limit(const std::string& value, const std::string& field, size_t max_chars,
           std::vector<FieldError>* errors) {
  if (Utf8Length(value) > max_chars)
    errors->push_back({field, "is longer than " + std::to_string(max_chars) + " characters"});
}

bool HasControlChars(const std::string& s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) return true;
  }
  return false;
}

}  // namespace

std::vector<FieldError> ValidateCase(const CaseSubmission& c, const ClassificationScheme& scheme,
                                     const std::string& today) {
  std::vector<FieldError> errors;
  static const std::regex kSource("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  if (c.source.empty())
    errors.push_back({"source", "is required"});
  else if (!std::regex_match(c.source, kSource))
    errors.push_back({"source", "must be 1-64 letters, digits, '_', '.' or '-'"});
  Require(c.case_id, "case_id", 128, &errors);
  if (HasControlChars(c.case_id))
    errors.push_back({"case_id", "must not contain control characters"});
  if (c.item.empty())
    errors.push_back({"item", "is required"});
  else if (!scheme.FindItem(c.item))
    errors.push_back(
        {"item", "'" + c.item + "' is not a business item of scheme " + scheme.version()});
  Require(c.title, "title", 500, &errors);
  if (HasControlChars(c.title)) errors.push_back({"title", "must not contain control characters"});
  if (c.formed_on.empty())
    errors.push_back({"formed_on", "is required"});
  else if (!IsIsoDate(c.formed_on))
    errors.push_back(
        {"formed_on", "must be a calendar date YYYY-MM-DD, got '" + c.formed_on + "'"});
  else if (c.formed_on.substr(0, 4) + c.formed_on.substr(5, 2) + c.formed_on.substr(8, 2) > today)
    errors.push_back({"formed_on", "lies in the future"});
  else if (c.formed_on < "1900-01-01")
    errors.push_back({"formed_on", "must not be before 1900"});
  if (c.closed_at.empty())
    errors.push_back({"closed_at", "is required"});
  else if (!IsIsoTimestamp(c.closed_at))
    errors.push_back(
        {"closed_at", "must be ISO 8601 with a UTC offset, e.g. 2026-03-01T09:30:00+08:00"});
  Require(c.agency, "agency", 200, &errors);
  Require(c.handler, "handler", 100, &errors);
  Limit(c.doc_number, "doc_number", 100, &errors);
  Limit(c.responsible, "responsible", 200, &errors);
  Limit(c.serial, "serial", 64, &errors);
  if (!c.security.empty() && c.security != "非密" && c.security != "公开" && c.security != "内部")
    errors.push_back(
        {"security", "must be 非密, 公开 or 内部 (classified material is not filed here)"});

  if (c.person) {
    auto id = ParseIdNumber(c.person->id_number, today);
    if (!id.ok()) errors.push_back({"person.id_number", id.status().message()});
    Require(c.person->name, "person.name", 50, &errors);
  }
  if (c.unit) {
    auto code = ParseCreditCode(c.unit->credit_code);
    if (!code.ok()) errors.push_back({"unit.credit_code", code.status().message()});
    Require(c.unit->name, "unit.name", 200, &errors);
  }
  for (size_t i = 0; i < c.steps.size(); ++i) {
    std::string p = "steps[" + std::to_string(i) + "]";
    Require(c.steps[i].action, p + ".action", 50, &errors);
    Require(c.steps[i].by, p + ".by", 100, &errors);
    if (!IsIsoTimestamp(c.steps[i].at))
      errors.push_back({p + ".at", "must be ISO 8601 with a UTC offset"});
  }
  if (c.files.empty()) errors.push_back({"files", "a record needs at least one content file"});
  std::set<std::string> names;
  static const std::regex kHex("[0-9a-fA-F]{64}");
  for (size_t i = 0; i < c.files.size(); ++i) {
    std::string p = "files[" + std::to_string(i) + "]";
    const auto& f = c.files[i];
    std::string problem = FileNameProblem(f.name);
    if (!problem.empty())
      errors.push_back({p + ".name", problem});
    else if (!names.insert(f.name).second)
      errors.push_back({p + ".name", "'" + f.name + "' appears twice"});
    if (f.path.empty()) errors.push_back({p + ".path", "is required"});
    if (!f.declared_sha256.empty() && !std::regex_match(f.declared_sha256, kHex))
      errors.push_back({p + ".sha256", "must be 64 hexadecimal digits"});
    if (!f.role.empty() && f.role != "original" && f.role != "text" && f.role != "access")
      errors.push_back({p + ".role", "must be original, text or access"});
  }
  if (c.pages < 0) errors.push_back({"pages", "cannot be negative"});
  return errors;
}

Result<CaseSubmission> DecodeCaseJson(const std::string& json, const ClassificationScheme& scheme,
                                      const CaseDecodeOptions& options) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(json);
    if (parsed.type() != typeid(Object::Ptr))
      return Status::InvalidArgument("a case must be a JSON object");
    root = parsed.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("not valid JSON: " + e.message());
  }
  std::vector<FieldError> errors;
  FieldReader r(&errors);
  CaseSubmission c;
  c.source = r.String(root, "source", "source");
  c.case_id = r.String(root, "case_id", "case_id");
  c.item = r.String(root, "item", "item");
  c.title = r.String(root, "title", "title");
  c.formed_on = r.String(root, "formed_on", "formed_on");
  c.closed_at = r.String(root, "closed_at", "closed_at");
  c.agency = r.String(root, "agency", "agency");
  c.handler = r.String(root, "handler", "handler");
  c.doc_number = r.String(root, "doc_number", "doc_number");
  c.responsible = r.String(root, "responsible", "responsible");
  c.serial = r.String(root, "serial", "serial");
  c.security = r.String(root, "security", "security");
  c.text = r.String(root, "text", "text");
  if (auto p = r.ObjectAt(root, "person", "person")) {
    c.person =
        Person{r.String(p, "id_number", "person.id_number"), r.String(p, "name", "person.name")};
  }
  if (auto u = r.ObjectAt(root, "unit", "unit")) {
    c.unit = Unit{r.String(u, "credit_code", "unit.credit_code"), r.String(u, "name", "unit.name")};
  }
  if (auto steps = r.ArrayAt(root, "steps", "steps")) {
    for (size_t i = 0; i < steps->size(); ++i) {
      std::string p = "steps[" + std::to_string(i) + "]";
      auto s = steps->getObject(i);
      if (!s) {
        errors.push_back({p, "must be an object"});
        continue;
      }
      c.steps.push_back(HandlingStep{r.String(s, "action", p + ".action"),
                                     r.String(s, "at", p + ".at"), r.String(s, "by", p + ".by"),
                                     r.String(s, "basis", p + ".basis"),
                                     r.String(s, "description", p + ".description")});
    }
  }
  Poco::Path base(options.base_dir);
  base.makeDirectory();
  if (auto files = r.ArrayAt(root, "files", "files")) {
    for (size_t i = 0; i < files->size(); ++i) {
      std::string p = "files[" + std::to_string(i) + "]";
      auto f = files->getObject(i);
      if (!f) {
        errors.push_back({p, "must be an object"});
        continue;
      }
      CaseFileInput in;
      in.name = r.String(f, "name", p + ".name");
      std::string rel = r.String(f, "path", p + ".path");
      in.declared_sha256 = r.String(f, "sha256", p + ".sha256");
      if (rel.empty() && !in.name.empty()) rel = in.name;
      if (!rel.empty()) {
        // Paths come from a document someone else wrote: keep them inside its directory.
        Poco::Path rp(rel, Poco::Path::PATH_UNIX);
        bool escapes = rp.isAbsolute() || rel.find('\\') != std::string::npos;
        for (int d = 0; d < rp.depth() && !escapes; ++d) escapes = rp[d] == "..";
        if (rp.getFileName() == "..") escapes = true;
        if (escapes) {
          errors.push_back({p + ".path", "must be a relative path inside the case's directory"});
        } else {
          in.path = Poco::Path(base, rp).toString();
        }
      }
      c.files.push_back(in);
    }
  }
  std::string today = options.today.empty() ? TodayYmd() : options.today;
  // Type errors first, then the rules: a field reported as the wrong type is not reported again.
  auto rule_errors = ValidateCase(c, scheme, today);
  std::set<std::string> typed;
  for (const auto& e : errors) typed.insert(e.field);
  for (auto& e : rule_errors)
    if (!typed.count(e.field)) errors.push_back(std::move(e));
  if (!errors.empty()) return Status::InvalidArgument("the case is not valid", errors);
  return c;
}

}  // namespace dangan
