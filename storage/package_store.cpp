#include "storage/package_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "archive/text.h"
#include "storage/bagit_path.h"
#include "storage/digest.h"
#include "storage/record_xml.h"

namespace dangan {
namespace {

constexpr const char* kPackagesDir = "packages";
constexpr const char* kStagingDir = "packages/.staging";
constexpr const char* kPendingDir = "packages/.pending";
// Read and copy buffers. 64 KiB hashes as fast as 1 MiB here (1.1–1.2 GB/s either way) and
// stays in the allocator's reusable pools: each 1 MiB buffer was fresh pages, zero-filled, for
// every package opened (most of the cost of verifying a small package).
constexpr size_t kBlock = 64 << 10;

// libarchive converts names through the C library's multibyte functions; without a UTF-8
// LC_CTYPE it mangles (and in some versions crashes on) Chinese names.
void EnsureUtf8Locale() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* cur = std::setlocale(LC_CTYPE, nullptr);
    std::string c = cur ? cur : "";
    if (c.find("UTF-8") == std::string::npos && c.find("utf8") == std::string::npos)
      std::setlocale(LC_CTYPE, "C.UTF-8");
  });
}

// A file of ours that vanished mid-write is a storage failure, not a "not found" for the caller.
Status AsStorageError(const Status& st) {
  if (st.code() == ErrorCode::kNotFound) return Status::IOError(st.message());
  return st;
}

std::string RandomName() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// A pending marker's content: the package's relative path, then the claim of the filing that
// wrote it (markers from before claims have the path alone).
// nullopt when the marker cannot be read (absent, or an error).
std::optional<std::string> ReadMarker(const std::string& marker) {
  int fd = ::open(marker.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

// Where a filing of the package at `rel` (relative to `root`) keeps its pending marker.
std::string PendingMarker(const std::string& root, const std::string& rel) {
  return root + "/" + kPendingDir + "/" + rel.substr(rel.rfind('/') + 1) + ".marker";
}

std::string MarkerPath(const std::string& content) { return content.substr(0, content.find('\n')); }

bool MarkerClaimedBy(const std::optional<std::string>& content, const std::string& claim) {
  if (!content) return false;
  const auto nl = content->find('\n');
  return nl != std::string::npos && content->substr(nl + 1) == claim;
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The sink libarchive writes the tar through: every byte goes to the Env file and the package
// digest; the first failure is kept so the caller sees ENOSPC or EIO, not "archive error".
struct TarSink {
  WritableFile* file;
  Digest digest;
  uint64_t bytes = 0;
  Status error;
};

la_ssize_t TarWrite(struct archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<TarSink*>(client);
  Status st = sink->file->Append(buf, n);
  if (!st.ok()) {
    if (sink->error.ok()) sink->error = st;
    return -1;
  }
  sink->digest.Update(buf, n);
  sink->bytes += n;
  return static_cast<la_ssize_t>(n);
}

class TarWriter {
 public:
  TarWriter(TarSink* sink, time_t mtime) : sink_(sink), mtime_(mtime) {
    a_ = archive_write_new();
    archive_write_set_format_pax_restricted(a_);
    archive_write_set_bytes_per_block(a_, 64 * 1024);
    archive_write_set_bytes_in_last_block(a_, 1);
    opened_ = archive_write_open2(a_, sink_, nullptr, TarWrite, nullptr, nullptr) == ARCHIVE_OK;
  }
  ~TarWriter() { archive_write_free(a_); }

  Status Error(const std::string& what) {
    if (!sink_->error.ok()) return sink_->error;
    const char* msg = archive_error_string(a_);
    return Status::IOError(what + ": " + (msg ? msg : "tar write failed"));
  }

  Status Header(const std::string& path, uint64_t size) {
    if (!opened_) return Error("open");
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, path.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, mtime_, 0);
    int rc = archive_write_header(a_, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK) return Error(path);
    return Status::Ok();
  }

  Status Data(const void* p, size_t n, const std::string& path) {
    if (n == 0) return Status::Ok();
    la_ssize_t w = archive_write_data(a_, p, n);
    if (w < 0 || static_cast<size_t>(w) != n) return Error(path);
    return Status::Ok();
  }

  Status AddString(const std::string& path, const std::string& content) {
    DANGAN_RETURN_IF_ERROR(Header(path, content.size()));
    return Data(content.data(), content.size(), path);
  }

  // Streams a file into the tar; returns its SHA-256 as read, to be compared with the digest the
  // file had when it was accepted.
  Result<std::string> AddFile(const std::string& path, const std::string& source, uint64_t size) {
    DANGAN_RETURN_IF_ERROR(Header(path, size));
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(source, errno);
    Digest d;
    std::vector<char> buf(kBlock);
    uint64_t total = 0;
    Status st;
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        st = PosixError(source, errno);
        break;
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > size) {
        st = Status::Corruption(source + " grew while it was being filed");
        break;
      }
      d.Update(buf.data(), static_cast<size_t>(n));
      st = Data(buf.data(), static_cast<size_t>(n), path);
      if (!st.ok()) break;
    }
    ::close(fd);
    if (!st.ok()) return st;
    if (total != size) return Status::Corruption(source + " shrank while it was being filed");
    return d.HexFinal();
  }

  Status Finish() {
    if (archive_write_close(a_) != ARCHIVE_OK) return Error("close");
    return Status::Ok();
  }

 private:
  archive* a_;
  TarSink* sink_;
  time_t mtime_;
  bool opened_ = false;
};

std::string Today() {
  time_t t = time(nullptr);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[16];
  strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

struct ManifestEntry {
  std::string digest;
  std::string path;
};

std::vector<ManifestEntry> ParseManifest(const std::string& text) {
  std::vector<ManifestEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto sp = line.find_first_of(" \t");
    if (sp == std::string::npos) continue;
    auto start = line.find_first_not_of(" \t", sp);
    if (start == std::string::npos) continue;
    out.push_back({line.substr(0, sp), DecodeManifestPath(line.substr(start))});
  }
  return out;
}

// Member names from a tar we did not necessarily write: refuse anything that could land outside
// the destination.
bool SafeMemberPath(const std::string& p) {
  if (p.empty() || p[0] == '/' || p[0] == '~' || p.find('\\') != std::string::npos) return false;
  if (!IsValidUtf8(p)) return false;
  std::istringstream in(p);
  std::string seg;
  while (std::getline(in, seg, '/'))
    if (seg == ".." || seg == ".") return false;
  return true;
}

}  // namespace

PackageStore::PackageStore(std::string root, std::string organization, Env* env,
                           std::vector<std::string> replica_roots)
    : root_(std::move(root)), organization_(std::move(organization)), env_(env) {
  EnsureUtf8Locale();
  roots_.push_back(root_);
  for (auto& r : replica_roots) roots_.push_back(std::move(r));
}

Status PackageStore::Init() {
  for (const auto& root : roots_)
    for (const char* d : {kPackagesDir, kStagingDir, kPendingDir})
      DANGAN_RETURN_IF_ERROR(env_->CreateDirs(root + "/" + d));
  return Status::Ok();
}

size_t PackageStore::ReadCopy(const std::string& rel_path) const {
  if (roots_.size() == 1) return 0;
  for (size_t i = 0; i < roots_.size(); ++i)
    if (env_->FileExists(CopyPath(i, rel_path))) return i;
  return 0;
}

std::string PackageStore::AbsolutePath(const std::string& rel_path) const {
  return CopyPath(ReadCopy(rel_path), rel_path);
}

Result<size_t> PackageStore::GoodCopy(const std::string& rel_path,
                                      const std::string& expected_sha256,
                                      uint64_t verify_limit) const {
  std::string damaged;
  for (size_t i = 0; i < roots_.size(); ++i) {
    const std::string path = CopyPath(i, rel_path);
    auto size = env_->FileSize(path);
    if (!size.ok()) continue;
    if (*size > verify_limit) return i;
    auto digest = Digest::OfFile(path);
    if (digest.ok() && *digest == expected_sha256) return i;
    damaged += (damaged.empty() ? "" : ", ") + std::string(i == 0 ? "primary" : "replica ") +
               (i == 0 ? "" : std::to_string(i));
  }
  if (damaged.empty()) return Status::NotFound("no copy of " + rel_path + " is present");
  return Status::Corruption("every copy of " + rel_path + " is damaged (" + damaged + ")");
}

Status PackageStore::CopyDurably(const std::string& from, size_t to_copy,
                                 const std::string& rel_path) {
  const std::string& root = roots_[to_copy];
  const std::string to = root + "/" + rel_path;
  const std::string tmp = root + "/" + kStagingDir + "/" + RandomName() + ".copy.part";
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("reading " + from, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const bool new_dir = !env_->FileExists(DirName(to));
  Status st = env_->CreateDirs(DirName(to));
  if (st.ok() && new_dir) st = env_->SyncDir(root + "/" + kPackagesDir);
  auto out = st.ok() ? env_->NewWritableFile(tmp) : Result<std::unique_ptr<WritableFile>>(st);
  if (!out.ok()) return out.status().WithContext("copying to " + root);
  std::vector<char> buf(kBlock);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = PosixError("reading " + from, errno);
      break;
    }
    if (n == 0) break;
    st = (*out)->Append(buf.data(), static_cast<size_t>(n));
    if (!st.ok()) break;
  }
  if (st.ok()) st = (*out)->Sync();
  Status closed = (*out)->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = env_->RenameFile(tmp, to);
  if (st.ok()) st = env_->SyncDir(DirName(to));
  if (!st.ok()) {
    env_->RemoveFile(tmp);
    return st.WithContext("copying " + rel_path + " to " + root);
  }
  return Status::Ok();
}

Status PackageStore::RepairCopy(size_t target, size_t source, const std::string& rel_path) {
  if (target >= roots_.size() || source >= roots_.size() || target == source)
    return Status::InvalidArgument("no such pair of copies");
  return CopyDurably(CopyPath(source, rel_path), target, rel_path);
}

std::string PackageStore::FileNameFor(const std::string& reference) {
  std::string out;
  for (size_t i = 0; i < reference.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(reference[i]);
    if (reference.compare(i, 2, "\xC2\xB7") == 0) {  // '·' (U+00B7)
      out += '.';
      ++i;
    } else if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else if (c < 0x80 || (c & 0xC0) != 0x80) {
      out += '_';
    }
  }
  return out + ".tar";
}

namespace {

// The open tar of a package being written: content files first (Stage), then the tag files and
// metadata that need the 档号 (Seal). The temporary file goes when this does, unless sealed.
class TarInProgress : public StagedPackage {
 public:
  TarInProgress(Env* env, std::string tmp_path, std::unique_ptr<WritableFile> file)
      : env_(env), tmp_path_(std::move(tmp_path)), file_(std::move(file)) {
    sink_.file = file_.get();
    tar_ = std::make_unique<TarWriter>(&sink_, time(nullptr));
  }
  ~TarInProgress() override {
    tar_.reset();
    if (file_) file_->Close();
    if (!sealed_) env_->RemoveFile(tmp_path_);
  }

  Status AddFiles(const std::vector<StagedFile>& files) {
    for (const auto& f : files) {
      const std::string name = "data/files/" + f.meta.name;
      auto digest = tar_->AddFile(name, f.path, f.meta.size);
      if (!digest.ok()) return digest.status();
      if (*digest != f.meta.sha256)
        return Status::Corruption(f.path + " changed while it was being filed");
      manifest_ += *digest + "  " + EncodeManifestPath(name) + "\n";
      oxum_bytes_ += f.meta.size;
      ++oxum_count_;
    }
    return Status::Ok();
  }

  Status Finish(const Record& r, const std::string& organization) {
    std::string tag_manifest;
    auto add_tag = [&](const std::string& name, const std::string& content) {
      tag_manifest += Digest::OfString(content) + "  " + name + "\n";
      return tar_->AddString(name, content);
    };
    auto add_payload = [&](const std::string& name, const std::string& content) {
      manifest_ += Digest::OfString(content) + "  " + EncodeManifestPath(name) + "\n";
      oxum_bytes_ += content.size();
      ++oxum_count_;
      return tar_->AddString(name, content);
    };
    Status st = add_payload("data/metadata.xml", RecordToXml(r, organization));
    if (st.ok() && !r.text.empty()) st = add_payload("data/text/content.txt", r.text);
    if (st.ok())
      st = add_tag("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
    if (st.ok()) st = add_tag("manifest-sha256.txt", manifest_);
    if (st.ok()) {
      std::string info =
          "Source-Organization: " + organization + "\n" + "External-Identifier: " + r.reference +
          "\n" + "Internal-Sender-Identifier: " + r.source + "/" + r.case_id + "\n" +
          "Bagging-Date: " + Today() + "\n" + "Payload-Oxum: " + std::to_string(oxum_bytes_) + "." +
          std::to_string(oxum_count_) + "\n" + "Bag-Software-Agent: dangan 0.1\n";
      st = add_tag("bag-info.txt", info);
    }
    if (st.ok()) st = tar_->AddString("tagmanifest-sha256.txt", tag_manifest);
    if (st.ok()) st = tar_->Finish();
    tar_.reset();
    if (st.ok()) st = file_->Sync();
    Status closed = file_->Close();
    file_.reset();
    return st.ok() ? closed : st;
  }

  void MarkSealed() { sealed_ = true; }
  const std::string& tmp_path() const { return tmp_path_; }
  std::string digest() { return sink_.digest.HexFinal(); }
  uint64_t bytes() const { return sink_.bytes; }

 private:
  Env* env_;
  std::string tmp_path_;
  std::unique_ptr<WritableFile> file_;
  TarSink sink_{nullptr, Digest(), 0, Status()};
  std::unique_ptr<TarWriter> tar_;
  std::string manifest_;
  uint64_t oxum_bytes_ = 0, oxum_count_ = 0;
  bool sealed_ = false;
};

}  // namespace

Result<std::unique_ptr<StagedPackage>> PackageStore::Stage(const std::vector<StagedFile>& files) {
  const std::string tmp_path = root_ + "/" + kStagingDir + "/" + RandomName() + ".tar.part";
  auto file = env_->NewWritableFile(tmp_path);
  if (!file.ok()) return AsStorageError(file.status()).WithContext("staging a package");
  auto tar = std::make_unique<TarInProgress>(env_, tmp_path, std::move(*file));
  Status st = tar->AddFiles(files);
  if (!st.ok()) return AsStorageError(st).WithContext("staging a package");
  return std::unique_ptr<StagedPackage>(std::move(tar));
}

Result<PackageInfo> PackageStore::Seal(std::unique_ptr<StagedPackage> staged, const Record& r,
                                       const std::function<Status()>& confirm) {
  auto* tar = dynamic_cast<TarInProgress*>(staged.get());
  if (!tar) return Status::Internal("not a package staged by this store");
  const std::string rel = std::string(kPackagesDir) + "/" + std::to_string(r.parts.year) + "/" +
                          FileNameFor(r.reference);
  const std::string final_path = root_ + "/" + rel;
  const std::string tmp_path = tar->tmp_path();
  const std::string marker = PendingMarker(root_, rel);
  const std::string claim = RandomName() + RandomName();
  const std::string marker_content = rel + "\n" + claim;
  Status st = tar->Finish(r, organization_);
  if (!st.ok()) return AsStorageError(st).WithContext("writing package " + r.reference);
  const std::string digest = tar->digest();
  const uint64_t bytes = tar->bytes();
  auto cleanup_tmp = [&] { env_->RemoveFile(tmp_path); };

  // The name is this filing's from here until its PackageInfo goes (after Committed or Discard):
  // an earlier filer of the same 件号 whose transaction was aborted may still be writing, and
  // its rename or clean-up must not land on the package this one commits.
  auto hold = env_->LockFile(marker, name_wait_);
  if (!hold.ok()) {
    cleanup_tmp();
    return AsStorageError(hold.status()).WithContext("storing package " + r.reference);
  }
  std::shared_ptr<const void> name_hold(std::move(*hold));

  // The marker must be durable before the package can appear under its final name, so that a
  // crash between rename and catalogue commit is always found and undone by Recover().
  const bool new_dir = !env_->FileExists(DirName(final_path));
  st = env_->CreateDirs(DirName(final_path));
  if (st.ok() && new_dir) st = env_->SyncDir(root_ + "/" + kPackagesDir);
  if (st.ok()) {
    auto m = env_->NewWritableFile(marker);
    if (!m.ok()) {
      st = m.status();
    } else {
      st = (*m)->Append(marker_content.data(), marker_content.size());
      if (st.ok()) st = (*m)->Sync();
      Status c = (*m)->Close();
      if (st.ok()) st = c;
    }
  }
  if (st.ok()) st = env_->SyncDir(root_ + "/" + kPendingDir);
  // Checked with the name held, so no other filer can store under it between this and the
  // commit: if the number was handed out again (this filer's transaction is gone) and the other
  // filer committed first, its package is under the name now and must stay.
  if (st.ok() && confirm) st = confirm();
  bool renamed = false;  // something of ours is under the final name, in some copy
  if (st.ok()) st = env_->RenameFile(tmp_path, final_path);
  if (st.ok()) renamed = true;
  if (st.ok()) st = env_->SyncDir(DirName(final_path));
  // Every replica (or, with a quorum, enough of them) holds its copy before the filing can be
  // acknowledged; the marker above covers them too, so Recover() removes replica copies of a row
  // that never committed.
  std::vector<std::string> lagging;
  size_t written = st.ok() ? 1 : 0;
  Status replica_error;
  for (size_t i = 1; st.ok() && i < roots_.size(); ++i) {
    Status c = CopyDurably(final_path, i, rel);
    if (c.ok()) {
      ++written;
      continue;
    }
    lagging.push_back(roots_[i]);
    replica_error = c;
    // A copy renamed into place whose directory sync failed is not trusted: catch-up rewrites it.
    if (env_->FileExists(CopyPath(i, rel))) env_->RemoveFile(CopyPath(i, rel));
    if (written + (roots_.size() - 1 - i) < quorum()) st = c;  // the quorum is out of reach
  }
  if (st.ok() && written < quorum()) st = replica_error;
  if (!st.ok()) {
    cleanup_tmp();
    // Unless another filer of this 件号 has taken the name meanwhile (see PackageInfo::claim):
    // the marker is still ours, whole or as far as its failed write got.
    const auto left = ReadMarker(marker);
    if (left && marker_content.compare(0, left->size(), *left) == 0) {
      // Before our rename, whatever is under the name is not ours to remove.
      for (size_t i = 0; renamed && i < roots_.size(); ++i)
        if (env_->FileExists(CopyPath(i, rel))) env_->RemoveFile(CopyPath(i, rel));
      env_->RemoveFile(marker);
    }
    return AsStorageError(st).WithContext("storing package " + r.reference);
  }
  tar->MarkSealed();
  return PackageInfo{rel, digest, bytes, std::move(lagging), claim, std::move(name_hold)};
}

Status PackageStore::Discard(const PackageInfo& p) {
  const std::string marker = PendingMarker(root_, p.path);
  // Another filer holds the name now (its marker, or none once it committed or recovery ran):
  // the bytes under it are not ours to remove. Ours were replaced when it stored its own. With
  // the name held (p.name_hold) that cannot happen; without it (a caller that dropped it), the
  // claim still guards.
  if (!MarkerClaimedBy(ReadMarker(marker), p.claim)) return Status::Ok();
  for (size_t i = 0; i < roots_.size(); ++i) {
    Status st = env_->RemoveFile(CopyPath(i, p.path));
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  env_->RemoveFile(marker);
  return Status::Ok();
}

Status PackageStore::Remove(const std::string& rel_path) {
  for (size_t i = 0; i < roots_.size(); ++i) {
    const std::string path = CopyPath(i, rel_path);
    Status st = env_->RemoveFile(path);
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
    // Gone already, unless the whole copy is (an unmounted replica): then nothing was removed,
    // and the package would come back with the mount.
    if (!st.ok() && !env_->FileExists(roots_[i] + "/" + kPackagesDir))
      return Status(ErrorCode::kUnavailable, roots_[i] + " has no " + kPackagesDir +
                                                 " folder (not mounted?): " + rel_path +
                                                 " is not removed from it");
    // Durable: a destroyed record must not come back with a crash (also when an earlier run
    // removed it and stopped before this). A folder that is not there holds nothing to sync.
    st = env_->SyncDir(path.substr(0, path.rfind('/')));
    if (!st.ok() && st.code() != ErrorCode::kNotFound) return st;
  }
  return Status::Ok();
}

void PackageStore::Committed(const PackageInfo& p) {
  const std::string marker = PendingMarker(root_, p.path);
  // Not synced: if the removal is lost, Recover() finds the row committed and only drops the
  // marker.
  if (MarkerClaimedBy(ReadMarker(marker), p.claim)) env_->RemoveFile(marker);
}

Result<std::vector<std::string>> PackageStore::ListCopy(size_t copy) const {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const fs::path base = fs::path(roots_[copy]) / kPackagesDir;
  std::error_code ec;
  if (!fs::exists(base, ec)) return out;
  fs::recursive_directory_iterator it(base, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it.depth() == 0 && it->is_directory(ec) && (name == ".staging" || name == ".pending")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(ec)) continue;
    out.push_back(std::string(kPackagesDir) + "/" + it->path().lexically_relative(base).string());
  }
  if (ec) return Status::IOError("listing " + base.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

bool PackageStore::InFlight(const std::string& rel_path) const {
  return env_->FileExists(PendingMarker(root_, rel_path));
}

Result<int> PackageStore::Recover(const std::function<bool(const std::string&)>& committed,
                                  const std::function<bool(const std::string&)>& in_use) {
  DANGAN_RETURN_IF_ERROR(Init());
  for (const auto& root : roots_) {
    auto staging = env_->ListDir(root + "/" + kStagingDir);
    if (!staging.ok()) return staging.status();
    for (const auto& name : *staging) {
      const std::string path = root + "/" + kStagingDir + "/" + name;
      if (in_use && in_use(path)) continue;
      env_->RemoveFile(path);
    }
  }
  auto pending = env_->ListDir(root_ + "/" + kPendingDir);
  if (!pending.ok()) return pending.status();
  int removed = 0;
  for (const auto& name : *pending) {
    const std::string marker = root_ + "/" + kPendingDir + "/" + name;
    if (in_use && in_use(marker)) continue;
    // A marker whose lock is held belongs to a filing still running (another session of this
    // process, or a process that shares the root): its package may be renamed in and committed
    // yet. Its staged temporary went above, so it fails cleanly at its rename if not past it.
    auto hold = env_->LockFile(marker, std::chrono::milliseconds(0));
    if (!hold.ok() && hold.status().code() == ErrorCode::kUnavailable) continue;
    const std::string rel = MarkerPath(ReadMarker(marker).value_or(""));
    if (!rel.empty() && rel.rfind(std::string(kPackagesDir) + "/", 0) == 0 &&
        rel.find("..") == std::string::npos && !committed(rel)) {
      bool any = false;
      for (size_t i = 0; i < roots_.size(); ++i) {
        if (env_->FileExists(CopyPath(i, rel))) {
          DANGAN_RETURN_IF_ERROR(env_->RemoveFile(CopyPath(i, rel)));
          any = true;
        }
      }
      if (any) ++removed;
    }
    env_->RemoveFile(marker);
  }
  return removed;
}

namespace {

struct TarReader {
  archive* a = nullptr;
  explicit TarReader(const std::string& path) {
    a = archive_read_new();
    archive_read_support_format_tar(a);
    ok = archive_read_open_filename(a, path.c_str(), kBlock) == ARCHIVE_OK;
  }
  ~TarReader() { archive_read_free(a); }
  std::string Error() const {
    const char* e = archive_error_string(a);
    return e ? e : "unreadable tar";
  }
  bool ok = false;
};

std::string MemberName(archive_entry* e) {
  const char* u = archive_entry_pathname_utf8(e);
  if (!u) u = archive_entry_pathname(e);
  return u ? u : "";
}

}  // namespace

PackageCheck PackageStore::Verify(const std::string& rel_path, const std::string& expected_sha256,
                                  const std::vector<RecordFile>& expected_files) const {
  return VerifyCopy(ReadCopy(rel_path), rel_path, expected_sha256, expected_files);
}

PackageCheck PackageStore::VerifyCopy(size_t copy, const std::string& rel_path,
                                      const std::string& expected_sha256,
                                      const std::vector<RecordFile>& expected_files) const {
  PackageCheck check;
  const std::string path = CopyPath(copy, rel_path);
  uint64_t bytes = 0;
  auto whole = Digest::OfFile(path, "sha256", &bytes);
  check.bytes_read = bytes;
  if (!whole.ok()) {
    check.problems.push_back({rel_path, "missing", whole.status().message()});
    return check;
  }
  if (*whole == expected_sha256) {
    check.ok = true;
    return check;
  }
  check.problems.push_back(
      {rel_path, "changed", "package digest is " + *whole + ", catalogue has " + expected_sha256});
  // Look inside to say what changed.
  TarReader tar(path);
  if (!tar.ok) {
    check.problems.push_back({rel_path, "unreadable", tar.Error()});
    return check;
  }
  std::map<std::string, std::string> actual;  // member → sha256
  std::map<std::string, std::string> tag_text;
  archive_entry* e;
  std::vector<char> buf(kBlock);
  for (;;) {
    int rc = archive_read_next_header(tar.a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      check.problems.push_back({rel_path, "truncated", tar.Error()});
      break;
    }
    std::string name = MemberName(e);
    if (archive_entry_filetype(e) != AE_IFREG) {
      check.problems.push_back({name, "foreign", "not a regular file"});
      continue;
    }
    Digest d;
    std::string small;
    bool keep = name.find('/') == std::string::npos;  // tag files are read for their content
    la_ssize_t n;
    while ((n = archive_read_data(tar.a, buf.data(), buf.size())) > 0) {
      d.Update(buf.data(), static_cast<size_t>(n));
      if (keep && small.size() < (16u << 20)) small.append(buf.data(), static_cast<size_t>(n));
    }
    if (n < 0) {
      check.problems.push_back({name, "truncated", tar.Error()});
      break;
    }
    actual[name] = d.HexFinal();
    if (keep) tag_text[name] = std::move(small);
  }
  std::map<std::string, std::string> listed;
  if (!tag_text.count("manifest-sha256.txt")) {
    check.problems.push_back({"manifest-sha256.txt", "missing", "the bag has no SHA-256 manifest"});
  } else {
    for (const auto& m : ParseManifest(tag_text["manifest-sha256.txt"])) listed[m.path] = m.digest;
  }
  if (tag_text.count("tagmanifest-sha256.txt")) {
    for (const auto& m : ParseManifest(tag_text["tagmanifest-sha256.txt"])) {
      auto it = actual.find(m.path);
      if (it == actual.end())
        check.problems.push_back({m.path, "missing", "listed in tagmanifest"});
      else if (it->second != m.digest)
        check.problems.push_back({m.path, "changed", "tag file differs from tagmanifest"});
    }
  }
  // The catalogue is the authority for payload files: a consistent rewrite of both file and
  // manifest is still caught here.
  for (const auto& f : expected_files) listed.emplace("data/files/" + f.name, f.sha256);
  for (const auto& f : expected_files) {
    const std::string name = "data/files/" + f.name;
    auto it = actual.find(name);
    if (it == actual.end())
      check.problems.push_back({name, "missing", "content file is gone"});
    else if (it->second != f.sha256)
      check.problems.push_back(
          {name, "changed", "sha256 " + it->second + ", filed as " + f.sha256});
  }
  for (const auto& [name, digest] : listed) {
    if (name.rfind("data/files/", 0) == 0) continue;  // done above
    auto it = actual.find(name);
    if (it == actual.end())
      check.problems.push_back({name, "missing", "listed in manifest"});
    else if (it->second != digest)
      check.problems.push_back({name, "changed", "differs from manifest"});
  }
  static const std::set<std::string> kTagFiles = {"bagit.txt", "bag-info.txt",
                                                  "manifest-sha256.txt", "tagmanifest-sha256.txt"};
  for (const auto& [name, digest] : actual) {
    if (!listed.count(name) && !kTagFiles.count(name))
      check.problems.push_back({name, "extra", "not in the manifest or the catalogue"});
  }
  return check;
}

Status PackageStore::Extract(const std::string& rel_path, const std::string& dir) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    return Status::InvalidArgument(dir + " exists and is not empty");
  TarReader tar(AbsolutePath(rel_path));
  if (!tar.ok) return Status::IOError(rel_path + ": " + tar.Error());
  fs::create_directories(dir, ec);
  if (ec) return PosixError(dir, ec.value());
  archive_entry* e;
  std::vector<char> buf(kBlock);
  for (;;) {
    int rc = archive_read_next_header(tar.a, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return Status::Corruption(rel_path + ": " + tar.Error());
    std::string name = MemberName(e);
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    if (archive_entry_filetype(e) != AE_IFREG || !SafeMemberPath(name))
      return Status::Corruption(rel_path + ": refusing member '" + name + "'");
    fs::path out = fs::path(dir) / name;
    fs::create_directories(out.parent_path(), ec);
    if (ec) return PosixError(out.parent_path().string(), ec.value());
    auto file = Env::Default()->NewWritableFile(out.string());
    if (!file.ok()) return file.status();
    la_ssize_t n;
    while ((n = archive_read_data(tar.a, buf.data(), buf.size())) > 0)
      DANGAN_RETURN_IF_ERROR((*file)->Append(buf.data(), static_cast<size_t>(n)));
    if (n < 0) return Status::Corruption(rel_path + ": " + tar.Error());
    DANGAN_RETURN_IF_ERROR((*file)->Close());
  }
  return Status::Ok();
}

namespace {
// Advances `tar` to the header of `member`: OK with the entry, NotFound, or Corruption.
Status SeekMember(TarReader& tar, const std::string& rel_path, const std::string& member,
                  archive_entry** entry) {
  if (!tar.ok) return Status::IOError(rel_path + ": " + tar.Error());
  for (;;) {
    int rc = archive_read_next_header(tar.a, entry);
    if (rc == ARCHIVE_EOF) return Status::NotFound(member + " is not in the package");
    if (rc < ARCHIVE_WARN) return Status::Corruption(rel_path + ": " + tar.Error());
    if (MemberName(*entry) == member && archive_entry_filetype(*entry) == AE_IFREG)
      return Status::Ok();
  }
}
}  // namespace

Result<uint64_t> PackageStore::MemberSize(const std::string& rel_path, const std::string& member,
                                          std::optional<size_t> copy) const {
  TarReader tar(copy ? CopyPath(*copy, rel_path) : AbsolutePath(rel_path));
  archive_entry* e;
  DANGAN_RETURN_IF_ERROR(SeekMember(tar, rel_path, member, &e));
  return static_cast<uint64_t>(archive_entry_size(e));
}

Status PackageStore::CopyMember(const std::string& rel_path, const std::string& member,
                                uint64_t offset, uint64_t length, std::ostream& out,
                                std::optional<size_t> copy) const {
  TarReader tar(copy ? CopyPath(*copy, rel_path) : AbsolutePath(rel_path));
  archive_entry* e;
  DANGAN_RETURN_IF_ERROR(SeekMember(tar, rel_path, member, &e));
  std::vector<char> buf(kBlock);
  uint64_t pos = 0, end = offset + length;
  la_ssize_t n;
  while (pos < end && (n = archive_read_data(tar.a, buf.data(), buf.size())) > 0) {
    uint64_t chunk_end = pos + static_cast<uint64_t>(n);
    if (chunk_end > offset) {
      uint64_t from = offset > pos ? offset - pos : 0;
      uint64_t to = std::min<uint64_t>(static_cast<uint64_t>(n), end - pos);
      out.write(buf.data() + from, static_cast<std::streamsize>(to - from));
      if (!out) return Status::IOError("the client stopped reading");
    }
    pos = chunk_end;
  }
  return Status::Ok();
}

Result<std::string> PackageStore::ReadMember(const std::string& rel_path, const std::string& member,
                                             size_t max_bytes) const {
  TarReader tar(AbsolutePath(rel_path));
  archive_entry* e;
  DANGAN_RETURN_IF_ERROR(SeekMember(tar, rel_path, member, &e));
  if (archive_entry_size(e) > static_cast<la_int64_t>(max_bytes))
    return Status::InvalidArgument(member + " is too large to read whole");
  std::string out(static_cast<size_t>(archive_entry_size(e)), '\0');
  la_ssize_t n = archive_read_data(tar.a, out.data(), out.size());
  if (n < 0 || static_cast<size_t>(n) != out.size())
    return Status::Corruption(rel_path + ": " + tar.Error());
  return out;
}

}  // namespace dangan
