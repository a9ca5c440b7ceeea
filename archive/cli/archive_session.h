// ArchiveSession: one open archive as the `dangan` program sees it — its settings, scheme, 档号
// template, catalogue and package store, wired together, with crash recovery run at open.
// Owns everything it opens; filing through it is thread-safe. When it closes, it anchors the
// audit chain's head (storage/audit_anchor.h) if events were appended meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "archive/access_policy.h"
#include "archive/filing.h"
#include "archive/inquiry_rules.h"
#include "archive/reference_number.h"
#include "archive/scheme.h"
#include "storage/archive_lock.h"
#include "storage/audit_anchor.h"
#include "storage/catalogue.h"
#include "storage/env.h"
#include "storage/package_store.h"

namespace dangan::cli {

// The settings an archive keeps in <root>/archive.properties.
struct ArchiveSettings {
  std::string fonds = "J001";
  std::string category = "SB";
  std::string organization = "社会保险经办机构";
  std::string reference_template = ReferenceTemplate::kDefault;
  // Other storage roots (disks, mounts) that hold a copy of every package: archive.replicas,
  // comma-separated absolute paths. Added with `dangan replica add`, which copies what exists.
  std::vector<std::string> replicas;
  // archive.replica_quorum: copies (the primary counted) a filing must write before it is
  // acknowledged; replicas beyond that which fail are caught up later. 0 (the default): all.
  int replica_quorum = 0;
  // archive.malware_scanner: "clamd:/path/to/clamd.ctl" scans every file filed with ClamAV
  // (check item 4-4, fail closed: no scan, no filing); empty: the item does not run.
  std::string malware_scanner;
};

class ArchiveSession {
 public:
  static constexpr const char* kSettingsFile = "archive.properties";
  static constexpr const char* kCatalogueFile = "catalogue.db";
  static constexpr const char* kSchemeOverride = "scheme.local.json";
  // Local changes to the four-property check items (archive/scheme/checks.json).
  static constexpr const char* kChecksOverride = "checks.local.json";
  // The archive's own roles, replacing archive/scheme/roles.json (AccessPolicy::LoadWithLocal).
  static constexpr const char* kRolesOverride = "roles.local.json";
  // The archive's own public inquiry rules, replacing archive/scheme/inquiry.json.
  static constexpr const char* kInquiryOverride = "inquiry.local.json";
  // Written by `dangan worker` into a root whose packages it files into a PostgreSQL catalogue:
  // opening the root here then never removes a pending package as a crash's debris.
  static constexpr const char* kWorkerMark = "postgresql-workers";

  // Creates a new archive at `root`; fails if one is there already.
  static Status Create(const std::string& root, const ArchiveSettings& settings);
  // Opens an existing archive, loads and validates its scheme, and removes what a crash left.
  static Result<std::unique_ptr<ArchiveSession>> Open(const std::string& root,
                                                      Env* env = Env::Default());

  const std::string& root() const { return root_; }
  const ArchiveSettings& settings() const { return settings_; }
  const ClassificationScheme& scheme() const { return *scheme_; }
  const ReferenceTemplate& reference_template() const { return *template_; }
  const PropertyChecks& checks() const { return *checks_; }
  Catalogue& catalogue() { return *catalogue_; }
  PackageStore& packages() { return *packages_; }
  Filing& filing() { return *filing_; }
  int recovered_packages() const { return recovered_; }

  // Makes `dir` a replica: copies every package there (each checked against the catalogue
  // first; a damaged primary copy stops the command), then records it in archive.properties.
  // Needs the archive to itself (no server running), so no filing can miss the new copy.
  // Returns how many packages were copied.
  Result<int64_t> AddReplica(const std::string& dir);
  // Sets archive.replica_quorum (see ArchiveSettings); 0 means every copy.
  Status SetReplicaQuorum(int copies);

  // Every filed record's 档号 (with `all`), else `named` as given.
  Result<std::vector<std::string>> SelectReferences(bool all,
                                                    const std::vector<std::string>& named) {
    if (!all) return named;
    return catalogue_->References();
  }

  // Appends an audit event now; failures are returned, never ignored.
  Status Log(const std::string& actor, const std::string& action, const std::string& reference,
             const std::string& detail_json);

  // Anchors the audit chain's head in the archive root and every replica root: `head` (an event
  // just read from the catalogue), else the current head. nullopt when the chain is empty.
  Result<std::optional<AuditAnchor>> AnchorAuditHead(const AuditEvent* head = nullptr);
  // Anchors `head` in every root over anchors the chain no longer holds: for accepting the
  // chain as it is after a deliberate restore (`dangan audit reanchor`).
  Result<AuditAnchor> ReanchorAuditHead(const AuditEvent& head);
  // The same, only when the head moved since the archive was opened or last anchored here;
  // nullopt when it did not. Cheap when nothing moved (one indexed read): for periodic calls.
  Result<std::optional<AuditAnchor>> AnchorAuditHeadIfMoved();
  // The anchor files of the archive root and every replica root, as read now.
  Result<std::vector<AnchorFile>> ReadAuditAnchors();

  // Anchors the head if it moved (see above); a failure is printed on stderr as a warning, as
  // a destructor cannot return it. Commands that must report it call AnchorAuditHead first.
  ~ArchiveSession();

 private:
  ArchiveSession() = default;
  std::vector<std::string> CopyRoots() const;
  // Anchors `head` with anchor_mu_ held.
  Result<std::optional<AuditAnchor>> AnchorLocked(
      const AuditEvent& head, AnchorMismatch mismatch = AnchorMismatch::kRefuse);
  // Replaces one setting of archive.properties durably (temporary file, fsync, rename, fsync).
  Status WriteSetting(const std::string& key, const std::string& value);
  std::string root_;
  std::unique_ptr<ArchiveLock> lock_;  // declared before the rest, so released after them
  ArchiveSettings settings_;
  std::unique_ptr<ClassificationScheme> scheme_;
  std::unique_ptr<ReferenceTemplate> template_;
  std::unique_ptr<PropertyChecks> checks_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<PackageStore> packages_;
  std::unique_ptr<Filing> filing_;
  int recovered_ = 0;
  bool opened_alone_ = false;  // no other process had the archive open
  Env* env_ = nullptr;
  std::mutex anchor_mu_;          // one anchoring at a time (a server's thread, then the close)
  int64_t head_seen_ = -1;        // the chain's head seq at open or at the last anchoring
  bool anchor_on_close_ = false;  // set once Open succeeded
};

// What an archive's directory says about it, read and validated without opening its catalogue:
// its settings, scheme and check items (with their local overrides) and its 档号 template. For
// `dangan worker`, whose catalogue is a PostgreSQL server.
struct ArchiveRules {
  ArchiveSettings settings;
  std::unique_ptr<ClassificationScheme> scheme;
  std::unique_ptr<PropertyChecks> checks;
  std::unique_ptr<ReferenceTemplate> reference_template;
};
Result<ArchiveRules> LoadArchiveRules(const std::string& root);

// The one Filing use case wired to a catalogue and a package store with the archive's rules
// (hashing, format sampling, the malware scanner when archive.malware_scanner is set). The
// arguments must outlive it.
Result<std::unique_ptr<Filing>> MakeFiling(const ArchiveSettings& settings,
                                           const ClassificationScheme& scheme,
                                           const ReferenceTemplate& reference_template,
                                           const PropertyChecks& checks, CataloguePort& catalogue,
                                           PackageSink& packages);

// The PostgreSQL catalogue a command is pointed at: `flag` (its --catalogue value), else
// $DANGAN_CATALOGUE when `or_environment`; "" when neither is set. Anything but a
// postgresql:// URI is an error.
Result<std::string> SharedCatalogueUrl(const std::string& flag, bool or_environment);

// Readies the storage root at `root` for processes that file its packages into a shared
// PostgreSQL catalogue (`dangan worker`, `dangan serve --catalogue`): holds the archive lock
// shared while the returned lock lives, so a `dangan` command opening the root's SQLite archive
// meanwhile cannot take their staged packages for a crash's debris, and writes kWorkerMark, so
// opening it later never does either.
Result<std::unique_ptr<ArchiveLock>> JoinSharedCatalogueRoot(const std::string& root);

// Anchors the chain head of a PostgreSQL catalogue shared by the archive at `root` in the root
// and every replica root (kSharedAuditAnchorFile), when the head moved past `*seen` (0: never
// anchored by this caller); `*seen` then follows. nullopt when nothing moved. Callable from
// every server at once: an anchor as new or newer is left in place.
Result<std::optional<AuditAnchor>> AnchorSharedChainHead(RecordCatalogue& catalogue,
                                                         const std::string& root,
                                                         const ArchiveSettings& settings,
                                                         int64_t* seen);
// What killed processes left in a root shared through a PostgreSQL catalogue, where no process
// ever has the root to itself: package temporaries and pending packages (whose row never
// committed) and request uploads (personal data), each only once untouched for `age`, far
// longer than any filing or upload takes. Returns how many packages were removed.
Result<int> SweepSharedRoot(PackageStore& packages, RecordCatalogue& catalogue,
                            const std::string& root, std::chrono::seconds age);
// The age servers and workers sweep at, every kSharedSweepPeriod.
inline constexpr std::chrono::seconds kSharedDebrisAge{3600};
inline constexpr std::chrono::minutes kSharedSweepPeriod{10};
// SweepSharedRoot at kSharedDebrisAge, saying on stderr how many packages went: the periodic
// task of servers and workers.
Status SweepSharedRootNow(PackageStore& packages, RecordCatalogue& catalogue,
                          const std::string& root);
// Every root's anchor of the shared PostgreSQL chain (see AnchorSharedChainHead).
Result<std::vector<AnchorFile>> ReadSharedChainAnchors(const std::string& root,
                                                       const ArchiveSettings& settings);

// Copies quorum filings left behind, written to their replicas (CatchUpLaggingCopies) as `actor`:
// the periodic task, every kCatchUpPeriod, of servers and workers on a shared catalogue (the
// embedded server's audit does it there). An error names the first copy that could not be
// written yet.
inline constexpr std::chrono::minutes kCatchUpPeriod{1};
Status CatchUpSharedReplicas(RecordCatalogue& catalogue, PackageStore& packages,
                             const std::string& actor);

// Whether `actor` may use `permission` on a PostgreSQL catalogue the archive at `root` shares:
// once the catalogue has users, the actor must be one of them with a role (the root's roles)
// that allows it. Ok when `permission` is empty. Besides, never instead of, the command line's
// check against the root's own users.
Status CheckSharedActor(SqlTables& catalogue, const std::string& root, const std::string& actor,
                        const std::string& permission);

// Who may do what in the archive at `root`: its roles.local.json, else the built-in roles.
Result<AccessPolicy> LoadAccessPolicy(const std::string& root);
// The public inquiry service's rules for the archive at `root`: its inquiry.local.json (which
// replaces the built-in rules whole), else the built-in ones.
Result<InquiryRules> LoadInquiryRules(const std::string& root);

// Now, as ISO 8601 with the local UTC offset, e.g. 2026-11-23T10:05:00+08:00.
std::string NowIso8601();

}  // namespace dangan::cli
