// SearchTerms: what a search's free text asks for, read the same way by every catalogue backend:
// identifiers and a 档号 become exact filters (answered from B-tree indexes), the rest phrases
// and single Han characters for the full-text index. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "archive/reference_number.h"
#include "archive/status.h"
#include "storage/record_catalogue.h"
#include "storage/search_snippet.h"

namespace dangan {

struct SearchTerms {
  std::string reference;                // a 档号 typed in the text (exact match)
  std::vector<std::string> phrases;     // terms of two or more tokens, as typed
  std::vector<std::string> characters;  // terms that are one Han character (the character)
  bool identifier = false;  // a 公民身份号码 or 统一社会信用代码 was typed
  // Text was given but nothing in it is searchable (only punctuation): it matches nothing.
  bool nothing_searchable = false;
  bool has_text() const { return !phrases.empty() || !characters.empty(); }
  SnippetQuery snippet() const { return SnippetQuery{phrases, characters}; }
};

// Normalises `spec` (filters to the canonical forms filing stores, limit and offset into range,
// control characters to spaces; a typed identifier moves into its filter) and reads its text.
// kForbidden when a whole 公民身份号码 is typed by someone who may not search by it
// (spec->mask_personal): whether a number has records is itself personal data.
Result<SearchTerms> ReadSearchTerms(SearchSpec* spec, const ReferenceTemplate* reference_shape);

// The text a record is found by besides its title (names, identifiers, 档号, 文号, 责任者, 经办,
// steps, file names, full text), one field per line. Indexes hold its title, a newline and this;
// it must stay a pure function of the record, as SQLite's index re-derives it from the row.
std::string RecordBodyText(const Record& r);

}  // namespace dangan
