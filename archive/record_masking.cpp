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

std::string MaskIdentifiers(const std::string& text) {
  std::string out = text;
  size_t i = 0;
  while (i < out.size()) {
    if (!std::isdigit(static_cast<unsigned char>(out[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < out.size() && std::isalnum(static_cast<unsigned char>(out[j]))) ++j;
    if (j - i == 18 && IsValidIdNumber(out.substr(i, 18)))
      out.replace(i, 18, MaskIdNumber(out.substr(i, 18)));
    i = j;
  }
  return out;
}

void MaskPersonalData(Record& r) {
  const std::optional<Person> person = r.person;
  auto hide = [&person](std::string& text) {
    if (person) MaskPersonIn(text, *person);
    text = MaskIdentifiers(text);
  };
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
