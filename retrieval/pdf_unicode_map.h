// WriteUnicodeMap: a correct /ToUnicode for a Type0 font that libharu loaded with its UTF-8
// encoder. libharu writes its code-to-CID CMap ("begincidrange") there, which is no ToUnicode
// CMap: readers warn, and a strict one (a PDF/A validator) cannot map the text back. Header-only
// so that the report writer (retrieval/) and the searchable PDF (capture/) share it. Stateless.
#pragma once

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include <cstdio>
#include <string>

namespace dangan {

// With the UTF-8 encoder the codes in the page content are UCS-2 code points (the font's CIDs are
// Unicode; its CIDToGIDMap finds the glyphs), so the map is the identity onto Unicode, written as
// one bfrange per high byte (a bfrange may vary only in its last byte), surrogates left out.
// Does nothing to a font without a /ToUnicode stream. Call once per font, before saving.
inline void WriteUnicodeMap(HPDF_Font font) {
  if (font == nullptr) return;
  auto map = static_cast<HPDF_Dict>(HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT));
  if (map == nullptr || map->stream == nullptr) return;
  std::string ranges;
  int count = 0;
  std::string text =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  auto flush = [&] {
    if (count == 0) return;
    text += std::to_string(count) + " beginbfrange\n" + ranges + "endbfrange\n";
    ranges.clear();
    count = 0;
  };
  for (int high = 0; high < 256; ++high) {
    if (high >= 0xD8 && high <= 0xDF) continue;  // UTF-16 surrogates: no character of their own
    char line[32];
    std::snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", high, high, high);
    ranges += line;
    if (++count == 100) flush();  // at most 100 entries per block (PDF 1.7, 9.10.3)
  }
  flush();
  text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  HPDF_MemStream_FreeData(map->stream);
  HPDF_Stream_WriteStr(map->stream, text.c_str());
}

}  // namespace dangan
