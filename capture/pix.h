// PixPtr: sole ownership of a Leptonica image (PIX), released with pixDestroy.
// A PIX is not safe to modify from two threads; read-only sharing is fine.
#pragma once

#include <memory>

#include <leptonica/allheaders.h>

namespace dangan::capture {

struct PixDeleter {
  void operator()(Pix* pix) const {
    if (pix != nullptr) pixDestroy(&pix);
  }
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

}  // namespace dangan::capture
