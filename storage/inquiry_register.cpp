#include "storage/inquiry_register.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

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

Inquiry Read(const SqlRows& q, size_t row, std::string* code_hash) {
  auto text = [&](size_t col) { return q.Text(row, col); };
  Inquiry i;
  i.id = q.Int(row, 0);
  i.number = text(1);
  i.requester_type = text(2);
  i.name = text(3);
  i.identifier = text(4);
  i.purpose = text(5);
  i.contact = text(6);
  i.channel = text(7);
  i.submitted_at = text(8);
  i.due_at = text(9);
  i.state = text(10);
  i.decided_by = text(11);
  i.decided_at = text(12);
  i.reason = text(13);
  i.served = ParseList(text(14));
  i.certificate_serial = text(15);
  i.certificate_code = text(16);
  i.rating = text(17);
  i.rating_comment = text(18);
  i.rated_at = text(19);
  i.complaint = text(20);
  i.complained_at = text(21);
  i.answer = text(22);
  i.answered_by = text(23);
  i.answered_at = text(24);
  if (code_hash) *code_hash = text(25);
  i.copies_allowed = q.Int(row, 26) != 0;
  i.override_reason = text(27);
  return i;
}

// The one request numbered `number`, with its access code's hash.
Result<std::optional<Inquiry>> FindNumber(RecordCatalogue& catalogue, const std::string& number,
                                          std::string* code_hash) {
  std::optional<Inquiry> found;
  Status st = catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto q =
        db.Run(std::string("SELECT ") + kColumns + " FROM inquiries WHERE number=$1", {number});
    if (!q.ok()) return q.status();
    if (!q->empty()) found = Read(*q, 0, code_hash);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

std::string NumberDetail(const std::string& number) { return "{\"inquiry\":\"" + number + "\"}"; }

// Requests for `identifier` submitted at or after `since`.
Result<int64_t> CountRecent(SqlSession& db, const std::string& identifier,
                            const std::string& since) {
  auto q = db.Run("SELECT count(*) FROM inquiries WHERE identifier=$1 AND submitted_at >= $2",
                  {identifier, since});
  if (!q.ok()) return q.status();
  return q->empty() ? 0 : q->Int(0, 0);
}

}  // namespace

Result<std::pair<Inquiry, std::string>> InquiryRegister::Submit(Inquiry draft,
                                                                const std::string& actor) {
  auto made = SubmitWithin(std::move(draft), actor, Quota{});
  if (!made.ok()) return made.status();
  if (!*made) return Status::Internal("a request without a limit was refused");
  return std::move(**made);
}

Result<std::optional<std::pair<Inquiry, std::string>>> InquiryRegister::SubmitWithin(
    Inquiry draft, const std::string& actor, const Quota& quota) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("no random bytes for a code");
  const std::string code = HexEncode(raw, sizeof raw);
  if (draft.submitted_at.size() < 4) return Status::InvalidArgument("no submission time");
  const int year = std::stoi(draft.submitted_at.substr(0, 4));
  bool over = false;
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    DANGAN_RETURN_IF_ERROR(db.Serialize("inquiry-number"));
    if (quota.most > 0) {
      auto recent = CountRecent(db, draft.identifier, quota.since);
      if (!recent.ok()) return recent.status();
      over = *recent >= quota.most;
      if (over) return Status::Ok();  // nothing written: the commit is empty
    }
    auto next =
        db.Run("SELECT COALESCE(MAX(seq), 0) + 1 FROM inquiries WHERE year=$1", {int64_t{year}});
    if (!next.ok()) return next.status();
    const int64_t seq = next->empty() ? 1 : next->Int(0, 0);
    char number[32];
    std::snprintf(number, sizeof number, "CX-%04d-%06lld", year, static_cast<long long>(seq));
    draft.number = number;
    auto ins = db.Run(
        "INSERT INTO inquiries(number, year, seq, access_code_sha256, requester_type, name,"
        " identifier, purpose, contact, channel, submitted_at, due_at, state)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'submitted')",
        {draft.number, int64_t{year}, seq, Digest::OfString(code), draft.requester_type, draft.name,
         draft.identifier, draft.purpose, draft.contact, draft.channel, draft.submitted_at,
         draft.due_at});
    if (!ins.ok()) return ins.status();
    auto id = db.Run("SELECT id FROM inquiries WHERE number=$1", {draft.number});
    if (!id.ok()) return id.status();
    if (id->empty()) return Status::Internal("the new inquiry vanished");
    draft.id = id->Int(0, 0);
    AuditEvent e;
    e.at = draft.submitted_at;
    e.actor = actor;
    e.action = "inquiry-submit";
    e.detail = NumberDetail(draft.number);
    auto appended = db.Log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
  if (!st.ok()) return st;
  if (over) return std::optional<std::pair<Inquiry, std::string>>();
  draft.state = "submitted";
  return std::optional<std::pair<Inquiry, std::string>>(std::make_pair(draft, code));
}

Result<std::optional<Inquiry>> InquiryRegister::Find(const std::string& number) {
  return FindNumber(catalogue_, number, nullptr);
}

Result<std::optional<Inquiry>> InquiryRegister::FindWithCode(const std::string& number,
                                                             const std::string& access_code) {
  std::string stored;
  auto found = FindNumber(catalogue_, number, &stored);
  if (!found.ok()) return found.status();
  const std::string presented = Digest::OfString(access_code);
  if (!*found || access_code.empty() || stored.size() != presented.size() ||
      CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) != 0)
    return std::optional<Inquiry>();
  return found;
}

Result<std::vector<Inquiry>> InquiryRegister::List(const std::string& state, int limit) {
  std::vector<Inquiry> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run(
        std::string("SELECT ") + kColumns +
            " FROM inquiries WHERE (CAST($1 AS TEXT) = '' OR state = $1) ORDER BY id DESC LIMIT $2",
        {state, int64_t{limit}});
    if (!q.ok()) return q.status();
    for (size_t r = 0; r < q->size(); ++r) out.push_back(Read(*q, r, nullptr));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<int64_t> InquiryRegister::CountSince(const std::string& identifier,
                                            const std::string& since) {
  int64_t n = 0;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = CountRecent(db, identifier, since);
    if (!q.ok()) return q.status();
    n = *q;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return n;
}

Result<std::vector<InquiryMatch>> InquiryRegister::Matches(const Inquiry& inquiry) {
  std::vector<InquiryMatch> out;
  const bool person = inquiry.requester_type == "person";
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run(
        person ? "SELECT reference, title, formed_on, item_code FROM records WHERE person_id=$1"
                 " ORDER BY formed_on, reference LIMIT 1000"
               : "SELECT reference, title, formed_on, item_code FROM records WHERE unit_code=$1"
                 " ORDER BY formed_on, reference LIMIT 1000",
        {inquiry.identifier});
    if (!q.ok()) return q.status();
    for (size_t r = 0; r < q->size(); ++r)
      out.push_back({q->Text(r, 0), q->Text(r, 1), q->Text(r, 2), q->Text(r, 3), ""});
    return Status::Ok();
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
  return catalogue_.WriteTables([&](SqlSession& db) {
    return ChangeIn(db, number, sql, values, action, actor, at, refusal);
  });
}

Status InquiryRegister::ChangeIn(SqlSession& db, const std::string& number, const std::string& sql,
                                 const std::vector<std::string>& values, const std::string& action,
                                 const std::string& actor, const std::string& at,
                                 const std::string& refusal) {
  std::vector<SqlValue> params = {number};
  params.insert(params.end(), values.begin(), values.end());
  auto up = db.Run(sql, params);
  if (!up.ok()) return up.status();
  if (up->changed == 0) {
    auto exists = db.Run("SELECT 1 FROM inquiries WHERE number=$1", {number});
    if (!exists.ok()) return exists.status();
    if (exists->empty()) return Status::NotFound("no inquiry " + number);
    return Status::Conflict("inquiry " + number + ": " + refusal);
  }
  AuditEvent e;
  e.at = at;
  e.actor = actor;
  e.action = action;
  e.detail = NumberDetail(number);
  auto appended = db.Log(e);
  return appended.ok() ? Status::Ok() : appended.status();
}

Status InquiryRegister::Approve(const std::string& number,
                                const std::vector<std::string>& references, bool copies_allowed,
                                const std::string& override_reason,
                                const std::string& certificate_serial,
                                const std::string& certificate_code, const std::string& actor,
                                const std::string& at) {
  return catalogue_.WriteTables([&](SqlSession& db) {
    return ApproveIn(db, number, references, copies_allowed, override_reason, certificate_serial,
                     certificate_code, actor, at);
  });
}

Status InquiryRegister::ApproveIn(SqlSession& db, const std::string& number,
                                  const std::vector<std::string>& references, bool copies_allowed,
                                  const std::string& override_reason,
                                  const std::string& certificate_serial,
                                  const std::string& certificate_code, const std::string& actor,
                                  const std::string& at) {
  return ChangeIn(db, number,
                  "UPDATE inquiries SET state='approved', decided_by=$2, decided_at=$3, served=$4,"
                  " certificate_serial=$5, certificate_code=$6,"
                  " copies_allowed=CASE WHEN $7 = '1' THEN 1 ELSE 0 END,"
                  " override_reason=NULLIF($8, '')"
                  " WHERE number=$1 AND state='submitted'",
                  {actor, at, ListJson(references), certificate_serial, certificate_code,
                   copies_allowed ? "1" : "0", override_reason},
                  "inquiry-approve", actor, at, "it was decided already");
}

Status InquiryRegister::Reject(const std::string& number, const std::string& reason,
                               const std::string& actor, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET state='rejected', decided_by=$2, decided_at=$3, reason=$4"
                " WHERE number=$1 AND state='submitted'",
                {actor, at, reason}, "inquiry-reject", actor, at, "it was decided already");
}

Status InquiryRegister::Rate(const std::string& number, const std::string& rating,
                             const std::string& comment, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET rating=$2, rating_comment=$3, rated_at=$4"
                " WHERE number=$1 AND state<>'submitted' AND rating IS NULL",
                {rating, comment, at}, "inquiry-rate", "requester:" + number, at,
                "it can be rated once, after it was decided");
}

Status InquiryRegister::Complain(const std::string& number, const std::string& text,
                                 const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET complaint=$2, complained_at=$3"
                " WHERE number=$1 AND complaint IS NULL",
                {text, at}, "inquiry-complaint", "requester:" + number, at,
                "a complaint was made already; it will be answered");
}

Status InquiryRegister::Answer(const std::string& number, const std::string& text,
                               const std::string& actor, const std::string& at) {
  return Change(number,
                "UPDATE inquiries SET answer=$2, answered_by=$3, answered_at=$4"
                " WHERE number=$1 AND complaint IS NOT NULL AND answer IS NULL",
                {text, actor, at}, "inquiry-answer", actor, at, "there is no unanswered complaint");
}

}  // namespace dangan
