// AppraisalRegister: the catalogue's appraisal (鉴定), hold and destruction (销毁) records, and the
// one transaction that destroys: tombstone kept, rows and index entries removed, audit event
// appended, all or nothing. The rules it applies come from archive/appraisal.h. Borrows the
// catalogue (either backend); thread-safe, and its changes take turns on every server sharing
// the catalogue (each runs in one WriteTables transaction that serialises on "lifecycle").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/appraisal.h"
#include "archive/scheme.h"
#include "storage/record_catalogue.h"

namespace dangan {

// The SqlSession::Serialize name every lifecycle change takes (appraisal, holds, destruction,
// transfer): each sees the others' outcome, on every server sharing the catalogue.
inline constexpr const char* kLifecycleLock = "lifecycle";

struct AppraisalEntry {
  int64_t id = 0;
  std::string reference;
  std::string decision;       // keep | extend | destroy
  std::string new_retention;  // for extend
  std::string reason;
  std::string proposed_by, proposed_at;
  std::string state;  // proposed | approved | rejected | executed
  std::string decided_by, decided_at, note;
};

// A record whose period has run out by the date asked, with what is under way for it.
struct DueRecord {
  std::string reference;
  std::string title;
  // Whose record it is, to mask the title for those without the right to personal data.
  std::optional<Person> person;
  int year = 0;
  std::string retention;               // the effective period (an approved extension counts)
  std::string due_on;                  // YYYY-01-01
  std::optional<AppraisalEntry> open;  // a proposal, or an approved destruction not yet done
  bool held = false;
};

// What a hold covers: one record, or every record matching all the fields given.
struct HoldScope {
  std::string reference;
  std::string class_code, item, person_id, unit_code;
  int year = 0;
  bool is_query() const { return reference.empty(); }
};

struct HoldEntry {
  int64_t id = 0;
  HoldScope scope;
  std::string reason, placed_by, placed_at, released_by, released_at;
};

// What remains of a destroyed record (DA/T: 档号, 题名, dates, period, approvals, destroyed at).
struct Tombstone {
  std::string reference, series;
  int seq = 0;
  std::string class_code, item_code;
  int year = 0;
  std::string retention, title, formed_on, filed_at, package_path, package_sha256;
  // The title with the person's name and 公民身份号码 masked, for viewers without personal.read:
  // once the record is gone, nothing else says which words of the title are the name. Empty
  // for tombstones from before it was kept.
  std::string masked_title;
  int64_t appraisal_id = 0;
  std::string proposed_by, approved_by;
  std::vector<std::string> supervisors;
  std::string register_reference;  // the 销毁清册 it is listed in, once filed
  std::string destroyed_at;
  bool packages_removed = false;
  // The destruction it was part of (its first appraisal's id; 0 for tombstones from before
  // schema 18, which their time groups instead).
  int64_t batch = 0;

  // The title as shown without personal.read: `masked_title`, or a notice that it is withheld
  // when the tombstone predates it and so cannot tell the name from the rest.
  std::string TitleWithoutPersonalData() const;
};

class AppraisalRegister {
 public:
  AppraisalRegister(RecordCatalogue& catalogue, const ClassificationScheme& scheme)
      : catalogue_(catalogue), scheme_(scheme) {}

  // Records whose (effective) period ends on or before `due_by` (YYYY-MM-DD), oldest first,
  // optionally of one class; records kept permanently by an appraisal are left out.
  Result<std::vector<DueRecord>> Due(const std::string& due_by, const std::string& class_code,
                                     int limit);

  // One proposal per record, checked (CheckProposal; a record with an open proposal is a
  // Conflict), stored with an "appraise" event each; all or none. Returns the ids.
  Result<std::vector<int64_t>> Propose(const std::vector<std::string>& references,
                                       AppraisalDecision decision, const std::string& new_retention,
                                       const std::string& reason, const std::string& actor,
                                       const std::string& now);
  // Approves or rejects proposals (CheckDecider: never the proposer); all or none.
  Status Decide(const std::vector<int64_t>& ids, bool approve, const std::string& actor,
                const std::string& note, const std::string& now);
  // Appraisals in a state ("" for all), newest first.
  Result<std::vector<AppraisalEntry>> List(const std::string& state, int limit);

  Result<int64_t> PlaceHold(const HoldScope& scope, const std::string& reason,
                            const std::string& actor, const std::string& now);
  Status ReleaseHold(int64_t id, const std::string& actor, const std::string& now);
  Result<std::vector<HoldEntry>> Holds(bool active_only);

  // Destroys the records of approved destruction appraisals (`ids`, or all of them when empty)
  // in one transaction. Refused (Conflict, nothing changed) if any record is under a hold;
  // CheckSupervisors applies. Without `ids`, what is approved when the call starts: one approved
  // meanwhile waits for the next. Packages are not touched here: the caller removes them after
  // the commit and then calls MarkPackagesRemoved.
  Result<std::vector<Tombstone>> Destroy(const std::vector<int64_t>& ids,
                                         const std::vector<std::string>& supervisors,
                                         const std::string& actor, const std::string& now);
  Status MarkPackagesRemoved(const std::vector<std::string>& references);
  // Notes the 销毁清册 on tombstones that have none yet.
  Status SetRegister(const std::vector<std::string>& references, const std::string& register_ref);
  // Tombstones whose packages are not yet removed or that no filed 销毁清册 lists yet: the work
  // a destruction interrupted after its commit left, finished by the next run.
  Result<std::vector<Tombstone>> Unfinished();
  Result<std::vector<Tombstone>> Tombstones(int limit);
  Result<std::optional<Tombstone>> FindTombstone(const std::string& reference);

 private:
  RecordCatalogue& catalogue_;
  const ClassificationScheme& scheme_;
};

}  // namespace dangan
