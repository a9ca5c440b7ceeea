// PackageStore: keeps each record (件) as one BagIt 1.0 bag serialised as a pax tar under
// <root>/packages/. Writes are streamed (payloads never sit whole in memory), hashed with SHA-256
// as they pass, and made durable (temp name, fsync, rename, fsync dir) before Write() returns.
// A pending marker lets Recover() remove packages whose catalogue row never committed.
// Replicas: further roots (other disks or mounts) that receive a durable copy of every package
// before Seal() returns; reads use the first copy present. Copy 0 is the primary root.
// Thread-safe: concurrent Write/Verify calls use separate files. The Env is borrowed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "archive/filing.h"
#include "storage/env.h"

namespace dangan {

struct PackageProblem {
  std::string path;  // path inside the bag, or the package file itself
  std::string what;  // "changed", "missing", "extra", "truncated", "unreadable", ...
  std::string detail;
};

struct PackageCheck {
  bool ok = false;
  std::vector<PackageProblem> problems;
  uint64_t bytes_read = 0;

  // The problems on one line ("path: what (detail); …"), for fixity results and events.
  std::string Describe() const {
    std::string out;
    for (const auto& p : problems)
      out += (out.empty() ? "" : "; ") + p.path + ": " + p.what + " (" + p.detail + ")";
    return out;
  }
};

class PackageStore : public PackageSink {
 public:
  PackageStore(std::string root, std::string organization, Env* env = Env::Default(),
               std::vector<std::string> replica_roots = {});

  // Creates the directories the store needs, in every copy's root.
  Status Init();

  // How many copies (the primary always among them) must be written before Seal() succeeds;
  // 0, or more than there are roots, means all. Replicas that fail beyond that are named in
  // PackageInfo::lagging_roots for a later catch-up. Set before filing starts.
  void SetQuorum(size_t copies) { quorum_ = copies; }
  // How long Seal() waits for another filing of the same 档号 (one whose transaction was
  // aborted, in this process or another) to let go of the package's name before it fails as
  // kUnavailable (retrying may succeed). Set before filing starts.
  void SetNameWait(std::chrono::milliseconds wait) { name_wait_ = wait; }
  size_t quorum() const {
    return quorum_ == 0 || quorum_ > roots_.size() ? roots_.size() : quorum_;
  }

  Result<std::unique_ptr<StagedPackage>> Stage(const std::vector<StagedFile>& files) override;
  Result<PackageInfo> Seal(std::unique_ptr<StagedPackage> staged, const Record& record,
                           const std::function<Status()>& confirm = nullptr) override;
  Status Discard(const PackageInfo& package) override;
  // Deletes a package from every copy's root, durably (for a destruction whose tombstone is
  // committed). A copy already gone is fine.
  Status Remove(const std::string& rel_path);
  // Removes the pending marker once the catalogue row is durable.
  void Committed(const PackageInfo& package) override;

  // Deletes half-written temporaries and every package left pending whose row `committed` does
  // not know. Call once at open, before filing starts. Returns how many packages were removed.
  // With `in_use`, a temporary or pending marker for which it says true (by its path; e.g. one
  // written too recently to be a dead process's) is left alone: for a root other processes,
  // on other hosts too, are filing into meanwhile.
  Result<int> Recover(const std::function<bool(const std::string& rel_path)>& committed,
                      const std::function<bool(const std::string& path)>& in_use = nullptr);

  // Checks a package against the digest the catalogue recorded and, if that differs, looks
  // inside to name every damaged, missing and extra file against the bag's own manifests and
  // the catalogue's file list (`expected_files`: name → sha256 of data/files/<name>).
  // `copy` picks the root (0 primary, 1… replicas); without it, the copy reads would use.
  PackageCheck Verify(const std::string& rel_path, const std::string& expected_sha256,
                      const std::vector<RecordFile>& expected_files) const;
  PackageCheck VerifyCopy(size_t copy, const std::string& rel_path,
                          const std::string& expected_sha256,
                          const std::vector<RecordFile>& expected_files) const;

  // Replaces copy `target` of a package with copy `source`, durably (temporary name, fsync,
  // rename, fsync directory); the caller has checked `source` against the catalogue.
  Status RepairCopy(size_t target, size_t source, const std::string& rel_path);

  // Roots holding a copy of every package: the primary root first, then the replicas.
  const std::vector<std::string>& copy_roots() const { return roots_; }
  std::string CopyPath(size_t copy, const std::string& rel_path) const {
    return roots_[copy] + "/" + rel_path;
  }

  // Every file under copy `copy`'s packages folder (any depth; the staging and pending folders
  // excepted), as paths relative to the root ("packages/2025/J012-SB.2025-D30-0503-0001.tar").
  Result<std::vector<std::string>> ListCopy(size_t copy) const;
  // True while a filing of `rel_path` is between its pending marker and its commit or discard:
  // its package may exist before its catalogue row does.
  bool InFlight(const std::string& rel_path) const;

  // Unpacks a package into `dir` (created; must not exist or be empty) as a plain bag.
  Status Extract(const std::string& rel_path, const std::string& dir) const;

  // Reads one member (e.g. "data/metadata.xml") of a package into memory; for small members.
  Result<std::string> ReadMember(const std::string& rel_path, const std::string& member,
                                 size_t max_bytes = 16 << 20) const;

  // Size of one member, e.g. "data/files/申请表.pdf"; NotFound if absent. `copy` picks the root
  // (see GoodCopy); without it, the copy reads would use.
  Result<uint64_t> MemberSize(const std::string& rel_path, const std::string& member,
                              std::optional<size_t> copy = std::nullopt) const;
  // Streams bytes [offset, offset + length) of a member to `out` without holding it in memory.
  Status CopyMember(const std::string& rel_path, const std::string& member, uint64_t offset,
                    uint64_t length, std::ostream& out,
                    std::optional<size_t> copy = std::nullopt) const;

  // The copy reads use: the primary's unless it is missing and a replica has one.
  std::string AbsolutePath(const std::string& rel_path) const;
  // The copy a download should be served from: the first present whose SHA-256 matches
  // `expected_sha256`, so a damaged primary is not served while a replica is good (the fixity
  // audit repairs it later). A package over `verify_limit` bytes is not hashed on each read: the
  // first copy present is used. Corruption when every copy present is damaged, NotFound when
  // there is none.
  Result<size_t> GoodCopy(const std::string& rel_path, const std::string& expected_sha256,
                          uint64_t verify_limit) const;
  // The package's file name for a 档号: ASCII only, '·' becomes '.'.
  static std::string FileNameFor(const std::string& reference);

 private:
  // The copy reads use: the primary unless its file is missing and a replica has one.
  size_t ReadCopy(const std::string& rel_path) const;
  // Writes `from` to `to` durably through the Env, via a temporary name in `to`'s root.
  Status CopyDurably(const std::string& from, size_t to_copy, const std::string& rel_path);

  std::string root_;
  std::vector<std::string> roots_;  // root_, then the replicas
  size_t quorum_ = 0;
  // Short: the waiting filer holds its series' 件号 counter, so every other filer of the series
  // waits behind it; failing fast (503, retry) costs less than queueing them all.
  std::chrono::milliseconds name_wait_{5000};
  std::string organization_;
  Env* env_;
};

}  // namespace dangan
