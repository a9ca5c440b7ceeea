#include "capture/ocr_engine_pool.h"

#include <dlfcn.h>

#include <cstdlib>
#include <exception>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

namespace dangan::capture {
namespace {

// Decodes the code point that starts at s[i] (or ends at s[end-1] when searching backwards).
char32_t DecodeAt(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  char32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra && i + k < s.size(); ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
  return cp;
}

bool IsCjkPunctuation(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
         (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
         (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x2018 && c <= 0x201F) || c == 0x2014 ||
         c == 0x2026 || c == 0x00B7;
}

bool IsCjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3FFFF) || IsCjkPunctuation(c);
}

std::string TakeText(char* text) {
  std::string s = text != nullptr ? text : "";
  delete[] text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// libgomp reads OMP_THREAD_LIMIT once, when it is loaded with Tesseract at program start, so
// setting it in Open() is too late for this process. Limiting the nesting of active parallel
// regions to zero does the same from inside: every parallel region then runs on the thread that
// meets it. The setting belongs to the calling thread, hence once per thread. Looked up at run
// time so the build needs no OpenMP flags; a Tesseract without OpenMP simply has no such symbol.
void KeepTesseractOnThisThread() {
  using SetLevels = void (*)(int);
  static const auto set_levels =
      reinterpret_cast<SetLevels>(dlsym(RTLD_DEFAULT, "omp_set_max_active_levels"));
  thread_local bool done = false;
  if (!done && set_levels != nullptr) set_levels(0);
  done = true;
}

// Returns the borrowed engine to the pool even when recognition fails part-way.
class EngineLoan {
 public:
  EngineLoan(std::mutex& mu, std::condition_variable& cv,
             std::vector<tesseract::TessBaseAPI*>& idle)
      : mu_(mu), cv_(cv), idle_(idle) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty(); });
    engine_ = idle_.back();
    idle_.pop_back();
  }
  ~EngineLoan() {
    engine_->Clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(engine_);
    }
    cv_.notify_one();
  }
  EngineLoan(const EngineLoan&) = delete;
  EngineLoan& operator=(const EngineLoan&) = delete;
  tesseract::TessBaseAPI* operator->() const { return engine_; }

 private:
  std::mutex& mu_;
  std::condition_variable& cv_;
  std::vector<tesseract::TessBaseAPI*>& idle_;
  tesseract::TessBaseAPI* engine_ = nullptr;
};

}  // namespace

std::string JoinOcrWords(const std::vector<std::string>& words) {
  // Work on code points: punctuation is rewritten by looking at its neighbours across spaces.
  std::vector<std::u32string> tokens;
  for (const std::string& word : words) {
    std::u32string cps;
    for (size_t i = 0; i < word.size();) {
      const unsigned char c = static_cast<unsigned char>(word[i]);
      const size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      cps += DecodeAt(word, i);
      i += len;
    }
    if (!cps.empty()) tokens.push_back(std::move(cps));
  }
  std::u32string line;
  for (const std::u32string& token : tokens) {
    if (!line.empty()) {
      const char32_t a = line.back(), b = token.front();
      if (!(IsCjk(a) && IsCjk(b))) line += U' ';
    }
    line += token;
  }
  // chi_sim often reads the full-width punctuation of Chinese text as its ASCII look-alike; next
  // to a Han character the full-width form is what was printed. "1．" list numbers likewise, but
  // never a decimal point or a time such as 10:30.
  const auto neighbour = [&](size_t i, int step) -> char32_t {
    for (long k = static_cast<long>(i) + step; k >= 0 && k < static_cast<long>(line.size());
         k += step) {
      if (line[k] != U' ') return line[k];
    }
    return 0;
  };
  const auto is_han = [](char32_t c) { return IsCjk(c) && !IsCjkPunctuation(c); };
  for (size_t i = 0; i < line.size(); ++i) {
    const char32_t c = line[i];
    const char32_t before = neighbour(i, -1), after = neighbour(i, +1);
    const bool near_han = is_han(before) || is_han(after);
    switch (c) {
      case U':':
        if (near_han) line[i] = U'：';
        break;
      case U'(':
        if (near_han) line[i] = U'（';
        break;
      case U')':
        if (near_han) line[i] = U'）';
        break;
      case U',':
        if (near_han) line[i] = U'，';
        break;
      case U';':
        if (near_han) line[i] = U'；';
        break;
      case U'.':
        if (before >= U'0' && before <= U'9' && is_han(after)) line[i] = U'．';
        break;
      default:
        break;
    }
  }
  std::string out;
  for (size_t i = 0; i < line.size(); ++i) {
    const char32_t c = line[i];
    if (c == U' ' && (IsCjkPunctuation(neighbour(i, -1)) || IsCjkPunctuation(neighbour(i, +1)))) {
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

Result<std::unique_ptr<OcrEnginePool>> OcrEnginePool::Open(int engines, const OcrOptions& options) {
  if (engines < 1 || engines > 64) {
    return Status::InvalidArgument("an OCR pool needs 1 to 64 engines, not " +
                                   std::to_string(engines));
  }
  // Tesseract's LSTM asks OpenMP for several threads per line; on a shared machine those threads
  // fight the other engines. Must happen before the first engine exists.
  setenv("OMP_THREAD_LIMIT", "1", /*overwrite=*/0);
  std::unique_ptr<OcrEnginePool> pool(new OcrEnginePool());
  pool->languages_ = options.languages;
  for (int i = 0; i < engines; ++i) {
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    // Tesseract's own chatter ("Estimating resolution…") goes to a file, not our stderr.
    std::vector<std::string> names = {"debug_file"}, values = {"/dev/null"};
    const char* datapath = options.tessdata_dir.empty() ? nullptr : options.tessdata_dir.c_str();
    if (api->Init(datapath, options.languages.c_str(), tesseract::OEM_DEFAULT, nullptr, 0, &names,
                  &values, false) != 0) {
      return Status(
          ErrorCode::kUnavailable,
          "cannot load Tesseract language data '" + options.languages + "' from " +
              (datapath != nullptr ? options.tessdata_dir : std::string("the default path")));
    }
    api->SetPageSegMode(static_cast<tesseract::PageSegMode>(options.page_segmentation_mode));
    api->SetVariable("preserve_interword_spaces", options.preserve_interword_spaces ? "1" : "0");
    for (const auto& [name, value] : options.variables) {
      if (!api->SetVariable(name.c_str(), value.c_str())) {
        return Status::InvalidArgument("unknown Tesseract parameter " + name);
      }
    }
    pool->idle_.push_back(api.get());
    pool->engines_.push_back(std::move(api));
  }
  return pool;
}

OcrEnginePool::~OcrEnginePool() {
  for (auto& engine : engines_) engine->End();
}

Result<OcrPage> OcrEnginePool::Recognise(const Pix& image) {
  const int w = pixGetWidth(&image), h = pixGetHeight(&image), d = pixGetDepth(&image);
  if (w <= 0 || h <= 0) return Status::InvalidArgument("the page image is empty");
  if (d != 1 && d != 8 && d != 32) {
    return Status::InvalidArgument("OCR takes 1, 8 or 32 bpp images, not " + std::to_string(d));
  }
  const int dpi = pixGetXRes(&image) > 0 ? pixGetXRes(&image) : 300;
  try {
    KeepTesseractOnThisThread();
    EngineLoan engine(mu_, engine_returned_, idle_);
    // SetImage copies the pixels (it never keeps or changes the caller's PIX), so the const_cast
    // only adapts Tesseract's non-const signature.
    engine->SetImage(const_cast<Pix*>(&image));
    engine->SetSourceResolution(dpi);
    if (engine->Recognize(nullptr) != 0) return Status::Internal("Tesseract recognition failed");

    OcrPage page;
    page.width = w;
    page.height = h;
    page.dpi = dpi;
    std::unique_ptr<tesseract::ResultIterator> it(engine->GetIterator());
    double confidence_sum = 0;
    int word_count = 0;
    if (it != nullptr && !it->Empty(tesseract::RIL_TEXTLINE)) {
      do {
        OcrLine line;
        it->BoundingBox(tesseract::RIL_TEXTLINE, &line.left, &line.top, &line.width, &line.height);
        line.width -= line.left;
        line.height -= line.top;
        std::vector<std::string> texts;
        do {
          OcrWord word;
          word.text = TakeText(it->GetUTF8Text(tesseract::RIL_WORD));
          if (!word.text.empty()) {
            it->BoundingBox(tesseract::RIL_WORD, &word.left, &word.top, &word.width, &word.height);
            word.width -= word.left;
            word.height -= word.top;
            word.confidence = it->Confidence(tesseract::RIL_WORD);
            confidence_sum += word.confidence;
            ++word_count;
            texts.push_back(word.text);
            line.words.push_back(std::move(word));
          }
          it->Next(tesseract::RIL_WORD);
        } while (!it->Empty(tesseract::RIL_WORD) && !it->IsAtBeginningOf(tesseract::RIL_TEXTLINE));
        line.text = JoinOcrWords(texts);
        if (line.text.empty()) continue;
        if (!page.text.empty()) page.text += '\n';
        page.text += line.text;
        page.lines.push_back(std::move(line));
      } while (!it->Empty(tesseract::RIL_WORD));
    }
    page.mean_confidence = word_count > 0 ? static_cast<float>(confidence_sum / word_count) : 0;
    return page;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("Tesseract failed: ") + e.what());
  }
}

}  // namespace dangan::capture
