#include "storage/appraisal_register.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <set>
#include <sstream>

#include "archive/record_masking.h"
#include "archive/retention.h"

namespace dangan {

namespace {

std::string Json(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

std::string ScopeToJson(const HoldScope& s) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  if (!s.class_code.empty()) o.set("class", s.class_code);
  if (!s.item.empty()) o.set("item", s.item);
  if (s.year) o.set("year", s.year);
  if (!s.person_id.empty()) o.set("person", s.person_id);
  if (!s.unit_code.empty()) o.set("unit", s.unit_code);
  return Json(o);
}

HoldScope ScopeFromJson(const std::string& text) {
  HoldScope s;
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    s.class_code = o->optValue<std::string>("class", "");
    s.item = o->optValue<std::string>("item", "");
    s.year = o->optValue<int>("year", 0);
    s.person_id = o->optValue<std::string>("person", "");
    s.unit_code = o->optValue<std::string>("unit", "");
  } catch (const Poco::Exception&) {
    // Written by ScopeToJson only; an unreadable scope must still hold everything.
    s.class_code.clear();
  }
  return s;
}

// The columns of a record a hold or a tombstone needs. Its 题名 and package digest come from
// RecordCatalogue::GetRecord: the embedded catalogue keeps them compressed and as a blob.
struct RecordRow {
  int64_t id = 0;
  std::string reference, series;
  int seq = 0;
  std::string class_code, item_code;
  int year = 0;
  std::string retention, formed_on, filed_at, package_path, person_id, unit_code;
};

const char* const kRecordColumns =
    "id, reference, series, seq, class_code, item_code, year, retention, formed_on, filed_at,"
    " package_path, coalesce(person_id,''), coalesce(unit_code,'')";

RecordRow RecordRowAt(const SqlRows& rows, size_t i) {
  RecordRow r;
  r.id = rows.Int(i, 0);
  r.reference = rows.Text(i, 1);
  r.series = rows.Text(i, 2);
  r.seq = static_cast<int>(rows.Int(i, 3));
  r.class_code = rows.Text(i, 4);
  r.item_code = rows.Text(i, 5);
  r.year = static_cast<int>(rows.Int(i, 6));
  r.retention = rows.Text(i, 7);
  r.formed_on = rows.Text(i, 8);
  r.filed_at = rows.Text(i, 9);
  r.package_path = rows.Text(i, 10);
  r.person_id = rows.Text(i, 11);
  r.unit_code = rows.Text(i, 12);
  return r;
}

Result<std::optional<RecordRow>> ReadRecordRow(SqlSession& db, const std::string& reference) {
  auto rows = db.Run(std::string("SELECT ") + kRecordColumns + " FROM records WHERE reference=$1",
                     {reference});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RecordRow>();
  return std::optional<RecordRow>(RecordRowAt(*rows, 0));
}

bool Covers(const HoldScope& s, const RecordRow& r) {
  if (!s.is_query()) return s.reference == r.reference;
  return (s.class_code.empty() || s.class_code == r.class_code) &&
         (s.item.empty() || s.item == r.item_code) && (s.year == 0 || s.year == r.year) &&
         (s.person_id.empty() || s.person_id == r.person_id) &&
         (s.unit_code.empty() || s.unit_code == r.unit_code);
}

Result<std::vector<HoldEntry>> ReadHolds(SqlSession& db, bool active_only) {
  auto rows = db.Run(std::string("SELECT id, coalesce(reference,''), coalesce(query,''), reason,"
                                 " placed_by, placed_at, coalesce(released_by,''),"
                                 " coalesce(released_at,'') FROM holds") +
                     (active_only ? " WHERE released_at IS NULL" : "") + " ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<HoldEntry> out;
  for (size_t i = 0; i < rows->size(); ++i) {
    HoldEntry h;
    h.id = rows->Int(i, 0);
    if (!rows->Text(i, 1).empty())
      h.scope.reference = rows->Text(i, 1);
    else
      h.scope = ScopeFromJson(rows->Text(i, 2));
    h.reason = rows->Text(i, 3);
    h.placed_by = rows->Text(i, 4);
    h.placed_at = rows->Text(i, 5);
    h.released_by = rows->Text(i, 6);
    h.released_at = rows->Text(i, 7);
    out.push_back(std::move(h));
  }
  return out;
}

const char* const kAppraisalColumns =
    "id, reference, decision, coalesce(new_retention,''), reason, proposed_by, proposed_at, state,"
    " coalesce(decided_by,''), coalesce(decided_at,''), coalesce(decision_note,'')";

AppraisalEntry AppraisalAt(const SqlRows& rows, size_t i) {
  AppraisalEntry a;
  a.id = rows.Int(i, 0);
  a.reference = rows.Text(i, 1);
  a.decision = rows.Text(i, 2);
  a.new_retention = rows.Text(i, 3);
  a.reason = rows.Text(i, 4);
  a.proposed_by = rows.Text(i, 5);
  a.proposed_at = rows.Text(i, 6);
  a.state = rows.Text(i, 7);
  a.decided_by = rows.Text(i, 8);
  a.decided_at = rows.Text(i, 9);
  a.note = rows.Text(i, 10);
  return a;
}

Result<std::vector<AppraisalEntry>> ReadAppraisals(SqlSession& db, const std::string& where,
                                                   const std::vector<SqlValue>& params) {
  auto rows =
      db.Run(std::string("SELECT ") + kAppraisalColumns + " FROM appraisals " + where, params);
  if (!rows.ok()) return rows.status();
  std::vector<AppraisalEntry> out;
  for (size_t i = 0; i < rows->size(); ++i) out.push_back(AppraisalAt(*rows, i));
  return out;
}

// The record's period after appraisals: its own, unless an approved extension or keep changed it.
Result<std::string> EffectiveRetention(SqlSession& db, const std::string& reference,
                                       const std::string& own) {
  auto rows = db.Run(
      "SELECT decision, coalesce(new_retention,'') FROM appraisals WHERE reference=$1 AND"
      " state='approved' AND decision IN ('keep','extend') ORDER BY id DESC LIMIT 1",
      {reference});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return own;
  return rows->Text(0, 0) == "keep" ? std::string("Y") : rows->Text(0, 1);
}

Result<std::optional<AppraisalEntry>> OpenAppraisal(SqlSession& db, const std::string& reference) {
  auto open = ReadAppraisals(db,
                             "WHERE reference=$1 AND (state='proposed' OR (state='approved' AND"
                             " decision='destroy')) ORDER BY id DESC LIMIT 1",
                             {reference});
  if (!open.ok()) return open.status();
  if (open->empty()) return std::optional<AppraisalEntry>();
  return std::optional<AppraisalEntry>(open->front());
}

// What GetRecord alone knows of a record: its 题名 and package digest.
struct FiledFacts {
  std::string title, masked_title, package_sha256;
};

Result<FiledFacts> ReadFiledFacts(RecordCatalogue& catalogue, const std::string& reference) {
  auto rec = catalogue.GetRecord(reference);
  if (!rec.ok()) return rec.status();
  if (!*rec) return Status::NotFound("no record " + reference);
  std::string masked = (*rec)->title;
  MaskPersonalText(masked, (*rec)->person);
  return FiledFacts{(*rec)->title, masked, (*rec)->package_sha256};
}

AuditEvent Event(const std::string& actor, const std::string& action, const std::string& ref,
                 const std::string& detail, const std::string& now) {
  AuditEvent e;
  e.at = now;
  e.actor = actor;
  e.action = action;
  e.reference = ref;
  e.detail = detail;
  return e;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

Result<std::vector<DueRecord>> AppraisalRegister::Due(const std::string& due_by,
                                                      const std::string& class_code, int limit) {
  if (due_by.size() != 10) return Status::InvalidArgument("the date must be YYYY-MM-DD");
  const int due_year = std::stoi(due_by.substr(0, 4));
  // A record formed in year Y with N years is due on (Y+1+N)-01-01: due by the date when
  // Y <= due_year - 1 - N. Extensions are applied below, so the SQL takes the own period.
  std::string where;
  std::vector<SqlValue> params;
  for (const auto& code : scheme_.retention_codes()) {
    if (!code.years) continue;
    where += std::string(params.empty() ? "" : " OR ") + "(retention=$" +
             std::to_string(params.size() + 1) + " AND year<=$" +
             std::to_string(params.size() + 2) + ")";
    params.push_back(code.code);
    params.push_back(static_cast<int64_t>(due_year - 1 - *code.years));
  }
  if (params.empty()) return std::vector<DueRecord>{};
  std::string sql = std::string("SELECT ") + kRecordColumns + " FROM records WHERE (" + where + ")";
  if (!class_code.empty()) {
    params.push_back(class_code);
    sql += " AND class_code=$" + std::to_string(params.size());
  }
  // Filing order within a year: the same on both backends, whatever their text collation.
  sql += " ORDER BY year, id";
  std::vector<DueRecord> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run(sql, params);
    if (!rows.ok()) return rows.status();
    auto holds = ReadHolds(db, true);
    if (!holds.ok()) return holds.status();
    for (size_t i = 0; i < rows->size(); ++i) {
      if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
      const RecordRow row = RecordRowAt(*rows, i);
      auto effective = EffectiveRetention(db, row.reference, row.retention);
      if (!effective.ok()) return effective.status();
      const RetentionCode* period = scheme_.FindRetention(*effective);
      if (!period) continue;
      auto due = RetentionDueDate(row.year, *period);
      if (!due || *due > due_by) continue;
      DueRecord d;
      d.reference = row.reference;
      d.year = row.year;
      d.retention = *effective;
      d.due_on = *due;
      auto open = OpenAppraisal(db, row.reference);
      if (!open.ok()) return open.status();
      d.open = *open;
      for (const auto& h : *holds) d.held = d.held || Covers(h.scope, row);
      out.push_back(std::move(d));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Titles once the connection above is back (reading them needs one of its own), in batches; a
  // record destroyed meanwhile is listed without one.
  std::vector<std::string> refs;
  refs.reserve(out.size());
  for (const auto& d : out) refs.push_back(d.reference);
  auto records = catalogue_.ListRecords(refs);
  if (!records.ok()) return records.status();
  std::map<std::string, const Record*> by_reference;
  for (const auto& r : *records) by_reference[r.reference] = &r;
  for (auto& d : out) {
    auto it = by_reference.find(d.reference);
    if (it == by_reference.end()) continue;
    d.title = it->second->title;
    d.person = it->second->person;
  }
  return out;
}

Result<std::vector<int64_t>> AppraisalRegister::Propose(const std::vector<std::string>& refs,
                                                        AppraisalDecision decision,
                                                        const std::string& new_retention,
                                                        const std::string& reason,
                                                        const std::string& actor,
                                                        const std::string& now) {
  if (refs.empty()) return Status::InvalidArgument("name at least one 档号");
  if (reason.empty()) return Status::InvalidArgument("an appraisal needs its reason (--reason)");
  if (actor.empty()) return Status::InvalidArgument("who proposes must be named");
  std::optional<RetentionCode> new_period;
  if (!new_retention.empty()) {
    const RetentionCode* code = scheme_.FindRetention(new_retention);
    if (!code) return Status::InvalidArgument("'" + new_retention + "' is not a retention code");
    new_period = *code;
  }
  std::vector<int64_t> ids;
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    ids.clear();
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    std::set<std::string> seen;
    std::vector<FieldError> errors;
    for (const auto& ref : refs) {
      if (!seen.insert(ref).second) continue;
      auto row = ReadRecordRow(db, ref);
      if (!row.ok()) return row.status();
      if (!*row) {
        errors.push_back({ref, "no such record"});
        continue;
      }
      auto open = OpenAppraisal(db, ref);
      if (!open.ok()) return open.status();
      if (*open) {
        errors.push_back({ref, "appraisal " + std::to_string((*open)->id) + " is already " +
                                   (*open)->state + " for it"});
        continue;
      }
      auto effective = EffectiveRetention(db, ref, (*row)->retention);
      if (!effective.ok()) return effective.status();
      const RetentionCode* current = scheme_.FindRetention(*effective);
      if (!current) {
        errors.push_back({ref, "unknown retention code " + *effective});
        continue;
      }
      Status ok = CheckProposal(decision, *current, new_period, (*row)->year, now.substr(0, 10));
      if (!ok.ok()) {
        errors.push_back({ref, ok.message()});
        continue;
      }
      auto ins = db.Run(
          "INSERT INTO appraisals(reference, decision, new_retention, reason, proposed_by,"
          " proposed_at) VALUES($1,$2,$3,$4,$5,$6) RETURNING id",
          {ref, std::string(DecisionName(decision)),
           new_retention.empty() ? SqlValue(nullptr) : SqlValue(new_retention), reason, actor,
           now});
      if (!ins.ok()) return ins.status();
      if (ins->empty()) return Status::Internal("an appraisal was stored without its id");
      const int64_t id = ins->Int(0, 0);
      ids.push_back(id);
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", id);
      detail.set("decision", DecisionName(decision));
      if (!new_retention.empty()) detail.set("new_retention", new_retention);
      auto e = db.Log(Event(actor, "appraise", ref, Json(detail), now));
      if (!e.ok()) return e.status();
    }
    if (!errors.empty()) return Status::InvalidArgument("nothing was proposed", std::move(errors));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return ids;
}

Status AppraisalRegister::Decide(const std::vector<int64_t>& ids, bool approve,
                                 const std::string& actor, const std::string& note,
                                 const std::string& now) {
  if (ids.empty()) return Status::InvalidArgument("name at least one appraisal");
  if (!approve && note.empty()) return Status::InvalidArgument("a rejection needs its reason");
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    for (int64_t id : ids) {
      auto found = ReadAppraisals(db, "WHERE id=$1", {id});
      if (!found.ok()) return found.status();
      if (found->empty()) return Status::NotFound("no appraisal " + std::to_string(id));
      const AppraisalEntry& a = found->front();
      if (a.state != "proposed")
        return Status::Conflict("appraisal " + std::to_string(id) + " is " + a.state +
                                ", not proposed");
      DANGAN_RETURN_IF_ERROR(CheckDecider(a.proposed_by, actor));
      auto up = db.Run(
          "UPDATE appraisals SET state=$2, decided_by=$3, decided_at=$4, decision_note=$5"
          " WHERE id=$1",
          {id, std::string(approve ? "approved" : "rejected"), actor, now,
           note.empty() ? SqlValue(nullptr) : SqlValue(note)});
      if (!up.ok()) return up.status();
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", id);
      detail.set("decision", a.decision);
      detail.set("proposed_by", a.proposed_by);
      auto e = db.Log(Event(actor, approve ? "appraise-approve" : "appraise-reject", a.reference,
                            Json(detail), now));
      if (!e.ok()) return e.status();
    }
    return Status::Ok();
  });
}

Result<std::vector<AppraisalEntry>> AppraisalRegister::List(const std::string& state, int limit) {
  std::vector<AppraisalEntry> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    std::vector<SqlValue> params;
    std::string where;
    if (!state.empty()) {
      params.push_back(state);
      where = "WHERE state=$1 ";
    }
    where += "ORDER BY id DESC";
    if (limit > 0) {
      params.push_back(static_cast<int64_t>(limit));
      where += " LIMIT $" + std::to_string(params.size());
    }
    auto found = ReadAppraisals(db, where, params);
    if (!found.ok()) return found.status();
    out = std::move(*found);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<int64_t> AppraisalRegister::PlaceHold(const HoldScope& scope, const std::string& reason,
                                             const std::string& actor, const std::string& now) {
  if (reason.empty()) return Status::InvalidArgument("a hold needs its reason (--reason)");
  if (scope.is_query() && scope.class_code.empty() && scope.item.empty() && scope.year == 0 &&
      scope.person_id.empty() && scope.unit_code.empty())
    return Status::InvalidArgument("a hold names a record or at least one field of a query");
  int64_t id = 0;
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    if (!scope.is_query()) {
      auto row = ReadRecordRow(db, scope.reference);
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no record " + scope.reference);
    }
    auto ins = db.Run(
        "INSERT INTO holds(reference, query, reason, placed_by, placed_at)"
        " VALUES($1,$2,$3,$4,$5) RETURNING id",
        {scope.is_query() ? SqlValue(nullptr) : SqlValue(scope.reference),
         scope.is_query() ? SqlValue(ScopeToJson(scope)) : SqlValue(nullptr), reason, actor, now});
    if (!ins.ok()) return ins.status();
    if (ins->empty()) return Status::Internal("a hold was stored without its id");
    id = ins->Int(0, 0);
    // A query may name a 公民身份号码: the event says that it does, never which.
    Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
    detail.set("hold", id);
    detail.set("scope", scope.is_query() ? "query" : "record");
    auto e = db.Log(Event(actor, "hold", scope.reference, Json(detail), now));
    return e.ok() ? Status::Ok() : e.status();
  });
  if (!st.ok()) return st;
  return id;
}

Status AppraisalRegister::ReleaseHold(int64_t id, const std::string& actor,
                                      const std::string& now) {
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    auto up = db.Run(
        "UPDATE holds SET released_by=$2, released_at=$3 WHERE id=$1 AND released_at IS NULL"
        " RETURNING coalesce(reference,'')",
        {id, actor, now});
    if (!up.ok()) return up.status();
    if (up->empty()) return Status::NotFound("no active hold " + std::to_string(id));
    auto e = db.Log(
        Event(actor, "hold-release", up->Text(0, 0), "{\"hold\":" + std::to_string(id) + "}", now));
    return e.ok() ? Status::Ok() : e.status();
  });
}

Result<std::vector<HoldEntry>> AppraisalRegister::Holds(bool active_only) {
  std::vector<HoldEntry> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto h = ReadHolds(db, active_only);
    if (!h.ok()) return h.status();
    out = std::move(*h);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Tombstone>> AppraisalRegister::Destroy(
    const std::vector<int64_t>& ids_in, const std::vector<std::string>& supervisors,
    const std::string& actor, const std::string& now) {
  DANGAN_RETURN_IF_ERROR(CheckSupervisors(supervisors));
  // Titles and digests first, from another connection each: inside the transaction the catalogue
  // would have to lend a second one while the first waits.
  std::map<std::string, FiledFacts> facts;
  std::set<int64_t> pre_read;  // the approved destructions seen here
  {
    std::vector<AppraisalEntry> approved;
    Status read = catalogue_.ReadTables([&](SqlSession& db) -> Status {
      auto found = ReadAppraisals(db, "WHERE state='approved' AND decision='destroy'", {});
      if (!found.ok()) return found.status();
      approved = std::move(*found);
      return Status::Ok();
    });
    if (!read.ok()) return read;
    std::set<int64_t> wanted(ids_in.begin(), ids_in.end());
    for (const auto& a : approved) {
      if (!wanted.empty() && !wanted.count(a.id)) continue;
      pre_read.insert(a.id);
      auto f = ReadFiledFacts(catalogue_, a.reference);
      if (f.ok()) facts[a.reference] = std::move(*f);
      // A record gone meanwhile is named by the transaction below.
      else if (f.status().code() != ErrorCode::kNotFound)
        return f.status();
    }
  }
  std::vector<Tombstone> out;
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    out.clear();
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    std::vector<AppraisalEntry> todo;
    {
      auto found =
          ReadAppraisals(db, "WHERE state='approved' AND decision='destroy' ORDER BY id", {});
      if (!found.ok()) return found.status();
      // Everything approved means everything seen approved above; another server may have
      // destroyed some of it meanwhile.
      std::set<int64_t> wanted(ids_in.begin(), ids_in.end());
      for (auto& a : *found)
        if (ids_in.empty() ? pre_read.count(a.id) > 0 : wanted.erase(a.id) > 0)
          todo.push_back(std::move(a));
      if (!wanted.empty())
        return Status::InvalidArgument("appraisal " + std::to_string(*wanted.begin()) +
                                       " is not an approved destruction");
    }
    if (todo.empty()) return Status::NotFound("no approved destruction is waiting");
    auto holds = ReadHolds(db, true);
    if (!holds.ok()) return holds.status();
    std::vector<FieldError> held;
    std::vector<RecordRow> rows;
    for (const auto& a : todo) {
      auto row = ReadRecordRow(db, a.reference);
      if (!row.ok()) return row.status();
      if (!*row)
        return Status::Internal("appraisal " + std::to_string(a.id) + " names " + a.reference +
                                ", which is not in the catalogue");
      if (!facts.count(a.reference))
        return Status::Conflict("appraisal " + std::to_string(a.id) +
                                " was approved meanwhile; nothing was destroyed, try again");
      for (const auto& h : *holds)
        if (Covers(h.scope, **row))
          held.push_back({a.reference, "under hold " + std::to_string(h.id) + ": " + h.reason});
      rows.push_back(**row);
    }
    if (!held.empty())
      return Status(ErrorCode::kConflict,
                    "records under a hold are never destroyed; nothing was destroyed",
                    std::move(held));
    // The events last: logging takes the chain's lock, which every server's filing waits for,
    // and the rows first, so this transaction never waits for a row while holding it.
    std::vector<AuditEvent> events;
    const int64_t batch = todo.front().id;
    for (size_t i = 0; i < todo.size(); ++i) {
      const AppraisalEntry& a = todo[i];
      const RecordRow& r = rows[i];
      const FiledFacts& f = facts[r.reference];
      Poco::JSON::Object approvals(Poco::JSON_PRESERVE_KEY_ORDER);
      approvals.set("proposed_by", a.proposed_by);
      approvals.set("approved_by", a.decided_by);
      approvals.set("executed_by", actor);
      Poco::JSON::Array sup;
      for (const auto& s : supervisors) sup.add(s);
      approvals.set("supervisors", sup);
      auto ins = db.Run(
          "INSERT INTO destroyed_records(reference, series, seq, class_code, item_code, year,"
          " retention, title, formed_on, filed_at, package_path, package_sha256, appraisal_id,"
          " supervisors, destroyed_at, batch, masked_title)"
          " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)",
          {r.reference, r.series, static_cast<int64_t>(r.seq), r.class_code, r.item_code,
           static_cast<int64_t>(r.year), r.retention, f.title, r.formed_on, r.filed_at,
           r.package_path, f.package_sha256, a.id, JoinLines(supervisors), now, batch,
           f.masked_title});
      if (!ins.ok()) return ins.status();
      DANGAN_RETURN_IF_ERROR(catalogue_.RemoveRecord(db, r.id));
      // What capture kept of a scanned record (its draft with the 公民身份号码 and name, its
      // text as a classifier example) goes with it.
      for (const char* sql : {"DELETE FROM lagging_copies WHERE reference=$1",
                              "DELETE FROM classifier_examples WHERE content_sha256 IN (SELECT"
                              " content_sha256 FROM capture_review WHERE reference=$1)",
                              "UPDATE capture_review SET draft_json='{}', file_name='',"
                              " staged_dir='' WHERE reference=$1",
                              "UPDATE appraisals SET state='executed' WHERE reference=$1 AND"
                              " state='approved' AND decision='destroy'"}) {
        auto d = db.Run(sql, {r.reference});
        if (!d.ok()) return d.status();
      }
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", a.id);
      detail.set("approvals", approvals);
      detail.set("package_sha256", f.package_sha256);
      events.push_back(Event(actor, "destroy", r.reference, Json(detail), now));
      Tombstone t;
      t.reference = r.reference;
      t.series = r.series;
      t.seq = r.seq;
      t.class_code = r.class_code;
      t.item_code = r.item_code;
      t.year = r.year;
      t.retention = r.retention;
      t.title = f.title;
      t.masked_title = f.masked_title;
      t.formed_on = r.formed_on;
      t.filed_at = r.filed_at;
      t.package_path = r.package_path;
      t.package_sha256 = f.package_sha256;
      t.appraisal_id = a.id;
      t.proposed_by = a.proposed_by;
      t.approved_by = a.decided_by;
      t.supervisors = supervisors;
      t.destroyed_at = now;
      t.batch = batch;
      out.push_back(std::move(t));
    }
    for (const auto& e : events) {
      auto logged = db.Log(e);
      if (!logged.ok()) return logged.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

std::string Tombstone::TitleWithoutPersonalData() const {
  return masked_title.empty() ? std::string("（题名含个人信息，不予显示）") : masked_title;
}

namespace {
Status UpdateTombstones(SqlTables& catalogue, const std::vector<std::string>& refs,
                        const std::string& sql, const std::string& value) {
  if (refs.empty()) return Status::Ok();
  return catalogue.WriteTables([&](SqlSession& db) -> Status {
    for (const auto& ref : refs) {
      std::vector<SqlValue> params{ref};
      if (!value.empty()) params.push_back(value);
      auto up = db.Run(sql, params);
      if (!up.ok()) return up.status();
    }
    return Status::Ok();
  });
}

Result<std::vector<Tombstone>> ReadTombstones(SqlTables& catalogue, const std::string& where,
                                              int limit, const std::string& param = "") {
  std::vector<Tombstone> out;
  Status st = catalogue.ReadTables([&](SqlSession& db) -> Status {
    std::vector<SqlValue> params;
    if (!param.empty()) params.push_back(param);
    std::string tail = " ORDER BY t.id";
    if (limit > 0) {
      params.push_back(static_cast<int64_t>(limit));
      tail += " LIMIT $" + std::to_string(params.size());
    }
    auto rows = db.Run(
        "SELECT t.reference, t.series, t.seq, t.class_code, t.item_code, t.year, t.retention,"
        " t.title, t.formed_on, t.filed_at, t.package_path, t.package_sha256, t.appraisal_id,"
        " a.proposed_by, coalesce(a.decided_by,''), t.supervisors,"
        " coalesce(t.register_reference,''), t.destroyed_at, t.packages_removed,"
        " coalesce(t.batch, 0), coalesce(t.masked_title, '')"
        " FROM destroyed_records t JOIN appraisals a ON a.id = t.appraisal_id " +
            where + tail,
        params);
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i) {
      Tombstone t;
      t.reference = rows->Text(i, 0);
      t.series = rows->Text(i, 1);
      t.seq = static_cast<int>(rows->Int(i, 2));
      t.class_code = rows->Text(i, 3);
      t.item_code = rows->Text(i, 4);
      t.year = static_cast<int>(rows->Int(i, 5));
      t.retention = rows->Text(i, 6);
      t.title = rows->Text(i, 7);
      t.formed_on = rows->Text(i, 8);
      t.filed_at = rows->Text(i, 9);
      t.package_path = rows->Text(i, 10);
      t.package_sha256 = rows->Text(i, 11);
      t.appraisal_id = rows->Int(i, 12);
      t.proposed_by = rows->Text(i, 13);
      t.approved_by = rows->Text(i, 14);
      t.supervisors = SplitLines(rows->Text(i, 15));
      t.register_reference = rows->Text(i, 16);
      t.destroyed_at = rows->Text(i, 17);
      t.packages_removed = rows->Int(i, 18) != 0;
      t.batch = rows->Int(i, 19);
      t.masked_title = rows->Text(i, 20);
      out.push_back(std::move(t));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}
}  // namespace

Status AppraisalRegister::MarkPackagesRemoved(const std::vector<std::string>& refs) {
  return UpdateTombstones(catalogue_, refs,
                          "UPDATE destroyed_records SET packages_removed=1 WHERE reference=$1", "");
}

Status AppraisalRegister::SetRegister(const std::vector<std::string>& refs,
                                      const std::string& register_ref) {
  return UpdateTombstones(catalogue_, refs,
                          "UPDATE destroyed_records SET register_reference=$2 WHERE reference=$1"
                          " AND register_reference IS NULL",
                          register_ref);
}

Result<std::vector<Tombstone>> AppraisalRegister::Unfinished() {
  return ReadTombstones(catalogue_, "WHERE t.packages_removed=0 OR t.register_reference IS NULL",
                        0);
}

Result<std::optional<Tombstone>> AppraisalRegister::FindTombstone(const std::string& reference) {
  auto found = ReadTombstones(catalogue_, "WHERE t.reference=$1", 1, reference);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Tombstone>();
  return std::optional<Tombstone>(found->front());
}

Result<std::vector<Tombstone>> AppraisalRegister::Tombstones(int limit) {
  return ReadTombstones(catalogue_, "", limit);
}

}  // namespace dangan
