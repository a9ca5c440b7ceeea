// PropertyChecks: the four-property check engine of DA/T 70 (真实性, 完整性, 可用性, 安全性). Its
// items are data (archive/scheme/checks.json plus an optional local override), each with a code,
// the stages it runs at (归档, 移交与接收, 长期保存) and the test it applies. The engine judges
// facts that its caller observed (CheckSubject); it reads no files itself, so it is a pure
// function of its inputs. Immutable after loading; safe to share across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/record.h"
#include "archive/reference_number.h"
#include "archive/scheme.h"
#include "archive/status.h"

namespace dangan {

enum class CheckStage { kFiling, kTransfer, kPreservation };

const char* StageName(CheckStage stage);    // "filing", "transfer", "preservation"
const char* StageLabel(CheckStage stage);   // 归档, 移交与接收, 长期保存
const char* StagePrefix(CheckStage stage);  // GD, YJ, BC
std::optional<CheckStage> ParseStage(const std::string& name);
const char* PropertyLabel(const std::string& property);  // authenticity → 真实性 …

// A content file as the checker found it: from the staged upload at filing, from the package
// later. `head` and `tail` are its first and last bytes (up to a few KiB each).
struct FileObservation {
  std::string name;
  bool present = true;
  uint64_t size = 0;
  std::string sha256;
  std::string head;
  std::string tail;
  // A malware scanner's verdict on the whole file: "" clean, else what it found; nullopt when no
  // scanner looked at it.
  std::optional<std::string> malware;
};

// One problem the package store found inside a package ("missing", "changed", "extra", …).
struct PackageFinding {
  std::string path;
  std::string what;
};

// What the caller observed about one record. A fact left empty was not observed; an item that
// needs it reports "not run" instead of passing.
struct CheckSubject {
  const Record* record = nullptr;  // the catalogue's (or at filing, the draft's) metadata
  std::optional<std::vector<FileObservation>> files;  // one per file the metadata lists
  std::optional<bool> package_present;                // the package is where the catalogue says
  std::optional<std::string> package_sha256;          // the package's digest as computed now
  std::optional<std::vector<PackageFinding>> package_findings;
  std::optional<std::string> metadata_problem;  // "" when data/metadata.xml reads and names 档号
  std::optional<int64_t> records_with_reference;             // catalogue rows carrying this 档号
  std::optional<std::vector<int>> missing_sequence_numbers;  // 件号 gaps in the series, ≤ this one
  std::optional<std::string>
      filed_package_sha256;  // the digest the audit chain's filing event holds
};

enum class CheckOutcome { kPassed, kFailed, kNotRun };

struct CheckFinding {
  std::string code;  // e.g. "BC-1-9"
  std::string property;
  std::string name;
  CheckOutcome outcome = CheckOutcome::kPassed;
  std::string detail;  // why it failed or did not run; never personal data
};

struct CheckReport {
  CheckStage stage = CheckStage::kFiling;
  std::string reference;
  std::string rules_version;
  std::vector<CheckFinding> findings;

  bool passed() const;  // no item failed (items not run do not fail the record)
  std::vector<const CheckFinding*> failures() const;
  // {"stage":…,"reference":…,"rules":…,"passed":…,"items":[{"code","property","name","outcome",
  // "detail"}…]}; what an event keeps and a report prints.
  std::string ToJson() const;
  // The compact form an audit event keeps: {"stage","rules","passed","failed":[{"code","detail"}],
  // "not_run":[codes],"items":N}; item names follow from the rules' version.
  std::string ToEventJson() const;
  // Failed items as field errors ("GD-3-2": "文件格式检测: …"), for refusing a filing.
  std::vector<FieldError> AsFieldErrors() const;
};

class PropertyChecks {
 public:
  struct Item {
    std::string id;        // "1-1"
    std::string property;  // authenticity | integrity | usability | security
    std::string name;
    std::string test;
    std::vector<CheckStage> stages;
    std::vector<std::string> except_channels;
  };

  // Parses a rules document; `overlay` (may be empty) replaces the top-level lists it names and
  // items with the same id, and adds new ones. Unknown tests, properties or stages are errors.
  static Result<PropertyChecks> Parse(const std::string& base_json,
                                      const std::string& overlay_json = "",
                                      const std::string& overlay_origin = "override");
  static Result<PropertyChecks> LoadBuiltin(const std::string& overlay_json = "",
                                            const std::string& overlay_origin = "override");

  // Judges `subject` with every item of `stage`.
  CheckReport Run(CheckStage stage, const CheckSubject& subject, const ClassificationScheme& scheme,
                  const ReferenceTemplate& tmpl) const;

  const std::vector<Item>& items() const { return items_; }
  const std::string& version() const { return version_; }
  const std::vector<std::string>& allowed_formats() const { return allowed_formats_; }

 private:
  std::string version_;
  std::vector<Item> items_;
  std::vector<std::string> allowed_formats_;
  std::vector<std::string> security_levels_;
  std::vector<std::pair<std::string, size_t>> max_lengths_;
  std::vector<std::string> required_;
};

// The format a file's first bytes show ("PDF", "TIFF", "JPEG", "PNG", "ZIP", "XML", "TXT"), or
// "" when they show none of these.
std::string SniffFormat(const std::string& head);

const char* BuiltinChecksJson();

}  // namespace dangan
