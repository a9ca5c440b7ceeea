// libFuzzer target: PackageStore reading an arbitrary tar as if it were a package
// (packages/x.tar under a scratch root): Verify against a digest that does not match (so the bag
// is opened and its manifests parsed), MemberSize and ReadMember of data/metadata.xml, and Extract
// into a fresh directory. Invariants: Extract writes only regular files and directories, and only
// inside its destination.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/package_store.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::ScratchRoot();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string root = fuzz::FreshDir("root");
  fuzz::WriteBytes(root + "/packages/x.tar", fuzz::AsString(data, size));
  PackageStore store(root, "测试市社会保险事业管理中心");
  const std::string rel = "packages/x.tar";

  std::vector<RecordFile> expected(1);
  expected[0].name = "申请表.txt";
  expected[0].sha256 = std::string(64, '0');
  PackageCheck check = store.Verify(rel, std::string(64, 'f'), expected);
  if (check.ok || check.problems.empty()) fuzz::Fail("a package with the wrong digest passed");

  fuzz::Note(check.problems.size() > 1 ? "verify: " + check.problems[1].path + " " +
                                             check.problems[1].what + " " + check.problems[1].detail
                                       : "verify: only the package digest differs");
  auto member_size = store.MemberSize(rel, "data/metadata.xml");
  auto member = store.ReadMember(rel, "data/metadata.xml", 1 << 20);
  if (member.ok() && member_size.ok() && member->size() != *member_size)
    fuzz::Fail("ReadMember gave " + std::to_string(member->size()) + " bytes, MemberSize " +
               std::to_string(*member_size));

  const std::string out = root + "/out";
  Status st = store.Extract(rel, out);
  fuzz::Note(
      "metadata.xml: " +
      (member.ok() ? std::to_string(member->size()) + " bytes" : member.status().ToString()) +
      "; extract: " + st.ToString());
  // Only `packages` and `out` may exist under the root; inside `out`, only files and folders.
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (name != "packages" && name != "out") fuzz::Fail("Extract wrote " + e.path().string());
  }
  for (const auto& e : fs::directory_iterator(root + "/packages"))
    if (e.path().filename() != "x.tar") fuzz::Fail("Extract wrote " + e.path().string());
  std::error_code ec;
  if (fs::exists(out, ec)) {
    for (auto it = fs::recursive_directory_iterator(out, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      auto s = it->symlink_status();
      if (!fs::is_regular_file(s) && !fs::is_directory(s))
        fuzz::Fail("Extract made a non-regular entry " + it->path().string());
    }
  }
  return 0;
}
