// LifecycleArchive: what the lifecycle commands (appraise, hold, destroy, transfer) act on: the
// root's embedded archive, or the PostgreSQL catalogue the root shares with running `dangan serve
// --catalogue` servers and workers, whose storage roots it joins as they do (never recovering
// them as an embedded archive would). Owns what it opens; one per command, used from its thread.
#pragma once

#include <memory>
#include <string>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "retrieval/reports.h"
#include "storage/archive_lock.h"
#include "storage/pg_catalogue.h"

namespace dangan::cli {

class LifecycleArchive {
 public:
  // `url` empty: the embedded archive at `root`; else a postgresql:// catalogue it shares, where
  // `ctx.actor` must have `ctx.permission` (CheckSharedActor; kForbidden otherwise).
  static Result<std::unique_ptr<LifecycleArchive>> Open(const Context& ctx, const std::string& url);

  const std::string& root() const { return root_; }
  const ArchiveSettings& settings() const;
  const ClassificationScheme& scheme() const;
  const ReferenceTemplate& reference_template() const;
  const PropertyChecks& checks() const;
  RecordCatalogue& catalogue();
  PackageStore& packages();
  Filing& filing();
  // The context its reports (销毁清册, 移交登记表) are made in, with the font at `font`.
  ReportContext Reports(const std::string& font);

 private:
  std::string root_;
  std::unique_ptr<ArchiveSession> session_;  // embedded
  // shared
  ArchiveRules rules_;
  std::unique_ptr<PgCatalogue> shared_;
  std::unique_ptr<ArchiveLock> joined_;
  std::unique_ptr<PackageStore> packages_;
  std::unique_ptr<Filing> filing_;
};

// The --catalogue flag of a lifecycle command: "" when absent (embedded), else a postgresql://
// URI; a usage error otherwise, an empty value included.
Result<std::string> LifecycleCatalogueUrl(const Arguments& args);

// Reports a failed Open: an actor the shared catalogue refuses exits 3, as the command line's own
// check does; anything else 1.
int FailOpening(const Status& st);

}  // namespace dangan::cli
