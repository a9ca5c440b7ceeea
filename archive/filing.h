// Filing: the one use case that files a record (DESIGN.md: "filing is one use case"). Capture,
// `dangan ingest` and the intake API all end here: validate, assign the 档号, write the package,
// commit the catalogue row and append the audit event, or leave nothing behind.
// The ports below are implemented by storage/; a Filing borrows them (the caller owns them) and
// is safe to call from several threads when the ports are.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/audit_chain.h"
#include "archive/case_submission.h"
#include "archive/property_checks.h"
#include "archive/record.h"
#include "archive/reference_number.h"
#include "archive/scheme.h"
#include "archive/status.h"

namespace dangan {

// What is known of an already-filed case, for idempotent intake.
struct FiledCase {
  std::string reference;
  std::string fingerprint;
  std::string package_sha256;
  std::string filed_at;
};

// A write transaction on the catalogue that holds the filing lock until Commit() or destruction
// (which rolls back). 件号 allocated inside it are gap-free because a rollback frees them.
class FilingTransaction {
 public:
  virtual ~FilingTransaction() = default;
  virtual Result<int> NextSequence(const std::string& series) = 0;
  virtual Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                                    const std::string& case_id) = 0;
  virtual Status InsertRecord(const Record& record) = 0;
  // Links `draft` to the chain's current head and stores it.
  virtual Result<AuditEvent> AppendEvent(const AuditEvent& draft) = 0;
  // Remembers, with the record, copies that still have to be written to these roots.
  virtual Status NoteLaggingCopies(const std::string& reference,
                                   const std::vector<std::string>& roots) = 0;
  virtual Status Commit() = 0;
};

class CataloguePort {
 public:
  virtual ~CataloguePort() = default;
  virtual Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                                    const std::string& case_id) = 0;
  virtual Result<std::unique_ptr<FilingTransaction>> BeginFiling() = 0;
};

// A file staged for a package, with its digest already known.
struct StagedFile {
  RecordFile meta;   // name, role, format, size, sha256
  std::string path;  // where the bytes are now
};

struct PackageInfo {
  std::string path;  // relative to the archive root
  std::string sha256;
  uint64_t bytes = 0;
  // Storage roots (replicas) that did not take their copy when a quorum was enough; they are
  // caught up later from a good copy.
  std::vector<std::string> lagging_roots;
  // This filing's mark in the package's pending marker. Only the filing whose mark is there may
  // remove the package: once its transaction was aborted, another filer (another server) may have
  // taken the same 件号 and stored, even committed, its own package under the same name.
  std::string claim;
  // Holds the package's name for this filing until the last copy of this PackageInfo goes:
  // another filer of the same 件号 (its transaction aborted, or another server's) cannot store
  // or remove a package under the name meanwhile. Empty for a sink that needs no such hold.
  std::shared_ptr<const void> name_hold;
};

// A package whose content files are written but which has no 档号 yet; destroying it removes it.
class StagedPackage {
 public:
  virtual ~StagedPackage() = default;
};

class PackageSink {
 public:
  virtual ~PackageSink() = default;
  // Writes the bulk of a package (the content files) under a temporary name. Filing does this
  // before it takes the catalogue's write lock, so a large upload never holds up other work.
  virtual Result<std::unique_ptr<StagedPackage>> Stage(const std::vector<StagedFile>& files) = 0;
  // Completes a staged package for `record` (metadata, manifests, bag-info) and stores it durably
  // under its final name; it is not reachable until the catalogue row commits. Fails without
  // leaving a file behind. `confirm`, when given, runs once the name is held (see
  // PackageInfo::name_hold) and before anything appears under it: the filer's proof that the
  // 件号 is still its own (its catalogue transaction alive). If it fails, so does Seal, and
  // whatever is under the name (another filer's committed package) stays as it is.
  virtual Result<PackageInfo> Seal(std::unique_ptr<StagedPackage> staged, const Record& record,
                                   const std::function<Status()>& confirm = nullptr) = 0;
  // Stage() then Seal().
  Result<PackageInfo> Write(const Record& record, const std::vector<StagedFile>& files) {
    auto staged = Stage(files);
    if (!staged.ok()) return staged.status();
    return Seal(std::move(*staged), record);
  }
  // Removes a package written for a filing that did not commit.
  virtual Status Discard(const PackageInfo& package) = 0;
  // Told once the catalogue row is durable, so crash recovery need not look at this package.
  virtual void Committed(const PackageInfo& package) = 0;
};

// Hashes a file (SHA-256) and reports its size; provided by storage/.
using FileHasher = std::function<Result<std::pair<std::string, uint64_t>>(const std::string& path)>;
// Reads a file's first and last few KiB, for the four-property content checks; from storage/.
using FileSampler =
    std::function<Result<std::pair<std::string, std::string>>(const std::string& path)>;
// Scans a whole file for malware: "" clean, else what was found; an error when no scan took
// place. From storage/ (MalwareScanner).
using FileScanner = std::function<Result<std::string>(const std::string& path)>;

struct FilingSettings {
  std::string fonds;     // 全宗号
  std::string category;  // 门类代码
  std::string organization;
};

struct FilingReceipt {
  std::string reference;
  std::string package_sha256;
  std::string filed_at;
  bool already_filed = false;  // true when the same case was filed before (idempotent replay)
  int checks_passed = 0;       // filing-stage (归档) check items passed; 0 on a replay
};

// A case whose files have been hashed and checked, ready to be filed. Preparing every case of a
// batch first lets a caller refuse the whole batch before anything is stored.
struct PreparedCase {
  CaseSubmission submission;
  std::string channel;
  std::vector<StagedFile> files;
  std::vector<FileObservation> observed;  // the files as the filing-stage checks saw them
  std::string fingerprint;
  std::optional<FiledCase> already_filed;  // same case, same content, filed before
};

class Filing {
 public:
  Filing(const ClassificationScheme& scheme, const ReferenceTemplate& tmpl, FilingSettings settings,
         CataloguePort& catalogue, PackageSink& packages, FileHasher hasher,
         std::function<std::string()> clock, const PropertyChecks& checks, FileSampler sampler);

  // Files one case received through `channel` by `actor`. Errors: InvalidArgument (with fields)
  // for bad input, FailedCheck (fields: the failed item codes, e.g. "GD-3-2") when the
  // filing-stage four-property checks refuse it, Conflict for a known case with other content,
  // IOError/NoSpace when storage fails (nothing visible then).
  Result<FilingReceipt> File(const CaseSubmission& submission, const std::string& channel,
                             const std::string& actor);

  // The checking half of File(): validates, hashes the files (a wrong declared digest or a
  // missing file is InvalidArgument), runs the filing-stage checks (FailedCheck), and looks the
  // case up (Conflict if known with other content). Stores nothing.
  Result<PreparedCase> Prepare(const CaseSubmission& submission, const std::string& channel);
  // The storing half: assigns the 档号, writes the package, commits. A case filed meanwhile by
  // someone else is answered as a replay or a Conflict, as in File().
  Result<FilingReceipt> File(const PreparedCase& prepared, const std::string& channel,
                             const std::string& actor);

  // From now on every file is scanned before the filing-stage checks (their malware item); a
  // scanner that cannot scan refuses the filing (kUnavailable). Call before filing starts.
  void SetScanner(FileScanner scanner) { scanner_ = std::move(scanner); }

 private:
  // The 归档-stage report, or FailedCheck naming the failed items.
  Result<CheckReport> CheckForFiling(const Record& record,
                                     const std::vector<FileObservation>& files) const;
  const ClassificationScheme& scheme_;
  const ReferenceTemplate& template_;
  FilingSettings settings_;
  CataloguePort& catalogue_;
  PackageSink& packages_;
  FileHasher hasher_;
  std::function<std::string()> clock_;
  const PropertyChecks& checks_;
  FileSampler sampler_;
  FileScanner scanner_;  // empty: files are not scanned
};

// The format name recorded for a file, from its extension ("PDF", "TIFF", "JPEG", "XML"…).
std::string FormatOfFileName(const std::string& name);

}  // namespace dangan
