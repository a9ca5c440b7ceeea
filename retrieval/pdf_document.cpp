#include "retrieval/pdf_document.h"

#include <hpdf.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unordered_map>

#include "retrieval/pdf_unicode_map.h"
#include "storage/env.h"

namespace dangan {

namespace {

constexpr float kPointsPerMm = 72.0f / 25.4f;
constexpr float kA4Short = 595.276f;
constexpr float kA4Long = 841.89f;
constexpr float kHeaderSize = 8;
constexpr float kTitleSize = 16;
constexpr float kCellPad = 2.5f;
constexpr float kLineFactor = 1.35f;  // line height as a multiple of the font size
const char* const kEllipsis = "…";
// An ASCII space is drawn as a gap this wide (in em). The font's own space (0.3 em) is narrower
// than what text extractors such as pdftotext need to see a word break between CJK characters.
constexpr float kSpaceEm = 0.6f;

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes decode as U+FFFD.
uint32_t NextCodePoint(const std::string& s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || *i + n > s.size()) {
    ++*i;
    return 0xFFFD;
  }
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[*i + k]);
    if ((d & 0xC0) != 0x80) {
      ++*i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  *i += n;
  return cp;
}

bool IsWide(uint32_t cp) { return cp >= 0x2E80; }

// Punctuation that must not begin a line (a small 禁则 list).
bool NoLineStart(uint32_t cp) {
  static const std::u32string kNoStart = U"，。、；：？！）》」』】”’,.;:)";
  return kNoStart.find(static_cast<char32_t>(cp)) != std::u32string::npos;
}

struct Glyph {
  std::string bytes;
  uint32_t cp;
  float width;  // at size 1
};

}  // namespace

std::string ResolveCjkFontPath(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("DANGAN_PDF_FONT"); env && *env) return env;
  return kDefaultCjkFontPath;
}

struct PdfDocument::State {
  HPDF_Doc doc = nullptr;
  HPDF_Font font = nullptr;
  PdfOptions opt;
  Status error;
  bool ignore_eof = false;
  bool finished = false;  // page numbers drawn; no more building
  std::vector<HPDF_Page> pages;
  HPDF_Page page = nullptr;
  float width = 0, height = 0;
  float left = 0, right = 0, top = 0, bottom = 0;  // the content box, in points
  float y = 0;                                     // top of the next block
  std::unordered_map<std::string, float> widths;   // per code point, at size 1

  bool in_table = false;
  std::vector<PdfColumn> columns;
  std::vector<float> col_w;

  ~State() {
    if (doc) HPDF_Free(doc);
  }

  void Fail(Status st) {
    if (error.ok()) error = std::move(st);
  }

  float CharWidth(const std::string& bytes) {
    if (bytes == " ") return kSpaceEm;
    auto it = widths.find(bytes);
    if (it != widths.end()) return it->second;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(bytes.data()),
                                            static_cast<HPDF_UINT>(bytes.size()));
    float w = static_cast<float>(tw.width) / 1000.0f;
    widths.emplace(bytes, w);
    return w;
  }

  float TextWidth(const std::string& s, float size) {
    float w = 0;
    for (size_t i = 0; i < s.size();) {
      size_t start = i;
      NextCodePoint(s, &i);
      w += CharWidth(s.substr(start, i - start));
    }
    return w * size;
  }

  std::vector<Glyph> Glyphs(const std::string& s) {
    std::vector<Glyph> out;
    for (size_t i = 0; i < s.size();) {
      size_t start = i;
      uint32_t cp = NextCodePoint(s, &i);
      std::string bytes =
          cp == 0xFFFD && i - start == 1 ? "\xEF\xBF\xBD" : s.substr(start, i - start);
      if (cp == '\t' || cp == '\r') {
        cp = ' ';
        bytes = " ";
      } else if (cp < 0x20 && cp != '\n') {
        continue;  // other control characters are not drawn
      }
      out.push_back({bytes, cp, cp == '\n' ? 0 : CharWidth(bytes)});
    }
    return out;
  }

  // Wraps `text` into lines no wider than `width` at `size`; with `max_lines` > 0 the text is cut
  // there and the last line ends in "…".
  std::vector<std::string> Wrap(const std::string& text, float width, float size, int max_lines) {
    std::vector<std::string> lines;
    std::vector<Glyph> g = Glyphs(text);
    const float limit = width / size;
    bool truncated = false;
    bool soft = false;  // the previous line ended by wrapping, not by a newline
    size_t i = 0;
    while (true) {
      if (max_lines > 0 && static_cast<int>(lines.size()) == max_lines) {
        truncated = i < g.size();
        break;
      }
      if (soft)
        while (i < g.size() && g[i].cp == ' ') ++i;
      size_t start = i;
      float w = 0;
      size_t last_break = std::string::npos;  // a break is allowed before this index
      while (i < g.size() && g[i].cp != '\n') {
        if (i > start) {
          uint32_t prev = g[i - 1].cp, cur = g[i].cp;
          bool can = prev == ' ' || prev == '-' || prev == '/' || prev == 0xB7 || IsWide(prev) ||
                     IsWide(cur);
          if (can && !NoLineStart(cur)) last_break = i;
        }
        if (w + g[i].width > limit && i > start) {
          if (last_break != std::string::npos) i = last_break;
          break;
        }
        w += g[i].width;
        ++i;
      }
      std::string line;
      for (size_t k = start; k < i; ++k) line += g[k].bytes;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      lines.push_back(line);
      if (i < g.size() && g[i].cp == '\n') {
        ++i;
        soft = false;
        if (i == g.size()) break;  // a final newline adds no empty line
        continue;
      }
      soft = true;
      if (i >= g.size()) break;
    }
    if (truncated && !lines.empty()) {
      std::string& last = lines.back();
      const float ell = CharWidth(kEllipsis);
      std::vector<Glyph> lg = Glyphs(last);
      float w = 0;
      for (const auto& x : lg) w += x.width;
      while (!lg.empty() && w + ell > limit) {
        w -= lg.back().width;
        lg.pop_back();
      }
      last.clear();
      for (const auto& x : lg) last += x.bytes;
      last += kEllipsis;
    }
    return lines;
  }

  // Draws one line; runs between spaces are placed one by one so every space is a real gap.
  void Text(HPDF_Page p, float x, float baseline, float size, const std::string& s) {
    if (s.empty()) return;
    HPDF_Page_SetFontAndSize(p, font, size);
    HPDF_Page_BeginText(p);
    size_t i = 0;
    while (i < s.size()) {
      size_t j = s.find(' ', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) {
        const std::string run = s.substr(i, j - i);
        HPDF_Page_TextOut(p, x, baseline, run.c_str());
        x += TextWidth(run, size);
      }
      for (i = j; i < s.size() && s[i] == ' '; ++i) x += kSpaceEm * size;
    }
    HPDF_Page_EndText(p);
  }

  void AddPage() {
    page = HPDF_AddPage(doc);
    if (!page) return Fail(Status::Internal("cannot add a PDF page"));
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4,
                      opt.landscape ? HPDF_PAGE_LANDSCAPE : HPDF_PAGE_PORTRAIT);
    pages.push_back(page);
    y = top;
    if (!opt.header.empty()) {
      float base = height - static_cast<float>(opt.margin_mm) * kPointsPerMm * 0.6f;
      HPDF_Page_SetGrayFill(page, 0.35f);
      Text(page, left, base, kHeaderSize, Wrap(opt.header, right - left, kHeaderSize, 1)[0]);
      HPDF_Page_SetGrayFill(page, 0);
      HPDF_Page_SetLineWidth(page, 0.4f);
      HPDF_Page_MoveTo(page, left, base - 3);
      HPDF_Page_LineTo(page, right, base - 3);
      HPDF_Page_Stroke(page);
    }
    if (pages.size() == 1 && !opt.title.empty()) {
      for (const auto& line : Wrap(opt.title, right - left, kTitleSize, 2)) {
        float base = y - kTitleSize;
        Text(page, left + (right - left - TextWidth(line, kTitleSize)) / 2, base, kTitleSize, line);
        y -= kTitleSize * kLineFactor;
      }
      y -= kTitleSize * 0.5f;
    }
    if (in_table) DrawRow(HeadingCells(), true);
  }

  std::vector<std::string> HeadingCells() const {
    std::vector<std::string> h;
    for (const auto& c : columns) h.push_back(c.heading);
    return h;
  }

  void EnsurePage() {
    if (!page) AddPage();
  }

  float LineHeight() const { return static_cast<float>(opt.font_size) * kLineFactor; }

  // Draws one table row at the cursor, breaking the page first if it does not fit.
  void DrawRow(const std::vector<std::string>& cells, bool heading) {
    const float size = static_cast<float>(opt.font_size);
    const float lh = LineHeight();
    auto layout = [&](int cap) {
      std::vector<std::vector<std::string>> out;
      for (size_t c = 0; c < columns.size(); ++c) {
        int max_lines = heading ? 0 : columns[c].max_lines;
        if (cap > 0 && (max_lines == 0 || max_lines > cap)) max_lines = cap;
        const std::string text = c < cells.size() ? cells[c] : "";
        out.push_back(Wrap(text, col_w[c] - 2 * kCellPad, size, max_lines));
      }
      return out;
    };
    auto height_of = [&](const std::vector<std::vector<std::string>>& l) {
      size_t n = 1;
      for (const auto& c : l) n = std::max(n, c.size());
      return static_cast<float>(n) * lh + 2 * kCellPad;
    };
    auto lines = layout(0);
    float h = height_of(lines);
    if (y - h < bottom && !heading) {
      // A row taller than a whole page is cut to what a fresh page holds below the heading row.
      float fresh = top - bottom - height_of({{""}});
      if (h > fresh) {
        int cap = std::max(1, static_cast<int>((fresh - 2 * kCellPad) / lh));
        lines = layout(cap);
        h = height_of(lines);
      }
      AddPage();  // draws the heading row again
    }
    float x = left;
    if (heading) {
      HPDF_Page_SetGrayFill(page, 0.88f);
      HPDF_Page_Rectangle(page, left, y - h, right - left, h);
      HPDF_Page_Fill(page);
      HPDF_Page_SetGrayFill(page, 0);
    }
    HPDF_Page_SetLineWidth(page, 0.5f);
    for (size_t c = 0; c < columns.size(); ++c) {
      HPDF_Page_Rectangle(page, x, y - h, col_w[c], h);
      HPDF_Page_Stroke(page);
      PdfAlign align = heading ? PdfAlign::kCenter : columns[c].align;
      float base = y - kCellPad - size * 1.05f;
      for (const auto& line : lines[c]) {
        float tw = TextWidth(line, size);
        float tx = align == PdfAlign::kLeft     ? x + kCellPad
                   : align == PdfAlign::kCenter ? x + (col_w[c] - tw) / 2
                                                : x + col_w[c] - kCellPad - tw;
        Text(page, tx, base, size, line);
        base -= lh;
      }
      x += col_w[c];
    }
    y -= h;
  }
};

namespace {

void OnHpdfError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* s = static_cast<PdfDocument::State*>(user_data);
  if (s->ignore_eof && error_no == HPDF_STREAM_EOF) return;
  char buf[96];
  std::snprintf(buf, sizeof buf, "libharu error 0x%04X (detail %u)",
                static_cast<unsigned>(error_no), static_cast<unsigned>(detail_no));
  switch (error_no) {
    case HPDF_FILE_IO_ERROR:
    case HPDF_FILE_OPEN_ERROR:
      s->Fail(Status::IOError(buf));
      break;
    case HPDF_FAILD_TO_ALLOC_MEM:
      s->Fail(Status::NoSpace(std::string(buf) + ": out of memory"));
      break;
    case HPDF_INVALID_TTC_FILE:
    case HPDF_INVALID_TTC_INDEX:
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE:
      s->Fail(Status::InvalidArgument(std::string(buf) + ": the font cannot be used",
                                      {{"font", "not a usable TrueType font"}}));
      break;
    default:
      s->Fail(Status::Internal(buf));
  }
}

bool EndsWithIgnoreCase(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

}  // namespace

PdfDocument::PdfDocument(std::unique_ptr<State> state) : s_(std::move(state)) {}
PdfDocument::~PdfDocument() = default;

Result<std::unique_ptr<PdfDocument>> PdfDocument::Create(const PdfOptions& options) {
  auto s = std::make_unique<State>();
  s->opt = options;
  s->opt.font_path = ResolveCjkFontPath(options.font_path);
  if (s->opt.font_size < 5 || s->opt.font_size > 36) s->opt.font_size = 9;
  if (s->opt.margin_mm < 5 || s->opt.margin_mm > 50) s->opt.margin_mm = 15;
  const std::string& font_path = s->opt.font_path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(font_path, ec) || ::access(font_path.c_str(), R_OK) != 0) {
    return Status::InvalidArgument(
        "PDF font not found or unreadable: " + font_path +
            " (install fonts-wqy-zenhei, or name a CJK TrueType font with report.font in "
            "archive.properties, $DANGAN_PDF_FONT or --font)",
        {{"font", font_path + " is not a readable file"}});
  }
  s->doc = HPDF_New(OnHpdfError, s.get());
  if (!s->doc) return Status::Internal("libharu could not create a document");
  HPDF_SetCompressionMode(s->doc, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(s->doc);
  HPDF_SetCurrentEncoder(s->doc, "UTF-8");
  const char* name = EndsWithIgnoreCase(font_path, ".ttc")
                         ? HPDF_LoadTTFontFromFile2(s->doc, font_path.c_str(), 0, HPDF_TRUE)
                         : HPDF_LoadTTFontFromFile(s->doc, font_path.c_str(), HPDF_TRUE);
  if (name) s->font = HPDF_GetFont(s->doc, name, "UTF-8");
  WriteUnicodeMap(s->font);
  if (!s->error.ok() || !s->font) {
    Status st = s->error.ok() ? Status::InvalidArgument("cannot load font") : s->error;
    return st.WithContext("PDF font " + font_path);
  }
  HPDF_SetInfoAttr(s->doc, HPDF_INFO_CREATOR, "Dangan");
  HPDF_SetInfoAttr(s->doc, HPDF_INFO_PRODUCER, "Dangan (libharu)");
  s->width = s->opt.landscape ? kA4Long : kA4Short;
  s->height = s->opt.landscape ? kA4Short : kA4Long;
  const float m = static_cast<float>(s->opt.margin_mm) * kPointsPerMm;
  s->left = m;
  s->right = s->width - m;
  s->top = s->height - m - (s->opt.header.empty() ? 0 : 4);
  s->bottom = m + kHeaderSize * 1.5f;
  return std::unique_ptr<PdfDocument>(new PdfDocument(std::move(s)));
}

void PdfDocument::Paragraph(const std::string& text, double size_in, PdfAlign align) {
  if (s_->finished) return s_->Fail(Status::Internal("the PDF was already saved"));
  s_->EnsurePage();
  if (s_->in_table) EndTable();
  const float size =
      size_in > 0 ? static_cast<float>(size_in) : static_cast<float>(s_->opt.font_size);
  const float lh = size * kLineFactor;
  const float width = s_->right - s_->left;
  for (const auto& line : s_->Wrap(text, width, size, 0)) {
    if (s_->y - lh < s_->bottom) s_->AddPage();
    float tw = s_->TextWidth(line, size);
    float x = align == PdfAlign::kLeft     ? s_->left
              : align == PdfAlign::kCenter ? s_->left + (width - tw) / 2
                                           : s_->right - tw;
    s_->Text(s_->page, x, s_->y - size, size, line);
    s_->y -= lh;
  }
}

void PdfDocument::Space(double mm) {
  if (s_->finished) return;
  s_->EnsurePage();
  s_->y -= static_cast<float>(mm) * kPointsPerMm;
  if (s_->y < s_->bottom) s_->AddPage();
}

void PdfDocument::BeginTable(const std::vector<PdfColumn>& columns) {
  if (s_->finished) return s_->Fail(Status::Internal("the PDF was already saved"));
  if (s_->in_table) EndTable();
  if (columns.empty()) return s_->Fail(Status::Internal("a PDF table needs columns"));
  s_->EnsurePage();
  s_->columns = columns;
  s_->col_w.clear();
  float total = 0;
  for (const auto& c : columns) {
    float w = std::max(5.0f, static_cast<float>(c.width_mm)) * kPointsPerMm;
    s_->col_w.push_back(w);
    total += w;
  }
  const float avail = s_->right - s_->left;
  if (total > avail)
    for (auto& w : s_->col_w) w *= avail / total;
  // The heading row and at least one body row start on the same page.
  if (s_->y - 3 * (s_->LineHeight() + 2 * kCellPad) < s_->bottom) s_->AddPage();
  s_->in_table = true;
  s_->DrawRow(s_->HeadingCells(), true);
}

void PdfDocument::AddRow(const std::vector<std::string>& cells) {
  if (s_->finished) return s_->Fail(Status::Internal("the PDF was already saved"));
  if (!s_->in_table) return s_->Fail(Status::Internal("AddRow outside a table"));
  s_->DrawRow(cells, false);
}

void PdfDocument::EndTable() {
  if (!s_->in_table) return;
  s_->in_table = false;
  s_->y -= 4;
}

void PdfDocument::NewPage() {
  if (s_->finished) return;
  s_->AddPage();
}

int PdfDocument::page_count() const { return static_cast<int>(s_->pages.size()); }

Status PdfDocument::status() const { return s_->error; }

Result<std::string> PdfDocument::SaveToString() {
  s_->EnsurePage();
  if (!s_->finished) {
    s_->finished = true;
    const int total = page_count();
    for (int i = 0; i < total; ++i) {
      HPDF_Page p = s_->pages[static_cast<size_t>(i)];
      std::string text = "第 " + std::to_string(i + 1) + " 页 共 " + std::to_string(total) + " 页";
      float tw = s_->TextWidth(text, kHeaderSize);
      float base = static_cast<float>(s_->opt.margin_mm) * kPointsPerMm * 0.6f;
      s_->Text(p, (s_->width - tw) / 2, base, kHeaderSize, text);
    }
  }
  if (!s_->error.ok()) return s_->error;
  if (HPDF_SaveToStream(s_->doc) != HPDF_OK || !s_->error.ok())
    return s_->error.ok() ? Status::Internal("libharu could not write the PDF") : s_->error;
  HPDF_UINT32 size = HPDF_GetStreamSize(s_->doc);
  std::string out(size, '\0');
  HPDF_UINT32 got = size;
  HPDF_ResetStream(s_->doc);
  s_->ignore_eof = true;
  HPDF_STATUS rc = HPDF_ReadFromStream(s_->doc, reinterpret_cast<HPDF_BYTE*>(out.data()), &got);
  s_->ignore_eof = false;
  if ((rc != HPDF_OK && rc != HPDF_STREAM_EOF) || got != size)
    return s_->error.ok() ? Status::Internal("libharu could not read back the PDF") : s_->error;
  return out;
}

Status PdfDocument::SaveToFile(const std::string& path) {
  auto bytes = SaveToString();
  if (!bytes.ok()) return bytes.status();
  return WriteFileAtomically(path, *bytes);
}

Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  static std::atomic<int> counter{0};
  if (path.empty()) return Status::InvalidArgument("no output file given");
  fs::path target(path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::InvalidArgument(
        "cannot write " + path + ": " + dir.string() + " is not a directory",
        {{"out", "the directory does not exist"}});
  if (fs::is_directory(target, ec))
    return Status::InvalidArgument("cannot write " + path + ": it is a directory",
                                   {{"out", "is a directory"}});
  const std::string tmp = (dir / ("." + target.filename().string() + ".tmp-" +
                                  std::to_string(::getpid()) + "-" + std::to_string(++counter)))
                              .string();
  Env* env = Env::Default();
  auto file = env->NewWritableFile(tmp);
  if (!file.ok()) return file.status();
  Status st = (*file)->Append(bytes.data(), bytes.size());
  if (st.ok()) st = (*file)->Sync();
  Status closed = (*file)->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = env->RenameFile(tmp, path);
  if (!st.ok()) {
    env->RemoveFile(tmp);
    return st;
  }
  return env->SyncDir(dir.string());
}

}  // namespace dangan
