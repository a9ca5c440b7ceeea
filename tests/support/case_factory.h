// Builders of valid cases and archives for tests: a fresh archive in a TempDir and closed cases
// with real files, valid identifiers and controllable titles. Not thread-safe (one per test).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/case_submission.h"
#include "archive/cli/archive_session.h"
#include "tests/support/temp_dir.h"

namespace dangan::testing {

// A 公民身份号码 with a correct check digit for the given 17-digit body.
std::string ValidIdNumber(const std::string& first17 = "11010519491231002");
std::string ValidCreditCode();

class TestArchive {
 public:
  explicit TestArchive(Env* env = Env::Default(), const std::string& fonds = "J012");
  cli::ArchiveSession& session() { return *session_; }
  // Closes and reopens the archive (runs crash recovery again).
  void Reopen(Env* env = Env::Default());
  void Close() { session_.reset(); }
  const std::string& root() const { return dir_.path(); }
  std::string Path(const std::string& rel) const { return dir_ / rel; }

  // A valid case whose files are written under the archive's scratch area.
  CaseSubmission MakeCase(const std::string& case_id, const std::string& item = "0102",
                          const std::string& title = "参保人员增员申报表",
                          const std::vector<std::pair<std::string, std::string>>& files = {
                              {"申请表.txt", "申请内容"}});
  // Every *.tar under packages/ (any depth), as paths relative to the root.
  std::vector<std::string> PackageFiles() const;

 private:
  TempDir dir_;
  std::unique_ptr<cli::ArchiveSession> session_;
  int scratch_ = 0;
};

}  // namespace dangan::testing
