// Both catalogue backends for tests that run each case on each: an archive (scheme, 档号
// template, checks, package store) filing through the real Filing use case into the embedded
// SQLite catalogue or into a PostgreSQL one in a schema of its own (CTest's `postgresql`
// fixture). Not thread-safe to set up; filing through it is.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "archive/cli/archive_session.h"
#include "storage/digest.h"
#include "storage/file_sample.h"
#include "storage/pg_catalogue.h"
#include "tests/support/case_factory.h"
#include "tests/support/pg_server.h"

namespace dangan::testing {

// The names BOOST_DATA_TEST_CASE runs over: bdata::make(kCatalogueBackends).
inline const char* const kCatalogueBackends[] = {"sqlite", "postgresql"};
// For search: PostgreSQL once more with every text query answered by walking the records newest
// first, the plan its search picks for common words (small test archives never pick it).
inline const char* const kSearchBackends[] = {"sqlite", "postgresql", "postgresql-walk"};

// An archive (scheme, 档号 template, checks, package store) filing into the chosen catalogue.
class CatalogueBackend {
 public:
  explicit CatalogueBackend(const std::string& kind) {
    if (kind == "sqlite") {
      catalogue_ = &archive_.session().catalogue();
    } else {
      schema_ = std::make_unique<PgTestSchema>();
      auto pg = PgCatalogue::Open(schema_->url(), &archive_.session().reference_template());
      if (!pg.ok()) throw std::runtime_error(pg.status().ToString());
      if (kind == "postgresql-walk") (*pg)->set_search_plan(PgCatalogue::SearchPlan::kWalk);
      owned_ = std::move(*pg);
      catalogue_ = owned_.get();
    }
    filing_ = MakeFiling(*catalogue_);
  }

  // Another filer on the same catalogue data: for PostgreSQL a second catalogue object with its
  // own connections, as a second server would have.
  std::unique_ptr<RecordCatalogue> SecondServer() {
    if (!schema_) return nullptr;
    auto pg = PgCatalogue::Open(schema_->url(), &archive_.session().reference_template());
    if (!pg.ok()) throw std::runtime_error(pg.status().ToString());
    return std::move(*pg);
  }

  std::unique_ptr<Filing> MakeFiling(CataloguePort& port) {
    auto& s = archive_.session();
    auto filing = cli::MakeFiling(s.settings(), s.scheme(), s.reference_template(), s.checks(),
                                  port, s.packages());
    if (!filing.ok()) throw std::runtime_error(filing.status().ToString());
    return std::move(*filing);
  }

  RecordCatalogue& catalogue() { return *catalogue_; }
  // The PostgreSQL schema's URL, for looking at its tables; "" on SQLite.
  std::string pg_url() const { return schema_ ? schema_->url() : std::string(); }
  Filing& filing() { return *filing_; }
  TestArchive& archive() { return archive_; }

  std::string File(const CaseSubmission& c) {
    auto receipt = filing_->File(c, "business", "test");
    if (!receipt.ok()) throw std::runtime_error(receipt.status().ToString());
    return receipt->reference;
  }

 private:
  TestArchive archive_;
  std::unique_ptr<PgTestSchema> schema_;
  std::unique_ptr<RecordCatalogue> owned_;
  RecordCatalogue* catalogue_ = nullptr;
  std::unique_ptr<Filing> filing_;
};

// How many events of `action` the catalogue's chain holds.
inline int CountEvents(RecordCatalogue& c, const std::string& action) {
  int n = 0;
  for (const auto& e : c.Events("", 0, RecordCatalogue::EventKinds::kAll).value())
    n += e.action == action;
  return n;
}

}  // namespace dangan::testing
