#include "storage/pg_catalogue.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "archive/record_masking.h"
#include "storage/cjk_tokenizer.h"
#include "storage/record_json.h"
#include "storage/search_snippet.h"
#include "storage/search_terms.h"

namespace dangan {
namespace {

// Advisory lock keys (64-bit, database-wide). Migrations: one server at a time. The chain: one
// appender at a time, to commit, so each event links to the head every other server sees.
// 0x64616e67616e0003 (in migration 8's SQL): one maker of a new search partition at a time.
constexpr int64_t kMigrationLock = 0x64616e67616e0001;
constexpr int64_t kChainLock = 0x64616e67616e0002;

// Search rows live in partitions of this many record ids (migration 8 spells the number in
// dangan_search_partition): a search reads the newest partitions' small GIN indexes one after
// the other and stops once it has the matches it wants, so its cost follows those matches and
// the partition's size rather than the archive's.
constexpr int64_t kSearchPartitionWidth = 100000;

// Each entry moves the schema up one version; never edit a released entry, add a new one.
const char* const kMigrations[] = {
    // 1: records, files, 件号 counters, audit chain, fixity, copies still to write
    R"SQL(
CREATE TABLE records(
  id BIGSERIAL PRIMARY KEY,
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
  details TEXT NOT NULL,
  package_path TEXT NOT NULL UNIQUE,
  package_sha256 TEXT NOT NULL,
  package_bytes BIGINT NOT NULL,
  filed_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'filed',
  -- What search reads: the title, a newline and the body (search_terms.h; the record's full
  -- text is in it, so it has no column of its own), and its tokens.
  body TEXT NOT NULL,
  terms TSVECTOR NOT NULL,
  -- The text had too many bigrams for one tsvector: `terms` holds its characters and words.
  by_characters BOOLEAN NOT NULL DEFAULT false,
  UNIQUE(series, seq),
  UNIQUE(source, case_id)
);
-- Search tests `terms` row by row wherever the index alone cannot answer (a page's newest
-- matches, counting): kept inside the row, up to a page, rather than in TOAST, where each test
-- would be an index lookup and a fetch.
ALTER TABLE records ALTER COLUMN terms SET STORAGE MAIN;
ALTER TABLE records SET (toast_tuple_target = 8160);
CREATE INDEX records_person ON records(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX records_unit ON records(unit_code) WHERE unit_code IS NOT NULL;
CREATE INDEX records_class_year ON records(class_code, year, retention);
CREATE INDEX records_year ON records(year);
CREATE INDEX records_filed_at ON records(filed_at);
CREATE INDEX records_terms ON records USING gin(terms);
CREATE TABLE record_files(
  record_id BIGINT NOT NULL REFERENCES records(id),
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  format TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  details TEXT,
  pos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(record_id, name)
);
-- The last 件号 given in each series. Its row is locked from the UPDATE that takes a number to
-- commit, so filers of one series on every server take turns and a rollback gives it back.
CREATE TABLE series_counters(
  series TEXT PRIMARY KEY,
  last_seq INTEGER NOT NULL
);
CREATE TABLE events(
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  reference TEXT,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_reference ON events(reference) WHERE reference IS NOT NULL;
CREATE INDEX events_history ON events(reference)
  WHERE reference IS NOT NULL AND action NOT IN ('view','download');
CREATE FUNCTION dangan_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION dangan_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION dangan_append_only();
CREATE TABLE fixity(
  id BIGSERIAL PRIMARY KEY,
  reference TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  ok BOOLEAN NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX fixity_reference ON fixity(reference, id);
CREATE TABLE lagging_copies(
  reference TEXT NOT NULL,
  root TEXT NOT NULL,
  since TEXT NOT NULL,
  PRIMARY KEY(reference, root)
);
)SQL",
    // 2: the work queue (storage/work_queue.h)
    R"SQL(
CREATE TABLE jobs(
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  -- One job per key while it exists (a record's fixity check in one audit cycle, one scan).
  key TEXT UNIQUE,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','running','done','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  worker TEXT,
  lease_until TIMESTAMPTZ,
  not_before TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ,
  result TEXT,
  error TEXT
);
CREATE INDEX jobs_queued ON jobs(kind, id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs(lease_until) WHERE state = 'running';
)SQL",
    // 3: narrow rows for search. The tsvector leaves the row (compressed, in TOAST): only the
    // index build and a lossy bitmap read it, while search walks rows testing the text, counts
    // matches and sorts them by id, all of which read the row. Rows written before keep their
    // layout until rewritten (VACUUM FULL records).
    R"SQL(
ALTER TABLE records ALTER COLUMN terms SET STORAGE EXTENDED;
ALTER TABLE records ALTER COLUMN terms SET COMPRESSION lz4;
ALTER TABLE records ALTER COLUMN body SET COMPRESSION lz4;
ALTER TABLE records RESET (toast_tuple_target);
)SQL",
    // 4: the people who act on the archive and their web workbench sessions, as in the
    // embedded catalogue (storage/user_registry.h, storage/session_store.h).
    R"SQL(
CREATE TABLE users(
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  password_hash TEXT
);
CREATE TABLE sessions(
  token_sha256 TEXT PRIMARY KEY,
  "user" TEXT NOT NULL REFERENCES users(name),
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions("user");
)SQL",
    // 5: the capture review queue and the archivists' decisions the classifier learns from, as
    // in the embedded catalogue (storage/review_queue.h); workers queue, any server decides.
    R"SQL(
CREATE TABLE capture_review(
  id BIGSERIAL PRIMARY KEY,
  content_sha256 TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  staged_dir TEXT NOT NULL,
  draft_json TEXT NOT NULL,
  suggested_item TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
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
  id BIGSERIAL PRIMARY KEY,
  content_sha256 TEXT NOT NULL,
  predicted_item TEXT NOT NULL,
  confirmed_item TEXT NOT NULL,
  text TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL
);
)SQL",
    // 6: the public inquiry register and the 查档证明 issued, as in the embedded catalogue
    // (storage/inquiry_register.h, retrieval/reports.h); numbers are allocated under a named
    // lock (SqlSession::Serialize), so servers never share one. Review claims; log_flush.
    R"SQL(
CREATE TABLE inquiries(
  id BIGSERIAL PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq BIGINT NOT NULL,
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
CREATE TABLE certificates(
  id BIGSERIAL PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  year INTEGER NOT NULL,
  seq BIGINT NOT NULL,
  code TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  requester TEXT NOT NULL,
  purpose TEXT NOT NULL,
  references_json TEXT NOT NULL,
  actor TEXT NOT NULL,
  UNIQUE(year, seq)
);
CREATE TRIGGER certificates_append_only BEFORE UPDATE OR DELETE ON certificates
  FOR EACH ROW EXECUTE FUNCTION dangan_append_only();
CREATE TRIGGER certificates_append_only_truncate BEFORE TRUNCATE ON certificates
  FOR EACH STATEMENT EXECUTE FUNCTION dangan_append_only();
-- A review decision in progress holds its document (ReviewQueue::Claim).
ALTER TABLE capture_review ADD COLUMN claim TEXT;
ALTER TABLE capture_review ADD COLUMN claim_until BIGINT;
-- One row SyncCommitted updates: a commit that writes to the log, so waiting for it flushes
-- the log past every relaxed commit before it.
CREATE TABLE log_flush(id INTEGER PRIMARY KEY CHECK (id = 1), flushes BIGINT NOT NULL);
INSERT INTO log_flush VALUES (1, 0);
)SQL",
    // 7: lifecycle: appraisals (鉴定), holds, and the tombstones of destroyed records (销毁), as in
    // the embedded catalogue (storage/appraisal_register.h). A tombstone is never deleted; its
    // package removal and its 销毁清册 are noted on it afterwards.
    R"SQL(
CREATE TABLE appraisals(
  id BIGSERIAL PRIMARY KEY,
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
  id BIGSERIAL PRIMARY KEY,
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
  id BIGSERIAL PRIMARY KEY,
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
  appraisal_id BIGINT NOT NULL REFERENCES appraisals(id),
  supervisors TEXT NOT NULL,
  register_reference TEXT,
  destroyed_at TEXT NOT NULL,
  packages_removed INTEGER NOT NULL DEFAULT 0,
  -- The destruction it was part of: its first appraisal's id.
  batch BIGINT,
  UNIQUE(series, seq)
);
CREATE INDEX destroyed_records_unfinished ON destroyed_records(id)
  WHERE packages_removed = 0 OR register_reference IS NULL;
CREATE TRIGGER destroyed_records_kept BEFORE DELETE ON destroyed_records
  FOR EACH ROW EXECUTE FUNCTION dangan_append_only();
CREATE TRIGGER destroyed_records_kept_truncate BEFORE TRUNCATE ON destroyed_records
  FOR EACH STATEMENT EXECUTE FUNCTION dangan_append_only();
)SQL",
    // 8: search reads its own rows, partitioned by id (kSearchPartitionWidth), each partition
    // with its own GIN index. One GIN index over every record makes a common token's search
    // decode its whole posting list and visit every match, for a page of the newest: seconds at
    // a million records (docs/scaling.md §6). With partitions the newest are read first and the
    // rest only while matches are still wanted. The rows keep what a search filters and counts
    // by, so neither the count nor the facets visit `records`; the text stays in the row
    // (compressed if long) for the walk's tests, the tsvector goes to TOAST (the index answers
    // for it). Records are never changed after filing, only removed, so the copy stays true.
    R"SQL(
CREATE TABLE record_search(
  id BIGINT NOT NULL,
  class_code TEXT NOT NULL,
  item_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  retention TEXT NOT NULL,
  person_id TEXT,
  unit_code TEXT,
  body TEXT NOT NULL,
  terms TSVECTOR NOT NULL,
  by_characters BOOLEAN NOT NULL DEFAULT false,
  PRIMARY KEY(id)
) PARTITION BY RANGE (id);
CREATE INDEX record_search_terms ON record_search USING gin(terms);
CREATE INDEX record_search_person ON record_search(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX record_search_unit ON record_search(unit_code) WHERE unit_code IS NOT NULL;
-- Makes the partition that holds `record_id` unless it exists; true if it did. Under an
-- advisory lock, so filers on several servers crossing into a new partition make it once. Made
-- apart and then attached: attaching locks the parent against other attaching only, where
-- CREATE TABLE … PARTITION OF would hold every search and filing until the filing commits.
CREATE FUNCTION dangan_search_partition(record_id BIGINT) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  n BIGINT := record_id / 100000;
  name TEXT := 'record_search_' || n;
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN true; END IF;
  PERFORM pg_advisory_xact_lock(7233183866829012995);
  IF to_regclass(name) IS NOT NULL THEN RETURN true; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE record_search INCLUDING DEFAULTS)', name);
  EXECUTE format('ALTER TABLE %I ALTER COLUMN body SET STORAGE MAIN,'
                 ' ALTER COLUMN body SET COMPRESSION lz4,'
                 ' ALTER COLUMN terms SET STORAGE EXTERNAL', name);
  EXECUTE format('ALTER TABLE record_search ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                 name, n * 100000, (n + 1) * 100000);
  RETURN false;
END $$;
-- The newest `wanted` rows meeting `conditions` (SQL whose values are `$1[1]`, `$1[2]` … of
-- `params`), newest first, read partition by partition from the newest until there are enough.
-- A query on the parent table cannot say this: the planner sorts the matches of every partition
-- together, where this reads the next partition only while matches are still wanted.
CREATE FUNCTION dangan_search_newest(conditions TEXT, params TEXT[], wanted INTEGER)
  RETURNS TABLE(id BIGINT, class_code TEXT, year INTEGER, retention TEXT)
  LANGUAGE plpgsql STABLE AS $$
DECLARE
  part TEXT;
  got BIGINT;
  left_ BIGINT := wanted;
BEGIN
  FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'record_search'::regclass
               ORDER BY substring(c.relname FROM '[0-9]+$')::bigint DESC LOOP
    RETURN QUERY EXECUTE format('SELECT id, class_code, year, retention FROM %I WHERE %s'
                                ' ORDER BY id DESC LIMIT %s', part, conditions, left_)
      USING params;
    GET DIAGNOSTICS got = ROW_COUNT;
    left_ := left_ - got;
    EXIT WHEN left_ <= 0;
  END LOOP;
END $$;
SELECT dangan_search_partition(p * 100000)
  FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM records) / 100000) p;
INSERT INTO record_search(id, class_code, item_code, year, retention, person_id, unit_code,
                          body, terms, by_characters)
  SELECT id, class_code, item_code, year, retention, person_id, unit_code, body, terms,
         by_characters FROM records;
DROP INDEX records_terms;
ALTER TABLE records DROP COLUMN body, DROP COLUMN terms, DROP COLUMN by_characters;
)SQL",
    // 9: a tombstone's masked title, as in the embedded catalogue's schema 19
    R"SQL(
ALTER TABLE destroyed_records ADD COLUMN masked_title TEXT;
)SQL",
};

// SqlSession::Serialize's advisory locks: (this, hashtext(name)).
constexpr int32_t kNamedLockSpace = 0x64616e67;  // "dang"

constexpr const char* kHistoryCondition =
    " AND reference IS NOT NULL AND action NOT IN ('view','download')";
constexpr const char* kEventColumns =
    "seq, at, actor, action, coalesce(reference,''), detail, prev_hash, hash";
constexpr const char* kRecordColumns =
    "id, reference, series, seq, source, case_id, channel, fingerprint, fonds, class_code,"
    " item_code, year, retention, title, formed_on, person_id, unit_code, pages, details,"
    " package_path, package_sha256, package_bytes, filed_at, state";

std::string Str(int64_t v) { return std::to_string(v); }

AuditEvent EventFromRow(const PgRows& rows, int i) {
  return AuditEvent{rows.Int(i, 0),  rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                    rows.Text(i, 4), rows.Text(i, 5), rows.Text(i, 6), rows.Text(i, 7)};
}

Result<Record> RecordFromPgRow(const PgRows& rows, int i) {
  Record r;
  r.reference = rows.Text(i, 1);
  r.series = rows.Text(i, 2);
  r.parts.seq = static_cast<int>(rows.Int(i, 3));
  r.source = rows.Text(i, 4);
  r.case_id = rows.Text(i, 5);
  r.channel = rows.Text(i, 6);
  r.fingerprint = rows.Text(i, 7);
  r.parts.fonds = rows.Text(i, 8);
  r.parts.class_code = rows.Text(i, 9);
  r.parts.item = rows.Text(i, 10);
  r.parts.year = static_cast<int>(rows.Int(i, 11));
  r.parts.retention = rows.Text(i, 12);
  r.title = rows.Text(i, 13);
  r.formed_on = rows.Text(i, 14);
  if (!rows.IsNull(i, 15)) r.person = Person{rows.Text(i, 15), ""};
  if (!rows.IsNull(i, 16)) r.unit = Unit{rows.Text(i, 16), ""};
  r.pages = static_cast<int>(rows.Int(i, 17));
  Status st = ReadRecordDetails(rows.Text(i, 18), &r);
  if (!st.ok()) return st.WithContext(r.reference);
  r.package_path = rows.Text(i, 19);
  r.package_sha256 = rows.Text(i, 20);
  r.package_bytes = static_cast<uint64_t>(rows.Int(i, 21));
  r.filed_at = rows.Text(i, 22);
  r.state = rows.Text(i, 23);
  return r;
}

// A tsvector's lexemes may not pass 1 MiB together (PostgreSQL keeps their offsets in 20 bits
// and does not check it when building one from an array).
constexpr size_t kLexemeBudget = 900 * 1024;
// Stands in a record whose text has too many bigrams for its tsvector: it holds the single
// characters and words only, and a phrase is looked for there by its characters (the text check
// then finds the phrase itself). The tokenizer never yields it: it has '!' and '-'.
const char* const kCharactersOnly = "!characters-only";

// The distinct tokens the index holds for `text`: what dangan_cjk gives (bigrams, edge unigrams,
// words) and what dangan_cjk_chars gives (every Han character), within the budget.
std::vector<std::string> IndexTokens(const std::string& text) {
  std::set<std::string> all, small;
  size_t bytes = 0, small_bytes = 0;
  for (auto mode : {CjkTokenizeMode::kDocument, CjkTokenizeMode::kCharacters}) {
    for (auto& t : CjkTokenize(text, mode)) {
      // Single characters and words, which a record too large for its bigrams keeps.
      const bool one_char = mode == CjkTokenizeMode::kCharacters ||
                            static_cast<unsigned char>(t.text[0]) < 0x80 ||
                            CjkTokenize(t.text, CjkTokenizeMode::kCharacters).size() == 1;
      if (one_char && small_bytes < kLexemeBudget && small.insert(t.text).second)
        small_bytes += t.text.size() + 8;
      if (all.insert(t.text).second) bytes += t.text.size() + 8;
    }
  }
  if (bytes <= kLexemeBudget) return std::vector<std::string>(all.begin(), all.end());
  small.insert(kCharactersOnly);
  return std::vector<std::string>(small.begin(), small.end());
}

// One condition of a WHERE clause: SQL with a `?` for each of its values, in order.
struct SqlCondition {
  std::string sql;
  std::vector<std::string> values;
};

// "true AND a AND b …" with each `?` replaced by what `place` makes of its value.
std::string Conjunction(const std::vector<SqlCondition>& conditions,
                        const std::function<std::string(const std::string&)>& place) {
  std::string out = "true";
  for (const auto& c : conditions) {
    out += " AND ";
    size_t next = 0;
    for (char ch : c.sql) {
      if (ch != '?') {
        out += ch;
        continue;
      }
      out += place(c.values.at(next++));
    }
  }
  return out;
}

// The `?` numbered as parameters ($1, $2 …) appended to `params`, so a statement sends exactly
// the values it uses (an unused one has no type and fails).
std::string Conjunction(const std::vector<SqlCondition>& conditions, PgParams* params) {
  return Conjunction(conditions, [params](const std::string& v) {
    params->push_back(v);
    return "$" + std::to_string(params->size());
  });
}

// The `?` as elements of one text array, `$1[1]`, `$1[2]` …, for dangan_search_newest.
std::string ConjunctionOverArray(const std::vector<SqlCondition>& conditions,
                                 std::vector<std::string>* values) {
  return Conjunction(conditions, [values](const std::string& v) {
    values->push_back(v);
    return "$1[" + std::to_string(values->size()) + "]";
  });
}

Result<std::optional<FiledCase>> FindCaseOn(PgDb& db, const std::string& source,
                                            const std::string& case_id) {
  auto rows = db.Query(
      "SELECT reference, fingerprint, package_sha256, filed_at FROM records"
      " WHERE source=$1 AND case_id=$2",
      {source, case_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<FiledCase>();
  return std::optional<FiledCase>(
      FiledCase{rows->Text(0, 0), rows->Text(0, 1), rows->Text(0, 2), rows->Text(0, 3)});
}

class PgFilingTransaction : public FilingTransaction {
 public:
  PgFilingTransaction(PgCatalogue::Lease db, std::atomic<int64_t>* partitions_known)
      : db_(std::move(db)), partitions_known_(partitions_known) {}
  ~PgFilingTransaction() override {
    if (!done_) db_->Exec("ROLLBACK");
  }

  Result<int> NextSequence(const std::string& series) override {
    DANGAN_RETURN_IF_ERROR(db_->Run(
        "INSERT INTO series_counters(series, last_seq) VALUES($1, 0) ON CONFLICT DO NOTHING",
        {series}));
    auto seq = db_->Value(
        "UPDATE series_counters SET last_seq = last_seq + 1 WHERE series=$1 RETURNING last_seq",
        {series});
    if (!seq.ok()) return seq.status();
    if (!*seq) return Status::Internal("no 件号 counter for series " + series);
    return std::stoi(**seq);
  }

  Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                            const std::string& case_id) override {
    // Held to commit: a second server filing the same case waits here, then finds it filed.
    DANGAN_RETURN_IF_ERROR(db_->Run("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))",
                                    {source + '\x1f' + case_id}));
    return FindCaseOn(*db_, source, case_id);
  }

  Status InsertRecord(const Record& r) override {
    const std::string body = r.title + "\n" + RecordBodyText(r);
    const std::vector<std::string> tokens = IndexTokens(body);
    auto id = db_->Value(
        "INSERT INTO records(reference, series, seq, source, case_id, channel, fingerprint,"
        " fonds, class_code, item_code, year, retention, title, formed_on, person_id, unit_code,"
        " pages, details, package_path, package_sha256, package_bytes, filed_at, state)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,"
        "$23) RETURNING id",
        {r.reference,
         r.series,
         Str(r.parts.seq),
         r.source,
         r.case_id,
         r.channel,
         r.fingerprint,
         r.parts.fonds,
         r.parts.class_code,
         r.parts.item,
         Str(r.parts.year),
         r.parts.retention,
         r.title,
         r.formed_on,
         r.person ? std::optional<std::string>(r.person->id_number) : std::nullopt,
         r.unit ? std::optional<std::string>(r.unit->credit_code) : std::nullopt,
         Str(r.pages),
         RecordDetailsToJson(r),
         r.package_path,
         r.package_sha256,
         Str(static_cast<int64_t>(r.package_bytes)),
         r.filed_at,
         r.state});
    if (!id.ok()) return id.status().WithContext("cataloguing " + r.reference);
    if (!*id) return Status::Internal("cataloguing " + r.reference + ": no id returned");
    const int64_t partition = std::stoll(**id) / kSearchPartitionWidth;
    if (partition > partitions_known_->load()) {
      // A partition this process has not seen committed: made here unless another filer did.
      // Only one found already there is remembered: one made here is undone if this rolls back.
      auto existed = db_->Value("SELECT dangan_search_partition($1)", {**id});
      if (!existed.ok()) return existed.status().WithContext("cataloguing " + r.reference);
      if (existed->value_or("") == "t") {
        int64_t known = partitions_known_->load();
        while (known < partition && !partitions_known_->compare_exchange_weak(known, partition)) {
        }
      }
    }
    DANGAN_RETURN_IF_ERROR(
        db_->Run(
               "INSERT INTO record_search(id, class_code, item_code, year, retention,"
               " person_id, unit_code, body, terms, by_characters)"
               " VALUES($1,$2,$3,$4,$5,$6,$7,$8, array_to_tsvector($9::text[]), $10)",
               {**id, r.parts.class_code, r.parts.item, Str(r.parts.year), r.parts.retention,
                r.person ? std::optional<std::string>(r.person->id_number) : std::nullopt,
                r.unit ? std::optional<std::string>(r.unit->credit_code) : std::nullopt, body,
                PgTextArray(tokens),
                std::string(std::find(tokens.begin(), tokens.end(), kCharactersOnly) != tokens.end()
                                ? "true"
                                : "false")})
            .WithContext("indexing " + r.reference));
    for (size_t i = 0; i < r.files.size(); ++i) {
      const RecordFile& f = r.files[i];
      std::string details = FileDetailsToJson(f);
      DANGAN_RETURN_IF_ERROR(db_->Run(
          "INSERT INTO record_files(record_id, name, role, format, size, sha256, details, pos)"
          " VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
          {**id, f.name, f.role, f.format, Str(static_cast<int64_t>(f.size)), f.sha256,
           details.empty() ? std::nullopt : std::optional<std::string>(details),
           Str(static_cast<int64_t>(i))}));
    }
    return Status::Ok();
  }

  Result<AuditEvent> AppendEvent(const AuditEvent& draft) override {
    return AppendPgEvents(*db_, {draft});
  }

  Status NoteLaggingCopies(const std::string& reference,
                           const std::vector<std::string>& roots) override {
    for (const auto& root : roots)
      DANGAN_RETURN_IF_ERROR(
          db_->Run("INSERT INTO lagging_copies(reference, root, since) VALUES($1, $2,"
                   " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
                   " ON CONFLICT DO NOTHING",
                   {reference, root}));
    return Status::Ok();
  }

  Status Commit() override {
    Status st = db_->Exec("COMMIT");
    // A failed COMMIT ends the transaction too; the outcome is then for Filing to find out.
    done_ = true;
    return st;
  }

 private:
  PgCatalogue::Lease db_;
  std::atomic<int64_t>* partitions_known_;
  bool done_ = false;
};

}  // namespace

Result<AuditEvent> AppendPgEvents(PgDb& db, const std::vector<AuditEvent>& drafts) {
  if (drafts.empty()) return Status::InvalidArgument("no events to append");
  DANGAN_RETURN_IF_ERROR(db.Run("SELECT pg_advisory_xact_lock($1)", {Str(kChainLock)}));
  auto head =
      db.Query(std::string("SELECT ") + kEventColumns + " FROM events ORDER BY seq DESC LIMIT 1");
  if (!head.ok()) return head.status();
  std::optional<AuditEvent> prev;
  if (!head->empty()) prev = EventFromRow(*head, 0);
  for (const AuditEvent& draft : drafts) {
    AuditEvent e = ChainEvent(draft, prev ? &*prev : nullptr);
    DANGAN_RETURN_IF_ERROR(
        db.Run("INSERT INTO events(seq, at, actor, action, reference, detail, prev_hash, hash)"
               " VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
               {Str(e.seq), e.at, e.actor, e.action,
                e.reference.empty() ? std::nullopt : std::optional<std::string>(e.reference),
                e.detail, e.prev_hash, e.hash}));
    prev = std::move(e);
  }
  return std::move(*prev);
}

Result<std::unique_ptr<PgCatalogue>> PgCatalogue::Open(const std::string& url,
                                                       const ReferenceTemplate* shape) {
  std::unique_ptr<PgCatalogue> c(new PgCatalogue(url, shape));
  auto db = c->Borrow();
  if (!db.ok()) return db.status();
  constexpr int kLatest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  auto migrate = [&]() -> Result<int> {
    DANGAN_RETURN_IF_ERROR((*db)->Run("SELECT pg_advisory_xact_lock($1)", {Str(kMigrationLock)}));
    DANGAN_RETURN_IF_ERROR(
        (*db)->Exec("CREATE TABLE IF NOT EXISTS dangan_schema(version INTEGER PRIMARY KEY,"
                    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
    auto v = (*db)->Value("SELECT coalesce(max(version), 0) FROM dangan_schema");
    if (!v.ok()) return v.status();
    int version = std::stoi(v->value_or("0"));
    if (version > kLatest)
      return Status::InvalidArgument("the PostgreSQL catalogue has schema version " +
                                     std::to_string(version) + ", newer than this program's " +
                                     std::to_string(kLatest) + ": upgrade dangan");
    for (int i = version; i < kLatest; ++i) {
      DANGAN_RETURN_IF_ERROR((*db)
                                 ->Exec(kMigrations[i])
                                 .WithContext("migrating the PostgreSQL catalogue to version " +
                                              std::to_string(i + 1)));
      DANGAN_RETURN_IF_ERROR(
          (*db)->Run("INSERT INTO dangan_schema(version) VALUES($1)", {Str(i + 1)}));
    }
    return kLatest;
  };
  auto version = migrate();
  if (!version.ok()) {
    (*db)->Exec("ROLLBACK");
    return version.status();
  }
  DANGAN_RETURN_IF_ERROR((*db)->Exec("COMMIT"));
  c->schema_version_ = *version;
  return c;
}

PgCatalogue::Lease::~Lease() {
  if (!db_ || !owner_) return;
  std::unique_ptr<PgDb> closing;  // closed after the lock is let go
  {
    std::lock_guard<std::mutex> lock(owner_->mu_);
    // A broken connection, or one left inside a transaction, is closed rather than pooled.
    if (db_->Healthy() && !db_->InTransaction()) {
      owner_->idle_.push_back(std::move(db_));
    } else {
      closing = std::move(db_);
      --owner_->open_;
    }
  }
  owner_->freed_.notify_all();
}

void PgCatalogue::SetMaxConnections(size_t n, std::chrono::milliseconds wait) {
  std::lock_guard<std::mutex> lock(mu_);
  max_connections_ = std::max<size_t>(1, n);
  connection_wait_ = wait;
}

Result<PgCatalogue::Lease> PgCatalogue::Borrow() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Each connection is a server process: past the cap, callers wait for one to come back
    // rather than open more than the server allows (max_connections, shared by every node).
    auto available = [this] { return !idle_.empty() || open_ < max_connections_; };
    if (!waiting_.empty() || !available()) {
      const uint64_t ticket = next_ticket_++;
      waiting_.push_back(ticket);
      const bool turn = freed_.wait_for(lock, connection_wait_,
                                        [&] { return waiting_.front() == ticket && available(); });
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), ticket));
      freed_.notify_all();  // the next in line may be able to go now
      if (!turn)
        return Status(ErrorCode::kUnavailable, "all " + std::to_string(max_connections_) +
                                                   " connections to the catalogue are busy");
    }
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    ++open_;
  }
  auto db = PgDb::Connect(url_);
  if (!db.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    freed_.notify_all();
    return db.status();
  }
  return Lease(this, std::move(*db));
}

Result<std::optional<FiledCase>> PgCatalogue::FindCase(const std::string& source,
                                                       const std::string& case_id) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  return FindCaseOn(**db, source, case_id);
}

Result<std::unique_ptr<FilingTransaction>> PgCatalogue::BeginFiling() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  return std::unique_ptr<FilingTransaction>(
      new PgFilingTransaction(std::move(*db), &search_partitions_known_));
}

Result<std::optional<Record>> PgCatalogue::GetRecord(const std::string& reference) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(
      std::string("SELECT ") + kRecordColumns + " FROM records WHERE reference=$1", {reference});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Record>();
  auto r = RecordFromPgRow(*rows, 0);
  if (!r.ok()) return r.status();
  auto files = (*db)->Query(
      "SELECT name, role, format, size, sha256, coalesce(details, '') FROM record_files"
      " WHERE record_id=$1 ORDER BY pos, name",
      {rows->Text(0, 0)});
  if (!files.ok()) return files.status();
  for (int i = 0; i < files->size(); ++i) {
    RecordFile f;
    f.name = files->Text(i, 0);
    f.role = files->Text(i, 1);
    f.format = files->Text(i, 2);
    f.size = static_cast<uint64_t>(files->Int(i, 3));
    f.sha256 = files->Text(i, 4);
    DANGAN_RETURN_IF_ERROR(ReadFileDetails(files->Text(i, 5), &f).WithContext(reference));
    r->files.push_back(std::move(f));
  }
  return std::optional<Record>(std::move(*r));
}

Result<std::vector<Record>> PgCatalogue::ListRecords(const std::vector<std::string>& references) {
  // A round trip per record made a year's 归档文件目录 (tens of thousands of rows) take as many
  // round trips; a thousand references per statement keeps each answer a few MB.
  constexpr size_t kBatch = 1000;
  auto db = Borrow();
  if (!db.ok()) return db.status();
  std::vector<Record> out;
  out.reserve(references.size());
  for (size_t start = 0; start < references.size(); start += kBatch) {
    const size_t end = std::min(references.size(), start + kBatch);
    const std::vector<std::string> batch(references.begin() + static_cast<ptrdiff_t>(start),
                                         references.begin() + static_cast<ptrdiff_t>(end));
    auto rows = (*db)->Query(
        std::string("SELECT ") + kRecordColumns + " FROM records WHERE reference = ANY($1::text[])",
        {PgTextArray(batch)});
    if (!rows.ok()) return rows.status().WithContext("listing records");
    std::map<std::string, Record> found;
    for (int i = 0; i < rows->size(); ++i) {
      auto r = RecordFromPgRow(*rows, i);
      if (!r.ok()) return r.status();
      std::string reference = r->reference;
      found.emplace(std::move(reference), std::move(*r));
    }
    for (const auto& reference : batch) {
      auto it = found.find(reference);
      if (it != found.end()) out.push_back(it->second);
    }
  }
  return out;
}

Result<std::vector<std::string>> PgCatalogue::References() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query("SELECT reference FROM records ORDER BY id");
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Text(i, 0));
  return out;
}

Result<int64_t> PgCatalogue::CountRecords() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto v = (*db)->Value("SELECT count(*) FROM records");
  if (!v.ok()) return v.status();
  return std::stoll(v->value_or("0"));
}

Result<bool> PgCatalogue::HasPackage(const std::string& rel_path) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto v = (*db)->Value("SELECT 1 FROM records WHERE package_path=$1", {rel_path});
  if (!v.ok()) return v.status();
  return v->has_value();
}

Result<SearchPage> PgCatalogue::Search(const SearchSpec& spec_in) {
  SearchSpec spec = spec_in;
  auto read = ReadSearchTerms(&spec, shape_);
  if (!read.ok()) return read.status();
  const SearchTerms& terms = *read;
  if (terms.nothing_searchable) return SearchPage{};

  // The same question in two forms:
  // - for the bitmap, `indexed` (the filters and what the GIN index answers: tokens, every one
  //   must be there) and `text_checks` (what only the text can say: a phrase's order);
  // - for the walk, the filters and `walk_checks`: the question asked of the text alone, tested
  //   row by row without reading the (out-of-line) tsvector. Only for Han text (`walkable`),
  //   where a token is there exactly when the text contains it; ASCII words have boundaries a
  //   substring lacks.
  // The index keeps no positions, so a phrase of more than one token is found in the text: its
  // Han runs as they are ("养老保险" is 养老, 老保, 保险, which the index finds in any order), its
  // parts in order with nothing but separators between them ("2025年", "SB·2026-D100"), as the
  // SQLite index reads a phrase.
  std::vector<SqlCondition> filters, text_checks, walk_checks;
  std::string tsquery;
  bool walkable = true;
  auto need = [&](const std::string& token) {
    tsquery += (tsquery.empty() ? "" : " & ") + TsQueryLexeme(token);
  };
  for (const auto& c : terms.characters) {
    need(c);
    walk_checks.push_back({"strpos(body, ?) > 0", {c}});
  }
  for (const auto& phrase : terms.phrases) {
    auto tokens = CjkTokenize(phrase, CjkTokenizeMode::kQuery);
    // Its tokens, or, in a record indexed by characters only, its characters and words.
    std::string by_tokens, by_characters = TsQueryLexeme(kCharactersOnly);
    for (const auto& t : tokens)
      by_tokens += (by_tokens.empty() ? "" : " & ") + TsQueryLexeme(t.text);
    for (const auto& t : CjkTokenize(phrase, CjkTokenizeMode::kCharacters))
      by_characters += " & " + TsQueryLexeme(t.text);
    for (const auto& t : tokens)
      if (static_cast<unsigned char>(t.text[0]) < 0x80)
        by_characters += " & " + TsQueryLexeme(t.text);
    tsquery += std::string(tsquery.empty() ? "" : " & ") + "((" + by_tokens + ") | (" +
               by_characters + "))";
    std::vector<std::string> pieces;
    bool long_run = false, ascii = false;
    for (size_t i = 0; i < tokens.size(); ++i) {
      // Overlapping bigrams are one Han run.
      size_t j = i;
      while (j + 1 < tokens.size() && tokens[j + 1].start < tokens[j].end) ++j;
      if (static_cast<unsigned char>(tokens[i].text[0]) < 0x80) ascii = true;
      if (j > i) {
        long_run = true;
        pieces.push_back(phrase.substr(static_cast<size_t>(tokens[i].start),
                                       static_cast<size_t>(tokens[j].end - tokens[i].start)));
      } else {
        pieces.push_back(tokens[i].text);
      }
      i = j;
    }
    const bool bigram = pieces.size() == 1 && !long_run && !ascii &&
                        CjkTokenize(pieces[0], CjkTokenizeMode::kCharacters).size() > 1;
    if (pieces.size() == 1 && (long_run || bigram) && !ascii) {
      walk_checks.push_back({"strpos(body, ?) > 0", {pieces[0]}});
      // One bigram: the index alone answers, except in a record indexed by characters only.
      text_checks.push_back(
          {long_run ? "strpos(body, ?) > 0" : "(NOT by_characters OR strpos(body, ?) > 0)",
           {pieces[0]}});
    } else {
      walkable = false;
      if (pieces.size() > 1) {
        std::string pattern;
        for (const auto& piece : pieces) {
          if (!pattern.empty()) pattern += "\\W*";
          for (char ch : piece) {
            // Pieces are letters, digits and Han text; anything else is escaped all the same.
            if (static_cast<unsigned char>(ch) < 0x80 &&
                !std::isalnum(static_cast<unsigned char>(ch)))
              pattern += '\\';
            pattern += ch;
          }
        }
        text_checks.push_back({"body ~* ?", {pattern}});
      }
    }
  }
  const bool text = terms.has_text();
  // A text query reads the search rows (migration 8), which carry every filter but the 档号.
  const std::string table = text ? "record_search" : "records";
  auto eq = [&](const char* col, const std::string& v) {
    if (!v.empty()) filters.push_back({std::string(col) + "=?", {v}});
  };
  if (!terms.reference.empty())
    filters.push_back({text ? "id=(SELECT id FROM records WHERE reference=?)" : "reference=?",
                       {terms.reference}});
  eq("class_code", spec.class_code);
  eq("item_code", spec.item);
  eq("retention", spec.retention);
  eq("person_id", spec.person_id);
  eq("unit_code", spec.unit_code);
  if (spec.year) filters.push_back({"year=?::integer", {Str(spec.year)}});
  std::vector<SqlCondition> indexed = filters;
  if (text) indexed.push_back({"terms @@ ?::tsquery", {tsquery}});

  auto db = Borrow();
  if (!db.ok()) return db.status();
  // One snapshot for the estimate, the count, the facets and the page.
  // No JIT: the plans below are forced by disabling the others, whose inflated costs would
  // otherwise buy half a second of compiling for a query of milliseconds.
  DANGAN_RETURN_IF_ERROR(
      (*db)->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL work_mem = '64MB';"
                  " SET LOCAL jit = off;"
                  " SET LOCAL max_parallel_workers_per_gather = 0"));
  struct EndRead {
    PgDb& db;
    ~EndRead() { db.Exec("COMMIT"); }
  } end_read{**db};
  // The plan is chosen here, not left to the planner, whose costs do not see that a common
  // token's posting list costs more to read than the rows it names. Either way only the newest
  // kCountCap + 1 matches are wanted (they give the count, the facets' sample and the page), and
  // the partitions are read newest first until they are met:
  // - few matches: read each partition's GIN bitmap of them, then sort; a partition costs its
  //   matches, so the whole costs about max(kCountCap, matches in one partition), or all the
  //   matches when there are fewer than kCountCap;
  // - many (a common character): walk the rows newest first, testing the text of each, until
  //   enough are met (cost grows with rows walked per match, the inverse of the density).
  // A walked row costs about what a bitmap's match does (kWalkCost: strpos reads a row the text
  // lacks to its end; a match is decoded from the posting list, visited and sorted).
  std::vector<SqlCondition> conditions_for_walk = filters;
  conditions_for_walk.insert(conditions_for_walk.end(), walk_checks.begin(), walk_checks.end());
  const SearchPlan plan_choice = search_plan_;
  bool walk = text && walkable && plan_choice == SearchPlan::kWalk;
  if (text && walkable && plan_choice == SearchPlan::kCosted) {
    // How common the matches are, seen in the newest kProbe records (a few milliseconds), rather
    // than guessed: the planner's statistics list only the commonest tokens, and take the tokens
    // of a phrase as independent (养老, 老保 and 保险 are not), and a wrong guess costs seconds.
    constexpr int kProbe = 2000;
    PgParams probe_params;
    auto probe = (*db)->Query(
        "SELECT count(*) FILTER (WHERE " + Conjunction(conditions_for_walk, &probe_params) +
            "), count(*), (SELECT reltuples FROM pg_class WHERE"
            " oid = 'records'::regclass) FROM (SELECT * FROM record_search ORDER BY id DESC"
            " LIMIT " +
            Str(kProbe) + ") p",
        probe_params);
    if (!probe.ok()) return probe.status().WithContext("search");
    const double found = static_cast<double>(probe->Int(0, 0));
    const double probed = static_cast<double>(probe->Int(0, 1));
    const double records = std::max(probed, std::stod(probe->Text(0, 2)));
    const double density = probed > 0 ? found / probed : 0;
    const double wanted = static_cast<double>(kCountCap + 1);
    const double bitmap_matches = std::min(
        density * records, std::max(wanted, density * static_cast<double>(kSearchPartitionWidth)));
    const double walked_rows = density > 0 ? std::min(records, wanted / density) : records;
    constexpr double kWalkCost = 1.1;
    walk = walked_rows * kWalkCost < bitmap_matches;
  }
  if (text)
    DANGAN_RETURN_IF_ERROR(
        (*db)->Exec(walk ? "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
                           " SET LOCAL enable_sort = off"
                         : "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"));
  std::vector<SqlCondition> conditions = walk ? conditions_for_walk : indexed;
  if (!walk) conditions.insert(conditions.end(), text_checks.begin(), text_checks.end());
  PgParams params;
  const std::string where = " WHERE " + Conjunction(conditions, &params);
  // The newest matches, then what is wanted of them, in one statement: (kind, key, n) rows.
  const int64_t end = static_cast<int64_t>(spec.offset) + spec.limit;
  const bool page_within = end <= kCountCap + 1;
  PgParams found_params;
  std::string newest;
  if (text) {
    // Partition by partition, newest first, until enough (migration 8).
    std::vector<std::string> values;
    found_params = {ConjunctionOverArray(conditions, &values), PgTextArray(values),
                    Str(kCountCap + 1)};
    newest = "SELECT * FROM dangan_search_newest($1, $2::text[], $3::integer)";
  } else {
    found_params = params;
    newest = "SELECT id, class_code, year, retention FROM records" + where +
             " ORDER BY id DESC LIMIT " + Str(kCountCap + 1);
  }
  std::string sql = "WITH m AS MATERIALIZED (" + newest +
                    "), f AS (SELECT * FROM m ORDER BY id DESC LIMIT " + Str(kFacetSample) +
                    ") SELECT 'total', '', count(*) FROM m";
  if (spec.facets)
    sql +=
        " UNION ALL SELECT 'class', class_code, count(*) FROM f GROUP BY class_code"
        " UNION ALL SELECT 'year', year::text, count(*) FROM f GROUP BY year"
        " UNION ALL SELECT 'retention', retention, count(*) FROM f GROUP BY retention";
  if (page_within)
    sql += " UNION ALL (SELECT 'page', m.id::text, 0 FROM m ORDER BY m.id DESC LIMIT " +
           Str(spec.limit) + " OFFSET " + Str(spec.offset) + ")";
  auto found = (*db)->Query(sql, found_params);
  if (!found.ok()) return found.status().WithContext("search");
  SearchPage page;
  std::vector<std::string> ids;
  for (int i = 0; i < found->size(); ++i) {
    const std::string kind = found->Text(i, 0);
    if (kind == "total")
      page.total = found->Int(i, 2);
    else if (kind == "page")
      ids.push_back(found->Text(i, 1));
    else  // a facet's count over the newest kFacetSample matches (none when nothing matched)
      page.facets[kind][found->Text(i, 1)] = found->Int(i, 2);
  }
  page.facets_are_sample = spec.facets && page.total > kFacetSample;
  if (page.total > kCountCap) {
    page.total = kCountCap;
    page.total_is_lower_bound = true;
  }
  if (!page_within && (page.total_is_lower_bound || spec.offset < page.total)) {
    // A page reaching past the newest kCountCap + 1 matches: walk to it (deep paging is rare).
    if (text)
      DANGAN_RETURN_IF_ERROR(
          (*db)->Exec("SET LOCAL enable_indexscan = on; SET LOCAL enable_bitmapscan = off;"
                      " SET LOCAL enable_sort = off"));
    auto deep = (*db)->Query("SELECT id FROM " + table + where + " ORDER BY id DESC LIMIT " +
                                 Str(spec.limit) + " OFFSET " + Str(spec.offset),
                             params);
    if (!deep.ok()) return deep.status().WithContext("search");
    for (int i = 0; i < deep->size(); ++i) ids.push_back(deep->Text(i, 0));
  }
  if (ids.empty()) return page;
  auto rows = (*db)->Query(
      std::string("SELECT reference, title, year, class_code, item_code, retention, formed_on, ") +
          (text ? "(SELECT body FROM record_search s WHERE s.id = r.id)" : "''") +
          ", person_id, details FROM records r WHERE id = ANY($1::bigint[]) ORDER BY id DESC",
      {PgTextArray(ids)});
  if (!rows.ok()) return rows.status().WithContext("search");
  const SnippetQuery marked = terms.snippet();
  for (int i = 0; i < rows->size(); ++i) {
    SearchHit hit{rows->Text(i, 0),
                  rows->Text(i, 1),
                  static_cast<int>(rows->Int(i, 2)),
                  rows->Text(i, 3),
                  rows->Text(i, 4),
                  rows->Text(i, 5),
                  rows->Text(i, 6),
                  ""};
    std::string body = text ? rows->Text(i, 7) : std::string();
    if (spec.mask_personal && !rows->IsNull(i, 8)) {
      // Masking comes before the snippet is cut and marked, as in the SQLite backend.
      Record named;
      named.person = Person{rows->Text(i, 8), ""};
      DANGAN_RETURN_IF_ERROR(
          ReadRecordDetails(rows->Text(i, 9), &named).WithContext(hit.reference));
      MaskPersonIn(hit.title, *named.person);
      MaskPersonIn(body, *named.person);
    }
    if (spec.mask_personal) hit.title = MaskIdentifiers(hit.title);
    if (text) hit.snippet = MaskIdentifiers(SearchSnippet(body, marked));
    page.hits.push_back(std::move(hit));
  }
  return page;
}

Result<int64_t> PgCatalogue::CountEvents(const std::string& reference, EventKinds kinds) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  std::string sql = "SELECT count(*) FROM events WHERE reference=$1";
  if (kinds == EventKinds::kHistory) sql += kHistoryCondition;
  auto v = (*db)->Value(sql, {reference});
  if (!v.ok()) return v.status();
  return std::stoll(v->value_or("0"));
}

Result<std::vector<AuditEvent>> PgCatalogue::Events(const std::string& reference, int newest,
                                                    EventKinds kinds) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  std::string sql = std::string("SELECT ") + kEventColumns + " FROM events";
  PgParams params;
  if (!reference.empty()) {
    sql += " WHERE reference=$1";
    if (kinds == EventKinds::kHistory) sql += kHistoryCondition;
    params.push_back(reference);
  }
  if (newest > 0) sql = "SELECT * FROM (" + sql + " ORDER BY seq DESC LIMIT " + Str(newest) + ") n";
  sql += " ORDER BY seq";
  auto rows = (*db)->Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<AuditEvent> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) out.push_back(EventFromRow(*rows, i));
  return out;
}

Result<std::optional<AuditEvent>> PgCatalogue::LastEvent() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(std::string("SELECT ") + kEventColumns +
                           " FROM events ORDER BY seq DESC LIMIT 1");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AuditEvent>();
  return std::optional<AuditEvent>(EventFromRow(*rows, 0));
}

Result<std::optional<AuditEvent>> PgCatalogue::EventAt(int64_t seq) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(std::string("SELECT ") + kEventColumns + " FROM events WHERE seq=$1",
                           {Str(seq)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AuditEvent>();
  return std::optional<AuditEvent>(EventFromRow(*rows, 0));
}

Result<AuditEvent> PgCatalogue::AppendEvents(const std::vector<AuditEvent>& drafts,
                                             Durability durability) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  Status st;
  // Access events need not wait for the server's disk; the next synced commit carries them.
  if (durability == Durability::kRelaxed) st = (*db)->Exec("SET LOCAL synchronous_commit = off");
  Result<AuditEvent> last = st.ok() ? AppendPgEvents(**db, drafts) : Result<AuditEvent>(st);
  if (last.ok()) st = (*db)->Exec("COMMIT");
  if (!last.ok() || !st.ok()) {
    (*db)->Exec("ROLLBACK");
    return last.ok() ? st : last.status();
  }
  return last;
}

Status PgCatalogue::RecordFixity(const std::vector<FixityResult>& results) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  Status st;
  for (size_t i = 0; st.ok() && i < results.size(); ++i) {
    const FixityResult& r = results[i];
    st = (*db)->Run("INSERT INTO fixity(reference, checked_at, ok, detail) VALUES($1,$2,$3,$4)",
                    {r.reference, r.checked_at, std::string(r.ok ? "true" : "false"), r.detail});
  }
  if (st.ok()) st = (*db)->Exec("COMMIT");
  if (!st.ok()) (*db)->Exec("ROLLBACK");
  return st;
}

Result<std::optional<FixityResult>> PgCatalogue::LastFixity(const std::string& reference) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(
      "SELECT checked_at, ok, detail FROM fixity WHERE reference=$1 ORDER BY id DESC LIMIT 1",
      {reference});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<FixityResult>();
  return std::optional<FixityResult>(
      FixityResult{reference, rows->Text(0, 0), rows->Text(0, 1) == "t", rows->Text(0, 2)});
}

namespace {

// The portable statements of storage/sql_tables.h on one PostgreSQL connection.
class PgSession : public SqlSession {
 public:
  PgSession(PgDb& db, bool writing) : db_(db), writing_(writing) {}
  Result<SqlRows> Run(const std::string& sql, const std::vector<SqlValue>& params) override {
    PgParams text;
    for (const auto& p : params) {
      if (const auto* v = std::get_if<int64_t>(&p)) {
        text.push_back(std::to_string(*v));
      } else if (const auto* d = std::get_if<double>(&p)) {
        char digits[32];  // as many as it takes to read the same double back
        std::snprintf(digits, sizeof digits, "%.17g", *d);
        text.push_back(std::string(digits));
      } else if (const auto* t = std::get_if<std::string>(&p)) {
        text.push_back(*t);
      } else {
        text.push_back(std::nullopt);
      }
    }
    auto rows = db_.Query(sql, text);
    if (!rows.ok()) return rows.status();
    SqlRows out;
    for (int r = 0; r < rows->size(); ++r) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < rows->columns(); ++c)
        row.push_back(rows->IsNull(r, c) ? std::nullopt
                                         : std::optional<std::string>(rows->Text(r, c)));
      out.rows.push_back(std::move(row));
    }
    out.changed = rows->Affected();
    return out;
  }
  Result<AuditEvent> Log(const AuditEvent& draft) override {
    if (!writing_) return Status::Internal("an event can only be logged in a write");
    return AppendPgEvents(db_, {draft});
  }
  Status Serialize(const std::string& name) override {
    if (!writing_) return Status::Internal("only a write can hold a name");
    // The two-key lock space, apart from the single-key locks of the chain, the series and the
    // migrations.
    return db_.Run("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                   {std::to_string(kNamedLockSpace), name});
  }

 private:
  PgDb& db_;
  bool writing_;
};

}  // namespace

Status PgCatalogue::SyncCommitted() {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  // synchronous_commit may be set off for the server or this role; on for this transaction.
  // Only a transaction that wrote to the log waits for its flush at commit, hence the update.
  Status st = (*db)->Exec("SET LOCAL synchronous_commit = on");
  if (st.ok()) st = (*db)->Exec("UPDATE log_flush SET flushes = flushes + 1 WHERE id = 1");
  if (st.ok()) st = (*db)->Exec("COMMIT");
  if (!st.ok()) (void)(*db)->Exec("ROLLBACK");
  return st;
}

Status PgCatalogue::RemoveRecord(SqlSession& in, int64_t id) {
  // The GIN index follows the search row; the files go before the record (they reference it).
  for (const char* sql :
       {"DELETE FROM record_search WHERE id=$1", "DELETE FROM record_files WHERE record_id=$1",
        "DELETE FROM records WHERE id=$1"}) {
    auto done = in.Run(sql, {id});
    if (!done.ok()) return done.status();
  }
  return Status::Ok();
}

Status PgCatalogue::WriteTables(const std::function<Status(SqlSession&)>& fn) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  // Whatever the server's default: a statement after Serialize must see what the holder before
  // committed (a hold placed, a number taken), which a snapshot from before the wait would not.
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN ISOLATION LEVEL READ COMMITTED"));
  PgSession session(**db, true);
  Status st = fn(session);
  if (st.ok()) st = (*db)->Exec("COMMIT");
  if (!st.ok()) (void)(*db)->Exec("ROLLBACK");
  return st;
}

Status PgCatalogue::ReadTables(const std::function<Status(SqlSession&)>& fn) {
  auto db = Borrow();
  if (!db.ok()) return db.status();
  PgSession session(**db, false);
  return fn(session);
}

}  // namespace dangan
