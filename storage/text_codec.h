// TextCodec: how the catalogue stores its bulky text columns (a record's details JSON and its free
// text): raw DEFLATE primed with a fixed dictionary of social-insurance vocabulary, which shrinks a
// typical record's text to about a third (short Chinese texts barely compress without one).
// A stored value is a BLOB whose first byte names the format; a TEXT value is plain (rows written
// before compression, or too short to gain). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "archive/status.h"

namespace dangan {

// Returns the value to store: {true, blob} when compressing gains, else {false, text} unchanged.
struct StoredText {
  bool compressed = false;
  std::string bytes;
};
StoredText EncodeStoredText(std::string_view text);

// The text back from a stored BLOB; Corruption if it is not one EncodeStoredText wrote.
Result<std::string> DecodeStoredText(std::string_view blob);

}  // namespace dangan
