// PdfDocument: a small A4 report builder over libharu with an embedded CJK TrueType font: a title,
// a header line and "第 N 页 共 M 页" on every page, paragraphs, and ruled tables whose heading row
// repeats on each page, with CJK-aware wrapping and truncation. One object builds one document;
// it is not thread-safe, but separate documents may be built on separate threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

// The font used when nothing else is configured (Debian package fonts-wqy-zenhei).
inline constexpr const char* kDefaultCjkFontPath = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

// The font a report should use: `configured` if not empty, else $DANGAN_PDF_FONT if set, else
// kDefaultCjkFontPath. Does not check that the file exists (PdfDocument::Create does).
std::string ResolveCjkFontPath(const std::string& configured = "");

struct PdfOptions {
  std::string font_path;   // TrueType (.ttf) or collection (.ttc, first face); empty = resolved
  std::string title;       // large title at the top of the first page; also the document title
  std::string header;      // small line at the top of every page (organisation, report name…)
  std::string author;      // document information: author (e.g. the organisation)
  bool landscape = false;  // A4 landscape instead of portrait
  double margin_mm = 15;
  double font_size = 9;  // body and table text, in points
};

enum class PdfAlign { kLeft, kCenter, kRight };

struct PdfColumn {
  std::string heading;
  double width_mm = 20;  // widths are scaled down proportionally if the table is too wide
  PdfAlign align = PdfAlign::kLeft;
  int max_lines = 0;  // lines a cell may wrap to before it is truncated with "…"; 0 = no limit
};

class PdfDocument {
 public:
  // Opens a document and loads the font. A missing or unreadable font is InvalidArgument naming
  // the path and how to configure another.
  static Result<std::unique_ptr<PdfDocument>> Create(const PdfOptions& options);
  ~PdfDocument();
  PdfDocument(const PdfDocument&) = delete;
  PdfDocument& operator=(const PdfDocument&) = delete;

  // A block of text wrapped to the page width; `size` 0 = the body size.
  void Paragraph(const std::string& text, double size = 0, PdfAlign align = PdfAlign::kLeft);
  // Vertical space.
  void Space(double mm);
  // Starts a ruled table; rows follow with AddRow. A table started while another is open ends it.
  void BeginTable(const std::vector<PdfColumn>& columns);
  // One row; missing cells are blank, extra cells are ignored. Starts a new page (repeating the
  // heading row) when the row does not fit.
  void AddRow(const std::vector<std::string>& cells);
  void EndTable();
  // Starts a new page.
  void NewPage();

  int page_count() const;
  // The first libharu or layout error so far; building continues but saving fails with it.
  Status status() const;

  // Saving finishes the document: page numbers are drawn once, later building calls only record
  // an error, and saving again gives the same bytes.
  // Writes the PDF to `path` atomically (temporary file, fsync, rename): the file appears
  // complete or not at all.
  Status SaveToFile(const std::string& path);
  // The PDF bytes, for serving from memory.
  Result<std::string> SaveToString();

  struct State;  // implementation detail (libharu handles and layout cursor)

 private:
  explicit PdfDocument(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, fsync of the
// directory. On failure nothing is left at `path` (an existing file there is kept unchanged).
Status WriteFileAtomically(const std::string& path, const std::string& bytes);

}  // namespace dangan
