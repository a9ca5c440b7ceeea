#include "tests/support/case_factory.h"

#include <filesystem>
#include <stdexcept>

#include "archive/identifiers.h"

namespace dangan::testing {

std::string ValidIdNumber(const std::string& first17) {
  return first17 + IdNumberCheckChar(first17);
}

std::string ValidCreditCode() { return "91350100M000100Y43"; }

TestArchive::TestArchive(Env* env, const std::string& fonds) {
  cli::ArchiveSettings s;
  s.fonds = fonds;
  s.organization = "测试市社会保险事业管理中心";
  Status st = cli::ArchiveSession::Create(dir_.path(), s);
  if (!st.ok()) throw std::runtime_error(st.ToString());
  Reopen(env);
}

void TestArchive::Reopen(Env* env) {
  session_.reset();
  auto s = cli::ArchiveSession::Open(dir_.path(), env);
  if (!s.ok()) throw std::runtime_error(s.status().ToString());
  session_ = std::move(*s);
}

CaseSubmission TestArchive::MakeCase(
    const std::string& case_id, const std::string& item, const std::string& title,
    const std::vector<std::pair<std::string, std::string>>& files) {
  CaseSubmission c;
  c.source = "sbxt";
  c.case_id = case_id;
  c.item = item;
  c.title = title;
  c.formed_on = "2025-06-30";
  c.closed_at = "2025-06-30T16:00:00+08:00";
  c.agency = "测试市社会保险事业管理中心";
  c.handler = "李经办";
  c.person = Person{ValidIdNumber(), "张三"};
  c.unit = Unit{ValidCreditCode(), "测试科技有限公司"};
  c.steps = {{"受理", "2025-06-30T09:00:00+08:00", "窗口", "", ""},
             {"办结", "2025-06-30T16:00:00+08:00", "经办岗", "", ""}};
  std::string dir = dir_ / ("scratch/" + std::to_string(++scratch_));
  for (const auto& [name, content] : files) {
    WriteFile(dir + "/" + name, content);
    c.files.push_back({name, dir + "/" + name, "", "", "", {}});
  }
  return c;
}

std::vector<std::string> TestArchive::PackageFiles() const {
  std::vector<std::string> out;
  namespace fs = std::filesystem;
  for (auto& e : fs::recursive_directory_iterator(dir_ / "packages")) {
    if (e.is_regular_file() && e.path().extension() == ".tar")
      out.push_back(fs::relative(e.path(), dir_.path()).string());
  }
  return out;
}

}  // namespace dangan::testing
