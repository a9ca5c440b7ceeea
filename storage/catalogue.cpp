#include "storage/catalogue.h"
#include <cctype>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <regex>

#include "archive/identifiers.h"
#include "archive/record_masking.h"
#include "storage/cjk_tokenizer.h"
#include "storage/digest.h"
#include "storage/env.h"
#include "storage/record_json.h"
#include "storage/record_texts.h"
#include "storage/search_snippet.h"
#include "storage/search_terms.h"
#include "storage/text_codec.h"
#include "storage/text_dictionaries.h"

namespace dangan {
namespace {

// Each entry moves the schema up one version; never edit a released entry, add a new one.
const char* const kMigrations[] = {
    // 1: records, files, audit chain, fixity, full text
    R"SQL(
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  series TEXT NOT NULL,
  seq INTEGER NOT NULL,
  source TEXT NOT NULL,
  case_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  fonds TEXT NOT NULL,
  class_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  retention TEXT NOT NULL,
  title TEXT NOT NULL,
  formed_on TEXT NOT NULL,
  person_id TEXT,
  unit_code TEXT,
  pages INTEGER NOT NULL DEFAULT 0,
  metadata_json TEXT NOT NULL,
  package_path TEXT NOT NULL UNIQUE,
  package_sha256 TEXT NOT NULL,
  package_bytes INTEGER NOT NULL,
  filed_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'filed',
  UNIQUE(series, seq),
  UNIQUE(source, case_id)
);
CREATE INDEX records_person ON records(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX records_unit ON records(unit_code) WHERE unit_code IS NOT NULL;
CREATE INDEX records_class_year ON records(class_code, year);
CREATE INDEX records_year ON records(year);
CREATE TABLE record_files(
  record_id INTEGER NOT NULL REFERENCES records(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  format TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY(record_id, name)
) WITHOUT ROWID;
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  reference TEXT,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_reference ON events(reference) WHERE reference IS NOT NULL;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TABLE fixity(
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  ok INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX fixity_reference ON fixity(reference, id);
CREATE TABLE record_text(
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  title TEXT NOT NULL
);
-- The long column first: FTS5 spends two bytes per entry naming any column but the first.
CREATE VIRTUAL TABLE records_fts USING fts5(
  body, title, content='record_text', content_rowid='id', tokenize='dangan_cjk'
);
)SQL",
    // 2: 查档证明 (inquiry certificates), append-only; intake statistics by filing time
    R"SQL(
CREATE TABLE certificates(
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  code TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  requester TEXT NOT NULL,
  purpose TEXT NOT NULL,
  references_json TEXT NOT NULL,
  actor TEXT NOT NULL,
  UNIQUE(year, seq)
);
CREATE TRIGGER certificates_append_only_update BEFORE UPDATE ON certificates
  BEGIN SELECT RAISE(ABORT, 'certificates are append-only'); END;
CREATE TRIGGER certificates_append_only_delete BEFORE DELETE ON certificates
  BEGIN SELECT RAISE(ABORT, 'certificates are append-only'); END;
CREATE INDEX records_filed_at ON records(filed_at);
)SQL",
    // 3: a record's history without its accesses: a much-read record has thousands of views,
    // which must not slow down showing the few events that changed or checked it.
    R"SQL(
CREATE INDEX events_history ON events(reference)
  WHERE reference IS NOT NULL AND action NOT IN ('view','download');
)SQL",
    // 4: the capture review queue, and the archivists' decisions the classifier learns from
    R"SQL(
CREATE TABLE capture_review(
  id INTEGER PRIMARY KEY,
  content_sha256 TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  staged_dir TEXT NOT NULL,
  draft_json TEXT NOT NULL,
  suggested_item TEXT NOT NULL,
  confidence REAL NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK(state IN ('pending','filed','rejected')),
  decided_at TEXT,
  decided_by TEXT,
  decided_item TEXT,
  reference TEXT,
  reason TEXT
);
CREATE INDEX capture_review_pending ON capture_review(id) WHERE state='pending';
CREATE TABLE classifier_examples(
  id INTEGER PRIMARY KEY,
  content_sha256 TEXT NOT NULL,
  predicted_item TEXT NOT NULL,
  confirmed_item TEXT NOT NULL,
  text TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL
);
)SQL",
    // 5: search facets over a sample of hits read this small index, not the wide records rows
    R"SQL(
CREATE INDEX records_facets ON records(id, class_code, year, retention);
)SQL",
    // 6: every fact once. The descriptive fields without a column move from metadata_json (which
    // repeated the columns and the file list) into `details`, the free text into `text`;
    // record_text goes, and the full-text index reads a view that derives each body from the row
    // (dangan_record_body), so the text is no longer stored twice. Rows filed before keep their
    // whole old body as `text`: its leading fields are then indexed twice, which costs a little
    // space and changes no match.
    R"SQL(
ALTER TABLE records ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE records ADD COLUMN text TEXT NOT NULL DEFAULT '';
ALTER TABLE record_files ADD COLUMN details TEXT;
ALTER TABLE record_files ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;
UPDATE records SET
  details = json_set(json_remove(metadata_json, '$.reference', '$.parts', '$.series', '$.source',
      '$.case_id', '$.channel', '$.fingerprint', '$.title', '$.formed_on', '$.pages',
      '$.person.id_number', '$.unit.credit_code', '$.files', '$.filed_at', '$.state',
      '$.package'), '$.category', json_extract(metadata_json, '$.parts.category')),
  text = coalesce((SELECT body FROM record_text t WHERE t.id = records.id), '');
UPDATE record_files SET
  pos = coalesce((SELECT CAST(f.key AS INTEGER) FROM records r, json_each(r.metadata_json, '$.files') f
      WHERE r.id = record_files.record_id AND json_extract(f.value, '$.name') = record_files.name), 0),
  details = (SELECT nullif(json_remove(f.value, '$.name', '$.role', '$.format', '$.size', '$.sha256'), '{}')
      FROM records r, json_each(r.metadata_json, '$.files') f
      WHERE r.id = record_files.record_id AND json_extract(f.value, '$.name') = record_files.name);
ALTER TABLE records DROP COLUMN metadata_json;
DROP TABLE records_fts;
DROP TABLE record_text;
CREATE VIEW record_content AS
  SELECT id, title,
    dangan_record_body(details, reference, case_id, person_id, unit_code,
      (SELECT group_concat(name, char(10)) FROM
         (SELECT name FROM record_files WHERE record_id = records.id ORDER BY pos, name)),
      text) AS body
  FROM records;
CREATE VIRTUAL TABLE records_fts USING fts5(
  body, title, content='record_content', content_rowid='id', tokenize='dangan_cjk'
);
INSERT INTO records_fts(records_fts) VALUES('rebuild');
)SQL",
    // 7: where the rotating fixity audit stands, so that a restarted server resumes its cycle
    R"SQL(
CREATE TABLE audit_state(
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)SQL",
    // 8: replica copies still to be written (quorum filing), caught up from a good copy
    R"SQL(
CREATE TABLE lagging_copies(
  reference TEXT NOT NULL,
  root TEXT NOT NULL,
  since TEXT NOT NULL,
  PRIMARY KEY(reference, root)
);
)SQL",
    // 9: zstd dictionaries trained on the archive's own records (text_dictionaries.h); every value
    // written with one needs it for ever, so they are append-only like the audit chain
    R"SQL(
CREATE TABLE text_dictionaries(
  id INTEGER PRIMARY KEY,
  trained_at TEXT NOT NULL,
  records INTEGER NOT NULL,
  dict BLOB NOT NULL
);
CREATE TRIGGER text_dictionaries_append_only_update BEFORE UPDATE ON text_dictionaries
  BEGIN SELECT RAISE(ABORT, 'text dictionaries are append-only'); END;
CREATE TRIGGER text_dictionaries_append_only_delete BEFORE DELETE ON text_dictionaries
  BEGIN SELECT RAISE(ABORT, 'text dictionaries are append-only'); END;
)SQL",
    // 10: one-character queries move to their own index without positions (records_chars);
    // records_fts keeps only the unigrams at the edges of Han runs, which phrases need (see
    // cjk_tokenizer.h). Together about a fifth smaller than every unigram with its positions.
    R"SQL(
INSERT INTO records_fts(records_fts) VALUES('rebuild');
CREATE VIRTUAL TABLE records_chars USING fts5(
  body, title, content='record_content', content_rowid='id', tokenize='dangan_cjk_chars',
  detail=none, columnsize=0
);
INSERT INTO records_chars(records_chars) VALUES('rebuild');
)SQL",
    // 11: SHA-256 digests as their 32 bytes rather than 64 hex digits (see BindDigest)
    R"SQL(
UPDATE records SET fingerprint = dangan_digest_bytes(fingerprint),
  package_sha256 = dangan_digest_bytes(package_sha256);
UPDATE record_files SET sha256 = dangan_digest_bytes(sha256);
)SQL",
    // 12: a new record's title, details and text go into one compressed value, `texts` (see
    // record_texts.h), leaving the three columns empty; rows filed before keep theirs. The facet
    // sample reads the class-year index, now covering retention, instead of an index of its own.
    // The full-text indexes hold one column, the title and the body: a second column costs two
    // bytes in every posting of a title word and ranked nothing differently.
    R"SQL(
ALTER TABLE records ADD COLUMN texts BLOB;
DROP INDEX records_facets;
DROP INDEX records_class_year;
CREATE INDEX records_class_year ON records(class_code, year, retention);
DROP TABLE records_fts;
DROP TABLE records_chars;
DROP VIEW record_content;
CREATE VIEW record_content AS
  SELECT id, dangan_record_text(title, details, reference, case_id, person_id, unit_code,
      (SELECT group_concat(name, char(10)) FROM
         (SELECT name FROM record_files WHERE record_id = records.id ORDER BY pos, name)),
      text, texts) AS text
  FROM records;
CREATE VIRTUAL TABLE records_fts USING fts5(
  text, content='record_content', content_rowid='id', tokenize='dangan_cjk'
);
INSERT INTO records_fts(records_fts) VALUES('rebuild');
CREATE VIRTUAL TABLE records_chars USING fts5(
  text, content='record_content', content_rowid='id', tokenize='dangan_cjk_chars',
  detail=none, columnsize=0
);
INSERT INTO records_chars(records_chars) VALUES('rebuild');
)SQL",
    // 13: lifecycle: appraisals (鉴定), holds, and the tombstones of destroyed records (销毁)
    R"SQL(
CREATE TABLE appraisals(
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL,
  decision TEXT NOT NULL CHECK(decision IN ('keep','extend','destroy')),
  new_retention TEXT,
  reason TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  proposed_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'proposed'
    CHECK(state IN ('proposed','approved','rejected','executed')),
  decided_by TEXT,
  decided_at TEXT,
  decision_note TEXT,
  CHECK(decided_by IS NULL OR decided_by <> proposed_by)
);
CREATE INDEX appraisals_reference ON appraisals(reference, id);
CREATE INDEX appraisals_state ON appraisals(state, id);
CREATE TABLE holds(
  id INTEGER PRIMARY KEY,
  reference TEXT,
  query TEXT,
  reason TEXT NOT NULL,
  placed_by TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  released_by TEXT,
  released_at TEXT,
  CHECK((reference IS NULL) <> (query IS NULL))
);
CREATE TABLE destroyed_records(
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  series TEXT NOT NULL,
  seq INTEGER NOT NULL,
  class_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  retention TEXT NOT NULL,
  title TEXT NOT NULL,
  formed_on TEXT NOT NULL,
  filed_at TEXT NOT NULL,
  package_path TEXT NOT NULL,
  package_sha256 TEXT NOT NULL,
  appraisal_id INTEGER NOT NULL REFERENCES appraisals(id),
  supervisors TEXT NOT NULL,
  register_reference TEXT,
  destroyed_at TEXT NOT NULL,
  packages_removed INTEGER NOT NULL DEFAULT 0,
  UNIQUE(series, seq)
);
CREATE TRIGGER destroyed_records_no_delete BEFORE DELETE ON destroyed_records
  BEGIN SELECT RAISE(ABORT, 'tombstones of destroyed records are kept'); END;
)SQL",
    // 14: the people who act on the archive and their roles (archive/scheme/roles.json)
    R"SQL(
CREATE TABLE users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
)SQL",
    // 15: passwords for the web workbench and its sign-in sessions (storage/session_store.h).
    // Only hashes are kept: a PBKDF2 hash of each password, the SHA-256 of each session token.
    R"SQL(
ALTER TABLE users ADD COLUMN password_hash TEXT;
CREATE TABLE sessions(
  token_sha256 TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users(name),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user);
)SQL",
    // 16: the public inquiry service (storage/inquiry_register.h): requests, their decisions,
    // what was served, ratings and complaints; the utilization ledger (利用台账) reads it.
    R"SQL(
CREATE TABLE inquiries(
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  access_code_sha256 TEXT NOT NULL,
  requester_type TEXT NOT NULL,
  name TEXT NOT NULL,
  identifier TEXT NOT NULL,
  purpose TEXT NOT NULL,
  contact TEXT NOT NULL,
  channel TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('submitted','approved','rejected')),
  decided_by TEXT,
  decided_at TEXT,
  reason TEXT,
  served TEXT NOT NULL DEFAULT '[]',
  copies_allowed INTEGER NOT NULL DEFAULT 0,
  override_reason TEXT,
  certificate_serial TEXT,
  certificate_code TEXT,
  rating TEXT,
  rating_comment TEXT,
  rated_at TEXT,
  complaint TEXT,
  complained_at TEXT,
  answer TEXT,
  answered_by TEXT,
  answered_at TEXT,
  UNIQUE(year, seq)
);
CREATE INDEX inquiries_state ON inquiries(state, due_at);
CREATE INDEX inquiries_identifier ON inquiries(identifier);
)SQL",
    // 17: a review decision in progress holds its document (the filing takes a while, and
    // servers sharing a PostgreSQL catalogue decide at once): who holds it, until when (Unix s).
    R"SQL(
ALTER TABLE capture_review ADD COLUMN claim TEXT;
ALTER TABLE capture_review ADD COLUMN claim_until INTEGER;
)SQL",
    // 18: which destruction a tombstone belongs to (its first appraisal), so each destruction's
    // 销毁清册 lists its records whatever the time says (two in one second on two servers).
    R"SQL(
ALTER TABLE destroyed_records ADD COLUMN batch INTEGER;
)SQL",
    // 19: a tombstone's title as a viewer without personal.read sees it, masked when the record
    // (and so its person) still existed; tombstones from before have none (AppraisalRegister).
    R"SQL(
ALTER TABLE destroyed_records ADD COLUMN masked_title TEXT;
)SQL",
};

// A stored text value of the catalogue, TEXT as is or BLOB through the codec.
Result<std::string> StoredValue(sqlite3* db, sqlite3_value* v) {
  if (sqlite3_value_type(v) == SQLITE_BLOB) {
    const void* b = sqlite3_value_blob(v);
    return DecodeCatalogueText(db, std::string_view(static_cast<const char*>(b),
                                                    static_cast<size_t>(sqlite3_value_bytes(v))));
  }
  const unsigned char* t = sqlite3_value_text(v);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_value_bytes(v)))
           : std::string();
}

// A record's texts from its row: `texts` when set (schema 12), else the three columns.
Result<RecordTexts> TextsOfRow(sqlite3* db, sqlite3_value* title, sqlite3_value* details,
                               sqlite3_value* text, sqlite3_value* texts) {
  if (texts != nullptr && sqlite3_value_type(texts) != SQLITE_NULL) {
    auto packed = StoredValue(db, texts);
    if (!packed.ok()) return packed.status();
    return UnpackRecordTexts(*packed);
  }
  RecordTexts out;
  for (auto [v, to] : {std::pair{title, &out.title}, std::pair{details, &out.details},
                       std::pair{text, &out.text}}) {
    if (v == nullptr) continue;
    auto value = StoredValue(db, v);
    if (!value.ok()) return value.status();
    *to = std::move(*value);
  }
  return out;
}

// dangan_record_title(title, texts): the title the full-text index and search hits show.
void RecordTitleFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  try {
    auto t = TextsOfRow(sqlite3_context_db_handle(ctx), argv[0], nullptr, nullptr, argv[1]);
    if (!t.ok()) {
      sqlite3_result_error(ctx, t.status().ToString().c_str(), -1);
      return;
    }
    sqlite3_result_text(ctx, t->title.data(), static_cast<int>(t->title.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not how digests are written; such a value stays text
}

// A SHA-256 as written everywhere else (64 lower-case hex digits) is stored as its 32 bytes:
// digests are a sixth of a record's row. Anything else is stored as given, and DigestColumn reads
// both back as the text that was bound.
std::optional<std::string> DigestBytes(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::string out(32, '\0');
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

void BindDigest(Statement& st, int i, const std::string& hex) {
  if (auto bytes = DigestBytes(hex))
    st.BindBlob(i, *bytes);
  else
    st.Bind(i, hex);
}

std::string DigestColumn(const Statement& row, int col) {
  if (!row.IsBlob(col)) return row.Text(col);
  std::string b = row.Blob(col);
  return HexEncode(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

// dangan_digest_bytes(x): migration 11's conversion, DigestBytes in SQL.
void DigestBytesFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  std::string_view text(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                        static_cast<size_t>(sqlite3_value_bytes(argv[0])));
  if (auto bytes = DigestBytes(text))
    sqlite3_result_blob(ctx, bytes->data(), 32, SQLITE_TRANSIENT);
  else
    sqlite3_result_value(ctx, argv[0]);
}

// dangan_record_body(details, reference, case_id, person_id, unit_code, file_names, text): the
// text the full-text index holds for a record, derived from its row (see record_content). It must
// stay a pure function of the row: FTS5 re-derives a body to delete or highlight it, and a body
// that changed since indexing would corrupt the index (change it only with a 'rebuild').
// The two shapes of the derivation, one implementation:
//   dangan_record_body(details, reference, case_id, person_id, unit_code, file_names, text): the
//     body alone, for the views of schemas 6 to 11 that migrations still rebuild through;
//   dangan_record_text(title, details, reference, case_id, person_id, unit_code, file_names, text,
//     texts): since schema 12, the title, a newline and the body, which one index column holds.
void RecordTextFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  const bool with_title = argc == 9;
  if (argc != 7 && argc != 9) {
    sqlite3_result_error(ctx, "dangan_record_body takes 7 arguments, dangan_record_text 9", -1);
    return;
  }
  sqlite3* db = sqlite3_context_db_handle(ctx);
  sqlite3_value** a = with_title ? argv + 1 : argv;  // a[0] = details ... a[6] = text
  Status bad;
  auto text = [&](int i) -> std::string {
    auto v = StoredValue(db, a[i]);
    if (!v.ok()) {
      bad = v.status();
      return std::string();
    }
    return std::move(*v);
  };
  try {
    Record r;
    r.reference = text(1);
    r.case_id = text(2);
    if (std::string id = text(3); !id.empty()) r.person = Person{id, ""};
    if (std::string code = text(4); !code.empty()) r.unit = Unit{code, ""};
    auto texts =
        TextsOfRow(db, with_title ? argv[0] : nullptr, a[0], a[6], with_title ? argv[8] : nullptr);
    if (!texts.ok()) {
      sqlite3_result_error(ctx, texts.status().ToString().c_str(), -1);
      return;
    }
    Status st = ReadRecordDetails(texts->details, &r);
    if (!st.ok()) {
      sqlite3_result_error(ctx, st.ToString().c_str(), -1);
      return;
    }
    std::string names = text(5);
    for (size_t i = 0; i < names.size();) {
      size_t j = names.find('\n', i);
      if (j == std::string::npos) j = names.size();
      RecordFile f;
      f.name = names.substr(i, j - i);
      r.files.push_back(std::move(f));
      i = j + 1;
    }
    r.text = std::move(texts->text);
    if (!bad.ok()) {
      sqlite3_result_error(ctx, bad.ToString().c_str(), -1);
      return;
    }
    std::string out = with_title ? texts->title + "\n" + RecordBodyText(r) : RecordBodyText(r);
    sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  }
}

Result<std::optional<FiledCase>> FindCaseOn(SqliteDb& db, const std::string& source,
                                            const std::string& case_id) {
  auto st = db.Prepare(
      "SELECT reference, fingerprint, package_sha256, filed_at FROM records"
      " WHERE source=?1 AND case_id=?2");
  if (!st.ok()) return st.status();
  st->Bind(1, source).Bind(2, case_id);
  Status err;
  if (st->Step(&err))
    return std::optional<FiledCase>(
        FiledCase{st->Text(0), DigestColumn(*st, 1), DigestColumn(*st, 2), st->Text(3)});
  if (!err.ok()) return err;
  return std::optional<FiledCase>();
}

// Links `drafts` to the chain's head and inserts them in order, inside the caller's transaction.
Result<AuditEvent> AppendEventsOn(SqliteDb& db, const std::vector<AuditEvent>& drafts) {
  auto head = db.Prepare(
      "SELECT seq, at, actor, action, reference, detail, prev_hash, hash FROM events"
      " ORDER BY seq DESC LIMIT 1");
  if (!head.ok()) return head.status();
  Status err;
  std::optional<AuditEvent> prev;
  if (head->Step(&err)) {
    prev = AuditEvent{head->Int(0),  head->Text(1), head->Text(2), head->Text(3),
                      head->Text(4), head->Text(5), head->Text(6), head->Text(7)};
  }
  if (!err.ok()) return err;
  auto ins = db.Prepare(
      "INSERT INTO events(seq, at, actor, action, reference, detail, prev_hash, hash)"
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  if (!ins.ok()) return ins.status();
  for (const AuditEvent& draft : drafts) {
    AuditEvent e = ChainEvent(draft, prev ? &*prev : nullptr);
    ins->Reset();
    ins->Bind(1, e.seq).Bind(2, e.at).Bind(3, e.actor).Bind(4, e.action);
    ins->BindOptional(5, e.reference).Bind(6, e.detail).Bind(7, e.prev_hash).Bind(8, e.hash);
    DANGAN_RETURN_IF_ERROR(ins->Run());
    prev = std::move(e);
  }
  if (!prev) return Status::InvalidArgument("no events to append");
  return std::move(*prev);
}

Result<AuditEvent> AppendEventOn(SqliteDb& db, const AuditEvent& draft) {
  return AppendEventsOn(db, {draft});
}

class SqliteFilingTransaction : public FilingTransaction {
 public:
  SqliteFilingTransaction(std::unique_ptr<SqliteDb> db, std::atomic<uint64_t>* generation,
                          WriteGate::Turn turn, std::shared_ptr<const TextDictionary> dict,
                          std::atomic<int64_t>* inserts)
      : db_(std::move(db)),
        generation_(generation),
        turn_(std::move(turn)),
        dict_(std::move(dict)),
        inserts_(inserts) {}
  ~SqliteFilingTransaction() override {
    if (!done_) db_->Exec("ROLLBACK");
    turn_.Release();
  }

  Result<int> NextSequence(const std::string& series) override {
    // A destroyed record keeps its 件号: the series never reuses it (its tombstone holds it).
    auto st = db_->Prepare(
        "SELECT max(coalesce((SELECT max(seq) FROM records WHERE series=?1), 0),"
        " coalesce((SELECT max(seq) FROM destroyed_records WHERE series=?1), 0)) + 1");
    if (!st.ok()) return st.status();
    st->Bind(1, series);
    Status err;
    if (!st->Step(&err)) return err.ok() ? Status::Internal("no sequence") : err;
    return static_cast<int>(st->Int(0));
  }

  Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                            const std::string& case_id) override {
    return FindCaseOn(*db_, source, case_id);
  }

  Status InsertRecord(const Record& r) override {
    auto st = db_->Prepare(
        "INSERT INTO records(reference, series, seq, source, case_id, channel, fingerprint, fonds,"
        " class_code, item_code, year, retention, title, formed_on, person_id, unit_code, pages,"
        " details, package_path, package_sha256, package_bytes, filed_at, state, text, texts)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
        "?23,?24,?25)");
    if (!st.ok()) return st.status();
    st->Bind(1, r.reference).Bind(2, r.series).Bind(3, r.parts.seq).Bind(4, r.source);
    st->Bind(5, r.case_id).Bind(6, r.channel).Bind(8, r.parts.fonds);
    BindDigest(*st, 7, r.fingerprint);
    st->Bind(9, r.parts.class_code).Bind(10, r.parts.item).Bind(11, r.parts.year);
    st->Bind(12, r.parts.retention).Bind(14, r.formed_on);
    st->BindOptional(15, r.person ? r.person->id_number : "");
    st->BindOptional(16, r.unit ? r.unit->credit_code : "");
    st->Bind(17, r.pages).Bind(19, r.package_path);
    // Title, details and text as one compressed value (record_texts.h); their own columns stay
    // empty, as a row's texts live in one place only.
    st->Bind(13, std::string()).Bind(18, std::string("{}")).Bind(24, std::string());
    StoredText stored =
        EncodeStoredText(PackRecordTexts({r.title, RecordDetailsToJson(r), r.text}), dict_.get());
    if (stored.compressed)
      st->BindBlob(25, stored.bytes);
    else
      st->Bind(25, stored.bytes);
    BindDigest(*st, 20, r.package_sha256);
    st->Bind(21, static_cast<int64_t>(r.package_bytes));
    st->Bind(22, r.filed_at).Bind(23, r.state);
    DANGAN_RETURN_IF_ERROR(st->Run().WithContext("cataloguing " + r.reference));
    int64_t id = sqlite3_last_insert_rowid(db_->handle());
    auto f = db_->Prepare(
        "INSERT INTO record_files(record_id, name, role, format, size, sha256, details, pos)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    if (!f.ok()) return f.status();
    for (size_t i = 0; i < r.files.size(); ++i) {
      const RecordFile& file = r.files[i];
      f->Reset();
      f->Bind(1, id).Bind(2, file.name).Bind(3, file.role).Bind(4, file.format);
      f->Bind(5, static_cast<int64_t>(file.size));
      BindDigest(*f, 6, file.sha256);
      f->BindOptional(7, FileDetailsToJson(file)).Bind(8, static_cast<int64_t>(i));
      DANGAN_RETURN_IF_ERROR(f->Run());
    }
    // The body is derived by the view the indexes read, so indexing and highlighting agree.
    auto body = db_->Prepare("SELECT text FROM record_content WHERE id=?1");
    if (!body.ok()) return body.status();
    body->Bind(1, id);
    Status err;
    if (!body->Step(&err)) return err.ok() ? Status::Internal("no text for " + r.reference) : err;
    for (const char* table : {"records_fts", "records_chars"}) {
      auto t = db_->Prepare(std::string("INSERT INTO ") + table + "(rowid, text) VALUES(?1, ?2)");
      if (!t.ok()) return t.status();
      t->Bind(1, id).Bind(2, body->Text(0));
      DANGAN_RETURN_IF_ERROR(t->Run());
    }
    ++*inserts_;
    return Status::Ok();
  }

  Result<AuditEvent> AppendEvent(const AuditEvent& draft) override {
    return AppendEventOn(*db_, draft);
  }

  Status NoteLaggingCopies(const std::string& reference,
                           const std::vector<std::string>& roots) override {
    auto st = db_->Prepare(
        "INSERT OR IGNORE INTO lagging_copies(reference, root, since)"
        " VALUES(?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    if (!st.ok()) return st.status();
    for (const auto& root : roots) {
      st->Reset();
      st->Bind(1, reference).Bind(2, root);
      DANGAN_RETURN_IF_ERROR(st->Run());
    }
    return Status::Ok();
  }

  Status Commit() override {
    Status st = db_->Exec("COMMIT");
    if (st.ok()) {
      done_ = true;
      ++*generation_;
      turn_.Release();
    }
    return st;
  }

 private:
  std::unique_ptr<SqliteDb> db_;
  std::atomic<uint64_t>* generation_;
  WriteGate::Turn turn_;
  std::shared_ptr<const TextDictionary> dict_;
  std::atomic<int64_t>* inserts_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<SqliteDb>> OpenCatalogueConnection(const std::string& path, bool create) {
  auto db = SqliteDb::Open(path, create);
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR(RegisterCjkTokenizer((*db)->handle()));
  // Innocuous and deterministic: it reads only its arguments, so the schema's view may call it.
  int rc = SQLITE_OK;
  for (auto [name, args] :
       {std::pair{"dangan_record_body", 7}, std::pair{"dangan_record_text", 9}}) {
    rc = sqlite3_create_function_v2((*db)->handle(), name, args,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    RecordTextFunction, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return (*db)->Error(std::string("registering ") + name);
  }
  rc = sqlite3_create_function_v2((*db)->handle(), "dangan_record_title", 2,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                  RecordTitleFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return (*db)->Error("registering dangan_record_title");
  rc = sqlite3_create_function_v2((*db)->handle(), "dangan_digest_bytes", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                  DigestBytesFunction, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return (*db)->Error("registering dangan_digest_bytes");
  return db;
}

const char* const kRecordColumns =
    "id, reference, series, seq, source, case_id, channel, fingerprint, fonds, class_code,"
    " item_code, year, retention, title, formed_on, person_id, unit_code, pages, details,"
    " package_path, package_sha256, package_bytes, filed_at, state, texts";

Result<Record> RecordFromRow(const Statement& row) {
  Record r;
  r.reference = row.Text(1);
  r.series = row.Text(2);
  r.parts.seq = static_cast<int>(row.Int(3));
  r.source = row.Text(4);
  r.case_id = row.Text(5);
  r.channel = row.Text(6);
  r.fingerprint = DigestColumn(row, 7);
  r.parts.fonds = row.Text(8);
  r.parts.class_code = row.Text(9);
  r.parts.item = row.Text(10);
  r.parts.year = static_cast<int>(row.Int(11));
  r.parts.retention = row.Text(12);
  r.formed_on = row.Text(14);
  if (!row.IsNull(15)) r.person = Person{row.Text(15), ""};
  if (!row.IsNull(16)) r.unit = Unit{row.Text(16), ""};
  r.pages = static_cast<int>(row.Int(17));
  std::string details;
  if (!row.IsNull(24)) {  // schema 12: all three in `texts`
    auto packed = StoredColumn(row, 24);
    if (!packed.ok()) return packed.status().WithContext(r.reference);
    auto texts = UnpackRecordTexts(*packed);
    if (!texts.ok()) return texts.status().WithContext(r.reference);
    r.title = std::move(texts->title);
    details = std::move(texts->details);
  } else {
    r.title = row.Text(13);
    auto d = StoredColumn(row, 18);
    if (!d.ok()) return d.status().WithContext(r.reference);
    details = std::move(*d);
  }
  Status st = ReadRecordDetails(details, &r);
  if (!st.ok()) return st.WithContext(r.reference);
  r.package_path = row.Text(19);
  r.package_sha256 = DigestColumn(row, 20);
  r.package_bytes = static_cast<uint64_t>(row.Int(21));
  r.filed_at = row.Text(22);
  r.state = row.Text(23);
  return r;
}

Result<std::unique_ptr<Catalogue>> Catalogue::Open(const std::string& path, bool create,
                                                   const ReferenceTemplate* shape) {
  auto db = OpenCatalogueConnection(path, create);
  if (!db.ok()) return db.status();
  std::unique_ptr<Catalogue> cat(new Catalogue(path, std::move(*db), shape));
  SqliteDb& d = *cat->idle_.front();
  DANGAN_RETURN_IF_ERROR(d.Exec("BEGIN IMMEDIATE"));
  auto v = d.Prepare("PRAGMA user_version");
  if (!v.ok()) return v.status();
  Status err;
  v->Step(&err);
  int version = static_cast<int>(v->Int(0));
  v = Statement();
  constexpr int kLatest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  if (version > kLatest) {
    d.Exec("ROLLBACK");
    return Status::InvalidArgument(path + " has catalogue schema " + std::to_string(version) +
                                   ", newer than this program knows (" + std::to_string(kLatest) +
                                   ")");
  }
  for (int i = version; i < kLatest; ++i) {
    Status st = d.Exec(kMigrations[i]);
    if (!st.ok()) {
      d.Exec("ROLLBACK");
      return st.WithContext("migrating the catalogue to schema " + std::to_string(i + 1));
    }
  }
  DANGAN_RETURN_IF_ERROR(d.Exec("PRAGMA user_version=" + std::to_string(kLatest) + "; COMMIT"));
  cat->schema_version_ = kLatest;
  auto dict = NewestTextDictionary(d);
  if (!dict.ok()) return dict.status();
  cat->text_dictionary_ = std::move(*dict);
  return cat;
}

Result<std::optional<FiledCase>> Catalogue::FindCase(const std::string& source,
                                                     const std::string& case_id) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  return FindCaseOn(**db, source, case_id);
}

Result<std::unique_ptr<FilingTransaction>> Catalogue::BeginFiling() {
  auto db = OpenCatalogueConnection(path_, false);
  if (!db.ok()) return db.status();
  if (background_checkpoints_) DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_autocheckpoint=0"));
  WriteGate::Turn turn = write_gate_.Enter();
  // Every so many records, see whether the archive has grown enough to learn a (better) text
  // dictionary; training takes a fraction of a second, once per growth step.
  if (inserts_since_dictionary_check_ >= kDictionaryCheckEvery) {
    inserts_since_dictionary_check_ = 0;
    auto trained = TrainTextDictionaryIfDue(**db);
    if (!trained.ok()) return trained.status().WithContext("training a text dictionary");
    if (*trained) {
      std::lock_guard<std::mutex> lock(mu_);
      text_dictionary_ = std::move(*trained);
    }
  }
  std::shared_ptr<const TextDictionary> dict;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dict = text_dictionary_;
  }
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<FilingTransaction>(
      new SqliteFilingTransaction(std::move(*db), &generation_, std::move(turn), std::move(dict),
                                  &inserts_since_dictionary_check_));
}

Result<std::optional<Record>> Catalogue::GetRecord(const std::string& reference) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st =
      (*db)->Prepare(std::string("SELECT ") + kRecordColumns + " FROM records WHERE reference=?1");
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  if (!st->Step(&err)) {
    if (!err.ok()) return err;
    return std::optional<Record>();
  }
  auto r = RecordFromRow(*st);
  if (!r.ok()) return r.status();
  auto files = (*db)->Prepare(
      "SELECT name, role, format, size, sha256, details FROM record_files WHERE record_id=?1"
      " ORDER BY pos, name");
  if (!files.ok()) return files.status();
  files->Bind(1, st->Int(0));
  while (files->Step(&err)) {
    RecordFile f;
    f.name = files->Text(0);
    f.role = files->Text(1);
    f.format = files->Text(2);
    f.size = static_cast<uint64_t>(files->Int(3));
    f.sha256 = DigestColumn(*files, 4);
    DANGAN_RETURN_IF_ERROR(ReadFileDetails(files->Text(5), &f).WithContext(reference));
    r->files.push_back(std::move(f));
  }
  if (!err.ok()) return err;
  return std::optional<Record>(std::move(*r));
}

Result<std::vector<Record>> Catalogue::ListRecords(const std::vector<std::string>& references) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  // In-process, one prepared statement stepped per reference costs what a batch would.
  auto st =
      (*db)->Prepare(std::string("SELECT ") + kRecordColumns + " FROM records WHERE reference=?1");
  if (!st.ok()) return st.status();
  std::vector<Record> out;
  out.reserve(references.size());
  for (const auto& reference : references) {
    st->Reset();
    st->Bind(1, reference);
    Status err;
    if (!st->Step(&err)) {
      if (!err.ok()) return err.WithContext(reference);
      continue;
    }
    auto r = RecordFromRow(*st);
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<std::pair<int64_t, std::string>>> Catalogue::ReferencesAfter(int64_t after_id,
                                                                                int limit) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare("SELECT id, reference FROM records WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!st.ok()) return st.status();
  st->Bind(1, after_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<std::pair<int64_t, std::string>> out;
  Status err;
  while (st->Step(&err)) out.emplace_back(st->Int(0), st->Text(1));
  if (!err.ok()) return err;
  return out;
}

Result<std::string> Catalogue::AuditState(const std::string& name) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare("SELECT value FROM audit_state WHERE name=?1");
  if (!st.ok()) return st.status();
  st->Bind(1, name);
  Status err;
  if (st->Step(&err)) return st->Text(0);
  if (!err.ok()) return err;
  return std::string();
}

Status Catalogue::SetAuditState(const std::vector<std::pair<std::string, std::string>>& values) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  WriteGate::Turn turn = write_gate_.Enter();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN IMMEDIATE"));
  auto st = (*db)->Prepare(
      "INSERT INTO audit_state(name, value) VALUES(?1, ?2)"
      " ON CONFLICT(name) DO UPDATE SET value=excluded.value");
  Status result = st.ok() ? Status::Ok() : st.status();
  for (size_t i = 0; result.ok() && i < values.size(); ++i) {
    st->Reset();
    st->Bind(1, values[i].first).Bind(2, values[i].second);
    result = st->Run();
  }
  st = Statement();
  if (!result.ok()) {
    (*db)->Exec("ROLLBACK");
    return result;
  }
  return (*db)->Exec("COMMIT");
}

Result<int64_t> Catalogue::ScalarInt(const char* sql) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare(sql);
  if (!st.ok()) return st.status();
  Status err;
  if (!st->Step(&err)) return err.ok() ? Status::Internal("no row") : err;
  return st->Int(0);
}

Result<std::vector<std::string>> Catalogue::References() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare("SELECT reference FROM records ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<std::string> out;
  Status err;
  while (st->Step(&err)) out.push_back(st->Text(0));
  if (!err.ok()) return err;
  return out;
}

Result<bool> Catalogue::HasPackage(const std::string& rel_path) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare("SELECT 1 FROM records WHERE package_path=?1");
  if (!st.ok()) return st.status();
  st->Bind(1, rel_path);
  Status err;
  bool found = st->Step(&err);
  if (!err.ok()) return err;
  return found;
}

Result<int64_t> Catalogue::CountRecords() { return ScalarInt("SELECT count(*) FROM records"); }

Result<SearchPage> Catalogue::Search(const SearchSpec& spec_in) {
  SearchSpec spec = spec_in;
  auto read = ReadSearchTerms(&spec, shape_);
  if (!read.ok()) return read.status();
  const SearchTerms& terms = *read;
  if (terms.nothing_searchable) return SearchPage{};
  const SnippetQuery marked = terms.snippet();
  const std::string& reference = terms.reference;
  // FTS5 reads '-' and ':' as syntax: every term goes in quoted.
  auto quoted = [](const std::string& term) {
    std::string q = "\"";
    for (char c : term) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  // Characters alone are looked up in records_chars (no positions, so no ranking: newest first);
  // beside a phrase, as prefixes in records_fts, where "X"* is every occurrence of X.
  const std::string fts =
      terms.phrases.empty() && !terms.characters.empty() ? "records_chars" : "records_fts";
  std::string match;
  for (const auto& p : terms.phrases) match += (match.empty() ? "" : " AND ") + quoted(p);
  for (const auto& c : terms.characters)
    match += (match.empty() ? "" : " AND ") + quoted(c) + (fts == "records_fts" ? "*" : "");

  // Filters on the records table; the text condition is kept apart so that it can run on the
  // full-text index alone (no row lookups) whenever no filter needs the records.
  std::string filters;
  std::vector<std::pair<int, std::string>> text_binds;
  std::vector<std::pair<int, int64_t>> int_binds;
  int n = 2;  // ?1 is the MATCH expression
  auto cond = [&](const std::string& sql) { filters += " AND " + sql; };
  auto eq = [&](const std::string& col, const std::string& v) {
    if (v.empty()) return;
    cond("r." + col + "=?" + std::to_string(n));
    text_binds.push_back({n++, v});
  };
  eq("reference", reference);
  eq("class_code", spec.class_code);
  eq("item_code", spec.item);
  eq("retention", spec.retention);
  eq("person_id", spec.person_id);
  eq("unit_code", spec.unit_code);
  if (spec.year) {
    cond("r.year=?" + std::to_string(n));
    int_binds.push_back({n++, spec.year});
  }
  const bool text = !match.empty();
  auto bind_all = [&](Statement& s) {
    if (text) s.Bind(1, match);
    for (auto& [i, v] : text_binds) s.Bind(i, v);
    for (auto& [i, v] : int_binds) s.Bind(i, v);
  };
  // The matching rows, as "FROM … WHERE …" yielding the column `id`.
  std::string matches;
  if (!text) {
    matches = " FROM records r WHERE 1" + filters;
  } else if (filters.empty()) {
    matches = " FROM " + fts + " WHERE " + fts + " MATCH ?1";
  } else {
    matches = " FROM " + fts + " JOIN records r ON r.id = " + fts + ".rowid WHERE " + fts +
              " MATCH ?1" + filters;
  }
  const std::string id = !text ? "r.id" : fts + ".rowid";
  const bool ranked = text && fts == "records_fts";

  auto db = Borrow();
  if (!db.ok()) return db.status();
  SearchPage page;
  // The ids a query over the matches yields, in its order.
  auto ids_of = [&](const std::string& sql, const char* what) -> Result<std::vector<int64_t>> {
    auto q = (*db)->Prepare(sql);
    if (!q.ok()) return q.status();
    bind_all(*q);
    std::vector<int64_t> out;
    Status err;
    while (q->Step(&err)) out.push_back(q->Int(0));
    if (!err.ok()) return err.WithContext(what);
    return out;
  };
  auto newest_first = [&](int64_t limit) {
    return "SELECT " + id + matches + " ORDER BY " + id + " DESC LIMIT " + std::to_string(limit);
  };
  // With text, one pass over the index in rowid order yields the count, the facet sample and
  // (when matches are too many to rank) the page: FTS5 streams rowids newest first and LIMIT
  // stops it early. Without text, counting through the narrowest index is cheaper.
  std::vector<int64_t> newest;
  if (text) {
    auto all = ids_of(newest_first(kCountCap + 1), "search");
    if (!all.ok()) return all.status();
    newest = std::move(*all);
    page.total = static_cast<int64_t>(newest.size());
  } else {
    auto c = (*db)->Prepare("SELECT count(*) FROM (SELECT 1" + matches + " LIMIT " +
                            std::to_string(kCountCap + 1) + ")");
    if (!c.ok()) return c.status();
    bind_all(*c);
    Status err;
    c->Step(&err);
    if (!err.ok()) return err.WithContext("search");
    page.total = c->Int(0);
  }
  if (page.total > kCountCap) {
    page.total = kCountCap;
    page.total_is_lower_bound = true;
  }
  if (spec.facets && page.total > 0) {
    // Over the newest kFacetSample matches: counting facets over a million rows would cost more
    // than the whole search. `facets_are_sample` says when that is less than all.
    page.facets_are_sample = page.total > kFacetSample;
    std::vector<int64_t> sample;
    if (text) {
      sample.assign(newest.begin(), newest.begin() + std::min<int64_t>(kFacetSample, page.total));
    } else {
      auto some = ids_of(newest_first(kFacetSample), "search facets");
      if (!some.ok()) return some.status();
      sample = std::move(*some);
    }
    DANGAN_RETURN_IF_ERROR(facets_.Count(**db, sample, &page.facets));
  }
  // The page's ids: relevance while the matches are few enough to rank (kRankCap), newest first
  // beyond that and for characters alone, from the first pass while the page lies within it.
  std::vector<int64_t> ids;
  const size_t end = static_cast<size_t>(spec.offset) + static_cast<size_t>(spec.limit);
  const bool all_listed = newest.size() <= static_cast<size_t>(kCountCap);
  if (text && (!ranked || page.total > kRankCap) && (end <= newest.size() || all_listed)) {
    ids.assign(newest.begin() + std::min(newest.size(), static_cast<size_t>(spec.offset)),
               newest.begin() + std::min(newest.size(), end));
  } else {
    std::string order = " ORDER BY " + id + " DESC";
    if (ranked && page.total <= kRankCap) order = " ORDER BY " + fts + ".rank, " + id + " DESC";
    auto some = ids_of("SELECT " + id + matches + order + " LIMIT " + std::to_string(spec.limit) +
                           " OFFSET " + std::to_string(spec.offset),
                       "search");
    if (!some.ok()) return some.status();
    ids = std::move(*some);
  }
  // Then the details, and snippets only for the rows shown, from the text the index holds.
  auto row = (*db)->Prepare(
      std::string("SELECT r.reference, dangan_record_title(r.title, r.texts), r.year, "
                  "r.class_code, r.item_code, r.retention, r.formed_on, ") +
      (text ? "c.text FROM records r JOIN record_content c ON c.id = r.id WHERE r.id = ?1"
            : "'' FROM records r WHERE r.id = ?1"));
  if (!row.ok()) return row.status();
  // The person named by a hit's record, read only when it must be masked.
  std::optional<Statement> whole;
  if (spec.mask_personal) {
    auto st = (*db)->Prepare(std::string("SELECT ") + kRecordColumns + " FROM records WHERE id=?1");
    if (!st.ok()) return st.status();
    whole.emplace(std::move(*st));
  }
  for (int64_t rid : ids) {
    // Masking comes before the snippet is cut and marked: "张[三]" would no longer read as the
    // name "张三", and a name at the snippet's edge would be cut in half.
    std::optional<Person> person;
    Status err;
    if (whole) {
      whole->Reset();
      whole->Bind(1, rid);
      if (whole->Step(&err)) {
        auto record = RecordFromRow(*whole);
        if (!record.ok()) return record.status();
        person = record->person;
      }
      if (!err.ok()) return err.WithContext("search");
    }
    row->Reset();
    row->Bind(1, rid);
    if (row->Step(&err)) {
      SearchHit hit{row->Text(0),
                    row->Text(1),
                    static_cast<int>(row->Int(2)),
                    row->Text(3),
                    row->Text(4),
                    row->Text(5),
                    row->Text(6),
                    ""};
      std::string body = text ? row->Text(7) : std::string();
      if (person) {
        MaskPersonIn(hit.title, *person);
        MaskPersonIn(body, *person);
      }
      if (spec.mask_personal) hit.title = MaskIdentifiers(hit.title);
      if (text) hit.snippet = MaskIdentifiers(SearchSnippet(body, marked));
      page.hits.push_back(std::move(hit));
    }
    if (!err.ok()) return err.WithContext("search");
  }
  return page;
}

Result<Catalogue::OptimizeReport> Catalogue::Optimize(bool vacuum) {
  auto db = OpenCatalogueConnection(path_, false);
  if (!db.ok()) return db.status();
  WriteGate::Turn turn = write_gate_.Enter();
  auto pragma = [&](const char* name) -> Result<int64_t> {
    auto st = (*db)->Prepare(std::string("PRAGMA ") + name);
    if (!st.ok()) return st.status();
    Status err;
    if (!st->Step(&err)) return err.ok() ? Status::Internal(std::string("no ") + name) : err;
    return st->Int(0);
  };
  auto bytes = [&](const char* counter) -> Result<int64_t> {
    auto pages = pragma(counter);
    if (!pages.ok()) return pages.status();
    auto size = pragma("page_size");
    if (!size.ok()) return size.status();
    return *pages * *size;
  };
  OptimizeReport report;
  auto before = bytes("page_count");
  if (!before.ok()) return before.status();
  report.bytes_before = *before;
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN IMMEDIATE"));
  Status merged = (*db)->Exec(
      "INSERT INTO records_fts(records_fts) VALUES('optimize');"
      " INSERT INTO records_chars(records_chars) VALUES('optimize'); COMMIT");
  if (!merged.ok()) {
    (*db)->Exec("ROLLBACK");
    return merged.WithContext("merging the full-text indexes");
  }
  if (vacuum) {
    DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA auto_vacuum=2; VACUUM").WithContext("vacuum"));
  } else {
    DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA incremental_vacuum"));
  }
  // The file shrinks when the WAL is written back; readers may hold that off, which is no error.
  DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  auto after = bytes("page_count");
  if (!after.ok()) return after.status();
  report.bytes_after = *after;
  auto left = bytes("freelist_count");
  if (!left.ok()) return left.status();
  report.free_bytes_left = *left;
  auto mode = pragma("auto_vacuum");
  if (!mode.ok()) return mode.status();
  report.incremental = *mode == 2;
  return report;
}

Result<int64_t> Catalogue::HoldingsStamp() {
  // Tombstones only grow, so their newest id in the high bits moves the stamp on with every
  // destruction even when it lowers the newest record id.
  return ScalarInt(
      "SELECT coalesce((SELECT max(id) FROM records), 0) |"
      " (coalesce((SELECT max(id) FROM destroyed_records), 0) << 40)");
}

Result<int64_t> Catalogue::DestructionStamp() {
  return ScalarInt("SELECT coalesce(max(id), 0) FROM destroyed_records");
}

Status Catalogue::Transact(const std::function<Status(SqliteDb&, const EventSink&)>& fn) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  WriteGate::Turn turn = write_gate_.Enter();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN IMMEDIATE"));
  SqliteDb& conn = **db;
  EventSink append = [&conn](const AuditEvent& draft) { return AppendEventOn(conn, draft); };
  Status st = fn(conn, append);
  if (st.ok()) st = conn.Exec("COMMIT");
  if (!st.ok()) conn.Exec("ROLLBACK");
  if (st.ok()) ++generation_;
  return st;
}

Status Catalogue::RemoveRecord(SqlSession& in, int64_t id) {
  // The indexes' entries first, while the view they read can still derive the text.
  for (const char* sql :
       {"INSERT INTO records_fts(records_fts, rowid, text) SELECT 'delete', id, text FROM"
        " record_content WHERE id=$1",
        "INSERT INTO records_chars(records_chars, rowid, text) SELECT 'delete', id, text FROM"
        " record_content WHERE id=$1",
        "DELETE FROM record_files WHERE record_id=$1", "DELETE FROM records WHERE id=$1"}) {
    auto done = in.Run(sql, {id});
    if (!done.ok()) return done.status();
  }
  return Status::Ok();
}

bool IsAccessAction(const std::string& action) {
  return action == "view" || action == "download" || action == "search";
}

namespace {
// Must repeat the partial index's condition word for word, or SQLite will not use the index.
constexpr const char* kHistoryCondition =
    " AND reference IS NOT NULL AND action NOT IN ('view','download')";
}  // namespace

Result<int64_t> Catalogue::CountEvents(const std::string& reference, EventKinds kinds) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  std::string sql = "SELECT count(*) FROM events WHERE reference=?1";
  if (kinds == EventKinds::kHistory) sql += kHistoryCondition;
  auto st = (*db)->Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  st->Step(&err);
  if (!err.ok()) return err;
  return st->Int(0);
}

Result<std::vector<AuditEvent>> Catalogue::Events(const std::string& reference, int newest,
                                                  EventKinds kinds) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  std::string sql =
      "SELECT seq, at, actor, action, coalesce(reference,''), detail, prev_hash, hash FROM events";
  if (!reference.empty()) {
    sql += " WHERE reference=?1";
    if (kinds == EventKinds::kHistory) sql += kHistoryCondition;
  }
  if (newest > 0)
    sql = "SELECT * FROM (" + sql + " ORDER BY seq DESC LIMIT " + std::to_string(newest) + ")";
  sql += " ORDER BY seq";
  auto st = (*db)->Prepare(sql);
  if (!st.ok()) return st.status();
  if (!reference.empty()) st->Bind(1, reference);
  std::vector<AuditEvent> out;
  Status err;
  while (st->Step(&err)) {
    out.push_back(AuditEvent{st->Int(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4),
                             st->Text(5), st->Text(6), st->Text(7)});
  }
  if (!err.ok()) return err;
  return out;
}

namespace {
Result<std::optional<AuditEvent>> OneEvent(SqliteDb& db, const std::string& where, int64_t seq) {
  auto st = db.Prepare(
      "SELECT seq, at, actor, action, coalesce(reference,''), detail, prev_hash, hash FROM events" +
      where);
  if (!st.ok()) return st.status();
  if (seq > 0) st->Bind(1, seq);
  Status err;
  if (st->Step(&err))
    return std::optional<AuditEvent>(AuditEvent{st->Int(0), st->Text(1), st->Text(2), st->Text(3),
                                                st->Text(4), st->Text(5), st->Text(6),
                                                st->Text(7)});
  if (!err.ok()) return err;
  return std::optional<AuditEvent>();
}
}  // namespace

Result<std::optional<AuditEvent>> Catalogue::LastEvent() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  return OneEvent(**db, " ORDER BY seq DESC LIMIT 1", 0);
}

Result<std::optional<AuditEvent>> Catalogue::EventAt(int64_t seq) {
  if (seq <= 0) return std::optional<AuditEvent>();
  auto db = Borrow();
  if (!db.ok()) return db.status();
  return OneEvent(**db, " WHERE seq=?1", seq);
}

Status Catalogue::SyncCommitted() {
  // A kRelaxed commit has written its frames to the log (write(2) before COMMIT returns) but not
  // synced them; syncing the log file from any descriptor makes them durable. No log file means
  // everything was checkpointed into the main file, which SQLite syncs after every checkpoint
  // (also at synchronous=NORMAL), as it syncs the log's header when it starts reusing the log.
  const std::string wal = path_ + "-wal";
  int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : PosixError("opening " + wal, errno);
  const bool synced = ::fdatasync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced) return PosixError("fsync " + wal, sync_errno);
  // SQLite syncs the directory only at the log's first synced commit; a log created by relaxed
  // commits alone may not have its name on disk yet.
  const size_t slash = path_.find_last_of('/');
  return Env::Default()->SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash));
}

Result<AuditEvent> Catalogue::AppendEvent(const AuditEvent& draft, Durability durability) {
  return AppendEvents({draft}, durability);
}

Result<AuditEvent> Catalogue::AppendEvents(const std::vector<AuditEvent>& drafts,
                                           Durability durability) {
  if (drafts.empty()) return Status::InvalidArgument("no events to append");
  auto db = Borrow();
  if (!db.ok()) return db.status();
  const bool relaxed = durability == Durability::kRelaxed;
  WriteGate::Turn turn = write_gate_.Enter();
  if (relaxed) DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA synchronous=NORMAL"));
  Status st = (*db)->Exec("BEGIN IMMEDIATE");
  std::optional<AuditEvent> last;
  if (st.ok()) {
    auto e = AppendEventsOn(**db, drafts);
    if (e.ok())
      last = std::move(*e);
    else
      st = e.status();
  }
  if (st.ok()) st = (*db)->Exec("COMMIT");
  if (!st.ok()) (*db)->Exec("ROLLBACK");
  // The pooled connection goes back as it came: every other commit on it stays fully synced.
  if (relaxed) {
    Status restored = (*db)->Exec("PRAGMA synchronous=FULL");
    if (st.ok()) st = restored;
  }
  if (!st.ok()) return st;
  for (const AuditEvent& d : drafts)
    if (!IsAccessAction(d.action)) {
      ++generation_;
      break;
    }
  return std::move(*last);
}

Status Catalogue::RecordFixity(const std::vector<FixityResult>& results) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  WriteGate::Turn turn = write_gate_.Enter();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN IMMEDIATE"));
  auto st =
      (*db)->Prepare("INSERT INTO fixity(reference, checked_at, ok, detail) VALUES(?1,?2,?3,?4)");
  Status result = st.status();
  for (size_t i = 0; result.ok() && i < results.size(); ++i) {
    const FixityResult& r = results[i];
    st->Reset();
    st->Bind(1, r.reference).Bind(2, r.checked_at).Bind(3, r.ok ? 1 : 0).Bind(4, r.detail);
    result = st->Run();
  }
  if (result.ok()) result = (*db)->Exec("COMMIT");
  if (result.ok()) ++generation_;
  if (!result.ok()) (*db)->Exec("ROLLBACK");
  return result;
}

Result<std::optional<FixityResult>> Catalogue::LastFixity(const std::string& reference) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto st = (*db)->Prepare(
      "SELECT checked_at, ok, detail FROM fixity WHERE reference=?1 ORDER BY id DESC LIMIT 1");
  if (!st.ok()) return st.status();
  st->Bind(1, reference);
  Status err;
  if (st->Step(&err))
    return std::optional<FixityResult>(
        FixityResult{reference, st->Text(0), st->Int(1) != 0, st->Text(2)});
  if (!err.ok()) return err;
  return std::optional<FixityResult>();
}

Catalogue::Lease::~Lease() {
  if (!db_) return;
  int cache = 0, highest = 0;
  sqlite3_db_status(db_->handle(), SQLITE_DBSTATUS_CACHE_USED, &cache, &highest, 0);
  std::lock_guard<std::mutex> lock(owner_->mu_);
  owner_->cache_bytes_[db_.get()] = cache;
  owner_->idle_.push_back(std::move(db_));
}

Catalogue::PoolStats Catalogue::Pool() {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats out;
  out.connections = connections_;
  for (const auto& [db, bytes] : cache_bytes_) out.cache_bytes += bytes;
  return out;
}

Result<Catalogue::Lease> Catalogue::Borrow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = OpenCatalogueConnection(path_, false);
  if (!db.ok()) return db.status();
  if (background_checkpoints_) DANGAN_RETURN_IF_ERROR((*db)->Exec("PRAGMA wal_autocheckpoint=0"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++connections_;
  }
  return Lease(this, std::move(*db));
}

Status Catalogue::CheckpointInBackground(int interval_ms) {
  if (checkpointer_) return Status::Ok();
  auto db = OpenCatalogueConnection(path_, false);
  if (!db.ok()) return db.status();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& idle : idle_) DANGAN_RETURN_IF_ERROR(idle->Exec("PRAGMA wal_autocheckpoint=0"));
    background_checkpoints_ = true;
  }
  checkpointer_ = std::make_unique<WalCheckpointer>(std::move(*db), interval_ms, &write_gate_);
  return Status::Ok();
}

Status Catalogue::WithConnection(const std::function<Status(SqliteDb&)>& fn) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  return fn(**db);
}

namespace {

// The portable statements of storage/sql_tables.h on one SQLite connection: $N becomes ?N
// (SQLite would read "$1" as a named parameter, numbered by first appearance), outside quoted
// text and names.
class SqliteSession : public SqlSession {
 public:
  SqliteSession(SqliteDb& db, const Catalogue::EventSink* log) : db_(db), log_(log) {}
  Result<SqlRows> Run(const std::string& sql, const std::vector<SqlValue>& params) override {
    std::string text;
    text.reserve(sql.size());
    char quote = 0;  // the quote character of the literal or name we are in, if any
    for (size_t i = 0; i < sql.size(); ++i) {
      const char c = sql[i];
      if (quote != 0) {
        if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '$' && i + 1 < sql.size() &&
                 std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        text += '?';
        continue;
      }
      text += c;
    }
    auto st = db_.Prepare(text);
    if (!st.ok()) return st.status();
    for (size_t i = 0; i < params.size(); ++i) {
      const int n = static_cast<int>(i + 1);
      if (const auto* v = std::get_if<int64_t>(&params[i]))
        st->Bind(n, *v);
      else if (const auto* d = std::get_if<double>(&params[i]))
        st->Bind(n, *d);
      else if (const auto* t = std::get_if<std::string>(&params[i]))
        st->Bind(n, *t);
      else
        st->BindNull(n);
    }
    SqlRows out;
    Status err;
    while (st->Step(&err)) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < st->Columns(); ++c)
        row.push_back(st->IsNull(c) ? std::nullopt : std::optional<std::string>(st->Text(c)));
      out.rows.push_back(std::move(row));
    }
    if (!err.ok()) return err;
    if (!st->ReadOnly()) out.changed = sqlite3_changes(db_.handle());
    return out;
  }
  Result<AuditEvent> Log(const AuditEvent& draft) override {
    if (log_ == nullptr) return Status::Internal("an event can only be logged in a write");
    return (*log_)(draft);
  }
  Status Serialize(const std::string&) override {
    // A write holds the file's write lock (BEGIN IMMEDIATE) from its start: nothing to add.
    if (log_ == nullptr) return Status::Internal("only a write can hold a name");
    return Status::Ok();
  }

 private:
  SqliteDb& db_;
  const Catalogue::EventSink* log_;
};

}  // namespace

Status Catalogue::WriteTables(const std::function<Status(SqlSession&)>& fn) {
  return Transact([&fn](SqliteDb& db, const EventSink& log) {
    SqliteSession session(db, &log);
    return fn(session);
  });
}

Status Catalogue::ReadTables(const std::function<Status(SqlSession&)>& fn) {
  return WithConnection([&fn](SqliteDb& db) {
    SqliteSession session(db, nullptr);
    return fn(session);
  });
}

}  // namespace dangan
