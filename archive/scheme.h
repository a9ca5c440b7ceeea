// ClassificationScheme: the GB/T 31599 classes, business items (业务环节) and retention codes,
// loaded from versioned JSON data (built-in copy plus an optional local override) and validated.
// Immutable after loading; safe to share across threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

struct RetentionCode {
  std::string code;          // "Y", "D100", ...
  std::string name;          // "永久", "100年"
  std::optional<int> years;  // empty for permanent retention
};

struct BusinessItem {
  std::string code;  // "0102"
  std::string class_code;
  std::string name;
  std::string retention;  // a RetentionCode::code
  std::string basis;      // "S" stated by a public source, "P" provisional
  std::vector<std::string> keywords;
};

struct SchemeClass {
  std::string code;  // "01"
  std::string name;
  std::vector<std::string> item_codes;  // in file order
};

class ClassificationScheme {
 public:
  // Parses a scheme document. `overlay` (may be empty) is a local override in the same format:
  // its retention codes and items replace those with the same code, new ones are added.
  // `origin` names the source in error messages.
  static Result<ClassificationScheme> Parse(const std::string& base_json,
                                            const std::string& overlay_json = "",
                                            const std::string& overlay_origin = "override");
  // The scheme compiled into the program, with an optional override.
  static Result<ClassificationScheme> LoadBuiltin(const std::string& overlay_json = "",
                                                  const std::string& overlay_origin = "override");

  const std::string& version() const { return version_; }
  const BusinessItem* FindItem(const std::string& code) const;
  const SchemeClass* FindClass(const std::string& code) const;
  const RetentionCode* FindRetention(const std::string& code) const;
  const std::vector<SchemeClass>& classes() const { return classes_; }
  const std::vector<RetentionCode>& retention_codes() const { return retention_; }
  std::vector<const BusinessItem*> items() const;

 private:
  std::string version_;
  std::vector<RetentionCode> retention_;
  std::vector<SchemeClass> classes_;
  std::map<std::string, BusinessItem> items_;
};

// The built-in scheme text (generated from archive/scheme/scheme.json).
const char* BuiltinSchemeJson();

}  // namespace dangan
