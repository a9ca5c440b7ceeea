#include "capture/page_preprocessing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>

#include <tesseract/baseapi.h>

namespace dangan::capture {
namespace {

constexpr float kDegToRad = 3.14159265358979f / 180.0f;

// Converts to 8 bpp gray; colour pages first lose their red seal ink when asked, because after
// the conversion red and black are no longer told apart.
PixPtr ToGray(Pix* pix, bool remove_red, bool* removed) {
  *removed = false;
  if (pixGetDepth(pix) != 32) return PixPtr(pixConvertTo8(pix, 0));
  PixPtr rgb(pixCopy(nullptr, pix));
  if (remove_red) {
    const int w = pixGetWidth(rgb.get()), h = pixGetHeight(rgb.get()), wpl = pixGetWpl(rgb.get());
    l_uint32* data = pixGetData(rgb.get());
    for (int y = 0; y < h; ++y) {
      l_uint32* line = data + static_cast<size_t>(y) * wpl;
      for (int x = 0; x < w; ++x) {
        l_int32 r, g, b;
        extractRGBValues(line[x], &r, &g, &b);
        // Seal ink is red-dominant; black text crossing the seal stays dark in all channels.
        if (r > 90 && r - std::max(g, b) > 50) {
          composeRGBPixel(255, 255, 255, &line[x]);
          *removed = true;
        }
      }
    }
  }
  return PixPtr(pixConvertRGBToLuminance(rgb.get()));
}

// Binary copy for the analysis steps (orientation, skew); its threshold only has to separate
// toner from paper, not to be pretty.
PixPtr AnalysisBinary(Pix* gray) { return PixPtr(pixConvertTo1(gray, 160)); }

// Tesseract's orientation detector, one per thread: a TessBaseAPI is not thread-safe, and OSD
// data is small (a few MB), so a per-thread copy is cheaper than a lock.
struct OrientationDetector {
  std::unique_ptr<tesseract::TessBaseAPI> api;
  bool failed = false;
};

// Returns the clockwise rotation (0/90/180/270) that brings the page upright, or 0 when unsure.
int DetectUprightRotation(Pix* binary, const std::string& tessdata_dir) {
  thread_local OrientationDetector detector;
  if (detector.failed) return 0;
  if (!detector.api) {
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    std::vector<std::string> names = {"debug_file"}, values = {"/dev/null"};
    const char* datapath = tessdata_dir.empty() ? nullptr : tessdata_dir.c_str();
    if (api->Init(datapath, "osd", tesseract::OEM_TESSERACT_ONLY, nullptr, 0, &names, &values,
                  false) != 0) {
      detector.failed = true;
      return 0;
    }
    api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    detector.api = std::move(api);
  }
  // Full resolution: at half resolution OSD turned an upright form by 180° (dev_0006).
  detector.api->SetImage(binary);
  detector.api->SetSourceResolution(300);
  int orient_deg = 0;
  float orient_conf = 0, script_conf = 0;
  const char* script = nullptr;
  const bool found =
      detector.api->DetectOrientationScript(&orient_deg, &orient_conf, &script, &script_conf);
  detector.api->Clear();
  // Below this confidence OSD is guessing (upright corpus forms score 5.7..13); a wrongly turned
  // page is far worse than a skipped one.
  if (!found || orient_conf < 6.0f) return 0;
  return (360 - orient_deg) % 360;
}

// Makes connected dark regions that touch the page edge and stay inside a thin band along it
// (scanner lid shadow, punched holes, the edge of the next sheet) paper-white.
void CleanBorder(Pix* gray) {
  PixPtr binary = AnalysisBinary(gray);
  if (!binary) return;
  PixPtr interior(pixRemoveBorderConnComps(binary.get(), 8));
  if (!interior) return;
  PixPtr touching(pixXor(nullptr, binary.get(), interior.get()));
  BOXA* boxes = nullptr;
  PIXA* comps = nullptr;
  boxes = pixConnComp(touching.get(), &comps, 8);
  const int w = pixGetWidth(gray), h = pixGetHeight(gray);
  const int band_x = w / 20, band_y = h / 20;
  const int n = boxaGetCount(boxes);
  for (int i = 0; i < n; ++i) {
    l_int32 bx, by, bw, bh;
    boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh);
    const bool in_band = bw <= band_x || bh <= band_y;
    if (!in_band) continue;  // a table frame or text block that merely reaches the edge
    PIX* comp = pixaGetPix(comps, i, L_CLONE);
    pixSetMaskedGeneral(gray, comp, 255, bx, by);
    pixDestroy(&comp);
  }
  boxaDestroy(&boxes);
  pixaDestroy(&comps);
}

// On a gray scan a seal is ink lighter than toner, but the blurred edges of text strokes are just
// as light, and whitening them costs more characters than the seal does (measured: a plain
// threshold at 150 raised CER from 0.12 to 0.37). So ink is whitened only away from toner: more
// than 4 px from any stroke core darker than `toner_core`.
void SuppressLightInk(Pix* gray, int toner_core) {
  PixPtr cores(pixThresholdToBinary(gray, toner_core));
  if (!cores) return;
  l_int32 count = 0;
  pixCountPixels(cores.get(), &count, nullptr);
  // A faint page has too few cores to tell text from seal; leave it alone rather than erase it.
  const double area = static_cast<double>(pixGetWidth(gray)) * pixGetHeight(gray);
  if (count < area * 0.002) return;
  PixPtr far_from_toner(pixDilateBrick(nullptr, cores.get(), 9, 9));
  if (!far_from_toner) return;
  pixInvert(far_from_toner.get(), far_from_toner.get());
  pixSetMasked(gray, far_from_toner.get(), 255);
}

}  // namespace

Result<PreparedPage> PreparePage(const ScannedPage& page, const PreprocessOptions& options) {
  if (!page.image) return Status::InvalidArgument("the page has no image");
  Pix* source = page.image.get();
  PreparedPage out;
  const bool bitonal = pixGetDepth(source) == 1;
  PixPtr work;
  if (bitonal) {
    work.reset(pixCopy(nullptr, source));
  } else {
    bool removed_red = false;
    work = ToGray(source, options.suppress_seals, &removed_red);
    if (removed_red) out.steps_applied.push_back("seal suppression (red ink)");
  }
  if (!work) return Status::Internal("out of memory converting the page");
  const int dpi = page.dpi > 0 ? page.dpi : pixGetXRes(source);

  if (options.normalise_resolution && dpi > 0 && options.target_dpi > 0 &&
      std::abs(dpi - options.target_dpi) * 10 > options.target_dpi) {
    const float factor = static_cast<float>(options.target_dpi) / static_cast<float>(dpi);
    PixPtr scaled(bitonal && factor < 1 ? pixScaleToGray(work.get(), factor)
                                        : pixScale(work.get(), factor, factor));
    if (!scaled) return Status::Internal("cannot rescale the page");
    work = std::move(scaled);
    out.steps_applied.push_back("resolution " + std::to_string(dpi) + "→" +
                                std::to_string(options.target_dpi) + " dpi");
  }
  pixSetResolution(work.get(), options.target_dpi, options.target_dpi);
  const bool is_gray = pixGetDepth(work.get()) == 8;

  try {
    if (options.detect_orientation) {
      PixPtr binary = is_gray ? AnalysisBinary(work.get()) : PixPtr(pixClone(work.get()));
      const int rotation = binary ? DetectUprightRotation(binary.get(), options.tessdata_dir) : 0;
      if (rotation != 0) {
        PixPtr turned(pixRotateOrth(work.get(), rotation / 90));
        if (!turned) return Status::Internal("cannot rotate the page");
        work = std::move(turned);
        out.rotation_degrees = rotation;
        out.steps_applied.push_back("orientation " + std::to_string(rotation) + "°");
      }
    }
  } catch (const std::exception& e) {
    return Status::Internal(std::string("orientation detection failed: ") + e.what());
  }

  if (options.deskew) {
    PixPtr binary = is_gray ? AnalysisBinary(work.get()) : PixPtr(pixClone(work.get()));
    l_float32 angle = 0, conf = 0;
    // pixFindSkew reduces 4x for the sweep and 2x for the search, so a full page costs tens of ms.
    if (binary && pixFindSkew(binary.get(), &angle, &conf) == 0 && conf >= 3.0f &&
        std::abs(angle) >= 0.1f) {
      PixPtr straight(pixRotate(work.get(), angle * kDegToRad,
                                is_gray ? L_ROTATE_AREA_MAP : L_ROTATE_SAMPLING, L_BRING_IN_WHITE,
                                0, 0));
      if (!straight) return Status::Internal("cannot deskew the page");
      work = std::move(straight);
      out.skew_degrees = -angle;
      char buf[48];
      snprintf(buf, sizeof buf, "deskew %.2f°", static_cast<double>(-angle));
      out.steps_applied.push_back(buf);
    }
  }

  if (is_gray && options.normalise_background) {
    PixPtr flat(pixBackgroundNormSimple(work.get(), nullptr, nullptr));
    if (flat) {
      work = std::move(flat);
      out.steps_applied.push_back("background normalisation");
    }
  }

  if (is_gray && options.suppress_seals && options.seal_gray_threshold > 0 &&
      options.seal_gray_threshold < 255 && pixGetDepth(source) == 8) {
    SuppressLightInk(work.get(), options.seal_gray_threshold);
    out.steps_applied.push_back("seal suppression (ink away from toner < " +
                                std::to_string(options.seal_gray_threshold) + ")");
  }

  if (is_gray && options.clean_border) {
    CleanBorder(work.get());
    out.steps_applied.push_back("border cleanup");
  }

  if (is_gray && options.binarise) {
    PIX* binary = nullptr;
    if (pixSauvolaBinarizeTiled(work.get(), 25, 0.35f, 1, 1, nullptr, &binary) == 0 && binary) {
      work.reset(binary);
      out.steps_applied.push_back("Sauvola binarisation");
    }
  }

  pixSetResolution(work.get(), options.target_dpi, options.target_dpi);
  out.image = std::move(work);
  return out;
}

}  // namespace dangan::capture
