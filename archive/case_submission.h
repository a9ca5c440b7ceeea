// CaseSubmission: a closed business case as a business system hands it over (the JSON format of
// `dangan ingest` and of POST /api/v1/cases), decoded and checked field by field.
// A plain value; decoding functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archive/record.h"
#include "archive/scheme.h"
#include "archive/status.h"

namespace dangan {

struct CaseFileInput {
  std::string name;  // the name the file is archived under
  std::string path;  // a local file holding the bytes (resolved, absolute or cwd-relative)
  std::string declared_sha256;  // optional; verified before anything is stored
  std::string role;             // "original" (default), "text" or "access"
  std::string created_by;       // the program that made the file, if known
  Digitization digitization;    // for scanned originals
};

struct CaseSubmission {
  std::string source;
  std::string case_id;
  std::string item;  // business item code of the scheme, e.g. "0102"
  std::string title;
  std::string formed_on;  // YYYY-MM-DD
  std::string closed_at;  // ISO 8601 with offset
  std::string agency;
  std::string handler;
  std::string doc_number;
  std::string responsible;
  std::string serial;
  std::string security;
  std::string text;
  std::optional<Person> person;
  std::optional<Unit> unit;
  std::vector<HandlingStep> steps;
  std::vector<CaseFileInput> files;
  int pages = 0;  // 页数 of the paper original, when it was scanned
};

struct CaseDecodeOptions {
  // Relative file paths are resolved against this directory; paths may not leave it.
  std::string base_dir = ".";
  // YYYYMMDD used as "today" for identifier birth dates; empty = the system clock.
  std::string today;
};

// Decodes and validates one case JSON document against the scheme. Every problem found is listed
// as a FieldError (field path and reason); nothing partial is returned on failure.
Result<CaseSubmission> DecodeCaseJson(const std::string& json, const ClassificationScheme& scheme,
                                      const CaseDecodeOptions& options);

// Checks a submission that was built in code (or decoded) against the scheme and domain rules.
std::vector<FieldError> ValidateCase(const CaseSubmission& c, const ClassificationScheme& scheme,
                                     const std::string& today);

}  // namespace dangan
