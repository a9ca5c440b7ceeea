// TempDir: a fresh directory under $TMPDIR for one test, removed with everything in it when the
// object goes out of scope. Not thread-safe; one per test.
#pragma once

#include <string>

namespace dangan::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

}  // namespace dangan::testing
