// SearchSnippet: the few words of a record's indexed text shown under a search hit, with each
// match of the query marked [like this]. It reads the text the full-text index holds (title,
// newline, body) with the index's own tokenizer, so what is marked is what matched: a phrase where
// its tokens stand at consecutive positions, a single Han character wherever it occurs. Built
// here rather than by FTS5's snippet(), which would run the query's MATCH again for every hit
// shown and derive the record's text a second time. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dangan {

struct SnippetQuery {
  std::vector<std::string> phrases;     // terms as typed (Han runs, words, 档号 parts)
  std::vector<std::string> characters;  // single Han characters, marked wherever they occur
};

// About `positions` token positions of `text` around the most matches (every term matched at
// least once if the window allows), with "…" where text was left out at either end. Text
// without any match gives its beginning.
std::string SearchSnippet(std::string_view text, const SnippetQuery& query, int positions = 16);

}  // namespace dangan
