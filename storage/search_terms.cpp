#include "storage/search_terms.h"

#include "archive/identifiers.h"
#include "storage/cjk_tokenizer.h"

namespace dangan {

Result<SearchTerms> ReadSearchTerms(SearchSpec* spec, const ReferenceTemplate* shape) {
  if (auto id = ParseIdNumber(spec->person_id); !spec->person_id.empty() && id.ok())
    spec->person_id = id->normalized;
  if (auto code = ParseCreditCode(spec->unit_code); !spec->unit_code.empty() && code.ok())
    spec->unit_code = *code;
  // Control characters (FTS5 stops at a NUL) separate words like spaces do.
  for (auto& ch : spec->text)
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  if (spec->limit <= 0 || spec->limit > 1000) spec->limit = 20;
  if (spec->offset < 0) spec->offset = 0;

  SearchTerms terms;
  const std::string& t = spec->text;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && t[i] == ' ') ++i;
    size_t j = i;
    while (j < t.size() && t[j] != ' ') ++j;
    if (j > i) {
      std::string term = t.substr(i, j - i);
      const auto tokens = CjkTokenize(term, CjkTokenizeMode::kQuery);
      // A number is looked for as the index holds it: fullwidth folded, punctuation dropped.
      // "（１１０１０５…Ｘ）" or "110105…X。" finds the person's records as surely as the bare
      // number, so it is the same search, and the same permission decides it.
      const std::string* id_number = nullptr;
      for (const auto& token : tokens)
        if (token.text.size() == 18 && IsValidIdNumber(token.text)) {
          id_number = &token.text;
          break;
        }
      if (id_number && spec->mask_personal)
        return Status(ErrorCode::kForbidden,
                      "searching by 公民身份号码 needs the personal.read permission");
      if (id_number && tokens.size() == 1 && spec->person_id.empty()) {
        spec->person_id = ParseIdNumber(*id_number).value().normalized;
        terms.identifier = true;
      } else if (term.size() == 18 && IsValidCreditCode(term) && spec->unit_code.empty()) {
        spec->unit_code = ParseCreditCode(term).value();
        terms.identifier = true;
      } else if (shape && terms.reference.empty() && shape->Matches(term)) {
        terms.reference = term;
      } else if (!tokens.empty()) {
        // One Han character (words are ASCII once tokenized, runs of two or more are bigrams)
        if (tokens.size() == 1 && static_cast<unsigned char>(tokens[0].text[0]) >= 0x80 &&
            CjkTokenize(tokens[0].text, CjkTokenizeMode::kCharacters).size() == 1) {
          terms.characters.push_back(tokens[0].text);
        } else {
          terms.phrases.push_back(term);
        }
      }
    }
    i = j;
  }
  terms.nothing_searchable = !terms.has_text() && terms.reference.empty() && !terms.identifier &&
                             t.find_first_not_of(' ') != std::string::npos;
  return terms;
}

std::string RecordBodyText(const Record& r) {
  std::string body;
  auto add = [&body](const std::string& s) {
    if (s.empty()) return;
    if (!body.empty()) body += '\n';
    body += s;
  };
  if (r.person) {
    add(r.person->name);
    add(r.person->id_number);
  }
  if (r.unit) {
    add(r.unit->name);
    add(r.unit->credit_code);
  }
  add(r.reference);
  add(r.doc_number);
  add(r.responsible);
  add(r.agency);
  add(r.handler);
  add(r.serial);
  add(r.case_id);
  for (const auto& s : r.steps) {
    add(s.action + " " + s.by);
    add(s.description);
  }
  for (const auto& f : r.files) add(f.name);
  add(r.text);
  return body;
}

}  // namespace dangan
