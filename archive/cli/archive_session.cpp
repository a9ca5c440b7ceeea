#include "archive/cli/archive_session.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "storage/archive_lock.h"
#include "storage/digest.h"
#include "storage/file_sample.h"
#include "storage/malware_scanner.h"
#include "storage/replica_catch_up.h"
#include "storage/secret_key.h"
#include "storage/user_registry.h"

namespace dangan::cli {

namespace fs = std::filesystem;

namespace {

// An archive's local replacement for rules compiled in (scheme, checks, roles, inquiry): "" when
// there is none. There but unreadable or empty is an error, never taken as absent: falling back to
// the built-in rules would silently change how records are classified and checked, or who may see
// them.
Result<std::string> ReadLocalRules(const std::string& path, const char* what) {
  std::error_code ec;
  // The link itself: a dangling one is there, and an error, not an absent file.
  if (!fs::exists(fs::symlink_status(path, ec))) {
    if (ec && ec != std::errc::no_such_file_or_directory)
      return Status::IOError("cannot look for " + path + ": " + ec.message());
    return std::string();
  }
  if (!fs::is_regular_file(path, ec))
    return Status::InvalidArgument(path + " is not a file (remove it to use the built-in " + what +
                                   ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path);
  std::stringstream local;
  local << in.rdbuf();
  if (local.str().empty())
    return Status::InvalidArgument(path + " is empty (remove it to use the built-in " + what + ")");
  return local.str();
}

}  // namespace

Result<AccessPolicy> LoadAccessPolicy(const std::string& root) {
  const std::string path = (fs::path(root) / ArchiveSession::kRolesOverride).string();
  auto local = ReadLocalRules(path, "roles");
  if (!local.ok()) return local.status();
  return AccessPolicy::LoadWithLocal(*local, path);
}

Result<InquiryRules> LoadInquiryRules(const std::string& root) {
  const std::string path = (fs::path(root) / ArchiveSession::kInquiryOverride).string();
  auto local = ReadLocalRules(path, "inquiry rules");
  if (!local.ok()) return local.status();
  if (local->empty()) return InquiryRules::LoadBuiltin();
  return InquiryRules::Parse(*local, path);
}

std::string NowIso8601() {
  time_t t = time(nullptr);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[40];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  std::string s = buf;
  // strftime gives +0800; ISO 8601 extended form wants +08:00.
  s.insert(s.size() - 2, ":");
  return s;
}

Status ArchiveSession::Create(const std::string& root, const ArchiveSettings& settings) {
  DANGAN_RETURN_IF_ERROR(ValidateFonds(settings.fonds));
  auto tmpl = ReferenceTemplate::Parse(settings.reference_template);
  if (!tmpl.ok()) return tmpl.status();
  if (settings.category.empty() || settings.category.size() > 8)
    return Status::InvalidArgument("门类代码 must be 1-8 characters");
  std::error_code ec;
  if (fs::exists(fs::path(root) / kSettingsFile, ec))
    return Status::Conflict("an archive already exists at " + root);
  fs::create_directories(root, ec);
  if (ec) return PosixError(root, ec.value());
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
      new Poco::Util::PropertyFileConfiguration);
  cfg->setString("archive.fonds", settings.fonds);
  cfg->setString("archive.category", settings.category);
  cfg->setString("archive.organization", settings.organization);
  cfg->setString("archive.reference_template", settings.reference_template);
  cfg->setString("archive.created_at", NowIso8601());
  try {
    cfg->save((fs::path(root) / kSettingsFile).string());
  } catch (const Poco::Exception& e) {
    return Status::IOError("writing settings: " + e.displayText());
  }
  PackageStore store(root, settings.organization);
  DANGAN_RETURN_IF_ERROR(store.Init());
  auto cat = Catalogue::Open((fs::path(root) / kCatalogueFile).string(), true);
  if (!cat.ok()) return cat.status();
  return Status::Ok();
}

Result<std::unique_ptr<Filing>> MakeFiling(const ArchiveSettings& settings,
                                           const ClassificationScheme& scheme,
                                           const ReferenceTemplate& reference_template,
                                           const PropertyChecks& checks, CataloguePort& catalogue,
                                           PackageSink& packages) {
  FilingSettings fset{settings.fonds, settings.category, settings.organization};
  auto filing = std::make_unique<Filing>(
      scheme, reference_template, fset, catalogue, packages,
      [](const std::string& path) -> Result<std::pair<std::string, uint64_t>> {
        uint64_t bytes = 0;
        auto d = Digest::OfFile(path, "sha256", &bytes);
        if (!d.ok()) return d.status();
        return std::make_pair(*d, bytes);
      },
      NowIso8601, checks, [](const std::string& path) { return SampleFile(path); });
  if (!settings.malware_scanner.empty()) {
    auto scanner = MalwareScanner::FromSetting(settings.malware_scanner);
    if (!scanner.ok()) return scanner.status();
    filing->SetScanner(
        [scanner = *scanner](const std::string& path) { return scanner.Scan(path); });
  }
  return filing;
}

Result<std::string> SharedCatalogueUrl(const std::string& flag, bool or_environment) {
  std::string url = flag;
  if (url.empty() && or_environment)
    if (const char* env = std::getenv("DANGAN_CATALOGUE")) url = env;
  if (!url.empty() && url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
    return Status::InvalidArgument("--catalogue must be a postgresql:// URI");
  return url;
}

Result<std::unique_ptr<ArchiveLock>> JoinSharedCatalogueRoot(const std::string& root) {
  auto lock = ArchiveLock::Acquire(root);
  if (!lock.ok()) return lock.status();
  if ((*lock)->exclusive()) DANGAN_RETURN_IF_ERROR((*lock)->Share());
  const fs::path mark = fs::path(root) / ArchiveSession::kWorkerMark;
  std::ofstream out(mark);
  out << "dangan worker or dangan serve --catalogue files this root's packages into a PostgreSQL\n"
         "catalogue; the SQLite catalogue here does not know them, so opening the root never\n"
         "removes them.\n";
  out.close();
  if (!out) return Status::IOError("cannot write " + mark.string());
  return std::move(*lock);
}

Result<ArchiveRules> LoadArchiveRules(const std::string& root) {
  ArchiveRules r;
  const std::string settings_path = (fs::path(root) / ArchiveSession::kSettingsFile).string();
  std::error_code ec;
  if (!fs::exists(settings_path, ec))
    return Status::NotFound("no archive at " + root + " (run `dangan init` first)");
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
        new Poco::Util::PropertyFileConfiguration(settings_path));
    r.settings.fonds = cfg->getString("archive.fonds", r.settings.fonds);
    r.settings.category = cfg->getString("archive.category", r.settings.category);
    r.settings.organization = cfg->getString("archive.organization", r.settings.organization);
    r.settings.reference_template =
        cfg->getString("archive.reference_template", r.settings.reference_template);
    const std::string quorum = cfg->getString("archive.replica_quorum", "0");
    if (quorum.empty() || quorum.size() > 3 ||
        quorum.find_first_not_of("0123456789") != std::string::npos)
      return Status::InvalidArgument("archive.replica_quorum must be a number of copies, got '" +
                                     quorum + "'")
          .WithContext(settings_path);
    r.settings.replica_quorum = std::stoi(quorum);
    r.settings.malware_scanner = cfg->getString("archive.malware_scanner", "");
    std::string replicas = cfg->getString("archive.replicas", "");
    for (size_t i = 0; i <= replicas.size();) {
      size_t j = replicas.find(',', i);
      if (j == std::string::npos) j = replicas.size();
      std::string dir = replicas.substr(i, j - i);
      while (!dir.empty() && dir.front() == ' ') dir.erase(dir.begin());
      while (!dir.empty() && dir.back() == ' ') dir.pop_back();
      if (!dir.empty()) r.settings.replicas.push_back(dir);
      i = j + 1;
    }
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(settings_path + ": " + e.displayText());
  }
  DANGAN_RETURN_IF_ERROR(ValidateFonds(r.settings.fonds).WithContext(settings_path));
  for (const auto& dir : r.settings.replicas) {
    // A missing replica is an error, not something to create: an unmounted disk would otherwise
    // be silently replaced by a directory on the root file system.
    if (dir.empty() || dir[0] != '/' || !fs::is_directory(dir, ec))
      return Status::InvalidArgument("archive.replicas: " + dir +
                                     " is not an existing directory (absolute path)")
          .WithContext(settings_path);
  }

  // Local overrides of the data compiled in: absent files change nothing.
  const std::string override_path = (fs::path(root) / ArchiveSession::kSchemeOverride).string();
  auto overlay = ReadLocalRules(override_path, "scheme");
  if (!overlay.ok()) return overlay.status();
  auto scheme = ClassificationScheme::LoadBuiltin(*overlay, override_path);
  if (!scheme.ok()) return scheme.status();
  r.scheme = std::make_unique<ClassificationScheme>(std::move(*scheme));
  const std::string checks_path = (fs::path(root) / ArchiveSession::kChecksOverride).string();
  auto checks_overlay = ReadLocalRules(checks_path, "checks");
  if (!checks_overlay.ok()) return checks_overlay.status();
  auto checks = PropertyChecks::LoadBuiltin(*checks_overlay, checks_path);
  if (!checks.ok()) return checks.status();
  r.checks = std::make_unique<PropertyChecks>(std::move(*checks));
  auto tmpl = ReferenceTemplate::Parse(r.settings.reference_template);
  if (!tmpl.ok()) return tmpl.status().WithContext(settings_path);
  r.reference_template = std::make_unique<ReferenceTemplate>(std::move(*tmpl));

  return r;
}

Result<std::unique_ptr<ArchiveSession>> ArchiveSession::Open(const std::string& root, Env* env) {
  std::unique_ptr<ArchiveSession> s(new ArchiveSession);
  s->root_ = root;
  auto rules = LoadArchiveRules(root);
  if (!rules.ok()) return rules.status();
  s->settings_ = std::move(rules->settings);
  s->scheme_ = std::move(rules->scheme);
  s->checks_ = std::move(rules->checks);
  s->template_ = std::move(rules->reference_template);
  const std::string settings_path = (fs::path(root) / kSettingsFile).string();

  auto lock = ArchiveLock::Acquire(root);
  if (!lock.ok()) return lock.status();
  s->lock_ = std::move(*lock);
  auto cat = Catalogue::Open((fs::path(root) / kCatalogueFile).string(), false, s->template_.get());
  if (!cat.ok()) return cat.status();
  s->catalogue_ = std::move(*cat);
  s->packages_ =
      std::make_unique<PackageStore>(root, s->settings_.organization, env, s->settings_.replicas);
  s->packages_->SetQuorum(static_cast<size_t>(s->settings_.replica_quorum));
  s->opened_alone_ = s->lock_->exclusive();
  s->env_ = env;
  // Packages that `dangan worker` filed into a PostgreSQL catalogue are unknown to this SQLite
  // one: it must not judge what they left pending (kWorkerMark, written by every worker).
  std::error_code mark_error;
  const bool worker_root = fs::exists(fs::path(root) / kWorkerMark, mark_error);
  if (s->lock_->exclusive() && !worker_root) {
    // No other process has the archive open, so nothing in flight can be mistaken for debris.
    Catalogue* catalogue = s->catalogue_.get();
    auto recovered = s->packages_->Recover([catalogue](const std::string& rel) {
      auto has = catalogue->HasPackage(rel);
      // When in doubt keep the package: deleting a committed record's bytes is the worse error.
      return !has.ok() || *has;
    });
    if (!recovered.ok()) return recovered.status().WithContext("recovering packages");
    s->recovered_ = *recovered;
    // Uploads of requests a crash interrupted hold personal data: remove them.
    std::error_code ignored;
    for (auto& e : fs::directory_iterator(fs::path(root) / "intake", ignored))
      fs::remove_all(e.path(), ignored);
  }
  // Recovered or not, others may come in now.
  if (s->lock_->exclusive()) DANGAN_RETURN_IF_ERROR(s->lock_->Share());

  auto filing = MakeFiling(s->settings_, *s->scheme_, *s->template_, *s->checks_, *s->catalogue_,
                           *s->packages_);
  if (!filing.ok()) return filing.status().WithContext(settings_path);
  s->filing_ = std::move(*filing);
  // Closing anchors the head again only if it moves: read-only commands write nothing.
  auto head = s->catalogue_->LastEvent();
  if (!head.ok()) return head.status();
  s->head_seen_ = *head ? (*head)->seq : 0;
  s->anchor_on_close_ = true;
  return s;
}

ArchiveSession::~ArchiveSession() {
  if (!anchor_on_close_) return;
  auto anchored = AnchorAuditHeadIfMoved();
  if (!anchored.ok())
    std::cerr << "dangan: warning: the audit chain's head is not anchored: "
              << anchored.status().message() << "\n";
}

namespace {
// The archive root, then its replica roots: where every package, and every anchor, is kept.
std::vector<std::string> RootsOf(const std::string& root, const ArchiveSettings& settings) {
  std::vector<std::string> roots = {root};
  roots.insert(roots.end(), settings.replicas.begin(), settings.replicas.end());
  return roots;
}

// The anchor file `name` in each of the roots of the archive at `root`.
Result<std::vector<AnchorFile>> ReadAnchors(const std::string& root,
                                            const ArchiveSettings& settings, const char* name) {
  auto secret = LoadOrCreateSecret(root);
  if (!secret.ok()) return secret.status();
  std::vector<AnchorFile> files;
  for (const std::string& r : RootsOf(root, settings))
    files.push_back(ReadAnchor(r, *secret, name));
  return files;
}
}  // namespace

std::vector<std::string> ArchiveSession::CopyRoots() const { return RootsOf(root_, settings_); }

Result<std::optional<AuditAnchor>> ArchiveSession::AnchorAuditHead(const AuditEvent* head) {
  std::lock_guard<std::mutex> lock(anchor_mu_);
  std::optional<AuditEvent> current;
  if (head) {
    current = *head;
  } else {
    auto last = catalogue_->LastEvent();
    if (!last.ok()) return last.status();
    current = std::move(*last);
  }
  if (!current) return std::optional<AuditAnchor>();
  return AnchorLocked(*current);
}

Result<std::optional<AuditAnchor>> ArchiveSession::AnchorAuditHeadIfMoved() {
  std::lock_guard<std::mutex> lock(anchor_mu_);
  auto last = catalogue_->LastEvent();
  if (!last.ok()) return last.status();
  if (!*last || (*last)->seq == head_seen_) return std::optional<AuditAnchor>();
  return AnchorLocked(**last);
}

Result<AuditAnchor> ArchiveSession::ReanchorAuditHead(const AuditEvent& head) {
  std::lock_guard<std::mutex> lock(anchor_mu_);
  auto anchored = AnchorLocked(head, AnchorMismatch::kReplace);
  if (!anchored.ok()) return anchored.status();
  return **anchored;
}

Result<std::optional<AuditAnchor>> ArchiveSession::AnchorLocked(const AuditEvent& head,
                                                                AnchorMismatch mismatch) {
  auto secret = LoadOrCreateSecret(root_);
  if (!secret.ok()) return secret.status();
  auto anchored =
      AnchorChainHead(*catalogue_, env_, CopyRoots(), *secret, head, NowIso8601(), mismatch);
  if (!anchored.ok()) return anchored.status();
  head_seen_ = head.seq;
  return std::optional<AuditAnchor>(std::move(*anchored));
}

Result<std::vector<AnchorFile>> ArchiveSession::ReadAuditAnchors() {
  return ReadAnchors(root_, settings_, kAuditAnchorFile);
}

Result<std::optional<AuditAnchor>> AnchorSharedChainHead(RecordCatalogue& catalogue,
                                                         const std::string& root,
                                                         const ArchiveSettings& settings,
                                                         int64_t* seen) {
  auto last = catalogue.LastEvent();
  if (!last.ok()) return last.status();
  if (!*last || (*last)->seq == *seen) return std::optional<AuditAnchor>();
  auto secret = LoadOrCreateSecret(root);
  if (!secret.ok()) return secret.status();
  auto anchored =
      AnchorChainHead(catalogue, Env::Default(), RootsOf(root, settings), *secret, **last,
                      NowIso8601(), AnchorMismatch::kRefuse, kSharedAuditAnchorFile);
  if (!anchored.ok()) return anchored.status();
  *seen = (*last)->seq;
  return std::optional<AuditAnchor>(std::move(*anchored));
}

namespace {
// Whether `path` (a file, or a directory with everything in it) was written within `age`. An
// entry that cannot be read counts as recent: when in doubt, keep it.
bool TouchedWithin(const fs::path& path, std::chrono::seconds age) {
  const auto cutoff = fs::file_time_type::clock::now() - age;
  std::error_code ec;
  auto newest = fs::last_write_time(path, ec);
  if (ec) return true;
  if (fs::is_directory(path, ec))
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != decltype(it)();
         it.increment(ec)) {
      auto t = fs::last_write_time(it->path(), ec);
      if (ec) return true;
      newest = std::max(newest, t);
    }
  return ec || newest >= cutoff;
}
}  // namespace

Result<int> SweepSharedRoot(PackageStore& packages, RecordCatalogue& catalogue,
                            const std::string& root, std::chrono::seconds age) {
  auto removed = packages.Recover(
      [&catalogue](const std::string& rel) {
        auto has = catalogue.HasPackage(rel);
        return !has.ok() || *has;  // when in doubt keep the package
      },
      [age](const std::string& path) { return TouchedWithin(path, age); });
  if (!removed.ok()) return removed.status().WithContext("sweeping " + root);
  std::error_code ec;
  for (auto it = fs::directory_iterator(fs::path(root) / "intake", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (TouchedWithin(it->path(), age)) continue;
    std::error_code gone;
    fs::remove_all(it->path(), gone);
    if (gone)
      return Status::IOError("cannot remove " + it->path().string() + ": " + gone.message());
  }
  return *removed;
}

Status CatchUpSharedReplicas(RecordCatalogue& catalogue, PackageStore& packages,
                             const std::string& actor) {
  if (packages.copy_roots().size() < 2) return Status::Ok();  // no replica to lag
  auto done =
      CatchUpLaggingCopies(catalogue, packages, actor, NowIso8601, 1000, UnknownRoots::kLeave);
  if (!done.ok()) return done.status();
  if (done->caught_up > 0)
    std::cerr << "dangan: " << done->caught_up << " replica cop"
              << (done->caught_up == 1 ? "y" : "ies") << " caught up\n";
  if (!done->failed.empty()) return Status::IOError(done->failed.front());
  return Status::Ok();
}

Status CheckSharedActor(SqlTables& catalogue, const std::string& root, const std::string& actor,
                        const std::string& permission) {
  if (permission.empty()) return Status::Ok();
  auto registered = UserRegistry(catalogue).List();
  if (!registered.ok()) return registered.status();
  if (registered->empty()) return Status::Ok();  // nobody registered there yet
  for (const auto& u : *registered) {
    if (u.name != actor) continue;
    auto policy = LoadAccessPolicy(root);
    if (!policy.ok()) return policy.status();
    return policy->Check(u.role, permission);
  }
  return Status(ErrorCode::kForbidden,
                actor +
                    " is not a user of this PostgreSQL catalogue (--actor NAME; `dangan user "
                    "list --catalogue URL`)");
}

Status SweepSharedRootNow(PackageStore& packages, RecordCatalogue& catalogue,
                          const std::string& root) {
  auto swept = SweepSharedRoot(packages, catalogue, root, kSharedDebrisAge);
  if (swept.ok() && *swept > 0)
    std::cerr << "dangan: removed " << *swept << " package(s) a killed process left pending\n";
  return swept.status();
}

Result<std::vector<AnchorFile>> ReadSharedChainAnchors(const std::string& root,
                                                       const ArchiveSettings& settings) {
  return ReadAnchors(root, settings, kSharedAuditAnchorFile);
}

Status ArchiveSession::WriteSetting(const std::string& key, const std::string& value) {
  const std::string settings_path = (fs::path(root_) / kSettingsFile).string();
  const std::string tmp = settings_path + ".tmp";
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
        new Poco::Util::PropertyFileConfiguration(settings_path));
    cfg->setString(key, value);
    cfg->save(tmp);
  } catch (const Poco::Exception& e) {
    return Status::IOError("writing settings: " + e.displayText());
  }
  // Durable before it replaces the old file: a crash must leave the old settings or the new.
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("opening " + tmp, errno);
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced) return PosixError("fsync " + tmp, sync_errno);
  std::error_code ec;
  fs::rename(tmp, settings_path, ec);
  if (ec) return PosixError("replacing " + settings_path, ec.value());
  return env_->SyncDir(root_);
}

Status ArchiveSession::SetReplicaQuorum(int copies) {
  const int all = static_cast<int>(settings_.replicas.size()) + 1;
  if (copies < 0 || copies > all)
    return Status::InvalidArgument("the quorum must be between 1 and " + std::to_string(all) +
                                   " copies (0: all), got " + std::to_string(copies));
  DANGAN_RETURN_IF_ERROR(WriteSetting("archive.replica_quorum", std::to_string(copies)));
  settings_.replica_quorum = copies;
  packages_->SetQuorum(static_cast<size_t>(copies));
  return Log("dangan", "replica-quorum", "",
             "{\"quorum\":" + std::to_string(copies) + ",\"copies\":" + std::to_string(all) + "}");
}

Result<int64_t> ArchiveSession::AddReplica(const std::string& dir_in) {
  if (!opened_alone_)
    return Status::Conflict(
        "another process (a running server?) has the archive open; stop it first, so that no "
        "filing misses the new replica");
  std::error_code ec;
  std::string dir = fs::absolute(dir_in, ec).lexically_normal().string();
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (ec || !fs::is_directory(dir, ec))
    return Status::InvalidArgument(dir_in + " is not an existing directory");
  std::string root = fs::absolute(root_, ec).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  auto inside = [](const std::string& a, const std::string& b) {  // a is b or below it
    return a == b || a.rfind(b + "/", 0) == 0;
  };
  if (inside(dir, root) || inside(root, dir))
    return Status::InvalidArgument(dir + " overlaps the archive root " + root);
  for (const auto& r : settings_.replicas)
    if (inside(dir, r) || inside(r, dir))
      return Status::InvalidArgument(dir + " overlaps the replica " + r);

  std::vector<std::string> roots = settings_.replicas;
  roots.push_back(dir);
  PackageStore store(root_, settings_.organization, env_, roots);
  DANGAN_RETURN_IF_ERROR(store.Init());
  const size_t copy = roots.size();  // copy 0 is the primary
  auto refs = catalogue_->References();
  if (!refs.ok()) return refs.status();
  int64_t copied = 0;
  for (const auto& ref : *refs) {
    auto rec = catalogue_->GetRecord(ref);
    if (!rec.ok()) return rec.status();
    if (!*rec) continue;
    const Record& r = **rec;
    PackageCheck check = store.VerifyCopy(0, r.package_path, r.package_sha256, r.files);
    if (!check.ok)
      return Status::Corruption("the primary copy of " + ref +
                                " does not match the catalogue; repair it first (`dangan audit "
                                "run`)");
    DANGAN_RETURN_IF_ERROR(store.RepairCopy(copy, 0, r.package_path));
    ++copied;
  }

  // The settings change last, and atomically: until then the archive is as it was.
  std::string joined;
  for (const auto& r : roots) joined += (joined.empty() ? "" : ",") + r;
  DANGAN_RETURN_IF_ERROR(WriteSetting("archive.replicas", joined));
  settings_.replicas = roots;
  DANGAN_RETURN_IF_ERROR(Log("dangan", "replica-add", "",
                             "{\"copies\":" + std::to_string(roots.size() + 1) +
                                 ",\"packages\":" + std::to_string(copied) + "}"));
  return copied;
}

Status ArchiveSession::Log(const std::string& actor, const std::string& action,
                           const std::string& reference, const std::string& detail_json) {
  AuditEvent e;
  e.at = NowIso8601();
  e.actor = actor;
  e.action = action;
  e.reference = reference;
  e.detail = detail_json;
  auto r = catalogue_->AppendEvent(e);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace dangan::cli
