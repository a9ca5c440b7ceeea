// FileSample: the first and last few KiB of a file, which the four-property checks read to tell a
// file's real format, encryption and executable content. Stateless; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "archive/status.h"

namespace dangan {

constexpr size_t kFileSampleBytes = 4096;

// (head, tail) of the file at `path`; for a file shorter than two samples they overlap.
Result<std::pair<std::string, std::string>> SampleFile(const std::string& path,
                                                       size_t bytes = kFileSampleBytes);

}  // namespace dangan
