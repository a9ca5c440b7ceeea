#include "storage/appraisal_register.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>
#include <sstream>

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

// The columns of a record a hold or a tombstone needs.
struct RecordRow {
  int64_t id = 0;
  std::string reference, series;
  int seq = 0;
  std::string class_code, item_code;
  int year = 0;
  std::string retention, title, formed_on, filed_at, package_path, package_sha256, person_id,
      unit_code;
};

Result<std::optional<RecordRow>> ReadRecordRow(SqliteDb& db, const std::string& reference) {
  auto st = db.Prepare(
      "SELECT id, reference, series, seq, class_code, item_code, year, retention, title,"
      " formed_on, filed_at, package_path, CASE typeof(package_sha256) WHEN 'blob' THEN"
      " lower(hex(package_sha256)) ELSE package_sha256 END, coalesce(person_id,''),"
      " coalesce(unit_code,'') FROM records WHERE reference=?1");
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  if (!st->Step(&err)) {
    if (!err.ok()) return err;
    return std::optional<RecordRow>();
  }
  RecordRow r;
  r.id = st->Int(0);
  r.reference = st->Text(1);
  r.series = st->Text(2);
  r.seq = static_cast<int>(st->Int(3));
  r.class_code = st->Text(4);
  r.item_code = st->Text(5);
  r.year = static_cast<int>(st->Int(6));
  r.retention = st->Text(7);
  r.title = st->Text(8);
  r.formed_on = st->Text(9);
  r.filed_at = st->Text(10);
  r.package_path = st->Text(11);
  r.package_sha256 = st->Text(12);
  r.person_id = st->Text(13);
  r.unit_code = st->Text(14);
  return std::optional<RecordRow>(r);
}

// The 题名 as filed: since schema 12 it lives compressed beside the details, which the catalogue
// decodes.
Result<std::string> Title(Catalogue& catalogue, const RecordRow& r) {
  if (!r.title.empty()) return r.title;
  auto rec = catalogue.GetRecord(r.reference);
  if (!rec.ok()) return rec.status();
  if (!*rec) return Status::NotFound("no record " + r.reference);
  return (*rec)->title;
}

bool Covers(const HoldScope& s, const RecordRow& r) {
  if (!s.is_query()) return s.reference == r.reference;
  return (s.class_code.empty() || s.class_code == r.class_code) &&
         (s.item.empty() || s.item == r.item_code) && (s.year == 0 || s.year == r.year) &&
         (s.person_id.empty() || s.person_id == r.person_id) &&
         (s.unit_code.empty() || s.unit_code == r.unit_code);
}

Result<std::vector<HoldEntry>> ReadHolds(SqliteDb& db, bool active_only) {
  auto st = db.Prepare(std::string("SELECT id, coalesce(reference,''), coalesce(query,''), reason,"
                                   " placed_by, placed_at, coalesce(released_by,''),"
                                   " coalesce(released_at,'') FROM holds") +
                       (active_only ? " WHERE released_at IS NULL" : "") + " ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<HoldEntry> out;
  Status err;
  while (st->Step(&err)) {
    HoldEntry h;
    h.id = st->Int(0);
    if (!st->Text(1).empty())
      h.scope.reference = st->Text(1);
    else
      h.scope = ScopeFromJson(st->Text(2));
    h.reason = st->Text(3);
    h.placed_by = st->Text(4);
    h.placed_at = st->Text(5);
    h.released_by = st->Text(6);
    h.released_at = st->Text(7);
    out.push_back(std::move(h));
  }
  if (!err.ok()) return err;
  return out;
}

const char* const kAppraisalColumns =
    "id, reference, decision, coalesce(new_retention,''), reason, proposed_by, proposed_at, state,"
    " coalesce(decided_by,''), coalesce(decided_at,''), coalesce(decision_note,'')";

AppraisalEntry AppraisalFromRow(const Statement& st) {
  AppraisalEntry a;
  a.id = st.Int(0);
  a.reference = st.Text(1);
  a.decision = st.Text(2);
  a.new_retention = st.Text(3);
  a.reason = st.Text(4);
  a.proposed_by = st.Text(5);
  a.proposed_at = st.Text(6);
  a.state = st.Text(7);
  a.decided_by = st.Text(8);
  a.decided_at = st.Text(9);
  a.note = st.Text(10);
  return a;
}

// The record's period after appraisals: its own, unless an approved extension or keep changed it.
Result<std::string> EffectiveRetention(SqliteDb& db, const std::string& reference,
                                       const std::string& own) {
  auto st = db.Prepare(
      "SELECT decision, coalesce(new_retention,'') FROM appraisals WHERE reference=?1 AND"
      " state='approved' AND decision IN ('keep','extend') ORDER BY id DESC LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  if (st->Step(&err)) return st->Text(0) == "keep" ? std::string("Y") : st->Text(1);
  if (!err.ok()) return err;
  return own;
}

Result<std::optional<AppraisalEntry>> OpenAppraisal(SqliteDb& db, const std::string& reference) {
  auto st = db.Prepare(std::string("SELECT ") + kAppraisalColumns +
                       " FROM appraisals WHERE reference=?1 AND (state='proposed' OR"
                       " (state='approved' AND decision='destroy')) ORDER BY id DESC LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  if (st->Step(&err)) return std::optional<AppraisalEntry>(AppraisalFromRow(*st));
  if (!err.ok()) return err;
  return std::optional<AppraisalEntry>();
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
  std::vector<std::pair<std::string, int>> bounds;
  for (const auto& code : scheme_.retention_codes()) {
    if (!code.years) continue;
    bounds.emplace_back(code.code, due_year - 1 - *code.years);
  }
  if (bounds.empty()) return std::vector<DueRecord>{};
  for (size_t i = 0; i < bounds.size(); ++i)
    where += std::string(i ? " OR " : "") + "(retention=?" + std::to_string(2 * i + 1) +
             " AND year<=?" + std::to_string(2 * i + 2) + ")";
  std::string sql =
      "SELECT reference FROM records WHERE (" + where + ")" +
      (class_code.empty() ? "" : " AND class_code=?" + std::to_string(2 * bounds.size() + 1)) +
      " ORDER BY year, reference";
  std::vector<DueRecord> out;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(sql);
    if (!q.ok()) return q.status();
    for (size_t i = 0; i < bounds.size(); ++i)
      q->Bind(static_cast<int>(2 * i + 1), bounds[i].first)
          .Bind(static_cast<int>(2 * i + 2), bounds[i].second);
    if (!class_code.empty()) q->Bind(static_cast<int>(2 * bounds.size() + 1), class_code);
    std::vector<std::string> refs;
    Status err;
    while (q->Step(&err)) refs.push_back(q->Text(0));
    if (!err.ok()) return err;
    auto holds = ReadHolds(db, true);
    if (!holds.ok()) return holds.status();
    for (const auto& ref : refs) {
      if (limit > 0 && static_cast<int>(out.size()) >= limit) break;
      auto row = ReadRecordRow(db, ref);
      if (!row.ok()) return row.status();
      if (!*row) continue;
      auto effective = EffectiveRetention(db, ref, (*row)->retention);
      if (!effective.ok()) return effective.status();
      const RetentionCode* period = scheme_.FindRetention(*effective);
      if (!period) continue;
      auto due = RetentionDueDate((*row)->year, *period);
      if (!due || *due > due_by) continue;
      DueRecord d;
      d.reference = ref;
      auto title = Title(catalogue_, **row);
      if (!title.ok()) return title.status();
      d.title = *title;
      d.year = (*row)->year;
      d.retention = *effective;
      d.due_on = *due;
      auto open = OpenAppraisal(db, ref);
      if (!open.ok()) return open.status();
      d.open = *open;
      for (const auto& h : *holds) d.held = d.held || Covers(h.scope, **row);
      out.push_back(std::move(d));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
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
  Status st = catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
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
      auto ins = db.Prepare(
          "INSERT INTO appraisals(reference, decision, new_retention, reason, proposed_by,"
          " proposed_at) VALUES(?1,?2,?3,?4,?5,?6)");
      if (!ins.ok()) return ins.status();
      ins->Bind(1, ref).Bind(2, DecisionName(decision)).BindOptional(3, new_retention);
      ins->Bind(4, reason).Bind(5, actor).Bind(6, now);
      DANGAN_RETURN_IF_ERROR(ins->Run());
      const int64_t id = sqlite3_last_insert_rowid(db.handle());
      ids.push_back(id);
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", id);
      detail.set("decision", DecisionName(decision));
      if (!new_retention.empty()) detail.set("new_retention", new_retention);
      auto e = log(Event(actor, "appraise", ref, Json(detail), now));
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
  return catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    for (int64_t id : ids) {
      auto q =
          db.Prepare(std::string("SELECT ") + kAppraisalColumns + " FROM appraisals WHERE id=?1");
      if (!q.ok()) return q.status();
      q->Bind(1, id);
      Status err;
      if (!q->Step(&err)) {
        if (!err.ok()) return err;
        return Status::NotFound("no appraisal " + std::to_string(id));
      }
      AppraisalEntry a = AppraisalFromRow(*q);
      if (a.state != "proposed")
        return Status::Conflict("appraisal " + std::to_string(id) + " is " + a.state +
                                ", not proposed");
      DANGAN_RETURN_IF_ERROR(CheckDecider(a.proposed_by, actor));
      auto up = db.Prepare(
          "UPDATE appraisals SET state=?2, decided_by=?3, decided_at=?4, decision_note=?5"
          " WHERE id=?1");
      if (!up.ok()) return up.status();
      up->Bind(1, id).Bind(2, approve ? "approved" : "rejected").Bind(3, actor).Bind(4, now);
      up->BindOptional(5, note);
      DANGAN_RETURN_IF_ERROR(up->Run());
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", id);
      detail.set("decision", a.decision);
      detail.set("proposed_by", a.proposed_by);
      auto e = log(Event(actor, approve ? "appraise-approve" : "appraise-reject", a.reference,
                         Json(detail), now));
      if (!e.ok()) return e.status();
    }
    return Status::Ok();
  });
}

Result<std::vector<AppraisalEntry>> AppraisalRegister::List(const std::string& state, int limit) {
  std::vector<AppraisalEntry> out;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(std::string("SELECT ") + kAppraisalColumns + " FROM appraisals" +
                        (state.empty() ? " WHERE ?1=''" : " WHERE state=?1") +
                        " ORDER BY id DESC LIMIT ?2");
    if (!q.ok()) return q.status();
    q->Bind(1, state).Bind(2, limit > 0 ? limit : -1);
    Status err;
    while (q->Step(&err)) out.push_back(AppraisalFromRow(*q));
    return err;
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
  Status st = catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    if (!scope.is_query()) {
      auto row = ReadRecordRow(db, scope.reference);
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("no record " + scope.reference);
    }
    auto ins = db.Prepare(
        "INSERT INTO holds(reference, query, reason, placed_by, placed_at) VALUES(?1,?2,?3,?4,?5)");
    if (!ins.ok()) return ins.status();
    ins->BindOptional(1, scope.reference)
        .BindOptional(2, scope.is_query() ? ScopeToJson(scope) : "");
    ins->Bind(3, reason).Bind(4, actor).Bind(5, now);
    DANGAN_RETURN_IF_ERROR(ins->Run());
    id = sqlite3_last_insert_rowid(db.handle());
    // A query may name a 公民身份号码: the event says that it does, never which.
    Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
    detail.set("hold", id);
    detail.set("scope", scope.is_query() ? "query" : "record");
    auto e = log(Event(actor, "hold", scope.reference, Json(detail), now));
    return e.ok() ? Status::Ok() : e.status();
  });
  if (!st.ok()) return st;
  return id;
}

Status AppraisalRegister::ReleaseHold(int64_t id, const std::string& actor,
                                      const std::string& now) {
  return catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    auto up = db.Prepare(
        "UPDATE holds SET released_by=?2, released_at=?3 WHERE id=?1 AND released_at IS NULL"
        " RETURNING coalesce(reference,'')");
    if (!up.ok()) return up.status();
    up->Bind(1, id).Bind(2, actor).Bind(3, now);
    Status err;
    if (!up->Step(&err)) {
      if (!err.ok()) return err;
      return Status::NotFound("no active hold " + std::to_string(id));
    }
    std::string ref = up->Text(0);
    while (up->Step(&err)) {
    }
    if (!err.ok()) return err;
    auto e = log(Event(actor, "hold-release", ref, "{\"hold\":" + std::to_string(id) + "}", now));
    return e.ok() ? Status::Ok() : e.status();
  });
}

Result<std::vector<HoldEntry>> AppraisalRegister::Holds(bool active_only) {
  std::vector<HoldEntry> out;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
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
  std::vector<Tombstone> out;
  Status st = catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    out.clear();
    std::vector<AppraisalEntry> todo;
    {
      auto q = db.Prepare(std::string("SELECT ") + kAppraisalColumns +
                          " FROM appraisals WHERE state='approved' AND decision='destroy'"
                          " ORDER BY id");
      if (!q.ok()) return q.status();
      Status err;
      std::set<int64_t> wanted(ids_in.begin(), ids_in.end());
      while (q->Step(&err)) {
        AppraisalEntry a = AppraisalFromRow(*q);
        if (wanted.empty() || wanted.erase(a.id)) todo.push_back(std::move(a));
      }
      if (!err.ok()) return err;
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
      auto title = Title(catalogue_, **row);
      if (!title.ok()) return title.status();
      (*row)->title = *title;
      for (const auto& h : *holds)
        if (Covers(h.scope, **row))
          held.push_back({a.reference, "under hold " + std::to_string(h.id) + ": " + h.reason});
      rows.push_back(**row);
    }
    if (!held.empty())
      return Status(ErrorCode::kConflict,
                    "records under a hold are never destroyed; nothing was destroyed",
                    std::move(held));
    for (size_t i = 0; i < todo.size(); ++i) {
      const AppraisalEntry& a = todo[i];
      const RecordRow& r = rows[i];
      Poco::JSON::Object approvals(Poco::JSON_PRESERVE_KEY_ORDER);
      approvals.set("proposed_by", a.proposed_by);
      approvals.set("approved_by", a.decided_by);
      approvals.set("executed_by", actor);
      Poco::JSON::Array sup;
      for (const auto& s : supervisors) sup.add(s);
      approvals.set("supervisors", sup);
      auto ins = db.Prepare(
          "INSERT INTO destroyed_records(reference, series, seq, class_code, item_code, year,"
          " retention, title, formed_on, filed_at, package_path, package_sha256, appraisal_id,"
          " supervisors, destroyed_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
      if (!ins.ok()) return ins.status();
      ins->Bind(1, r.reference).Bind(2, r.series).Bind(3, r.seq).Bind(4, r.class_code);
      ins->Bind(5, r.item_code).Bind(6, r.year).Bind(7, r.retention).Bind(8, r.title);
      ins->Bind(9, r.formed_on).Bind(10, r.filed_at).Bind(11, r.package_path);
      ins->Bind(12, r.package_sha256).Bind(13, a.id).Bind(14, JoinLines(supervisors));
      ins->Bind(15, now);
      DANGAN_RETURN_IF_ERROR(ins->Run());
      DANGAN_RETURN_IF_ERROR(RemoveRecordRows(db, r.id));
      // What capture kept of a scanned record (its draft with the 公民身份号码 and name, its
      // text as a classifier example) goes with it.
      for (const char* sql : {"DELETE FROM lagging_copies WHERE reference=?1",
                              "DELETE FROM classifier_examples WHERE content_sha256 IN (SELECT"
                              " content_sha256 FROM capture_review WHERE reference=?1)",
                              "UPDATE capture_review SET draft_json='{}', file_name='',"
                              " staged_dir='' WHERE reference=?1",
                              "UPDATE appraisals SET state='executed' WHERE reference=?1 AND"
                              " state='approved' AND decision='destroy'"}) {
        auto d = db.Prepare(sql);
        if (!d.ok()) return d.status();
        d->Bind(1, r.reference);
        DANGAN_RETURN_IF_ERROR(d->Run());
      }
      Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
      detail.set("appraisal", a.id);
      detail.set("approvals", approvals);
      detail.set("package_sha256", r.package_sha256);
      auto e = log(Event(actor, "destroy", r.reference, Json(detail), now));
      if (!e.ok()) return e.status();
      Tombstone t;
      t.reference = r.reference;
      t.series = r.series;
      t.seq = r.seq;
      t.class_code = r.class_code;
      t.item_code = r.item_code;
      t.year = r.year;
      t.retention = r.retention;
      t.title = r.title;
      t.formed_on = r.formed_on;
      t.filed_at = r.filed_at;
      t.package_path = r.package_path;
      t.package_sha256 = r.package_sha256;
      t.appraisal_id = a.id;
      t.proposed_by = a.proposed_by;
      t.approved_by = a.decided_by;
      t.supervisors = supervisors;
      t.destroyed_at = now;
      out.push_back(std::move(t));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

namespace {
Status UpdateTombstones(Catalogue& catalogue, const std::vector<std::string>& refs,
                        const std::string& sql, const std::string& value) {
  if (refs.empty()) return Status::Ok();
  return catalogue.Transact([&](SqliteDb& db, const Catalogue::EventSink&) -> Status {
    for (const auto& ref : refs) {
      auto up = db.Prepare(sql);
      if (!up.ok()) return up.status();
      up->Bind(1, ref);
      if (!value.empty()) up->Bind(2, value);
      DANGAN_RETURN_IF_ERROR(up->Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<Tombstone>> ReadTombstones(Catalogue& catalogue, const std::string& where,
                                              int limit, const std::string& param = "") {
  std::vector<Tombstone> out;
  Status st = catalogue.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(
        "SELECT t.reference, t.series, t.seq, t.class_code, t.item_code, t.year, t.retention,"
        " t.title, t.formed_on, t.filed_at, t.package_path, t.package_sha256, t.appraisal_id,"
        " a.proposed_by, coalesce(a.decided_by,''), t.supervisors, "
        "coalesce(t.register_reference,''),"
        " t.destroyed_at, t.packages_removed FROM destroyed_records t JOIN appraisals a ON"
        " a.id = t.appraisal_id " +
        where + " ORDER BY t.id LIMIT ?1");
    if (!q.ok()) return q.status();
    q->Bind(1, limit > 0 ? limit : -1);
    if (!param.empty()) q->Bind(2, param);
    Status err;
    while (q->Step(&err)) {
      Tombstone t;
      t.reference = q->Text(0);
      t.series = q->Text(1);
      t.seq = static_cast<int>(q->Int(2));
      t.class_code = q->Text(3);
      t.item_code = q->Text(4);
      t.year = static_cast<int>(q->Int(5));
      t.retention = q->Text(6);
      t.title = q->Text(7);
      t.formed_on = q->Text(8);
      t.filed_at = q->Text(9);
      t.package_path = q->Text(10);
      t.package_sha256 = q->Text(11);
      t.appraisal_id = q->Int(12);
      t.proposed_by = q->Text(13);
      t.approved_by = q->Text(14);
      t.supervisors = SplitLines(q->Text(15));
      t.register_reference = q->Text(16);
      t.destroyed_at = q->Text(17);
      t.packages_removed = q->Int(18) != 0;
      out.push_back(std::move(t));
    }
    return err;
  });
  if (!st.ok()) return st;
  return out;
}
}  // namespace

Status AppraisalRegister::MarkPackagesRemoved(const std::vector<std::string>& refs) {
  return UpdateTombstones(catalogue_, refs,
                          "UPDATE destroyed_records SET packages_removed=1 WHERE reference=?1", "");
}

Status AppraisalRegister::SetRegister(const std::vector<std::string>& refs,
                                      const std::string& register_ref) {
  return UpdateTombstones(catalogue_, refs,
                          "UPDATE destroyed_records SET register_reference=?2 WHERE reference=?1",
                          register_ref);
}

Result<std::vector<Tombstone>> AppraisalRegister::Unfinished() {
  return ReadTombstones(catalogue_, "WHERE t.packages_removed=0 OR t.register_reference IS NULL",
                        0);
}

Result<std::optional<Tombstone>> AppraisalRegister::FindTombstone(const std::string& reference) {
  auto found = ReadTombstones(catalogue_, "WHERE t.reference=?2", 1, reference);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<Tombstone>();
  return std::optional<Tombstone>(found->front());
}

Result<std::vector<Tombstone>> AppraisalRegister::Tombstones(int limit) {
  return ReadTombstones(catalogue_, "", limit);
}

}  // namespace dangan
