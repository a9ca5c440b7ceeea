// RecordTexts: a record's three free-text fields (题名, the details JSON, the full text) as the
// catalogue stores them since schema 12: packed into one value and compressed as one, because they
// share names, units and wording that one compressed frame then codes once. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "archive/status.h"

namespace dangan {

struct RecordTexts {
  std::string title;
  std::string details;
  std::string text;
};

// "<bytes>:" title "<bytes>:" details, then text: plain ASCII framing, so an uncompressed value is
// still valid text.
std::string PackRecordTexts(const RecordTexts& t);

// Corruption if `packed` is not what PackRecordTexts makes.
Result<RecordTexts> UnpackRecordTexts(std::string_view packed);

}  // namespace dangan
