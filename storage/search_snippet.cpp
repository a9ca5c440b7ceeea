#include "storage/search_snippet.h"

#include <algorithm>

#include "storage/cjk_tokenizer.h"

namespace dangan {

namespace {

// One token position: a bigram with the unigram at the edge of its run, when there is one.
struct Position {
  int start, end;   // bytes of the text it covers
  size_t from, to;  // its tokens, [from, to)
};

struct Hit {
  int first, last;  // positions
  int start, end;   // bytes
  size_t term;
};

// A long text can hold a common character thousands of times; the window is chosen among the
// first of them, which bounds the work per hit shown.
constexpr size_t kMaxHits = 512;
constexpr size_t kMaxWindows = 64;

}  // namespace

std::string SearchSnippet(std::string_view text, const SnippetQuery& query, int positions) {
  if (positions < 1) positions = 1;
  const std::vector<CjkToken> tokens = CjkTokenize(text, CjkTokenizeMode::kDocument);
  std::vector<Position> pos;
  pos.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const CjkToken& t = tokens[i];
    if (t.colocated && !pos.empty()) {
      pos.back().start = std::min(pos.back().start, t.start);
      pos.back().end = std::max(pos.back().end, t.end);
      pos.back().to = i + 1;
    } else {
      pos.push_back({t.start, t.end, i, i + 1});
    }
  }
  if (pos.empty()) return std::string();
  // The token at position p with the given text, if any.
  auto token_at = [&](size_t p, const std::string& want) -> const CjkToken* {
    for (size_t i = pos[p].from; i < pos[p].to; ++i)
      if (tokens[i].text == want) return &tokens[i];
    return nullptr;
  };

  std::vector<Hit> hits;
  size_t term = 0;
  for (const auto& phrase : query.phrases) {
    const std::vector<CjkToken> want = CjkTokenize(phrase, CjkTokenizeMode::kQuery);
    for (size_t p = 0; !want.empty() && p + want.size() <= pos.size() && hits.size() < kMaxHits;
         ++p) {
      const CjkToken* head = token_at(p, want.front().text);
      if (!head) continue;
      const CjkToken* tail = head;
      for (size_t k = 1; tail && k < want.size(); ++k) tail = token_at(p + k, want[k].text);
      if (!tail) continue;
      hits.push_back({static_cast<int>(p), static_cast<int>(p + want.size() - 1), head->start,
                      tail->end, term});
    }
    ++term;
  }
  for (const auto& ch : query.characters) {
    size_t p = 0;
    for (size_t at = ch.empty() ? std::string_view::npos : text.find(ch);
         at != std::string_view::npos && hits.size() < kMaxHits;
         at = text.find(ch, at + ch.size())) {
      const int start = static_cast<int>(at), end = static_cast<int>(at + ch.size());
      while (p + 1 < pos.size() && pos[p].end <= start) ++p;
      hits.push_back({static_cast<int>(p), static_cast<int>(p), start, end, term});
    }
    ++term;
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.start < b.start || (a.start == b.start && a.end > b.end);
  });

  // The window: the most distinct terms, then the most matches, then the earliest.
  const int n = static_cast<int>(pos.size());
  const int width = std::min(positions, n);
  int first = 0;
  long best = -1;
  for (size_t i = 0; i < hits.size() && i < kMaxWindows; ++i) {
    const int s = std::clamp(hits[i].first, 0, n - width);
    std::vector<bool> seen(term, false);
    long score = 0;
    int lo = -1, hi = -1;
    for (const Hit& o : hits) {
      if (o.first < s || o.last >= s + width) continue;
      score += seen[o.term] ? 1 : 1000;
      seen[o.term] = true;
      if (lo < 0 || o.first < lo) lo = o.first;
      hi = std::max(hi, o.last);
    }
    if (score > best) {
      best = score;
      first = std::clamp(lo - (width - (hi - lo + 1)) / 2, 0, n - width);  // matches centred
    }
  }
  const int last = first + width - 1;
  const int from = pos[static_cast<size_t>(first)].start;
  const int to = pos[static_cast<size_t>(last)].end;

  std::string out;
  out.reserve(static_cast<size_t>(to - from) + 16);
  if (first > 0) out += "…";
  int at = from;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (hits[i].end <= at || hits[i].start >= to) continue;  // outside, or marked already
    const int s = std::max(hits[i].start, at);
    int e = std::min(hits[i].end, to);
    // Matches that overlap are marked as one.
    for (size_t j = i + 1; j < hits.size() && hits[j].start < e; ++j)
      e = std::max(e, std::min(hits[j].end, to));
    out.append(text.substr(static_cast<size_t>(at), static_cast<size_t>(s - at)));
    out += '[';
    out.append(text.substr(static_cast<size_t>(s), static_cast<size_t>(e - s)));
    out += ']';
    at = e;
  }
  out.append(text.substr(static_cast<size_t>(at), static_cast<size_t>(to - at)));
  if (last < n - 1) out += "…";
  return out;
}

}  // namespace dangan
