#include "storage/inquiry_register.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "storage/digest.h"

namespace dangan {

namespace {

constexpr const char* kColumns =
    "id, number, requester_type, name, identifier, purpose, contact, channel, submitted_at,"
    " due_at, state, decided_by, decided_at, reason, served, certificate_serial,"
    " certificate_code, rating, rating_comment, rated_at, complaint, complained_at, answer,"
    " answered_by, answered_at, access_code_sha256, copies_allowed, override_reason";

std::vector<std::string> ParseList(const std::string& json) {
  std::vector<std::string> out;
  try {
    Poco::JSON::Parser p;
    auto a = p.parse(json).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < a->size(); ++i)
      out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
  } catch (const std::exception&) {
  }
  return out;
}

std::string ListJson(const std::vector<std::string>& list) {
  Poco::JSON::Array a;
  for (const auto& s : list) a.add(s);
  std::ostringstream out;
  a.stringify(out);
  return out.str();
}

Inquiry Read(const Statement& q, std::string* code_hash) {
  Inquiry i;
  i.id = q.Int(0);
  i.number = q.Text(1);
  i.requester_type = q.Text(2);
  i.name = q.Text(3);
  i.identifier = q.Text(4);
  i.purpose = q.Text(5);
  i.contact = q.Text(6);
  i.channel = q.Text(7);
  i.submitted_at = q.Text(8);
  i.due_at = q.Text(9);
  i.state = q.Text(10);
  i.decided_by = q.Text(11);
  i.decided_at = q.Text(12);
  i.reason = q.Text(13);
  i.served = ParseList(q.Text(14));
  i.certificate_serial = q.Text(15);
  i.certificate_code = q.Text(16);
  i.rating = q.Text(17);
  i.rating_comment = q.Text(18);
  i.rated_at = q.Text(19);
  i.complaint = q.Text(20);
  i.complained_at = q.Text(21);
  i.answer = q.Text(22);
  i.answered_by = q.Text(23);
  i.answered_at = q.Text(24);
  if (code_hash) *code_hash = q.Text(25);
  i.copies_allowed = q.Int(26) != 0;
  i.override_reason = q.Text(27);
  return i;
}

std::string NumberDetail(const std::string& number) { return "{\"inquiry\":\"" + number + "\"}"; }

}  // namespace

Result<std::pair<Inquiry, std::string>> InquiryRegister::Submit(Inquiry draft,
                                                                const std::string& actor) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("no random bytes for a code");
  const std::string code = HexEncode(raw, sizeof raw);
  if (draft.submitted_at.size() < 4) return Status::InvalidArgument("no submission time");
  const int year = std::stoi(draft.submitted_at.substr(0, 4));
  Status st = catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    auto next = db.Prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM inquiries WHERE year=?1");
    if (!next.ok()) return next.status();
    next->Bind(1, year);
    Status err;
    int64_t seq = next->Step(&err) ? next->Int(0) : 1;
    DANGAN_RETURN_IF_ERROR(err);
    while (next->Step(&err)) {
    }
    char number[32];
    std::snprintf(number, sizeof number, "CX-%04d-%06lld", year, static_cast<long long>(seq));
    draft.number = number;
    auto ins = db.Prepare(
        "INSERT INTO inquiries(number, year, seq, access_code_sha256, requester_type, name,"
        " identifier, purpose, contact, channel, submitted_at, due_at, state)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,'submitted')");
    if (!ins.ok()) return ins.status();
    ins->Bind(1, draft.number)
        .Bind(2, year)
        .Bind(3, seq)
        .Bind(4, Digest::OfString(code))
        .Bind(5, draft.requester_type)
        .Bind(6, draft.name)
        .Bind(7, draft.identifier)
        .Bind(8, draft.purpose)
        .Bind(9, draft.contact)
        .Bind(10, draft.channel)
        .Bind(11, draft.submitted_at)
        .Bind(12, draft.due_at);
    DANGAN_RETURN_IF_ERROR(ins->Run());
    draft.id = sqlite3_last_insert_rowid(db.handle());
    AuditEvent e;
    e.at = draft.submitted_at;
    e.actor = actor;
    e.action = "inquiry-submit";
    e.detail = NumberDetail(draft.number);
    auto appended = log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
  if (!st.ok()) return st;
  draft.state = "submitted";
  return std::make_pair(draft, code);
}

Result<std::optional<Inquiry>> InquiryRegister::Find(const std::string& number) {
  std::optional<Inquiry> found;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(std::string("SELECT ") + kColumns + " FROM inquiries WHERE number=?1");
    if (!q.ok()) return q.status();
    q->Bind(1, number);
    Status err;
    if (q->Step(&err)) found = Read(*q, nullptr);
    while (q->Step(&err)) {
    }
    return err;
  });
  if (!st.ok()) return st;
  return found;
}

Result<std::optional<Inquiry>> InquiryRegister::FindWithCode(const std::string& number,
                                                             const std::string& access_code) {
  std::optional<Inquiry> found;
  std::string stored;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(std::string("SELECT ") + kColumns + " FROM inquiries WHERE number=?1");
    if (!q.ok()) return q.status();
    q->Bind(1, number);
    Status err;
    if (q->Step(&err)) found = Read(*q, &stored);
    while (q->Step(&err)) {
    }
    return err;
  });
  if (!st.ok()) return st;
  const std::string presented = Digest::OfString(access_code);
  if (!found || access_code.empty() || stored.size() != presented.size() ||
      CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) != 0)
    return std::optional<Inquiry>();
  return found;
}

Result<std::vector<Inquiry>> InquiryRegister::List(const std::string& state, int limit) {
  std::vector<Inquiry> out;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(std::string("SELECT ") + kColumns +
                        " FROM inquiries WHERE (?1 = '' OR state = ?1) ORDER BY id DESC LIMIT ?2");
    if (!q.ok()) return q.status();
    q->Bind(1, state).Bind(2, limit);
    Status err;
    while (q->Step(&err)) out.push_back(Read(*q, nullptr));
    return err;
  });
  if (!st.ok()) return st;
  return out;
}

Result<int64_t> InquiryRegister::CountSince(const std::string& identifier,
                                            const std::string& since) {
  int64_t n = 0;
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q =
        db.Prepare("SELECT COUNT(*) FROM inquiries WHERE identifier=?1 AND submitted_at >= ?2");
    if (!q.ok()) return q.status();
    q->Bind(1, identifier).Bind(2, since);
    Status err;
    if (q->Step(&err)) n = q->Int(0);
    while (q->Step(&err)) {
    }
    return err;
  });
  if (!st.ok()) return st;
  return n;
}

Result<std::vector<InquiryMatch>> InquiryRegister::Matches(const Inquiry& inquiry) {
  std::vector<InquiryMatch> out;
  const bool person = inquiry.requester_type == "person";
  Status st = catalogue_.WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(
        person ? "SELECT reference, title, formed_on, item_code FROM records WHERE person_id=?1"
                 " ORDER BY formed_on, reference LIMIT 1000"
               : "SELECT reference, title, formed_on, item_code FROM records WHERE unit_code=?1"
                 " ORDER BY formed_on, reference LIMIT 1000");
    if (!q.ok()) return q.status();
    q->Bind(1, inquiry.identifier);
    Status err;
    while (q->Step(&err)) out.push_back({q->Text(0), q->Text(1), q->Text(2), q->Text(3), ""});
    return err;
  });
  if (!st.ok()) return st;
  for (auto& m : out) {
    auto r = catalogue_.GetRecord(m.reference);
    if (!r.ok()) return r.status();
    if (!*r) continue;
    m.title = (*r)->title;  // the column may hold only a searchable stand-in
    if (person && (*r)->person) m.holder_name = (*r)->person->name;
    if (!person && (*r)->unit) m.holder_name = (*r)->unit->name;
  }
  return out;
}

Status InquiryRegister::Change(const std::string& number, const std::string& sql,
                               const std::vector<std::string>& values, const std::string& action,
                               const std::string& actor, const std::string& at,
                               const std::string& refusal) {
  return catalogue_.Transact([&](SqliteDb& db, const Catalogue::EventSink& log) -> Status {
    auto up = db.Prepare(sql);
    if (!up.ok()) return up.status();
    up->Bind(1, number);
    for (size_t i = 0; i < values.size(); ++i) up->Bind(static_cast<int>(i + 2), values[i]);
    DANGAN_RETURN_IF_ERROR(up->Run());
    if (sqlite3_changes(db.handle()) == 0) {
      auto exists = db.Prepare("SELECT 1 FROM inquiries WHERE number=?1");
      if (!exists.ok()) return exists.status();
      exists->Bind(1, number);
      Status err;
      bool known = exists->Step(&err);
      while (exists->Step(&err)) {
      }
      DANGAN_RETURN_IF_ERROR(err);
      if (!known) return Status::NotFound("no inquiry " + number);
      return Status::Conflict("inquiry " + number + ": " + refusal);
    }
    AuditEvent e;
    e.at = at;
    e.actor = actor;
    e.action = action;
    e.detail = NumberDetail(number);
    auto appended = log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
}

Status InquiryRegister::Approve(const std::string& number,
                                const std::vector<std::string>& references, bool copies_allowed,
                                const std::string& override_reason,
                                const std::string& certificate_serial,
                                const std::string& certificate_code, const std::string& actor,
                                const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET state='approved', decided_by=?2, decided_at=?3, served=?4,"
                " certificate_serial=?5, certificate_code=?6, copies_allowed=(?7 = '1'),"
                " override_reason=NULLIF(?8, '')"
                " WHERE number=?1 AND state='submitted'",
                {actor, at, ListJson(references), certificate_serial, certificate_code,
                 copies_allowed ? "1" : "0", override_reason},
                "inquiry-approve", actor, at, "it was decided already");
}

Status InquiryRegister::Reject(const std::string& number, const std::string& reason,
                               const std::string& actor, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET state='rejected', decided_by=?2, decided_at=?3, reason=?4"
                " WHERE number=?1 AND state='submitted'",
                {actor, at, reason}, "inquiry-reject", actor, at, "it was decided already");
}

Status InquiryRegister::Rate(const std::string& number, const std::string& rating,
                             const std::string& comment, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET rating=?2, rating_comment=?3, rated_at=?4"
                " WHERE number=?1 AND state<>'submitted' AND rating IS NULL",
                {rating, comment, at}, "inquiry-rate", "requester:" + number, at,
                "it can be rated once, after it was decided");
}

Status InquiryRegister::Complain(const std::string& number, const std::string& text,
                                 const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET complaint=?2, complained_at=?3"
                " WHERE number=?1 AND complaint IS NULL",
                {text, at}, "inquiry-complaint", "requester:" + number, at,
                "a complaint was made already; it will be answered");
}

Status InquiryRegister::Answer(const std::string& number, const std::string& text,
                               const std::string& actor, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET answer=?2, answered_by=?3, answered_at=?4"
                " WHERE number=?1 AND complaint IS NOT NULL AND answer IS NULL",
                {text, actor, at}, "inquiry-answer", actor, at, "there is no unanswered complaint");
}

}  // namespace dangan
