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
  // Classification vocabulary (data, so provinces can extend it): `aliases` are titles under
  // which the item's documents circulate; `keywords` are content words and form labels that
  // signal it. Both non-empty strings.
  std::vector<std::string> aliases;
  std::vector<std::string> keywords;
  // False for items the archive files itself (e.g. its own 销毁清册): capture never suggests
  // them, and scans of such documents go to review as archive-work forms.
  bool capture = true;
};

// A kind of document that is NOT a business record of the scheme (档案工作用表 such as 查档申请 or
// 借阅登记, blank pages, photos). Capture recognises these so it can send them to review instead
// of forcing them into a class. `code` is a four-digit code starting "00" (normally "0000").
struct NonRecordKind {
  std::string code;
  std::string name;
  std::vector<std::string> aliases;
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
  // its retention codes and items replace those with the same code, new ones are added; a
  // `not_records` list in the overlay replaces the base list as a whole.
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
  const std::vector<NonRecordKind>& non_record_kinds() const { return non_records_; }

 private:
  std::string version_;
  std::vector<RetentionCode> retention_;
  std::vector<SchemeClass> classes_;
  std::map<std::string, BusinessItem> items_;
  std::vector<NonRecordKind> non_records_;
};

// The built-in scheme text (generated from archive/scheme/scheme.json).
const char* BuiltinSchemeJson();

}  // namespace dangan
