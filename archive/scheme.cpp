#include "archive/scheme.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <regex>
#include <set>

namespace dangan {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string GetString(const Object::Ptr& obj, const std::string& key, const std::string& where,
                      std::vector<FieldError>* errors, bool required = true) {
  if (!obj->has(key) || obj->isNull(key)) {
    if (required) errors->push_back({where + "." + key, "is required"});
    return "";
  }
  auto v = obj->get(key);
  if (!v.isString()) {
    errors->push_back({where + "." + key, "must be a string"});
    return "";
  }
  return v.extract<std::string>();
}

// Reads an optional array of non-empty strings (classification vocabulary).
std::vector<std::string> GetStringList(const Object::Ptr& obj, const std::string& key,
                                       const std::string& where, std::vector<FieldError>* errors) {
  std::vector<std::string> out;
  if (!obj->has(key) || obj->isNull(key)) return out;
  auto arr = obj->getArray(key);
  if (!arr) {
    errors->push_back({where + "." + key, "must be an array of strings"});
    return out;
  }
  for (size_t k = 0; k < arr->size(); ++k) {
    auto v = arr->get(k);
    std::string at = where + "." + key + "[" + std::to_string(k) + "]";
    if (!v.isString()) {
      errors->push_back({at, "must be a string"});
      continue;
    }
    std::string word = v.extract<std::string>();
    if (word.find_first_not_of(" \t\r\n") == std::string::npos) {
      errors->push_back({at, "must not be empty"});
      continue;
    }
    out.push_back(std::move(word));
  }
  return out;
}

struct Draft {
  std::string version;
  std::vector<RetentionCode> retention;
  std::vector<SchemeClass> classes;
  std::vector<BusinessItem> items;                        // in document order
  std::optional<std::vector<NonRecordKind>> non_records;  // absent: keep the base list
};

Status ParseDocument(const std::string& text, const std::string& origin, Draft* out) {
  Object::Ptr root;
  try {
    Poco::JSON::Parser parser;
    auto result = parser.parse(text);
    root = result.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(origin + ": not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(origin + ": the top level must be a JSON object");
  }
  std::vector<FieldError> errors;
  std::string format = GetString(root, "format", origin, &errors, false);
  if (!format.empty() && format != "dangan-scheme/1") {
    errors.push_back({origin + ".format", "unsupported format '" + format + "'"});
  }
  out->version = GetString(root, "version", origin, &errors, false);

  static const std::regex kRetention("^(Y|KJ|D[0-9]{1,3})$");
  static const std::regex kClassCode("^[0-9]{2}$");
  static const std::regex kItemCode("^[0-9]{4}$");

  if (root->has("retention")) {
    auto arr = root->getArray("retention");
    if (!arr) {
      errors.push_back({origin + ".retention", "must be an array"});
    } else {
      for (size_t i = 0; i < arr->size(); ++i) {
        std::string where = origin + ".retention[" + std::to_string(i) + "]";
        auto o = arr->getObject(i);
        if (!o) {
          errors.push_back({where, "must be an object"});
          continue;
        }
        RetentionCode r;
        r.code = GetString(o, "code", where, &errors);
        r.name = GetString(o, "name", where, &errors);
        if (!r.code.empty() && !std::regex_match(r.code, kRetention)) {
          errors.push_back(
              {where + ".code", "'" + r.code + "' is not a retention code (Y, KJ, Dnn)"});
        }
        if (o->has("years") && !o->isNull("years")) {
          auto y = o->get("years");
          if (!y.isInteger() || y.convert<int>() <= 0 || y.convert<int>() > 1000) {
            errors.push_back({where + ".years", "must be a positive whole number of years"});
          } else {
            r.years = y.convert<int>();
          }
        } else if (r.code != "Y" && !r.code.empty()) {
          errors.push_back({where + ".years", "only Y may be without a period"});
        }
        out->retention.push_back(r);
      }
    }
  }
  if (root->has("classes")) {
    auto arr = root->getArray("classes");
    if (!arr) {
      errors.push_back({origin + ".classes", "must be an array"});
    } else {
      for (size_t i = 0; i < arr->size(); ++i) {
        std::string where = origin + ".classes[" + std::to_string(i) + "]";
        auto o = arr->getObject(i);
        if (!o) {
          errors.push_back({where, "must be an object"});
          continue;
        }
        SchemeClass c;
        c.code = GetString(o, "code", where, &errors);
        c.name = GetString(o, "name", where, &errors);
        if (!c.code.empty() && !std::regex_match(c.code, kClassCode)) {
          errors.push_back({where + ".code", "'" + c.code + "' is not a two-digit class code"});
        }
        auto items = o->getArray("items");
        if (items) {
          for (size_t j = 0; j < items->size(); ++j) {
            std::string iw = where + ".items[" + std::to_string(j) + "]";
            auto io = items->getObject(j);
            if (!io) {
              errors.push_back({iw, "must be an object"});
              continue;
            }
            BusinessItem item;
            item.class_code = c.code;
            item.code = GetString(io, "code", iw, &errors);
            item.name = GetString(io, "name", iw, &errors);
            item.retention = GetString(io, "retention", iw, &errors);
            item.basis = GetString(io, "basis", iw, &errors, false);
            if (!item.code.empty() && !std::regex_match(item.code, kItemCode)) {
              errors.push_back({iw + ".code", "'" + item.code + "' is not a four-digit item code"});
            } else if (!item.code.empty() && item.code.substr(0, 2) != c.code) {
              errors.push_back({iw + ".code", "item " + item.code +
                                                  " does not start with its class code " + c.code});
            }
            item.aliases = GetStringList(io, "aliases", iw, &errors);
            item.keywords = GetStringList(io, "keywords", iw, &errors);
            if (io->has("capture")) {
              if (!io->get("capture").isBoolean())
                errors.push_back({iw + ".capture", "must be true or false"});
              else
                item.capture = io->getValue<bool>("capture");
            }
            c.item_codes.push_back(item.code);
            out->items.push_back(item);
          }
        }
        out->classes.push_back(c);
      }
    }
  }
  if (root->has("not_records")) {
    auto arr = root->getArray("not_records");
    if (!arr) {
      errors.push_back({origin + ".not_records", "must be an array"});
    } else {
      static const std::regex kNonRecordCode("^00[0-9]{2}$");
      out->non_records.emplace();
      for (size_t i = 0; i < arr->size(); ++i) {
        std::string where = origin + ".not_records[" + std::to_string(i) + "]";
        auto o = arr->getObject(i);
        if (!o) {
          errors.push_back({where, "must be an object"});
          continue;
        }
        NonRecordKind kind;
        kind.code = GetString(o, "code", where, &errors);
        kind.name = GetString(o, "name", where, &errors);
        if (!kind.code.empty() && !std::regex_match(kind.code, kNonRecordCode)) {
          errors.push_back({where + ".code",
                            "'" + kind.code + "' is not a non-record code (00 and two digits)"});
        }
        kind.aliases = GetStringList(o, "aliases", where, &errors);
        kind.keywords = GetStringList(o, "keywords", where, &errors);
        if (kind.aliases.empty() && kind.keywords.empty()) {
          errors.push_back({where, "needs at least one alias or keyword to be recognised"});
        }
        out->non_records->push_back(std::move(kind));
      }
    }
  }
  if (!errors.empty()) {
    return Status::InvalidArgument(origin + ": invalid classification scheme", errors);
  }
  return Status::Ok();
}

}  // namespace

Result<ClassificationScheme> ClassificationScheme::Parse(const std::string& base_json,
                                                         const std::string& overlay_json,
                                                         const std::string& overlay_origin) {
  Draft base;
  DANGAN_RETURN_IF_ERROR(ParseDocument(base_json, "scheme", &base));
  std::vector<FieldError> errors;
  auto check_duplicates = [&errors](const Draft& d, const std::string& origin) {
    std::set<std::string> seen;
    for (const auto& r : d.retention)
      if (!seen.insert("r" + r.code).second)
        errors.push_back({origin + ".retention", "duplicate retention code " + r.code});
    for (const auto& c : d.classes)
      if (!seen.insert("c" + c.code).second)
        errors.push_back({origin + ".classes", "duplicate class code " + c.code});
    for (const auto& i : d.items)
      if (!seen.insert("i" + i.code).second)
        errors.push_back({origin + ".classes", "duplicate item code " + i.code});
  };
  check_duplicates(base, "scheme");

  Draft overlay;
  if (!overlay_json.empty()) {
    DANGAN_RETURN_IF_ERROR(ParseDocument(overlay_json, overlay_origin, &overlay));
    check_duplicates(overlay, overlay_origin);
  }
  if (!errors.empty()) return Status::InvalidArgument("invalid classification scheme", errors);

  ClassificationScheme s;
  s.version_ = base.version;
  if (!overlay.version.empty()) s.version_ += "+" + overlay.version;
  s.retention_ = base.retention;
  for (const auto& r : overlay.retention) {
    bool replaced = false;
    for (auto& existing : s.retention_)
      if (existing.code == r.code) existing = r, replaced = true;
    if (!replaced) s.retention_.push_back(r);
  }
  s.classes_ = base.classes;
  for (const auto& item : base.items) s.items_[item.code] = item;
  for (const auto& c : overlay.classes) {
    SchemeClass* target = nullptr;
    for (auto& existing : s.classes_)
      if (existing.code == c.code) target = &existing;
    if (!target) {
      s.classes_.push_back(SchemeClass{c.code, c.name, {}});
      target = &s.classes_.back();
    } else if (!c.name.empty()) {
      target->name = c.name;
    }
    for (const auto& code : c.item_codes) {
      auto old = s.items_.find(code);
      if (old != s.items_.end() && old->second.class_code != c.code) {
        // An item moved between classes: drop it from its old class's list.
        for (auto& other : s.classes_) std::erase(other.item_codes, code);
      }
      if (std::find(target->item_codes.begin(), target->item_codes.end(), code) ==
          target->item_codes.end())
        target->item_codes.push_back(code);
    }
  }
  for (const auto& item : overlay.items) s.items_[item.code] = item;
  if (overlay.non_records)
    s.non_records_ = *overlay.non_records;
  else if (base.non_records)
    s.non_records_ = *base.non_records;

  for (const auto& [code, item] : s.items_) {
    if (!s.FindRetention(item.retention)) {
      errors.push_back(
          {"item " + code + ".retention", "unknown retention code '" + item.retention + "'"});
    }
  }
  if (s.classes_.empty()) errors.push_back({"classes", "the scheme has no classes"});
  if (!errors.empty()) return Status::InvalidArgument("invalid classification scheme", errors);
  return s;
}

Result<ClassificationScheme> ClassificationScheme::LoadBuiltin(const std::string& overlay_json,
                                                               const std::string& overlay_origin) {
  return Parse(BuiltinSchemeJson(), overlay_json, overlay_origin);
}

const BusinessItem* ClassificationScheme::FindItem(const std::string& code) const {
  auto it = items_.find(code);
  return it == items_.end() ? nullptr : &it->second;
}

const SchemeClass* ClassificationScheme::FindClass(const std::string& code) const {
  for (const auto& c : classes_)
    if (c.code == code) return &c;
  return nullptr;
}

const RetentionCode* ClassificationScheme::FindRetention(const std::string& code) const {
  for (const auto& r : retention_)
    if (r.code == code) return &r;
  return nullptr;
}

std::vector<const BusinessItem*> ClassificationScheme::items() const {
  std::vector<const BusinessItem*> out;
  for (const auto& c : classes_)
    for (const auto& code : c.item_codes) out.push_back(&items_.at(code));
  return out;
}

}  // namespace dangan
