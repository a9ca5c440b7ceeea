#include "storage/record_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace dangan {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string RecordToJson(const Record& r, bool pretty) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("reference", r.reference);
  Object::Ptr parts = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  parts->set("fonds", r.parts.fonds);
  parts->set("category", r.parts.category);
  parts->set("year", r.parts.year);
  parts->set("retention", r.parts.retention);
  parts->set("item", r.parts.item);
  parts->set("class", r.parts.class_code);
  parts->set("seq", r.parts.seq);
  o->set("parts", parts);
  o->set("series", r.series);
  o->set("source", r.source);
  o->set("case_id", r.case_id);
  o->set("channel", r.channel);
  o->set("fingerprint", r.fingerprint);
  o->set("title", r.title);
  o->set("doc_number", r.doc_number);
  o->set("responsible", r.responsible);
  o->set("formed_on", r.formed_on);
  o->set("closed_at", r.closed_at);
  o->set("security", r.security);
  o->set("pages", r.pages);
  o->set("language", r.language);
  o->set("agency", r.agency);
  o->set("handler", r.handler);
  o->set("serial", r.serial);
  if (r.person) {
    Object::Ptr p = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    p->set("id_number", r.person->id_number);
    p->set("name", r.person->name);
    o->set("person", p);
  }
  if (r.unit) {
    Object::Ptr u = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    u->set("credit_code", r.unit->credit_code);
    u->set("name", r.unit->name);
    o->set("unit", u);
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
  o->set("steps", steps);
  Array::Ptr files = new Array;
  for (const auto& f : r.files) {
    Object::Ptr fo = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    fo->set("name", f.name);
    fo->set("role", f.role);
    fo->set("format", f.format);
    fo->set("size", static_cast<Poco::UInt64>(f.size));
    fo->set("sha256", f.sha256);
    if (!f.created_by.empty()) fo->set("created_by", f.created_by);
    if (!f.digitization.empty()) {
      Object::Ptr dz = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      dz->set("dpi", f.digitization.dpi);
      dz->set("colour_mode", f.digitization.colour_mode);
      dz->set("compression", f.digitization.compression);
      dz->set("pages", f.digitization.pages);
      fo->set("digitization", dz);
    }
    files->add(fo);
  }
  o->set("files", files);
  o->set("filed_at", r.filed_at);
  o->set("state", r.state);
  Object::Ptr pkg = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  pkg->set("path", r.package_path);
  pkg->set("sha256", r.package_sha256);
  pkg->set("bytes", static_cast<Poco::UInt64>(r.package_bytes));
  o->set("package", pkg);
  std::ostringstream out;
  o->stringify(out, pretty ? 2 : 0);
  return out.str();
}

namespace {
std::string Str(const Object::Ptr& o, const std::string& k) {
  return o && o->has(k) && !o->isNull(k) ? o->getValue<std::string>(k) : "";
}
int64_t Int(const Object::Ptr& o, const std::string& k) {
  return o && o->has(k) && !o->isNull(k) ? o->getValue<Poco::Int64>(k) : 0;
}
}  // namespace

Result<Record> RecordFromJson(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    Object::Ptr o = parser.parse(json).extract<Object::Ptr>();
    Record r;
    r.reference = Str(o, "reference");
    Object::Ptr parts = o->getObject("parts");
    r.parts.fonds = Str(parts, "fonds");
    r.parts.category = Str(parts, "category");
    r.parts.year = static_cast<int>(Int(parts, "year"));
    r.parts.retention = Str(parts, "retention");
    r.parts.item = Str(parts, "item");
    r.parts.class_code = Str(parts, "class");
    r.parts.seq = static_cast<int>(Int(parts, "seq"));
    r.series = Str(o, "series");
    r.source = Str(o, "source");
    r.case_id = Str(o, "case_id");
    r.channel = Str(o, "channel");
    r.fingerprint = Str(o, "fingerprint");
    r.title = Str(o, "title");
    r.doc_number = Str(o, "doc_number");
    r.responsible = Str(o, "responsible");
    r.formed_on = Str(o, "formed_on");
    r.closed_at = Str(o, "closed_at");
    r.security = Str(o, "security");
    r.pages = static_cast<int>(Int(o, "pages"));
    r.language = Str(o, "language");
    r.agency = Str(o, "agency");
    r.handler = Str(o, "handler");
    r.serial = Str(o, "serial");
    if (auto p = o->getObject("person")) r.person = Person{Str(p, "id_number"), Str(p, "name")};
    if (auto u = o->getObject("unit")) r.unit = Unit{Str(u, "credit_code"), Str(u, "name")};
    if (auto steps = o->getArray("steps")) {
      for (size_t i = 0; i < steps->size(); ++i) {
        auto s = steps->getObject(i);
        r.steps.push_back(
            {Str(s, "action"), Str(s, "at"), Str(s, "by"), Str(s, "basis"), Str(s, "description")});
      }
    }
    if (auto files = o->getArray("files")) {
      for (size_t i = 0; i < files->size(); ++i) {
        auto f = files->getObject(i);
        RecordFile rf;
        rf.name = Str(f, "name");
        rf.role = Str(f, "role");
        rf.format = Str(f, "format");
        rf.size = static_cast<uint64_t>(Int(f, "size"));
        rf.sha256 = Str(f, "sha256");
        rf.created_by = Str(f, "created_by");
        if (auto dz = f->getObject("digitization")) {
          rf.digitization.dpi = static_cast<int>(Int(dz, "dpi"));
          rf.digitization.colour_mode = Str(dz, "colour_mode");
          rf.digitization.compression = Str(dz, "compression");
          rf.digitization.pages = static_cast<int>(Int(dz, "pages"));
        }
        r.files.push_back(rf);
      }
    }
    r.filed_at = Str(o, "filed_at");
    r.state = Str(o, "state");
    if (auto pkg = o->getObject("package")) {
      r.package_path = Str(pkg, "path");
      r.package_sha256 = Str(pkg, "sha256");
      r.package_bytes = static_cast<uint64_t>(Int(pkg, "bytes"));
    }
    return r;
  } catch (const Poco::Exception& e) {
    return Status::Corruption("record metadata is not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("record metadata has the wrong shape: ") + e.what());
  }
}

}  // namespace dangan
