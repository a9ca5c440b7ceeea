// libFuzzer target: BagValidator on a bag written from the input, so tag-file and manifest
// parsing is fuzzed. The input is split at NUL bytes into, in order: bagit.txt, bag-info.txt,
// manifest-sha256.txt, tagmanifest-sha256.txt, data/a.txt, fetch.txt and
// "data/目录/b c%.txt"; parts the input does not reach are absent.
// Invariants: the report is consistent (valid exactly when no error is listed) and a bag whose
// files the input leaves out is never valid.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/bag_validator.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;

namespace {

const char* const kParts[] = {
    "bagit.txt",  "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
    "data/a.txt", "fetch.txt",    "data/目录/b c%.txt",
};
constexpr size_t kPartCount = sizeof kParts / sizeof kParts[0];

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::ScratchRoot();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::AsString(data, size);
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < kPartCount) {
    size_t nul = input.find('\0', start);
    if (nul == std::string::npos) {
      parts.push_back(input.substr(start));
      break;
    }
    parts.push_back(input.substr(start, nul - start));
    start = nul + 1;
  }
  const std::string bag = fuzz::FreshDir("bag");
  for (size_t i = 0; i < parts.size(); ++i) fuzz::WriteBytes(bag + "/" + kParts[i], parts[i]);
  for (bool digests : {true, false}) {
    BagReport report = BagValidator::Validate(bag, digests);
    fuzz::Note(std::string(digests ? "with" : "without") +
               " digests: " + (report.valid ? "valid" : "invalid: " + report.errors[0]));
    if (report.valid != report.errors.empty())
      fuzz::Fail("valid=" + std::to_string(report.valid) + " with " +
                 std::to_string(report.errors.size()) + " errors");
    if (report.valid && parts.size() < 3) fuzz::Fail("a bag without a manifest is valid");
    for (const auto& e : report.errors)
      if (e.empty()) fuzz::Fail("an empty error message");
  }
  return 0;
}
