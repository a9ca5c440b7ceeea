#include "capture/scanned_document.h"

#include <stdio.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

namespace dangan::capture {
namespace {

// Files larger than this are refused before they are read: a scan of a thick case folder at
// 300 dpi stays well below it, and the limit bounds what one request can make us hold.
constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;
constexpr double kPdfDpi = 300.0;

Status Malformed(const std::string& msg) { return Status(ErrorCode::kMalformed, msg); }

// Leptonica and poppler report bad input on stderr; the Status we return says it better, and
// untrusted uploads must not flood the server log.
void SilenceLibraryMessages() {
  static std::once_flag once;
  std::call_once(once, [] {
    setMsgSeverity(L_SEVERITY_NONE);
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
  });
}

Status CheckDimensions(long long w, long long h, int page) {
  const std::string where = "page " + std::to_string(page + 1);
  if (w <= 0 || h <= 0) return Malformed(where + " declares no pixels");
  if (w > kMaxPageSide || h > kMaxPageSide || w * h > kMaxPagePixels) {
    return Status(ErrorCode::kTooLarge, where + " is " + std::to_string(w) + "x" +
                                            std::to_string(h) + " pixels; the limit is " +
                                            std::to_string(kMaxPageSide) + " a side and " +
                                            std::to_string(kMaxPagePixels / 1'000'000) + " MP");
  }
  return Status::Ok();
}

std::string TiffCompressionName(int format) {
  switch (format) {
    case IFF_TIFF_JPEG:
      return "JPEG";
    case IFF_TIFF_LZW:
      return "LZW";
    case IFF_TIFF_G4:
      return "CCITT G4";
    case IFF_TIFF_G3:
      return "CCITT G3";
    case IFF_TIFF_ZIP:
      return "Deflate";
    case IFF_TIFF_PACKBITS:
      return "PackBits";
    case IFF_TIFF_RLE:
      return "CCITT RLE";
    default:
      return "none";
  }
}

// Brings a decoded image to one of the three forms the rest of the pipeline handles (1 bpp,
// 8 bpp gray, 32 bpp RGB), so no later step has to think about colormaps, alpha or 16 bpp.
Result<ScannedPage> MakePage(PIX* decoded, int declared_dpi, std::string compression, int index) {
  PixPtr pix(decoded);
  if (!pix) return Malformed("page " + std::to_string(index + 1) + " cannot be decoded");
  if (pixGetColormap(pix.get()) != nullptr) {
    pix.reset(pixRemoveColormap(pix.get(), REMOVE_CMAP_BASED_ON_SRC));
  }
  if (pix && pixGetDepth(pix.get()) == 32 && pixGetSpp(pix.get()) == 4) {
    pix.reset(pixAlphaBlendUniform(pix.get(), 0xffffff00));
  }
  if (pix) {
    const int d = pixGetDepth(pix.get());
    if (d != 1 && d != 8 && d != 32) pix.reset(pixConvertTo8(pix.get(), 0));
  }
  if (!pix) return Malformed("page " + std::to_string(index + 1) + " has an unusable pixel format");

  ScannedPage page;
  page.width = pixGetWidth(pix.get());
  page.height = pixGetHeight(pix.get());
  DANGAN_RETURN_IF_ERROR(CheckDimensions(page.width, page.height, index));
  int dpi = declared_dpi > 0 ? declared_dpi : pixGetXRes(pix.get());
  // Resolutions outside this range are tag junk (e.g. 1 or 72000); "unknown" is more honest.
  if (dpi < 50 || dpi > 2400) dpi = 0;
  page.dpi = dpi;
  pixSetResolution(pix.get(), dpi, dpi);
  const int d = pixGetDepth(pix.get());
  page.colour_mode = d == 1 ? "bitonal" : d == 8 ? "grayscale" : "color";
  page.compression = std::move(compression);
  page.image = std::move(pix);
  return page;
}

Status TooLargeDocument(long long bytes, long long limit) {
  return Status(ErrorCode::kTooLarge, "the document needs about " + std::to_string(bytes >> 20) +
                                          " MiB decoded; the " + "limit is " +
                                          std::to_string(limit >> 20) +
                                          " MiB: split it into smaller files");
}

Result<ScannedDocument> DecodeTiff(const l_uint8* data, size_t size, long long max_bytes) {
  // libtiff wants a FILE* to count directories; fmemopen gives one over the bytes we hold.
  FILE* fp = fmemopen(const_cast<l_uint8*>(data), size, "rb");
  if (fp == nullptr) return Status::Internal("fmemopen failed");
  l_int32 count = 0;
  const bool counted = tiffGetCount(fp, &count) == 0;
  fclose(fp);
  if (!counted) return Malformed("TIFF directory cannot be read");
  if (count <= 0) return Malformed("TIFF has no pages");
  if (count > kMaxPages) {
    return Status(ErrorCode::kTooLarge, "TIFF has " + std::to_string(count) +
                                            " pages; the limit is " + std::to_string(kMaxPages));
  }
  struct Header {
    int res = 0, format = 0;
  };
  std::vector<Header> headers(count);
  long long decoded = 0;  // bytes, with a 1-bit page counted as 8-bit (it is converted)
  for (int n = 0; n < count; ++n) {
    l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;
    if (readHeaderMemTiff(data, size, n, &w, &h, &bps, &spp, &res, &cmap, &format) != 0) {
      return Malformed("TIFF page " + std::to_string(n + 1) + " header cannot be read");
    }
    DANGAN_RETURN_IF_ERROR(CheckDimensions(w, h, n));
    headers[n] = {res, format};
    decoded += static_cast<long long>(w) * h * std::max(8, bps * spp) / 8;
  }
  if (decoded > max_bytes) return TooLargeDocument(decoded, max_bytes);
  ScannedDocument doc;
  doc.format = "TIFF";
  size_t offset = 0;
  for (int n = 0; n < count; ++n) {
    PIX* pix = pixReadMemFromMultipageTiff(data, size, &offset);
    auto page = MakePage(pix, headers[n].res, TiffCompressionName(headers[n].format), n);
    if (!page.ok()) return page.status();
    doc.pages.push_back(std::move(page).value());
    if (offset == 0 && n + 1 < count) {
      return Malformed("TIFF ends after page " + std::to_string(n + 1) + " of " +
                       std::to_string(count));
    }
  }
  return doc;
}

Result<ScannedDocument> DecodeRaster(const l_uint8* data, size_t size, bool jpeg,
                                     long long max_bytes) {
  // libpng refuses huge PNGs itself; reading IHDR first lets us say why (kTooLarge).
  if (!jpeg && size >= 24) {
    const auto be32 = [&](size_t at) {
      return (static_cast<long long>(data[at]) << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) |
             data[at + 3];
    };
    DANGAN_RETURN_IF_ERROR(CheckDimensions(be32(16), be32(20), 0));
  }
  l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, iscmap = 0;
  if (pixReadHeaderMem(data, size, &format, &w, &h, &bps, &spp, &iscmap) != 0) {
    return Malformed(std::string(jpeg ? "JPEG" : "PNG") + " header cannot be read");
  }
  DANGAN_RETURN_IF_ERROR(CheckDimensions(w, h, 0));
  // Estimated as for TIFF pages: a small PNG or JPEG can declare a page far larger than itself.
  const long long decoded = static_cast<long long>(w) * h * std::max(8, bps * spp) / 8;
  if (decoded > max_bytes) return TooLargeDocument(decoded, max_bytes);
  PIX* pix = nullptr;
  if (jpeg) {
    // libjpeg "warnings" include a premature end of data, after which it fills the rest of the
    // page with gray: for an archive that is a damaged scan, not a page.
    l_int32 warnings = 0;
    pix = pixReadMemJpeg(data, size, 0, 1, &warnings, 0);
    if (pix != nullptr && warnings > 0) {
      pixDestroy(&pix);
      return Malformed("JPEG data is truncated or corrupt");
    }
  } else {
    pix = pixReadMemPng(data, size);
  }
  ScannedDocument doc;
  doc.format = jpeg ? "JPEG" : "PNG";
  auto page = MakePage(pix, 0, jpeg ? "JPEG" : "Deflate", 0);
  if (!page.ok()) return page.status();
  doc.pages.push_back(std::move(page).value());
  return doc;
}

// A PDF page arrives as ARGB; scans are mostly gray, and an 8 bpp page is a quarter of the memory
// and what OCR works on, so colour is kept only when some pixels actually carry it.
PixPtr PixFromPopplerImage(const poppler::image& img) {
  const int w = img.width(), h = img.height();
  PixPtr rgb(pixCreate(w, h, 32));
  if (!rgb) return nullptr;
  const char* src = img.const_data();
  const int stride = img.bytes_per_row();
  l_uint32* dst = pixGetData(rgb.get());
  const int wpl = pixGetWpl(rgb.get());
  long long coloured = 0;
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(src + static_cast<size_t>(y) * stride);
    l_uint32* out = dst + static_cast<size_t>(y) * wpl;
    for (int x = 0; x < w; ++x) {
      const std::uint32_t v = row[x];
      const int r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;
      if (std::max({r, g, b}) - std::min({r, g, b}) > 40) ++coloured;
      composeRGBPixel(r, g, b, &out[x]);
    }
  }
  if (coloured * 10000 > static_cast<long long>(w) * h) return rgb;
  return PixPtr(pixConvertRGBToLuminance(rgb.get()));
}

// The highest object number a PDF of `size` bytes may use. poppler sizes its cross-reference
// table by the highest number it meets, even in a file it must reconstruct: a 429-byte file
// naming object 25555555 cost 14 s and 1.2 GB. Real writers number objects densely (each object
// takes more than four bytes), so anything beyond this bound is refused before poppler sees it.
uint64_t MaxPdfObjectNumber(size_t size) {
  return std::min<uint64_t>(4000000, std::max<uint64_t>(65536, size / 4));
}

// PDF's white space (NUL included: poppler's lexer skips it, so "/Size\0 90000000" is a size).
bool IsPdfSpace(unsigned char c) {
  return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ' || c == '\v';
}

bool IsPdfDelimiter(unsigned char c) {
  return IsPdfSpace(c) || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '/' || c == '%';
}

// The highest object number poppler's reconstruction of a broken table (XRef::constructXRef)
// would meet: it reads the file in lines of at most 255 bytes as C strings (a NUL ends one, and
// so does "endobj"), takes a number at a line's start, and when the line ends after the number
// or the generation, goes on to the next line for the rest of "N G obj".
uint64_t HighestReconstructedObjectNumber(const std::string& bytes) {
  size_t pos = 0;
  // The next line as poppler sees it.
  auto next_line = [&]() -> std::optional<std::string> {
    if (pos >= bytes.size()) return std::nullopt;
    size_t end = pos;
    while (end < bytes.size() && end - pos < 255 && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    std::string line = bytes.substr(pos, end - pos);
    pos = end;
    if (pos < bytes.size() && bytes[pos] == '\r') ++pos;
    if (pos < bytes.size() && bytes[pos] == '\n') ++pos;
    if (size_t nul = line.find('\0'); nul != std::string::npos) line.resize(nul);
    if (size_t e = line.find("endobj"); e != std::string::npos) line.resize(e);
    return line;
  };
  auto space = [](char c) { return c != 0 && IsPdfSpace(static_cast<unsigned char>(c)); };
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  uint64_t highest = 0;
  while (auto line = next_line()) {
    std::string text = *line;
    size_t p = 0;
    while (p < text.size() && space(text[p])) ++p;
    if (p >= text.size() || !digit(text[p])) continue;
    uint64_t num = 0;
    for (; p < text.size() && digit(text[p]); ++p)
      if (num < (1ull << 40)) num = num * 10 + (text[p] - '0');
    // After the number and after the generation: the line may end there (go on to the next) or
    // continue with white space.
    bool matched = true;
    for (int part = 0; part < 2 && matched; ++part) {
      if (p >= text.size()) {
        auto more = next_line();
        if (!more) break;
        text = *more;
        p = 0;
      } else if (!space(text[p])) {
        matched = false;
        break;
      }
      while (p < text.size() && space(text[p])) ++p;
      if (part == 1) break;
      if (p >= text.size() || !digit(text[p])) matched = false;
      while (p < text.size() && digit(text[p])) ++p;
    }
    if (matched && text.compare(p, 3, "obj") == 0) highest = std::max(highest, num);
  }
  return highest;
}

// The highest number a PDF gives its cross-reference table, found by a plain scan before poppler
// reads it: every "N G obj" (poppler reconstructs a broken table from these), every /Size, every
// subsection "first count" of an xref table, every pair of an /Index array, every /N (objects
// in an object stream). White space and comments between tokens are skipped and names decoded
// as poppler does both ("/Si#7Ae" is /Size, "/Sizes" another name).
uint64_t HighestPdfObjectNumber(const std::string& bytes) {
  const size_t n = bytes.size();
  auto at_byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  auto skip = [&](size_t i) {  // past white space and comments
    while (i < n) {
      if (IsPdfSpace(at_byte(i))) {
        ++i;
      } else if (bytes[i] == '%') {
        while (i < n && bytes[i] != '\n' && bytes[i] != '\r') ++i;
      } else {
        break;
      }
    }
    return i;
  };
  // An integer (optionally signed) at `i`, saturating; false if there is none.
  auto integer = [&](size_t i, uint64_t* value, size_t* end) {
    if (i < n && (bytes[i] == '+' || bytes[i] == '-')) ++i;
    size_t j = i;
    uint64_t v = 0;
    while (j < n && std::isdigit(at_byte(j))) {
      if (v < (1ull << 40)) v = v * 10 + (bytes[j] - '0');
      ++j;
    }
    *value = v;
    *end = j;
    return j > i;
  };
  auto each = [&](const char* word, auto&& at_match) {
    const size_t len = std::strlen(word);
    for (size_t at = bytes.find(word); at != std::string::npos; at = bytes.find(word, at + len))
      at_match(at, at + len);
  };
  uint64_t highest = 0;

  auto skip_space_back = [&](size_t i) {
    while (i > 0 && IsPdfSpace(at_byte(i - 1))) --i;
    return i;
  };
  auto digits_before = [&](size_t end, size_t* start) {
    size_t i = end;
    while (i > 0 && std::isdigit(at_byte(i - 1))) --i;
    *start = i;
    return i < end;
  };
  each("obj", [&](size_t at, size_t) {
    size_t gen_start, num_start;
    size_t end = skip_space_back(at);
    if (end == at || !digits_before(end, &gen_start)) return;
    end = skip_space_back(gen_start);
    if (end == gen_start || !digits_before(end, &num_start)) return;
    uint64_t number;
    size_t stop;
    integer(num_start, &number, &stop);
    highest = std::max(highest, number);
  });
  highest = std::max(highest, HighestReconstructedObjectNumber(bytes));
  // Every name, decoded as poppler decodes it ("/Si#7Ae" is /Size), and where its value starts.
  for (size_t at = bytes.find('/'); at != std::string::npos; at = bytes.find('/', at + 1)) {
    std::string name;
    size_t i = at + 1;
    for (; i < n && !IsPdfDelimiter(at_byte(i)) && name.size() <= 8; ++i) {
      if (bytes[i] == '#' && i + 2 < n && std::isxdigit(at_byte(i + 1)) &&
          std::isxdigit(at_byte(i + 2))) {
        name += static_cast<char>(std::stoi(bytes.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        name += bytes[i];
      }
    }
    if (name != "Size" && name != "N" && name != "Index") continue;
    i = skip(i);
    uint64_t v, count;
    size_t end;
    if (name != "Index") {
      if (integer(i, &v, &end)) highest = std::max(highest, v);
    } else if (i < n && bytes[i] == '[') {
      for (i = skip(i + 1); integer(i, &v, &end); i = skip(end)) {
        if (!integer(skip(end), &count, &end)) break;
        highest = std::max(highest, v + count);
      }
    }
  }
  // An xref table, read as poppler reads one: a subsection header "first count", then `count`
  // entries "offset generation n|f", then the next header. poppler sizes its table from each header
  // before reading the entries. "xref" inside "startxref" is a table only where some offset
  // (startxref, /Prev, /XRefStm) points at it.
  std::set<uint64_t> pointed_at;
  const size_t header = bytes.find("%PDF");  // poppler counts offsets from the header
  for (const char* pointer : {"startxref", "/Prev", "/XRefStm"})
    each(pointer, [&](size_t, size_t after) {
      uint64_t offset;
      size_t end;
      if (!integer(skip(after), &offset, &end)) return;
      pointed_at.insert(offset);
      if (header != std::string::npos) pointed_at.insert(offset + header);
    });
  each("xref", [&](size_t at, size_t after) {
    if (at >= 5 && bytes.compare(at - 5, 5, "start") == 0 && !pointed_at.count(at)) return;
    size_t i = skip(after);
    uint64_t first, count;
    size_t end;
    while (integer(i, &first, &end) && integer(skip(end), &count, &end)) {
      highest = std::max(highest, first + count);
      i = skip(end);
      for (uint64_t k = 0; k < count; ++k) {
        uint64_t offset, generation;
        if (!integer(i, &offset, &end) || !integer(skip(end), &generation, &end)) return;
        i = skip(end);
        if (i >= n || (bytes[i] != 'n' && bytes[i] != 'f')) return;
        i = skip(i + 1);
      }
    }
  });
  return highest;
}

Result<ScannedDocument> DecodePdf(const std::string& bytes, long long max_bytes) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return Status(ErrorCode::kTooLarge, "PDF too large");
  if (HighestPdfObjectNumber(bytes) > MaxPdfObjectNumber(bytes.size()))
    return Malformed("PDF numbers its objects beyond what a file of its size can hold");
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) return Malformed("PDF cannot be parsed");
  if (pdf->is_locked())
    return Status(ErrorCode::kUnsupportedMediaType, "PDF is password-protected");
  const int count = pdf->pages();
  if (count <= 0) return Malformed("PDF has no pages");
  if (count > kMaxPages) return Status(ErrorCode::kTooLarge, "PDF has too many pages");
  poppler::page_renderer renderer;
  renderer.set_image_format(poppler::image::format_argb32);
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  ScannedDocument doc;
  doc.format = "PDF";
  long long decoded = 0;
  for (int n = 0; n < count; ++n) {
    std::unique_ptr<poppler::page> page(pdf->create_page(n));
    if (!page) return Malformed("PDF page " + std::to_string(n + 1) + " cannot be read");
    const poppler::rectf box = page->page_rect();
    double w = box.width() * kPdfDpi / 72.0, h = box.height() * kPdfDpi / 72.0;
    if (page->orientation() == poppler::page::landscape ||
        page->orientation() == poppler::page::seascape) {
      std::swap(w, h);
    }
    if (!(w < 1e9 && h < 1e9)) return Malformed("PDF page size is not a number");
    DANGAN_RETURN_IF_ERROR(
        CheckDimensions(static_cast<long long>(w + 0.5), static_cast<long long>(h + 0.5), n));
    // Each page is kept as 8-bit gray (unless it has colour) but rendered at 32 bits first.
    const long long pixels = static_cast<long long>(w * h);
    decoded += pixels;
    if (decoded + 3 * pixels > max_bytes) return TooLargeDocument(decoded + 3 * pixels, max_bytes);
    poppler::image img = renderer.render_page(page.get(), kPdfDpi, kPdfDpi);
    if (!img.is_valid() || img.format() != poppler::image::format_argb32) {
      return Malformed("PDF page " + std::to_string(n + 1) + " cannot be rendered");
    }
    PixPtr pix = PixFromPopplerImage(img);
    if (!pix) return Status::Internal("out of memory rasterising a PDF page");
    auto scanned = MakePage(pix.release(), static_cast<int>(kPdfDpi), "PDF raster", n);
    if (!scanned.ok()) return scanned.status();
    doc.pages.push_back(std::move(scanned).value());
  }
  return doc;
}

bool StartsWith(const std::string& bytes, const char* magic, size_t n) {
  return bytes.size() >= n && bytes.compare(0, n, magic, n) == 0;
}

}  // namespace

Result<ScannedDocument> DecodeScannedDocument(const std::string& bytes,
                                              long long max_decoded_bytes) {
  SilenceLibraryMessages();
  if (bytes.empty()) return Malformed("the file is empty");
  if (bytes.size() > kMaxFileBytes) return Status(ErrorCode::kTooLarge, "the file exceeds 1 GiB");
  const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
  if (StartsWith(bytes, "II*\0", 4) || StartsWith(bytes, "MM\0*", 4)) {
    return DecodeTiff(data, bytes.size(), max_decoded_bytes);
  }
  if (StartsWith(bytes, "\x89PNG\r\n\x1a\n", 8))
    return DecodeRaster(data, bytes.size(), false, max_decoded_bytes);
  if (StartsWith(bytes, "\xff\xd8\xff", 3))
    return DecodeRaster(data, bytes.size(), true, max_decoded_bytes);
  // PDF allows up to 1024 bytes of junk before the header.
  if (std::string_view(bytes).substr(0, 1024).find("%PDF-") != std::string_view::npos) {
    return DecodePdf(bytes, max_decoded_bytes);
  }
  return Status(ErrorCode::kUnsupportedMediaType,
                "not a TIFF, PNG, JPEG or PDF file (unrecognised leading bytes)");
}

Result<ScannedDocument> LoadScannedDocument(const std::string& path, long long max_decoded_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return Status::IOError("cannot read " + path);
  if (static_cast<std::uintmax_t>(size) > kMaxFileBytes) {
    return Status(ErrorCode::kTooLarge, path + " exceeds 1 GiB");
  }
  in.seekg(0);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size)) return Status::IOError("cannot read " + path);
  auto doc = DecodeScannedDocument(bytes, max_decoded_bytes);
  if (!doc.ok()) return doc.status().WithContext(path);
  return doc;
}

}  // namespace dangan::capture
