#include "archive/cli/lifecycle_archive.h"

#include "archive/cli/report_status.h"

namespace dangan::cli {

Result<std::unique_ptr<LifecycleArchive>> LifecycleArchive::Open(const Context& ctx,
                                                                 const std::string& url) {
  const std::string& root = ctx.root;
  std::unique_ptr<LifecycleArchive> a(new LifecycleArchive);
  a->root_ = root;
  if (url.empty()) {
    auto session = ArchiveSession::Open(root);
    if (!session.ok()) return session.status();
    a->session_ = std::move(*session);
    return a;
  }
  auto rules = LoadArchiveRules(root);
  if (!rules.ok()) return rules.status();
  a->rules_ = std::move(*rules);
  // Reached first: a wrong URL must not mark the root as shared.
  auto catalogue = PgCatalogue::Open(url, a->rules_.reference_template.get());
  if (!catalogue.ok()) return catalogue.status();
  a->shared_ = std::move(*catalogue);
  DANGAN_RETURN_IF_ERROR(CheckSharedActor(*a->shared_, root, ctx.actor, ctx.permission));
  auto joined = JoinSharedCatalogueRoot(root);
  if (!joined.ok()) return joined.status();
  a->joined_ = std::move(*joined);
  a->packages_ = std::make_unique<PackageStore>(root, a->rules_.settings.organization,
                                                Env::Default(), a->rules_.settings.replicas);
  a->packages_->SetQuorum(static_cast<size_t>(a->rules_.settings.replica_quorum));
  auto filing = MakeFiling(a->rules_.settings, *a->rules_.scheme, *a->rules_.reference_template,
                           *a->rules_.checks, *a->shared_, *a->packages_);
  if (!filing.ok()) return filing.status();
  a->filing_ = std::move(*filing);
  return a;
}

const ArchiveSettings& LifecycleArchive::settings() const {
  return session_ ? session_->settings() : rules_.settings;
}
const ClassificationScheme& LifecycleArchive::scheme() const {
  return session_ ? session_->scheme() : *rules_.scheme;
}
const ReferenceTemplate& LifecycleArchive::reference_template() const {
  return session_ ? session_->reference_template() : *rules_.reference_template;
}
const PropertyChecks& LifecycleArchive::checks() const {
  return session_ ? session_->checks() : *rules_.checks;
}
RecordCatalogue& LifecycleArchive::catalogue() {
  return session_ ? static_cast<RecordCatalogue&>(session_->catalogue()) : *shared_;
}
PackageStore& LifecycleArchive::packages() { return session_ ? session_->packages() : *packages_; }
Filing& LifecycleArchive::filing() { return session_ ? session_->filing() : *filing_; }

ReportContext LifecycleArchive::Reports(const std::string& font) {
  ReportContext rc;
  rc.catalogue = &catalogue();
  rc.scheme = &scheme();
  rc.archive_root = root_;
  rc.fonds = settings().fonds;
  rc.organization = settings().organization;
  rc.font_path = font;
  rc.clock = NowIso8601;
  return rc;
}

Result<std::string> LifecycleCatalogueUrl(const Arguments& args) {
  if (!args.options.count("--catalogue")) return std::string();
  auto url = SharedCatalogueUrl(args.Get("--catalogue"), false);
  if (url.ok() && url->empty())
    return Status::InvalidArgument("--catalogue needs a postgresql:// URI");
  return url;
}

int FailOpening(const Status& st) {
  if (st.code() == ErrorCode::kForbidden) return Fail("forbidden: " + st.message(), 3);
  return FailStatus(st);
}

}  // namespace dangan::cli
