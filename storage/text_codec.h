// TextCodec: how the catalogue stores its bulky text columns (a record's details JSON and its free
// text). Format 1: raw DEFLATE primed with a fixed dictionary of social-insurance vocabulary.
// Format 2: zstd with a TextDictionary trained on the archive's own records, which knows its forms'
// recurring wording and shrinks a record's text about three times further than format 1.
// A stored value is a BLOB whose first byte names the format; a TEXT value is plain (rows written
// before compression, or too short to gain). Pure functions and immutable objects; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "archive/status.h"

struct ZSTD_CDict_s;
struct ZSTD_DDict_s;

namespace dangan {

// A compiled zstd dictionary. Immutable once loaded; shared between threads by shared_ptr.
class TextDictionary {
 public:
  // Trains a dictionary of at most `max_bytes` from sample texts (a few thousand records' worth);
  // InvalidArgument when the samples are too few or too alike to learn from.
  static Result<std::string> Train(const std::vector<std::string>& samples, size_t max_bytes);
  // Compiles dictionary bytes Train made; Corruption if they are not a zstd dictionary.
  static Result<std::shared_ptr<const TextDictionary>> Load(std::string bytes);
  ~TextDictionary();
  TextDictionary(const TextDictionary&) = delete;
  TextDictionary& operator=(const TextDictionary&) = delete;

  // The identifier zstd gave the dictionary at training; stored values name it.
  uint32_t id() const { return id_; }
  const std::string& bytes() const { return bytes_; }

 private:
  TextDictionary() = default;
  friend struct TextDictionaryAccess;
  uint32_t id_ = 0;
  std::string bytes_;
  ZSTD_CDict_s* cdict_ = nullptr;
  ZSTD_DDict_s* ddict_ = nullptr;
};

// Returns the value to store: {true, blob} when compressing gains, else {false, text} unchanged.
struct StoredText {
  bool compressed = false;
  std::string bytes;
};
// With `dict`, format 2; without, format 1.
StoredText EncodeStoredText(std::string_view text, const TextDictionary* dict = nullptr);

// The dictionary a stored BLOB needs to be read (0: none, format 1).
uint32_t StoredTextDictionaryId(std::string_view blob);

// The text back from a stored BLOB; Corruption if it is not one EncodeStoredText wrote, or if it
// needs a dictionary other than `dict`.
Result<std::string> DecodeStoredText(std::string_view blob, const TextDictionary* dict = nullptr);

}  // namespace dangan
