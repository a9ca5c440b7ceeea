#include "archive/cli/archive_session.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/archive_lock.h"
#include "storage/digest.h"

namespace dangan::cli {

namespace fs = std::filesystem;

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

Result<std::unique_ptr<ArchiveSession>> ArchiveSession::Open(const std::string& root, Env* env) {
  std::unique_ptr<ArchiveSession> s(new ArchiveSession);
  s->root_ = root;
  const std::string settings_path = (fs::path(root) / kSettingsFile).string();
  std::error_code ec;
  if (!fs::exists(settings_path, ec))
    return Status::NotFound("no archive at " + root + " (run `dangan init` first)");
  try {
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
        new Poco::Util::PropertyFileConfiguration(settings_path));
    s->settings_.fonds = cfg->getString("archive.fonds", s->settings_.fonds);
    s->settings_.category = cfg->getString("archive.category", s->settings_.category);
    s->settings_.organization = cfg->getString("archive.organization", s->settings_.organization);
    s->settings_.reference_template =
        cfg->getString("archive.reference_template", s->settings_.reference_template);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(settings_path + ": " + e.displayText());
  }
  DANGAN_RETURN_IF_ERROR(ValidateFonds(s->settings_.fonds).WithContext(settings_path));

  std::string overlay;
  const std::string override_path = (fs::path(root) / kSchemeOverride).string();
  if (fs::exists(override_path, ec)) {
    std::ifstream in(override_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    overlay = ss.str();
  }
  auto scheme = ClassificationScheme::LoadBuiltin(overlay, override_path);
  if (!scheme.ok()) return scheme.status();
  s->scheme_ = std::make_unique<ClassificationScheme>(std::move(*scheme));
  auto tmpl = ReferenceTemplate::Parse(s->settings_.reference_template);
  if (!tmpl.ok()) return tmpl.status().WithContext(settings_path);
  s->template_ = std::make_unique<ReferenceTemplate>(std::move(*tmpl));

  auto lock = ArchiveLock::Acquire(root);
  if (!lock.ok()) return lock.status();
  s->lock_ = std::move(*lock);
  auto cat = Catalogue::Open((fs::path(root) / kCatalogueFile).string(), false, s->template_.get());
  if (!cat.ok()) return cat.status();
  s->catalogue_ = std::move(*cat);
  s->packages_ = std::make_unique<PackageStore>(root, s->settings_.organization, env);
  if (s->lock_->exclusive()) {
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
    DANGAN_RETURN_IF_ERROR(s->lock_->Share());
  }

  FilingSettings fset{s->settings_.fonds, s->settings_.category, s->settings_.organization};
  s->filing_ = std::make_unique<Filing>(
      *s->scheme_, *s->template_, fset, *s->catalogue_, *s->packages_,
      [](const std::string& path) -> Result<std::pair<std::string, uint64_t>> {
        uint64_t bytes = 0;
        auto d = Digest::OfFile(path, "sha256", &bytes);
        if (!d.ok()) return d.status();
        return std::make_pair(*d, bytes);
      },
      NowIso8601);
  return s;
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
