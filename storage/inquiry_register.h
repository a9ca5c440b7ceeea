// InquiryRegister: the public inquiry service's requests (查档申请) and what became of them, kept
// in the catalogue's `inquiries` table: submission with a one-time access code (the requester's
// only credential, kept as its SHA-256), the archivist's decision, the records served, the
// requester's rating and complaint and the answer. Every change is an audit event naming the
// request by number only (no personal data in the chain's details). On either catalogue backend
// (storage/sql_tables.h); numbers are allocated under a named lock, so servers sharing a
// PostgreSQL catalogue never give one twice. Thread-safe; borrows the catalogue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/record_catalogue.h"

namespace dangan {

struct Inquiry {
  int64_t id = 0;
  std::string number;          // CX-2026-000001: sequential per year, never reused
  std::string requester_type;  // "person" | "unit"
  std::string name;            // the person's or the unit's name
  std::string identifier;      // 公民身份号码 or 统一社会信用代码
  std::string purpose, contact;
  std::string channel;  // "online" (the portal) or "window" (entered by staff)
  std::string submitted_at, due_at;
  std::string state = "submitted";  // submitted | approved | rejected
  std::string decided_by, decided_at, reason;
  std::vector<std::string> served;  // the 档号 approved for the requester
  // Watermarked copies may be downloaded online: the archivist checked the requester's identity
  // (otherwise copies are handed over at the window, against an identity document).
  bool copies_allowed = false;
  std::string override_reason;  // why records under another name were served anyway
  std::string certificate_serial, certificate_code;
  std::string rating, rating_comment, rated_at;
  std::string complaint, complained_at, answer, answered_by, answered_at;
};

// A record that belongs to a request's requester: filed under their 公民身份号码 or
// 统一社会信用代码.
struct InquiryMatch {
  std::string reference, title, formed_on, item_code;
  std::string holder_name;  // the person's or unit's name on the record
};

class InquiryRegister {
 public:
  explicit InquiryRegister(RecordCatalogue& catalogue) : catalogue_(catalogue) {}

  // Numbers and stores a new request; returns it and its access code (shown once).
  Result<std::pair<Inquiry, std::string>> Submit(Inquiry draft, const std::string& actor);
  // Requests one identifier may have made since a time (the portal's daily limit).
  struct Quota {
    int64_t most = 0;
    std::string since;  // ISO 8601
  };
  // Submit, refused (nullopt, nothing stored) when the identifier already has `quota.most`
  // requests since `quota.since`: counted under the numbering's lock, so servers taking requests
  // at once never let more through between them.
  Result<std::optional<std::pair<Inquiry, std::string>>> SubmitWithin(Inquiry draft,
                                                                      const std::string& actor,
                                                                      const Quota& quota);
  Result<std::optional<Inquiry>> Find(const std::string& number);
  // The request only when `access_code` is its code (compared in constant time); nullopt for an
  // unknown number and a wrong code alike.
  Result<std::optional<Inquiry>> FindWithCode(const std::string& number,
                                              const std::string& access_code);
  // Newest first; `state` empty = all.
  Result<std::vector<Inquiry>> List(const std::string& state, int limit);
  // Requests for one identifier submitted at or after `since` (ISO 8601): for rate limits.
  Result<int64_t> CountSince(const std::string& identifier, const std::string& since);
  // The records filed under the request's identifier (current holdings, not destroyed).
  Result<std::vector<InquiryMatch>> Matches(const Inquiry& inquiry);

  // Approves a submitted request, serving `references` (each must be one of its matches), with
  // the certificate already issued for them. kConflict when decided already.
  Status Approve(const std::string& number, const std::vector<std::string>& references,
                 bool copies_allowed, const std::string& override_reason,
                 const std::string& certificate_serial, const std::string& certificate_code,
                 const std::string& actor, const std::string& at);
  // The same inside the caller's write transaction (the certificate's, so a request decided
  // meanwhile on another server leaves no certificate behind).
  static Status ApproveIn(SqlSession& db, const std::string& number,
                          const std::vector<std::string>& references, bool copies_allowed,
                          const std::string& override_reason, const std::string& certificate_serial,
                          const std::string& certificate_code, const std::string& actor,
                          const std::string& at);
  Status Reject(const std::string& number, const std::string& reason, const std::string& actor,
                const std::string& at);
  // The requester's rating (once, after a decision) and complaint (once); the answer (once).
  Status Rate(const std::string& number, const std::string& rating, const std::string& comment,
              const std::string& at);
  Status Complain(const std::string& number, const std::string& text, const std::string& at);
  Status Answer(const std::string& number, const std::string& text, const std::string& actor,
                const std::string& at);

 private:
  // Runs `sql` (binding $1 = number and the rest from `values`) in a transaction with an event;
  // `refusal` explains a refusal when no row changed.
  Status Change(const std::string& number, const std::string& sql,
                const std::vector<std::string>& values, const std::string& action,
                const std::string& actor, const std::string& at, const std::string& refusal);
  static Status ChangeIn(SqlSession& db, const std::string& number, const std::string& sql,
                         const std::vector<std::string>& values, const std::string& action,
                         const std::string& actor, const std::string& at,
                         const std::string& refusal);
  RecordCatalogue& catalogue_;
};

}  // namespace dangan
