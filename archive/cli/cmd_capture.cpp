// `dangan capture`, `dangan review` and `dangan classifier`: scanned documents into records, the
// review queue for the doubtful ones, and how well the classifier has done on reviewed ones.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/capture_filing.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "capture/document_capture.h"
#include "storage/digest.h"
#include "web/http_json.h"

namespace dangan::cli {

namespace fs = std::filesystem;

namespace {

// A file is one document; a folder is a batch of the scans inside it (any depth, sorted).
Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && IsScanName(it->path().string()))
          found.push_back(it->path().string());
      if (ec) return Status::IOError("cannot list " + p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      return Status::NotFound(p + ": no such file or directory");
    }
  }
  return out;
}

// Documents, pages per second and the time left, on one line of stderr when it is a terminal.
class CaptureProgress {
 public:
  CaptureProgress(size_t total, bool enabled)
      : total_(total), enabled_(enabled && isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void Done(int pages) {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    pages_ += pages;
    if (!enabled_) return;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double eta = done_ ? s / done_ * (total_ - done_) : 0;
    std::fprintf(stderr, "\r%zu/%zu documents  %d pages  %.2f pages/s  ETA %.0f s   ", done_,
                 total_, pages_, s > 0 ? pages_ / s : 0.0, eta);
    if (done_ == total_) std::fprintf(stderr, "\n");
  }

 private:
  std::mutex mu_;
  size_t total_, done_ = 0;
  int pages_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
};

bool ArchiveExists(const std::string& root) {
  std::error_code ec;
  return fs::exists(fs::path(root) / ArchiveSession::kSettingsFile, ec);
}

}  // namespace

int RunCapture(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--workers", "--threshold", "--languages"},
                               {"--dry-run", "--json", "--quiet", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan capture [--dry-run] [--json] [--workers N] [--threshold X] PATH...\n"
           "Turns scanned documents (TIFF, PNG, JPEG, scanned PDF; one file = one document,\n"
           "a folder = a batch) into records: pages are straightened and recognised (Tesseract\n"
           "chi_sim by default), the document is classified into the scheme and its key fields "
           "are\n"
           "extracted. Sure results are filed (scan, OCR text and a searchable PDF in the\n"
           "package); unsure ones and documents that are not business records go to the review\n"
           "queue (see dangan review). A scan captured before is skipped; an unreadable one is\n"
           "reported and skipped. Exit 1 if any document could not be read.\n"
           "  --dry-run    file nothing, queue nothing\n"
           "  --json       one JSON object per document on stdout\n"
           "  --workers N  OCR engines working in parallel (default: the number of cores)\n"
           "  --threshold  confidence below which a document goes to review (default 0.5)\n"
           "  --languages  Tesseract languages (default chi_sim; chi_sim+eng for English text)\n";
    return 0;
  }
  if (args->positional.empty()) return Fail("capture needs at least one file or folder", 2);
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto workers = ParseInt("--workers", args->Get("--workers", std::to_string(cores)), 1, 64);
  if (!workers.ok()) return FailStatus(workers.status(), 2);
  auto threshold = ParseCaptureThreshold(args->Get("--threshold", "0.5"));
  if (!threshold.ok()) return Fail(threshold.status().message(), 2);
  const bool dry = args->Has("--dry-run"), json = args->Has("--json");
  auto inputs = ExpandInputs(args->positional);
  if (!inputs.ok()) return FailStatus(inputs.status(), 2);

  // A dry run works without an archive (the built-in scheme); with one, it uses what the
  // archive's classifier has learned.
  std::unique_ptr<ArchiveSession> session;
  std::unique_ptr<ClassificationScheme> builtin;
  if (!dry || ArchiveExists(ctx.root)) {
    auto opened = ArchiveSession::Open(ctx.root);
    if (!opened.ok()) return FailStatus(opened.status());
    session = std::move(*opened);
  } else {
    auto s = ClassificationScheme::LoadBuiltin();
    if (!s.ok()) return FailStatus(s.status());
    builtin = std::make_unique<ClassificationScheme>(std::move(*s));
  }
  const ClassificationScheme& scheme = session ? session->scheme() : *builtin;
  std::unique_ptr<CaptureFiling> filing;
  if (session) filing = std::make_unique<CaptureFiling>(session.get(), ctx.actor);
  auto classifier = LoadCaptureClassifier(scheme, filing ? &filing->queue() : nullptr);
  if (!classifier.ok()) return FailStatus(classifier.status());
  capture::OcrOptions ocr_options;
  ocr_options.languages = args->Get("--languages", ocr_options.languages);
  auto pool = capture::OcrEnginePool::Open(*workers, ocr_options);
  if (!pool.ok()) return FailStatus(pool.status());
  capture::DocumentCapture pipeline(scheme, *classifier, **pool, capture::CaptureOptions{});

  CaptureProgress progress(inputs->size(), !args->Has("--quiet"));
  std::mutex out_mu;
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0}, filed{0}, queued{0}, skipped{0};
  auto work = [&] {
    for (size_t i = next++; i < inputs->size(); i = next++) {
      const std::string& path = (*inputs)[i];
      auto report_error = [&](const Status& st) {
        std::lock_guard<std::mutex> lock(out_mu);
        std::cerr << "dangan: " << path << ": " << st.ToString() << " (skipped)\n";
        ++failed;
      };
      auto sha = Digest::OfFile(path);
      if (!sha.ok()) {
        report_error(sha.status());
        progress.Done(0);
        continue;
      }
      if (filing && !dry) {
        auto earlier = filing->Earlier(*sha);
        if (!earlier.ok()) {
          report_error(earlier.status());
          progress.Done(0);
          continue;
        }
        if (*earlier) {
          std::lock_guard<std::mutex> lock(out_mu);
          std::cerr << "dangan: " << path << ": captured before, "
                    << ((*earlier)->reference.empty()
                            ? "review #" + std::to_string((*earlier)->review_id)
                            : (*earlier)->reference)
                    << " (skipped)\n";
          ++skipped;
          progress.Done(0);
          continue;
        }
      }
      auto doc = pipeline.Capture(path);
      if (!doc.ok()) {
        report_error(doc.status());
        progress.Done(0);
        continue;
      }
      const auto& cls = doc->classification;
      std::string reason = CaptureReviewReason(cls, *threshold);
      CaptureOutcome outcome;
      if (filing && !dry) {
        auto settled = filing->Settle(*doc, *sha, reason);
        if (!settled.ok()) {
          report_error(settled.status());
          progress.Done(static_cast<int>(doc->pages.size()));
          continue;
        }
        outcome = *settled;
      } else {
        outcome.review_reason = reason;
      }
      const bool review = !outcome.review_reason.empty();
      (review ? queued : filed)++;
      {
        std::lock_guard<std::mutex> lock(out_mu);
        if (json) {
          std::string line = CaptureResultJson(*doc, review, outcome);
          std::cout << line << "\n" << std::flush;
        } else {
          std::cout << fs::path(path).filename().string() << "\t"
                    << (review ? (outcome.review_id ? "review #" + std::to_string(outcome.review_id)
                                                    : std::string("review"))
                               : (outcome.reference.empty() ? std::string("would file")
                                                            : outcome.reference))
                    << "\t" << cls.item_code << "\t" << doc->title << "\t"
                    << std::to_string(cls.confidence).substr(0, 4)
                    << (review ? "\t" + outcome.review_reason : "") << "\n"
                    << std::flush;
        }
      }
      progress.Done(static_cast<int>(doc->pages.size()));
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < *workers; ++w) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  std::cerr << "dangan: " << inputs->size() << " documents: " << filed
            << (dry ? " to file, " : " filed, ") << queued
            << (dry ? " to review, " : " queued for review, ") << skipped << " captured before, "
            << failed << " unreadable\n";
  return failed ? 1 : 0;
}

int RunReview(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(
      argc, argv, 1, {"--item", "--title", "--date", "--reason", "--state"}, {"--json", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const auto& pos = args->positional;
  if (args->Has("--help") || pos.empty()) {
    std::cout << "usage: dangan review list [--state pending|filed|rejected] [--json]\n"
                 "       dangan review show ID\n"
                 "       dangan review accept ID [--item CODE] [--title T] [--date YYYY-MM-DD]\n"
                 "       dangan review reject ID --reason TEXT\n"
                 "The capture review queue. accept files the document (as the suggested item, or\n"
                 "as --item when the suggestion was wrong); reject marks it as not a business\n"
                 "record. Both decisions teach the classifier.\n";
    return pos.empty() && !args->Has("--help") ? 2 : 0;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  CaptureFiling filing(session->get(), ctx.actor);
  const std::string& verb = pos[0];
  if (verb == "list") {
    auto items = filing.queue().List(args->Get("--state", "pending"), 1000);
    if (!items.ok()) return FailStatus(items.status());
    for (const auto& r : *items) {
      if (args->Has("--json"))
        // File names come from whoever scanned: quoted, never pasted into the JSON.
        std::cout << "{\"id\":" << r.id << ",\"file\":" << web::JsonQuote(r.file_name)
                  << ",\"suggested_item\":" << web::JsonQuote(r.suggested_item)
                  << ",\"confidence\":" << r.confidence << ",\"state\":" << web::JsonQuote(r.state)
                  << ",\"reference\":" << web::JsonQuote(r.reference) << "}\n";
      else
        std::cout << r.id << "\t" << r.state << "\t" << r.file_name << "\t" << r.suggested_item
                  << "\t" << std::to_string(r.confidence).substr(0, 4) << "\t" << r.reference
                  << "\n";
    }
    return 0;
  }
  if (pos.size() != 2) return Fail("review " + verb + " needs one ID", 2);
  auto id = ParseInt("ID", pos[1], 1, 2000000000);
  if (!id.ok()) return FailStatus(id.status(), 2);
  if (verb == "show") {
    auto item = filing.queue().Find(*id);
    if (!item.ok()) return FailStatus(item.status());
    if (!*item) return Fail("no review item " + pos[1]);
    // The draft holds personal data (names, ID numbers): showing it is an access.
    Status logged =
        (*session)->Log(ctx.actor, "view", "", "{\"review_id\":" + std::to_string(*id) + "}");
    if (!logged.ok()) return FailStatus(logged);
    std::cout << (*item)->draft_json << "\n";
    return 0;
  }
  if (verb == "accept") {
    auto ref = filing.Accept(*id, args->Get("--item"), args->Get("--title"), args->Get("--date"));
    if (!ref.ok()) return FailStatus(ref.status());
    std::cout << *ref << "\n";
    return 0;
  }
  if (verb == "reject") {
    std::string reason = args->Get("--reason");
    if (reason.empty()) return Fail("review reject needs --reason", 2);
    Status st = filing.Reject(*id, reason);
    if (!st.ok()) return FailStatus(st);
    std::cout << "rejected " << *id << "\n";
    return 0;
  }
  return Fail("unknown review action '" + verb + "' (list, show, accept, reject)", 2);
}

int RunClassifier(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help") || args->positional.size() != 1 || args->positional[0] != "report") {
    std::cout << "usage: dangan classifier report\n"
                 "Per-class precision and recall of the capture classifier on the documents\n"
                 "archivists reviewed (its suggestion against their decision).\n";
    return args->Has("--help") ? 0 : 2;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ReviewQueue queue((*session)->catalogue());
  auto examples = queue.Examples();
  if (!examples.ok()) return FailStatus(examples.status());
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& e : *examples) pairs.emplace_back(e.predicted_item, e.confirmed_item);
  auto report = capture::BuildClassifierReport((*session)->scheme(), pairs);
  std::cout << capture::FormatClassifierReport(report);
  return 0;
}

}  // namespace dangan::cli
