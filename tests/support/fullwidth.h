// Fullwidth: ASCII text in the fullwidth forms (U+FF01–FF5E) Chinese input methods type, for tests
// of what search folds and masking must still find. Header-only; no state.
#pragma once

#include <string>

namespace dangan::testing {

inline std::string Fullwidth(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    const unsigned cp = 0xFEE0u + static_cast<unsigned char>(c);
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

}  // namespace dangan::testing
