#include "archive/record_masking.h"

#include <algorithm>
#include <cctype>

#include "archive/identifiers.h"

namespace dangan {

namespace {

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

void MaskPersonalData(Record& r) {
  if (!r.person) return;
  const std::string name = r.person->name, id = r.person->id_number;
  std::string id_lower = id;
  std::transform(id_lower.begin(), id_lower.end(), id_lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string masked_name = MaskName(name), masked_id = MaskIdNumber(id);
  auto hide = [&](std::string& text) {
    ReplaceAll(text, id, masked_id);
    if (id_lower != id) ReplaceAll(text, id_lower, masked_id);
    ReplaceAll(text, name, masked_name);
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
  r.person->name = masked_name;
  r.person->id_number = masked_id;
}

}  // namespace dangan
