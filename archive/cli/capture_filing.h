// CaptureFiling: what happens to a captured document in an archive: filed through the one Filing
// use case when the classifier is sure, otherwise queued for review with its files staged under
// `<root>/review/`; and an archivist's later decision on a queued document. Borrows the session.
// Settle()/Queue() may run from several capture workers at once (Filing and the queue are
// thread-safe); the staging directories are per document.
#pragma once

#include <mutex>
#include <string>

#include "archive/cli/archive_session.h"
#include "capture/document_capture.h"
#include "storage/review_queue.h"
#include "web/review_desk.h"

namespace dangan::cli {

struct CaptureOutcome {
  std::string reference;      // 档号 when filed
  int64_t review_id = 0;      // when queued
  std::string review_reason;  // why it was queued
};

// The parts of an archive capture files into and queues in, on either catalogue backend: an
// embedded archive's session, or what `dangan worker` and `dangan serve --catalogue` hold.
struct CaptureArchive {
  std::string root;  // shared by every node of a PostgreSQL archive; staging lives under it
  std::string organization;
  const ClassificationScheme* scheme = nullptr;
  RecordCatalogue* catalogue = nullptr;
  Filing* filing = nullptr;
};
CaptureArchive CaptureArchiveOf(ArchiveSession& session);

class CaptureFiling {
 public:
  CaptureFiling(CaptureArchive archive, std::string actor)
      : archive_(std::move(archive)), actor_(std::move(actor)), queue_(*archive_.catalogue) {}
  CaptureFiling(ArchiveSession* session, std::string actor)
      : CaptureFiling(CaptureArchiveOf(*session), std::move(actor)) {}

  // The document's earlier fate, when this scan (by content) was captured before.
  Result<std::optional<CaptureOutcome>> Earlier(const std::string& content_sha256);
  // Files the document, or queues it when `review_reason` is non-empty or filing refuses it.
  Result<CaptureOutcome> Settle(const capture::CapturedDocument& doc,
                                const std::string& content_sha256, std::string review_reason);

  // An archivist's decision on a queued document: file it as `item` (optionally with another
  // title or date), or reject it as not a business record. Both teach the classifier.
  Result<std::string> Accept(int64_t id, const std::string& item, const std::string& title,
                             const std::string& formed_on);
  Status Reject(int64_t id, const std::string& reason);

  // Stages the document under `<root>/review/` and queues it, saying why.
  Result<CaptureOutcome> Queue(const capture::CapturedDocument& doc, const std::string& sha,
                               const std::string& reason);

  ReviewQueue& queue() { return queue_; }

 private:
  CaptureArchive archive_;
  std::string actor_;
  ReviewQueue queue_;
};

// The workbench's review decisions (web/review_desk.h), made by the same CaptureFiling as
// `dangan review`. One decision at a time: a decision files, then removes the document's staging
// directory, which a second decision on the same document must not be reading.
class CaptureReviewDesk : public web::ReviewDesk {
 public:
  explicit CaptureReviewDesk(CaptureArchive archive)
      : archive_(std::move(archive)), queue_(*archive_.catalogue) {}
  explicit CaptureReviewDesk(ArchiveSession& session)
      : CaptureReviewDesk(CaptureArchiveOf(session)) {}
  ReviewQueue& queue() override { return queue_; }
  Result<std::string> Accept(int64_t id, const std::string& item, const std::string& title,
                             const std::string& formed_on, const std::string& actor) override;
  Status Reject(int64_t id, const std::string& reason, const std::string& actor) override;

 private:
  CaptureArchive archive_;
  ReviewQueue queue_;
  std::mutex mu_;
};

// The case a captured document becomes (the same format `dangan ingest` reads), with its files
// named relative to a staging directory: the original scan, the OCR text and the access PDF.
std::string CaptureCaseJson(const capture::CapturedDocument& doc, const std::string& sha,
                            const std::string& original_name, const std::string& organization,
                            const std::string& actor, const std::string& now);

// Files a captured document through `filing`, staged under <staging_root>/intake as `dangan
// ingest` would read it (what CaptureFiling does with a sure result), for callers without a
// session (`dangan worker`). The same scan again replays its first filing. kInvalidArgument when
// the case or the filing refuses the document: it then belongs in review.
Result<FilingReceipt> FileCapture(Filing& filing, const ClassificationScheme& scheme,
                                  const std::string& staging_root, const std::string& organization,
                                  const std::string& actor, const capture::CapturedDocument& doc,
                                  const std::string& sha);
// The scheme's vocabulary plus everything archivists confirmed or corrected so far (`queue` null:
// the vocabulary alone).
Result<capture::DocumentClassifier> LoadCaptureClassifier(const ClassificationScheme& scheme,
                                                          ReviewQueue* queue);
// Why a captured document waits for review instead of being filed: it is not a business record
// of the scheme, or its classification's confidence is below `threshold`; "" when it may be filed.
std::string CaptureReviewReason(const capture::Classification& cls, double threshold);
// The capture --threshold option: a number from 0 to 1.
Result<double> ParseCaptureThreshold(const std::string& text);
// A scanned document by its file name (TIFF, PNG, JPEG, PDF; any case).
bool IsScanName(const std::string& path);

// The detail of the `classify` event a filed capture leaves (confidence, item, pages).
std::string CaptureClassifyDetail(const capture::CapturedDocument& doc);

// Every page's lines and words with their boxes (pixels of the access copy's page image) and
// confidences: what a reviewer's screen highlights on the page.
std::string OcrLayoutJson(const capture::CapturedDocument& doc);

// The --json line of `dangan capture` for one document, with its 档号 or review id when settled.
std::string CaptureResultJson(const capture::CapturedDocument& doc, bool review,
                              const CaptureOutcome& outcome);

}  // namespace dangan::cli
