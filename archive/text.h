// Small UTF-8 and date/time shape checks shared by the domain's validators. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace dangan {

bool IsValidUtf8(std::string_view s);
// Number of code points; assumes valid UTF-8.
size_t Utf8Length(std::string_view s);
// True for a real calendar date written YYYY-MM-DD.
bool IsIsoDate(std::string_view s);
// True for an ISO 8601 timestamp with a UTC offset (Z or ±hh:mm), e.g. 2026-03-01T09:30:00+08:00.
bool IsIsoTimestamp(std::string_view s);
// A safe single file name: valid UTF-8, no separators, no control characters, not "." or "..",
// at most 255 bytes. Returns an empty string if fine, else why not.
std::string FileNameProblem(std::string_view name);

}  // namespace dangan
