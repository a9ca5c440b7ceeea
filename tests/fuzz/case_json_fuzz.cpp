// libFuzzer target: the case JSON of `dangan ingest` and POST /api/v1/cases (DecodeCaseJson with
// the builtin scheme, then ValidateCase). Invariants: a decoded case passes ValidateCase, and
// every file path it resolves stays inside the case's directory.
#include <cstdint>
#include <string>

#include "archive/case_submission.h"
#include "archive/scheme.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;

namespace {

constexpr const char* kBaseDir = "/nonexistent/dangan-fuzz/case";
constexpr const char* kToday = "20261123";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::BuiltinScheme();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json = fuzz::AsString(data, size);
  CaseDecodeOptions options;
  options.base_dir = kBaseDir;
  options.today = kToday;
  auto c = DecodeCaseJson(json, fuzz::BuiltinScheme(), options);
  if (!c.ok()) {
    fuzz::Note("refused: " + c.status().ToString());
    if (c.status().code() != ErrorCode::kInvalidArgument)
      fuzz::Fail("a bad case gave " + c.status().ToString() + ", not InvalidArgument");
    if (c.status().message().empty()) fuzz::Fail("a refusal without a message");
    return 0;
  }
  fuzz::Note("accepted " + c->source + "/" + c->case_id + " with " +
             std::to_string(c->files.size()) + " file(s)");
  auto errors = ValidateCase(*c, fuzz::BuiltinScheme(), kToday);
  if (!errors.empty())
    fuzz::Fail("a decoded case fails ValidateCase: " + errors[0].field + " " + errors[0].message);
  const std::string base = std::string(kBaseDir) + "/";
  for (const auto& f : c->files) {
    if (f.path.compare(0, base.size(), base) != 0 || f.path.find("/../") != std::string::npos)
      fuzz::Fail("file path '" + f.path + "' leaves the case's directory");
  }
  return 0;
}
