// dangan_cjk and dangan_cjk_chars: SQLite FTS5 tokenizers for Chinese catalogue text. dangan_cjk
// gives Han bigrams (with the unigrams at the edges of each run) and lower-cased ASCII words, for
// phrases of two characters or more and words; dangan_cjk_chars gives every Han character alone,
// for one-character queries, in a table without positions (detail=none), where a character's
// postings cost a fraction of what they cost among the bigrams. Stateless: one registration per
// connection registers both; they keep nothing of the caller's and are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archive/status.h"

struct sqlite3;

namespace dangan {

// The name to use in `CREATE VIRTUAL TABLE ... USING fts5(..., tokenize='dangan_cjk')`. The
// tokenizer takes no arguments; any given are refused, so a typo does not silently index
// differently.
inline constexpr char kCjkTokenizerName[] = "dangan_cjk";
inline constexpr char kCjkCharactersTokenizerName[] = "dangan_cjk_chars";

// Registers both tokenizers on `db`. Tokenizers are per connection in SQLite, so this must run on
// every connection before it touches an FTS5 table that uses the tokenizer (even to read it:
// the table fails to open otherwise). Calling it again on the same connection is harmless.
// Fails with kInternal when SQLite lacks FTS5 or refuses the registration.
Status RegisterCjkTokenizer(sqlite3* db);

// How the tokenizer splits text (the same rules FTS5 sees; exposed for tests and for callers that
// want to explain a match). A "Han run" is a maximal run of CJK ideographs (Unified, Ext A–H,
// compatibility, and 〇), kana and Hangul syllables; a "word" is a maximal run of ASCII letters and
// digits after folding fullwidth ASCII (U+FF01–FF5E); everything else, including invalid UTF-8, is
// a separator.
//
// kDocument (also FTS5's AUX mode, used by highlight()/snippet()): a Han run c0..cn-1 gives, at
// position i < n-1, the bigram c_i c_{i+1}; the first character's unigram is colocated with the
// first bigram and the last character's with the last. So a run of n ≥ 2 takes n-1 positions,
// exactly as many as the query side's bigrams: a phrase spanning a Han run and the next word or run
// ("社保卡 ABC", "保险 待遇") then lines up. A run of one character is its unigram alone. Edge
// unigrams are all a phrase can need: a query's run of one character inside a phrase ("2026年",
// "A座") stands next to a word, so in a matching document it is at the edge of its run.
// Words are one token each, lower-cased, whole however long they are up to 128 bytes (longer ones
// continue as further 128-byte tokens), so 公民身份号码 ("…002X") and 统一社会信用代码 stay single
// tokens; hyphenated or ·-joined reference numbers (档号 "J012-SB·2026-D100-0102-0007") become
// their alphanumeric parts at consecutive positions, found by the quoted phrase.
//
// kQuery: a Han run of one character is its unigram; a longer run is its overlapping bigrams only
// (never unigrams: those postings are long and add nothing once the bigrams match), at
// consecutive positions so FTS5 treats it as a phrase. Words as in kDocument.
//
// kPrefixQuery (`保险*`, `j012*`): as kQuery; FTS5 then applies the prefix to the last token only.
// For a word that is the usual prefix search. For Han text, "保*" matches every bigram starting
// with 保 and the unigram 保 where it ends a run: every occurrence of 保, so a Han prefix query
// means "contains this text", and is how a one-character term is found inside a phrase query.
//
// kCharacters (dangan_cjk_chars, documents and queries alike): every Han character alone, at
// consecutive positions; words are skipped. A one-character query needs no positions, so its table
// is detail=none: one entry per character and row, newest rows first for free.
//
// For the tables that use it: queries of three or more Han characters are phrases, so the table
// needs detail=full (the default); detail=column and detail=none refuse phrase queries. Callers
// should quote user input ("J012-SB·2026"): FTS5's query syntax reads '-' and ':' itself.
// Known limit: a position's extent is its bigram, so separate matches at adjacent positions
// (`养 老` as two terms) overlap, and FTS5's built-in highlight()/snippet() then repeat text; a
// single term or phrase per match highlights exactly (one character: in the characters table).
enum class CjkTokenizeMode { kDocument, kQuery, kPrefixQuery, kCharacters };

struct CjkToken {
  std::string text;  // the indexed bytes (UTF-8, ASCII lower-cased)
  int start = 0;     // byte offsets of the source text covered, [start, end)
  int end = 0;
  bool colocated = false;  // at the same position as the previous token
  bool operator==(const CjkToken&) const = default;
};

std::vector<CjkToken> CjkTokenize(std::string_view text, CjkTokenizeMode mode);

}  // namespace dangan
