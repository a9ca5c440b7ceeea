#include "storage/cjk_tokenizer.h"

#include <sqlite3.h>

#include <cstdint>
#include <new>
#include <utility>

namespace dangan {
namespace {

// Tokens longer than this are cut into pieces: it keeps SHA-512 hex digests (128 characters) whole
// while a megabyte of base64 that slipped into a text field cannot become one giant term.
constexpr int kMaxWordBytes = 128;

enum class CharClass { kSeparator, kHan, kWord };

struct Char {
  CharClass cls = CharClass::kSeparator;
  int start = 0;
  int end = 0;     // byte offset just past the character in the input
  char ascii = 0;  // for kWord: the folded, lower-cased ASCII byte
};

bool IsBigramScript(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK Unified Ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // Ext A
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x323AF) ||  // Ext B–H: rare characters in people's names
         (cp >= 0x2F800 && cp <= 0x2FA1F) ||  // Compatibility Supplement
         cp == 0x3007 ||                      // 〇, written for zero in dates: 二〇二六年
         (cp >= 0x3041 && cp <= 0x3096) ||    // Hiragana
         (cp >= 0x30A1 && cp <= 0x30FA) ||    // Katakana (not U+30FB ・, a name separator)
         (cp >= 0x30FC && cp <= 0x30FF) ||    // ー and Katakana iteration marks
         (cp >= 0xAC00 && cp <= 0xD7A3);      // Hangul syllables: no spaces inside words either
}

// Decodes the character at p[i] (i < n). Invalid UTF-8 (bad lead or continuation bytes, overlong
// forms, surrogates, beyond U+10FFFF, truncation) yields a one-byte separator, so any byte string
// is tokenized without reading past its end.
Char Decode(const unsigned char* p, int n, int i) {
  Char c;
  c.start = i;
  c.end = i + 1;
  unsigned b0 = p[i];
  uint32_t cp;
  int len;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 < 0x80) {
    cp = b0;
    len = 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    cp = b0 & 0x1F;
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    cp = b0 & 0x0F;
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    cp = b0 & 0x07;
    len = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return c;
  }
  if (len > n - i) return c;
  for (int k = 1; k < len; ++k) {
    unsigned b = p[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return c;
    cp = (cp << 6) | (b & 0x3F);
  }
  c.end = i + len;
  // Fullwidth ASCII, as typed by Chinese input methods (ＩＤ１２３): fold to its ASCII twin so it
  // indexes like the halfwidth form.
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
  if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')) {
    c.cls = CharClass::kWord;
    c.ascii = static_cast<char>(cp);
  } else if (cp >= 'A' && cp <= 'Z') {
    c.cls = CharClass::kWord;
    c.ascii = static_cast<char>(cp - 'A' + 'a');
  } else if (IsBigramScript(cp)) {
    c.cls = CharClass::kHan;
  }
  return c;
}

using TokenFn = int (*)(void* ctx, int tflags, const char* token, int n, int start, int end);

enum class Split { kDocument, kQuery, kCharacters };

// The one implementation behind both FTS5 tokenizers and CjkTokenize. Allocation-free, so it
// cannot throw through SQLite's C frames; returns the first non-OK code xToken returns.
int Tokenize(const char* text, int n, Split split, void* ctx, TokenFn emit) {
  const bool query = split == Split::kQuery;
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  int rc = SQLITE_OK;
  int i = 0;
  Char c;
  bool have = false;  // `c` holds an already decoded character not yet consumed
  while (rc == SQLITE_OK && (have || i < n)) {
    if (!have) c = Decode(p, n, i);
    have = false;
    if (c.cls == CharClass::kSeparator) {
      i = c.end;
      continue;
    }
    if (c.cls == CharClass::kWord && split == Split::kCharacters) {
      i = c.end;  // the characters table holds Han characters only
      continue;
    }
    if (c.cls == CharClass::kWord) {
      char buf[kMaxWordBytes];
      int len = 0;
      int start = c.start;
      int end = c.end;
      buf[len++] = c.ascii;
      i = c.end;
      while (rc == SQLITE_OK) {
        Char next;
        bool more = i < n && (next = Decode(p, n, i)).cls == CharClass::kWord;
        if (!more || len == kMaxWordBytes) {
          rc = emit(ctx, 0, buf, len, start, end);
          len = 0;
          start = next.start;
        }
        if (!more) {
          if (i < n) {
            c = next;  // a Han character or separator: handled by the outer loop
            have = true;
          }
          break;
        }
        buf[len++] = next.ascii;
        end = i = next.end;
      }
      continue;
    }
    if (split == Split::kCharacters) {
      rc = emit(ctx, 0, text + c.start, c.end - c.start, c.start, c.end);
      i = c.end;
      continue;
    }
    // A Han run. Only two characters are live at a time, and a bigram is two adjacent characters,
    // so every token is a slice of the input: no copying.
    Char cur = c;
    bool first = true;  // `cur` is the run's first character
    i = cur.end;
    while (rc == SQLITE_OK) {
      Char next;
      bool more = i < n && (next = Decode(p, n, i)).cls == CharClass::kHan;
      if (!more) {
        if (first) {
          rc = emit(ctx, 0, text + cur.start, cur.end - cur.start, cur.start, cur.end);
        } else if (!query) {
          // Colocated with the last bigram, so the run takes as many positions in the document as
          // its bigrams do in a query (see the header).
          rc = emit(ctx, FTS5_TOKEN_COLOCATED, text + cur.start, cur.end - cur.start, cur.start,
                    cur.end);
        }
        if (i < n) {
          c = next;
          have = true;
        }
        break;
      }
      // The bigram goes first at its position: highlight() and snippet() take a position's extent
      // from its first token, so a matched bigram or phrase is marked exactly.
      rc = emit(ctx, 0, text + cur.start, next.end - cur.start, cur.start, next.end);
      // Of the inner characters only the run's first is kept as a unigram (the last rides on the
      // last bigram, above): a phrase needs a unigram only where a query's run of one character
      // meets a word ("2026年"), i.e. at the edge of a document's run. A character anywhere is
      // found through the characters table (see the header).
      if (rc == SQLITE_OK && !query && first) {
        rc = emit(ctx, FTS5_TOKEN_COLOCATED, text + cur.start, cur.end - cur.start, cur.start,
                  cur.end);
      }
      cur = next;
      first = false;
      i = next.end;
    }
  }
  return rc;
}

// FTS5 wants a non-null Fts5Tokenizer*; there is no state, so every table shares this one.
struct Instance {
} g_instance;

int Create(void*, const char**, int argc, Fts5Tokenizer** out) {
  *out = nullptr;
  if (argc > 0) return SQLITE_ERROR;
  *out = reinterpret_cast<Fts5Tokenizer*>(&g_instance);
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer*) {}

int Fts5Tokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int n, TokenFn emit) {
  // FTS5_TOKENIZE_QUERY is set for both plain and prefix queries; DOCUMENT and AUX index alike.
  return Tokenize(text, n, (flags & FTS5_TOKENIZE_QUERY) != 0 ? Split::kQuery : Split::kDocument,
                  ctx, emit);
}

int Fts5TokenizeCharacters(Fts5Tokenizer*, void* ctx, int, const char* text, int n, TokenFn emit) {
  return Tokenize(text, n, Split::kCharacters, ctx, emit);
}

// `SELECT fts5(?1)` hands out the connection's fts5_api through a typed pointer binding; this is
// the documented way to reach it (the older blob-returning form is disabled since 3.20).
Result<fts5_api*> GetFts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("SQLite has no FTS5: ") + sqlite3_errmsg(db));
  }
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW || api == nullptr) {
    return Status::Internal(std::string("cannot reach the FTS5 API: ") + sqlite3_errstr(rc));
  }
  if (api->iVersion < 2) return Status::Internal("FTS5 API version too old");
  return api;
}

struct Collector {
  std::vector<CjkToken>* out;
};

int Collect(void* ctx, int tflags, const char* token, int n, int start, int end) {
  auto* out = static_cast<Collector*>(ctx)->out;
  try {
    out->push_back({std::string(token, n), start, end, (tflags & FTS5_TOKEN_COLOCATED) != 0});
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

}  // namespace

Status RegisterCjkTokenizer(sqlite3* db) {
  if (db == nullptr) return Status::InvalidArgument("no database connection");
  auto api = GetFts5Api(db);
  if (!api.ok()) return api.status();
  // FTS5 copies the struct, so a local would do; static makes the lifetime obvious.
  static fts5_tokenizer tokenizer = {Create, Delete, Fts5Tokenize};
  static fts5_tokenizer characters = {Create, Delete, Fts5TokenizeCharacters};
  for (auto [name, t] : {std::pair{kCjkTokenizerName, &tokenizer},
                         std::pair{kCjkCharactersTokenizerName, &characters}}) {
    int rc = (*api)->xCreateTokenizer(*api, name, nullptr, t, nullptr);
    if (rc != SQLITE_OK) {
      return Status::Internal(std::string("registering FTS5 tokenizer ") + name + ": " +
                              sqlite3_errstr(rc));
    }
  }
  return Status::Ok();
}

std::vector<CjkToken> CjkTokenize(std::string_view text, CjkTokenizeMode mode) {
  std::vector<CjkToken> out;
  Collector collector{&out};
  // Offsets are ints in FTS5; a text field beyond 2 GiB is not something the catalogue stores.
  Split split = mode == CjkTokenizeMode::kDocument     ? Split::kDocument
                : mode == CjkTokenizeMode::kCharacters ? Split::kCharacters
                                                       : Split::kQuery;
  Tokenize(text.data(), static_cast<int>(text.size()), split, &collector, Collect);
  return out;
}

}  // namespace dangan
