#include "storage/record_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace dangan {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// Which parts of a record an object carries: the whole record (API, CLI), or only what the
// catalogue keeps outside its columns.
enum class Shape { kWhole, kDetails };

void WriteDescription(Object& o, const Record& r, Shape shape) {
  o.set("doc_number", r.doc_number);
  o.set("responsible", r.responsible);
  if (shape == Shape::kWhole) o.set("formed_on", r.formed_on);
  o.set("closed_at", r.closed_at);
  o.set("security", r.security);
  if (shape == Shape::kWhole) o.set("pages", r.pages);
  o.set("language", r.language);
  o.set("agency", r.agency);
  o.set("handler", r.handler);
  o.set("serial", r.serial);
  if (r.person) {
    Object::Ptr p = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (shape == Shape::kWhole) p->set("id_number", r.person->id_number);
    p->set("name", r.person->name);
    o.set("person", p);
  }
  if (r.unit) {
    Object::Ptr u = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (shape == Shape::kWhole) u->set("credit_code", r.unit->credit_code);
    u->set("name", r.unit->name);
    o.set("unit", u);
  }
  Array::Ptr steps = new Array;
  for (const auto& s : r.steps) {
    Object::Ptr so = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    so->set("action", s.action);
    so->set("at", s.at);
    so->set("by", s.by);
    if (!s.basis.empty()) so->set("basis", s.basis);
    if (!s.description.empty()) so->set("description", s.description);
    steps->add(so);
  }
  o.set("steps", steps);
}

void WriteFileDetails(Object& o, const RecordFile& f) {
  if (!f.created_by.empty()) o.set("created_by", f.created_by);
  if (!f.digitization.empty()) {
    Object::Ptr dz = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    dz->set("dpi", f.digitization.dpi);
    dz->set("colour_mode", f.digitization.colour_mode);
    dz->set("compression", f.digitization.compression);
    dz->set("pages", f.digitization.pages);
    o.set("digitization", dz);
  }
}

std::string Stringify(const Object& o, bool pretty) {
  std::ostringstream out;
  o.stringify(out, pretty ? 2 : 0);
  return out.str();
}

std::string Str(const Object::Ptr& o, const std::string& k) {
  return o && o->has(k) && !o->isNull(k) ? o->getValue<std::string>(k) : "";
}
int64_t Int(const Object::Ptr& o, const std::string& k) {
  return o && o->has(k) && !o->isNull(k) ? o->getValue<Poco::Int64>(k) : 0;
}

// Runs `read` on the parsed object; malformed JSON or a value of the wrong type is corruption.
template <typename Fn>
Status ParseObject(const std::string& json, const char* what, Fn read) {
  try {
    Poco::JSON::Parser parser;
    read(parser.parse(json).extract<Object::Ptr>());
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return Status::Corruption(std::string(what) + " is not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Corruption(std::string(what) + " has the wrong shape: " + e.what());
  }
}

}  // namespace

std::string RecordToJson(const Record& r, bool pretty) {
  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("reference", r.reference);
  Object::Ptr parts = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  parts->set("fonds", r.parts.fonds);
  parts->set("category", r.parts.category);
  parts->set("year", r.parts.year);
  parts->set("retention", r.parts.retention);
  parts->set("item", r.parts.item);
  parts->set("class", r.parts.class_code);
  parts->set("seq", r.parts.seq);
  o.set("parts", parts);
  o.set("series", r.series);
  o.set("source", r.source);
  o.set("case_id", r.case_id);
  o.set("channel", r.channel);
  o.set("fingerprint", r.fingerprint);
  o.set("title", r.title);
  WriteDescription(o, r, Shape::kWhole);
  Array::Ptr files = new Array;
  for (const auto& f : r.files) {
    Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    fo->set("name", f.name);
    fo->set("role", f.role);
    fo->set("format", f.format);
    fo->set("size", static_cast<Poco::UInt64>(f.size));
    fo->set("sha256", f.sha256);
    WriteFileDetails(*fo, f);
    files->add(fo);
  }
  o.set("files", files);
  o.set("filed_at", r.filed_at);
  o.set("state", r.state);
  Object::Ptr pkg = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  pkg->set("path", r.package_path);
  pkg->set("sha256", r.package_sha256);
  pkg->set("bytes", static_cast<Poco::UInt64>(r.package_bytes));
  o.set("package", pkg);
  return Stringify(o, pretty);
}

std::string RecordDetailsToJson(const Record& r) {
  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("category", r.parts.category);
  WriteDescription(o, r, Shape::kDetails);
  return Stringify(o, false);
}

Status ReadRecordDetails(const std::string& json, Record* r) {
  return ParseObject(json, "record details", [r](const Object::Ptr& o) {
    r->parts.category = Str(o, "category");
    r->doc_number = Str(o, "doc_number");
    r->responsible = Str(o, "responsible");
    r->closed_at = Str(o, "closed_at");
    r->security = Str(o, "security");
    r->language = Str(o, "language");
    r->agency = Str(o, "agency");
    r->handler = Str(o, "handler");
    r->serial = Str(o, "serial");
    // The keys (公民身份号码, 统一社会信用代码) live in columns; the caller may have set them.
    if (auto p = o->getObject("person")) {
      if (!r->person) r->person = Person{};
      r->person->name = Str(p, "name");
    }
    if (auto u = o->getObject("unit")) {
      if (!r->unit) r->unit = Unit{};
      r->unit->name = Str(u, "name");
    }
    r->steps.clear();
    if (auto steps = o->getArray("steps")) {
      for (size_t i = 0; i < steps->size(); ++i) {
        auto s = steps->getObject(i);
        r->steps.push_back(
            {Str(s, "action"), Str(s, "at"), Str(s, "by"), Str(s, "basis"), Str(s, "description")});
      }
    }
  });
}

std::string FileDetailsToJson(const RecordFile& f) {
  Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  WriteFileDetails(o, f);
  return o.size() == 0 ? std::string() : Stringify(o, false);
}

Status ReadFileDetails(const std::string& json, RecordFile* f) {
  if (json.empty()) return Status::Ok();
  return ParseObject(json, "file details", [f](const Object::Ptr& o) {
    f->created_by = Str(o, "created_by");
    if (auto dz = o->getObject("digitization")) {
      f->digitization.dpi = static_cast<int>(Int(dz, "dpi"));
      f->digitization.colour_mode = Str(dz, "colour_mode");
      f->digitization.compression = Str(dz, "compression");
      f->digitization.pages = static_cast<int>(Int(dz, "pages"));
    }
  });
}

}  // namespace dangan
