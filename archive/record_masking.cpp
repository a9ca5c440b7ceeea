#include "archive/record_masking.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "archive/identifiers.h"

namespace dangan {

namespace {

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

void MaskPersonIn(std::string& text, const Person& person) {
  const std::string& id = person.id_number;
  std::string id_lower = id;
  std::transform(id_lower.begin(), id_lower.end(), id_lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  ReplaceAll(text, id, MaskIdNumber(id));
  if (id_lower != id) ReplaceAll(text, id_lower, MaskIdNumber(id));
  ReplaceAll(text, person.name, MaskName(person.name));
}

// The ASCII letter or digit at `i`, fullwidth forms (U+FF10–FF19, FF21–FF3A, FF41–FF5A) folded
// as search folds them; 0 if there is none. `*width` is its length in bytes.
char AlnumAt(const std::string& s, size_t i, size_t* width) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *width = 1;
    return std::isalnum(c) ? static_cast<char>(c) : '\0';
  }
  if (c == 0xEF && i + 2 < s.size()) {
    const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
    const unsigned cp = 0xF000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
    const unsigned ascii = cp - 0xFEE0u;
    if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80 && cp >= 0xFF01 && cp <= 0xFF5E &&
        std::isalnum(static_cast<int>(ascii))) {
      *width = 3;
      return static_cast<char>(ascii);
    }
  }
  *width = 1;
  return '\0';
}

std::string MaskIdentifiers(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t width;
    char c = AlnumAt(text, i, &width);
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      out.append(text, i, width);
      i += width;
      continue;
    }
    // A run of letters and digits, typed in ASCII or fullwidth: a number if it is one.
    std::string folded;
    size_t j = i;
    while (j < text.size() && (c = AlnumAt(text, j, &width)) != '\0') {
      folded += c;
      j += width;
    }
    if (folded.size() == 18 && IsValidIdNumber(folded))
      out += MaskIdNumber(ParseIdNumber(folded).value().normalized);
    else
      out.append(text, i, j - i);
    i = j;
  }
  return out;
}

void MaskPersonalText(std::string& text, const std::optional<Person>& holder) {
  if (holder) MaskPersonIn(text, *holder);
  text = MaskIdentifiers(text);
}

void MaskPersonalData(Record& r) {
  const std::optional<Person> person = r.person;
  auto hide = [&person](std::string& text) { MaskPersonalText(text, person); };
  hide(r.title);
  hide(r.doc_number);
  hide(r.responsible);
  hide(r.text);
  for (auto& f : r.files) hide(f.name);
  for (auto& s : r.steps) {
    hide(s.description);
    hide(s.basis);
  }
  if (person) {
    r.person->name = MaskName(person->name);
    r.person->id_number = MaskIdNumber(person->id_number);
  }
}

}  // namespace dangan
