// PageImage: one page of a record's scan or PDF as a picture a browser shows (JPEG for gray and
// colour, PNG for bilevel), scaled to a requested width: the workbench's page viewer. The bytes
// decide the format, never the file name. Stateless; thread-safe.
#pragma once

#include <string>

#include "archive/status.h"

namespace dangan::web {

struct PageImage {
  std::string bytes;
  std::string content_type;
  int pages = 0;  // in the whole document
};

// `page` from 1; `width` in pixels (100 to 3000; the page's own width when smaller).
// kUnsupportedMediaType for content that is not a scan or PDF, kNotFound for a page past the
// end, the decoders' errors for damaged content.
Result<PageImage> RenderPageImage(const std::string& bytes, int page, int width);

}  // namespace dangan::web
