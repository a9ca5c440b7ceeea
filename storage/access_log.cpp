#include "storage/access_log.h"

#include <chrono>
#include <iostream>
#include <vector>

#include "storage/record_catalogue.h"
#include "storage/secret_key.h"

namespace dangan {

std::string KeyedSearchQuestion(const std::string& secret, const std::string& text,
                                const std::string& person_id, const std::string& unit_code) {
  return "hmac-sha256:" + HmacSha256Hex(secret, text + "|" + person_id + "|" + unit_code);
}

AccessLog::AccessLog(RecordCatalogue* catalogue, Options options)
    : catalogue_(catalogue), options_(options), writer_([this] { Run(); }) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

Status AccessLog::Record(AuditEvent draft) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!last_error_.ok())
    return Status(ErrorCode::kUnavailable,
                  "the access log cannot be written: " + last_error_.message());
  if (queue_.size() >= options_.max_backlog)
    return Status(ErrorCode::kUnavailable, "the access log is behind; try again shortly");
  queue_.push_back(std::move(draft));
  ++enqueued_;
  if (queue_.size() == 1 || queue_.size() >= options_.max_batch) wake_.notify_one();
  return Status::Ok();
}

Status AccessLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = enqueued_;
  wake_.notify_one();
  written_.wait(lock, [&] { return done_ >= target || !last_error_.ok(); });
  return last_error_;
}

uint64_t AccessLog::written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

uint64_t AccessLog::failed_writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_writes_;
}

void AccessLog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    // Let a burst gather so one transaction carries many events; a flush or a full batch goes
    // at once.
    if (!stop_ && queue_.size() < options_.max_batch && done_ + queue_.size() == enqueued_) {
      wake_.wait_for(lock, std::chrono::milliseconds(options_.max_delay_ms),
                     [&] { return stop_ || queue_.size() >= options_.max_batch; });
    }
    Status st = WriteBatch(lock);
    if (!st.ok()) {
      // Keep the events and retry after a pause; Record() refuses new accesses meanwhile.
      wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stop_; });
      if (stop_) {
        std::cerr << "dangan: " << queue_.size()
                  << " access events could not be written: " << st.message() << "\n";
        done_ = enqueued_;
        queue_.clear();
        written_.notify_all();
        return;
      }
    }
  }
}

Status AccessLog::WriteBatch(std::unique_lock<std::mutex>& lock) {
  size_t n = std::min(queue_.size(), options_.max_batch);
  std::vector<AuditEvent> batch(queue_.begin(), queue_.begin() + static_cast<long>(n));
  lock.unlock();
  auto appended = catalogue_->AppendEvents(batch, RecordCatalogue::Durability::kRelaxed);
  lock.lock();
  if (!appended.ok()) {
    ++failed_writes_;
    last_error_ = appended.status();
    std::cerr << "dangan: writing the access log failed: " << last_error_.message() << "\n";
    written_.notify_all();
    return last_error_;
  }
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
  done_ += n;
  last_error_ = Status::Ok();
  written_.notify_all();
  return Status::Ok();
}

}  // namespace dangan
