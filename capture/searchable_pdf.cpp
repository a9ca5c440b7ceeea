#include "capture/searchable_pdf.h"

#include <hpdf.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "retrieval/pdf_unicode_map.h"

namespace dangan::capture {

namespace {

// One document's libharu handle and the first error its handler reported. libharu keeps no
// mutable global state (its one global, HPDF_CCITT_Data, is unused: the G4 encoder works on a
// stack copy), so one Doc per call is what makes concurrent calls safe.
struct Doc {
  HPDF_Doc pdf = nullptr;
  Status error;
  bool ignore_eof = false;  // reading the finished stream back ends with an EOF "error"

  ~Doc() {
    if (pdf) HPDF_Free(pdf);
  }
  void Fail(Status st) {
    if (error.ok()) error = std::move(st);
  }
};

void OnHpdfError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* d = static_cast<Doc*>(user_data);
  if (d->ignore_eof && error_no == HPDF_STREAM_EOF) return;
  char buf[96];
  std::snprintf(buf, sizeof buf, "libharu error 0x%04X (detail %u)",
                static_cast<unsigned>(error_no), static_cast<unsigned>(detail_no));
  switch (error_no) {
    case HPDF_FAILD_TO_ALLOC_MEM:
      d->Fail(Status::NoSpace(std::string(buf) + ": out of memory"));
      break;
    case HPDF_FILE_IO_ERROR:
    case HPDF_FILE_OPEN_ERROR:
      d->Fail(Status::IOError(buf));
      break;
    case HPDF_INVALID_TTC_FILE:
    case HPDF_INVALID_TTC_INDEX:
    case HPDF_TTF_CANNOT_EMBEDDING_FONT:
    case HPDF_TTF_INVALID_CMAP:
    case HPDF_TTF_INVALID_FOMAT:
    case HPDF_TTF_MISSING_TABLE:
      d->Fail(Status::InvalidArgument(std::string(buf) + ": the font cannot be used",
                                      {{"font", "not a usable TrueType font"}}));
      break;
    case HPDF_INVALID_JPEG_DATA:
    case HPDF_UNSUPPORTED_JPEG_FORMAT:
      d->Fail(Status::InvalidArgument(std::string(buf) + ": the JPEG cannot be embedded"));
      break;
    default:
      d->Fail(Status::Internal(buf));
  }
}

std::string ResolveFont(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("DANGAN_PDF_FONT"); env && *env) return env;
  return kDefaultSearchableFont;
}

bool EndsWithIgnoreCase(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i])
      return false;
  return true;
}

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

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// OCR text as libharu's UTF-8 encoder can take it: controls and blanks dropped (spacing comes from
// the layout), invalid bytes and code points beyond the BMP (which the encoder cannot map) as
// U+FFFD so one bad character does not cost the page its text layer.
std::string CleanText(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = NextCodePoint(s, &i);
    if (cp <= 0x20 || cp == 0x7F || cp == 0x3000 || (cp >= 0x80 && cp < 0xA0)) continue;
    if (cp > 0xFFFF || (cp >= 0xD800 && cp < 0xE000)) cp = 0xFFFD;
    AppendUtf8(cp, &out);
  }
  return out;
}

uint32_t FirstCodePoint(const std::string& s) {
  size_t i = 0;
  return s.empty() ? 0 : NextCodePoint(s, &i);
}

uint32_t LastCodePoint(const std::string& s) {
  size_t i = s.size();
  while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80) --i;
  if (i > 0) --i;
  return s.empty() ? 0 : NextCodePoint(s, &i);
}

// Han, kana, hangul and full-width forms: written without spaces between them, as OcrLine::text
// is, so a search for a phrase matches across Tesseract's word boundaries.
bool IsWide(uint32_t cp) { return cp >= 0x2E80 && cp != 0xFFFD; }

// CJK and full-width punctuation carries its own spacing: "金额：1,234.56", not "金额： 1,234.56".
bool IsCjkPunctuation(uint32_t cp) {
  return (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65);
}

// Whether extracted text should show a space between two adjacent words of a line.
bool SpaceBetween(const std::string& a, const std::string& b) {
  const uint32_t last = LastCodePoint(a), first = FirstCodePoint(b);
  if (IsCjkPunctuation(last) || IsCjkPunctuation(first)) return false;
  return !(IsWide(last) && IsWide(first));
}

struct Word {
  std::string text;
  int left, top, width, height;
};

struct FontInfo {
  HPDF_Font font = nullptr;
  float ascent = 0.8f, descent = -0.2f;  // in em
};

// Lays the words of `ocr` over the page as invisible text. Each line shares one font size and
// baseline (from the line box), so extractors keep its words on one line; each word is stretched
// to reach the next word's start, with a space between them unless both sides are CJK (see
// SpaceBetween), so the extracted line reads like OcrLine::text.
void DrawTextLayer(HPDF_Page page, const FontInfo& fi, const OcrPage& ocr, int image_w, int image_h,
                   float page_w, float page_h) {
  const float sx = page_w / static_cast<float>(ocr.width > 0 ? ocr.width : image_w);
  const float sy = page_h / static_cast<float>(ocr.height > 0 ? ocr.height : image_h);
  const float em = fi.ascent - fi.descent;
  HPDF_Page_BeginText(page);
  HPDF_Page_SetTextRenderingMode(page, HPDF_INVISIBLE);
  for (const OcrLine& line : ocr.lines) {
    std::vector<Word> words;
    for (const OcrWord& w : line.words) {
      std::string text = CleanText(w.text);
      if (!text.empty()) words.push_back({std::move(text), w.left, w.top, w.width, w.height});
    }
    if (words.empty()) {
      std::string text = CleanText(line.text);
      if (text.empty()) continue;
      words.push_back({std::move(text), line.left, line.top, line.width, line.height});
    }
    int top = line.top, bottom = line.top + line.height;
    if (line.height <= 0) {
      top = words[0].top;
      bottom = words[0].top + words[0].height;
      for (const Word& w : words) {
        top = std::min(top, w.top);
        bottom = std::max(bottom, w.top + w.height);
      }
    }
    if (bottom <= top) continue;
    const float size = std::clamp(static_cast<float>(bottom - top) * sy / em, 0.5f, 600.0f);
    const float baseline = page_h - static_cast<float>(bottom) * sy - fi.descent * size;
    HPDF_Page_SetFontAndSize(page, fi.font, size);
    for (size_t k = 0; k < words.size(); ++k) {
      const Word& w = words[k];
      std::string text = w.text;
      int right = w.left + std::max(w.width, 0);
      if (k + 1 < words.size()) {
        const Word& next = words[k + 1];
        if (SpaceBetween(text, next.text)) text += ' ';
        if (next.left > w.left) right = next.left;
      }
      HPDF_TextWidth tw =
          HPDF_Font_TextWidth(fi.font, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                              static_cast<HPDF_UINT>(text.size()));
      const float natural = static_cast<float>(tw.width) / 1000.0f * size;
      const float target = static_cast<float>(right - w.left) * sx;
      float scale = natural > 0 && target > 0 ? target / natural * 100.0f : 100.0f;
      // Tz is limited to 10..300 %; the text matrix carries what lies beyond.
      const float tz = std::clamp(scale, static_cast<float>(HPDF_MIN_HORIZONTALSCALING),
                                  static_cast<float>(HPDF_MAX_HORIZONTALSCALING));
      HPDF_Page_SetHorizontalScalling(page, tz);
      HPDF_Page_SetTextMatrix(page, scale / tz, 0, 0, 1, static_cast<float>(w.left) * sx, baseline);
      HPDF_Page_ShowText(page, text.c_str());
    }
  }
  HPDF_Page_EndText(page);
}

// Rows of `pix` packed as PDF image samples (no row padding but for 1 bpp's whole bytes; RGB in
// that order). Leptonica stores pixels in native-endian 32-bit words, hence the accessor macros.
std::string PackRows(Pix* pix) {
  const int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
  const int wpl = pixGetWpl(pix);
  const l_uint32* data = pixGetData(pix);
  const size_t bpl =
      d == 1 ? static_cast<size_t>(w + 7) / 8 : static_cast<size_t>(w) * (d == 32 ? 3 : 1);
  std::string out(bpl * static_cast<size_t>(h), '\0');
  for (int y = 0; y < h; ++y) {
    const l_uint32* line = data + static_cast<size_t>(y) * wpl;
    char* dst = out.data() + bpl * static_cast<size_t>(y);
    if (d == 32) {
      for (int x = 0; x < w; ++x) {
        l_int32 r, g, b;
        extractRGBValues(line[x], &r, &g, &b);
        dst[3 * x] = static_cast<char>(r);
        dst[3 * x + 1] = static_cast<char>(g);
        dst[3 * x + 2] = static_cast<char>(b);
      }
    } else {
      for (size_t x = 0; x < bpl; ++x) dst[x] = static_cast<char>(GET_DATA_BYTE(line, x));
    }
  }
  return out;
}

// The page image: a 1 bpp page as CCITT G4 (a few tens of KB per A4 page), gray and colour as
// Flate-compressed samples; both lossless.
HPDF_Image LoadPix(Doc& d, Pix* pix) {
  PixPtr converted;
  if (pixGetColormap(pix) != nullptr) {
    converted.reset(pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC));
    if (!converted) return nullptr;
    pix = converted.get();
  }
  if (pixGetDepth(pix) != 1 && pixGetDepth(pix) != 8 && pixGetDepth(pix) != 32) {
    converted.reset(pixConvertTo8(pix, 0));
    if (!converted) return nullptr;
    pix = converted.get();
  }
  const HPDF_UINT w = static_cast<HPDF_UINT>(pixGetWidth(pix));
  const HPDF_UINT h = static_cast<HPDF_UINT>(pixGetHeight(pix));
  const std::string samples = PackRows(pix);
  const auto* bytes = reinterpret_cast<const HPDF_BYTE*>(samples.data());
  switch (pixGetDepth(pix)) {
    case 1:
      // Leptonica's 1 means black, which is what the G4 encoder calls black too.
      return HPDF_Image_LoadRaw1BitImageFromMem(d.pdf, bytes, w, h, (w + 7) / 8, HPDF_FALSE,
                                                HPDF_TRUE);
    case 8:
      return HPDF_LoadRawImageFromMem(d.pdf, bytes, w, h, HPDF_CS_DEVICE_GRAY, 8);
    default:
      return HPDF_LoadRawImageFromMem(d.pdf, bytes, w, h, HPDF_CS_DEVICE_RGB, 8);
  }
}

// The watermark: rows of translucent text at 30 degrees covering the page, so no part of the
// content can be cut out clean.
void DrawWatermark(Doc& d, HPDF_Page page, const FontInfo& fi, const std::string& text,
                   float page_w, float page_h) {
  HPDF_ExtGState translucent = HPDF_CreateExtGState(d.pdf);
  if (translucent == nullptr) return;
  HPDF_ExtGState_SetAlphaFill(translucent, 0.22f);
  const float size = std::max(8.0f, std::min(page_w, page_h) / 22.0f);
  const float cos30 = 0.8660254f, sin30 = 0.5f;
  HPDF_Page_GSave(page);
  HPDF_Page_SetExtGState(page, translucent);
  HPDF_Page_SetRGBFill(page, 0.75f, 0.1f, 0.1f);
  HPDF_Page_BeginText(page);
  HPDF_Page_SetFontAndSize(page, fi.font, size);
  const float run = HPDF_Page_TextWidth(page, text.c_str()) + 3 * size;
  for (float y = -page_h; y < page_h * 1.5f; y += size * 5) {
    for (float x = -page_w; x < page_w * 1.5f; x += run) {
      HPDF_Page_SetTextMatrix(page, cos30, sin30, -sin30, cos30, x, y);
      HPDF_Page_ShowText(page, text.c_str());
    }
  }
  HPDF_Page_EndText(page);
  HPDF_Page_GRestore(page);
}

Status AddPage(Doc& d, const FontInfo& fi, const SearchablePage& in, size_t index,
               const std::string& watermark) {
  const std::string field = "pages[" + std::to_string(index) + "]";
  auto invalid = [&](const std::string& what, const std::string& sub, const std::string& why) {
    return Status::InvalidArgument("page " + std::to_string(index + 1) + ": " + what,
                                   {{field + sub, why}});
  };
  Pix* pix = const_cast<Pix*>(in.image);  // Leptonica's getters are not const-correct
  const int w = pixGetWidth(pix), h = pixGetHeight(pix);
  const int dpi = in.dpi > 0 ? in.dpi : pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 300;
  const float page_w = static_cast<float>(w) * 72.0f / static_cast<float>(dpi);
  const float page_h = static_cast<float>(h) * 72.0f / static_cast<float>(dpi);
  if (page_w < HPDF_MIN_PAGE_SIZE || page_h < HPDF_MIN_PAGE_SIZE || page_w > HPDF_MAX_PAGE_SIZE ||
      page_h > HPDF_MAX_PAGE_SIZE) {
    return invalid(std::to_string(w) + "×" + std::to_string(h) + " pixels at " +
                       std::to_string(dpi) + " dpi is not a printable page size",
                   ".dpi", "gives a page outside 3..14400 points");
  }

  HPDF_Image image = nullptr;
  if (!in.original_jpeg.empty()) {
    image = HPDF_LoadJpegImageFromMem(d.pdf,
                                      reinterpret_cast<const HPDF_BYTE*>(in.original_jpeg.data()),
                                      static_cast<HPDF_UINT>(in.original_jpeg.size()));
    if (!image || !d.error.ok()) {
      if (d.error.code() == ErrorCode::kNoSpace) return d.error;
      return invalid("the original JPEG cannot be embedded" +
                         (d.error.ok() ? std::string() : " (" + d.error.message() + ")"),
                     ".original_jpeg", "not a JPEG that libharu can read");
    }
    // The text layer is placed in `image`'s coordinates; a JPEG of another shape (say, before
    // deskewing or rotation) would put every word in the wrong place.
    const double jw = HPDF_Image_GetWidth(image), jh = HPDF_Image_GetHeight(image);
    if (std::abs(jw * h - jh * w) > 0.01 * jw * h) {
      return invalid("the original JPEG is " + std::to_string(static_cast<int>(jw)) + "×" +
                         std::to_string(static_cast<int>(jh)) + " pixels but the image is " +
                         std::to_string(w) + "×" + std::to_string(h),
                     ".original_jpeg", "must have the image's shape");
    }
  } else {
    image = LoadPix(d, pix);
    if (!image || !d.error.ok()) {
      return d.error.ok() ? Status::Internal("page " + std::to_string(index + 1) +
                                             ": the image cannot be converted")
                          : d.error.WithContext("page " + std::to_string(index + 1));
    }
  }

  HPDF_Page page = HPDF_AddPage(d.pdf);
  if (!page) return d.error.ok() ? Status::Internal("libharu could not add a page") : d.error;
  HPDF_Page_SetWidth(page, page_w);
  HPDF_Page_SetHeight(page, page_h);
  HPDF_Page_DrawImage(page, image, 0, 0, page_w, page_h);
  if (in.ocr) DrawTextLayer(page, fi, *in.ocr, w, h, page_w, page_h);
  if (!watermark.empty()) DrawWatermark(d, page, fi, watermark, page_w, page_h);
  return d.error.ok() ? Status::Ok() : d.error.WithContext("page " + std::to_string(index + 1));
}

}  // namespace

Result<std::string> RenderSearchablePdf(const std::vector<SearchablePage>& pages,
                                        const SearchablePdfOptions& options) {
  if (pages.empty())
    return Status::InvalidArgument("no pages for the PDF", {{"pages", "at least one is needed"}});
  for (size_t i = 0; i < pages.size(); ++i) {
    if (pages[i].image == nullptr || pixGetWidth(const_cast<Pix*>(pages[i].image)) <= 0 ||
        pixGetHeight(const_cast<Pix*>(pages[i].image)) <= 0) {
      const std::string field = "pages[" + std::to_string(i) + "].image";
      return Status::InvalidArgument("page " + std::to_string(i + 1) + " has no image",
                                     {{field, "required"}});
    }
  }

  const std::string font_path = ResolveFont(options.font_path);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(font_path, ec) || ::access(font_path.c_str(), R_OK) != 0) {
    return Status::InvalidArgument(
        "PDF font not found or unreadable: " + font_path +
            " (install fonts-wqy-zenhei or set DANGAN_PDF_FONT to a CJK TrueType font)",
        {{"font", font_path + " is not a readable file"}});
  }

  Doc d;
  d.pdf = HPDF_New(OnHpdfError, &d);
  if (!d.pdf) return Status::NoSpace("libharu could not create a document");
  HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(d.pdf);
  HPDF_SetCurrentEncoder(d.pdf, "UTF-8");
  // Loaded per document: libharu fonts belong to one document, and sharing nothing is what keeps
  // concurrent calls independent. Only the glyphs used are embedded.
  const char* name = EndsWithIgnoreCase(font_path, ".ttc")
                         ? HPDF_LoadTTFontFromFile2(d.pdf, font_path.c_str(), 0, HPDF_TRUE)
                         : HPDF_LoadTTFontFromFile(d.pdf, font_path.c_str(), HPDF_TRUE);
  FontInfo fi;
  if (name) fi.font = HPDF_GetFont(d.pdf, name, "UTF-8");
  WriteUnicodeMap(fi.font);
  if (!d.error.ok() || !fi.font) {
    Status st = d.error.ok() ? Status::InvalidArgument("cannot load font", {{"font", "unusable"}})
                             : d.error;
    return st.WithContext("PDF font " + font_path);
  }
  const int ascent = HPDF_Font_GetAscent(fi.font), descent = HPDF_Font_GetDescent(fi.font);
  if (ascent > 0 && descent <= 0 && ascent - descent >= 500) {
    fi.ascent = static_cast<float>(ascent) / 1000.0f;
    fi.descent = static_cast<float>(descent) / 1000.0f;
  }
  HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR, "Dangan");
  HPDF_SetInfoAttr(d.pdf, HPDF_INFO_PRODUCER, "Dangan (libharu)");
  if (!options.title.empty()) HPDF_SetInfoAttr(d.pdf, HPDF_INFO_TITLE, options.title.c_str());

  for (size_t i = 0; i < pages.size(); ++i)
    DANGAN_RETURN_IF_ERROR(AddPage(d, fi, pages[i], i, options.watermark));

  if (HPDF_SaveToStream(d.pdf) != HPDF_OK || !d.error.ok())
    return d.error.ok() ? Status::Internal("libharu could not write the PDF") : d.error;
  const HPDF_UINT32 size = HPDF_GetStreamSize(d.pdf);
  std::string out(size, '\0');
  HPDF_UINT32 got = size;
  HPDF_ResetStream(d.pdf);
  d.ignore_eof = true;
  HPDF_STATUS rc = HPDF_ReadFromStream(d.pdf, reinterpret_cast<HPDF_BYTE*>(out.data()), &got);
  d.ignore_eof = false;
  if ((rc != HPDF_OK && rc != HPDF_STREAM_EOF) || got != size)
    return d.error.ok() ? Status::Internal("libharu could not read back the PDF") : d.error;
  return out;
}

}  // namespace dangan::capture
