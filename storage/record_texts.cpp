#include "storage/record_texts.h"

namespace dangan {
namespace {

// Reads "<digits>:" and then that many bytes from `in` into `out`.
bool TakeField(std::string_view* in, std::string* out) {
  size_t colon = in->find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 10) return false;
  size_t n = 0;
  for (size_t i = 0; i < colon; ++i) {
    char c = (*in)[i];
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  in->remove_prefix(colon + 1);
  if (n > in->size()) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string PackRecordTexts(const RecordTexts& t) {
  std::string out = std::to_string(t.title.size()) + ":";
  out += t.title;
  out += std::to_string(t.details.size()) + ":";
  out += t.details;
  out += t.text;
  return out;
}

Result<RecordTexts> UnpackRecordTexts(std::string_view packed) {
  RecordTexts t;
  if (!TakeField(&packed, &t.title) || !TakeField(&packed, &t.details))
    return Status::Corruption("a record's stored texts are not in their packed form");
  t.text.assign(packed);
  return t;
}

}  // namespace dangan
