#define BOOST_TEST_MODULE catalogue_schema
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "storage/catalogue.h"
#include "storage/text_dictionaries.h"
#include "tests/support/case_factory.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using namespace dangan::testing;
namespace fs = std::filesystem;

namespace {

// FTS5's own check with rank 1 also compares each index against the content it reads, here the
// body dangan_record_body derives from each row: any drift between the two is reported.
Status CheckIndex(const std::string& catalogue_path) {
  auto db = OpenCatalogueConnection(catalogue_path, false);
  if (!db.ok()) return db.status();
  for (const std::string table : {"records_fts", "records_chars"}) {
    Status st =
        (*db)->Exec("INSERT INTO " + table + "(" + table + ", rank) VALUES('integrity-check', 1)");
    if (!st.ok()) return st.WithContext(table);
  }
  return Status::Ok();
}

std::vector<std::string> Find(Catalogue& cat, const std::string& text) {
  SearchSpec spec;
  spec.text = text;
  auto page = cat.Search(spec);
  BOOST_REQUIRE_MESSAGE(page.ok(), page.status().ToString());
  std::vector<std::string> out;
  for (const auto& h : page->hits) out.push_back(h.reference + " " + h.snippet);
  return out;
}

int64_t Count(SqliteDb& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  BOOST_REQUIRE(st.ok());
  Status err;
  BOOST_REQUIRE(st->Step(&err));
  return st->Int(0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_record_reads_back_as_filed_from_columns_and_details) {
  TestArchive a;
  auto c = a.MakeCase("RB-1", "0301", "赵六 基本养老金待遇核定表",
                      {{"核定表.pdf", "%PDF-1.4"}, {"身份证.jpg", "\xff\xd8\xff\xe0JPEG"}});
  c.doc_number = "渝人社发〔2025〕12号";
  c.responsible = "重庆市社会保险事业管理中心";
  c.serial = "LS2025000001";
  c.security = "内部";
  c.person = Person{ValidIdNumber("50010319580317001"), "赵六"};
  c.unit = Unit{ValidCreditCode(), "重庆某某机械有限公司"};
  c.steps = {{"受理", "2025-06-30T09:10:00+08:00", "窗口 李四", "《社会保险法》第十六条", ""},
             {"办结", "2025-06-30T16:30:00+08:00", "经办 王五", "", "核定月养老金 3,210.55 元"}};
  c.text = "月基本养老金核定为三千二百一十元五角五分";
  auto receipt = a.session().filing().File(c, "business", "test");
  BOOST_REQUIRE_MESSAGE(receipt.ok(), receipt.status().ToString());

  auto rec = a.session().catalogue().GetRecord(receipt->reference).value();
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->parts.category == "SB");
  BOOST_TEST(rec->parts.seq == 1);
  BOOST_TEST(rec->doc_number == c.doc_number);
  BOOST_TEST(rec->responsible == c.responsible);
  BOOST_TEST(rec->serial == "LS2025000001");
  BOOST_TEST(rec->security == "内部");
  BOOST_TEST(rec->person->id_number == c.person->id_number);
  BOOST_TEST(rec->person->name == "赵六");
  BOOST_TEST(rec->unit->name == "重庆某某机械有限公司");
  BOOST_REQUIRE(rec->steps.size() == 2u);
  BOOST_TEST(rec->steps[0].basis == "《社会保险法》第十六条");
  BOOST_TEST(rec->steps[1].description == "核定月养老金 3,210.55 元");
  // Files in the order filed, not by name.
  BOOST_REQUIRE(rec->files.size() == 2u);
  BOOST_TEST(rec->files[0].name == "核定表.pdf");
  BOOST_TEST(rec->files[1].name == "身份证.jpg");

  // Every searchable field is found through the derived body, and the index agrees with it.
  for (const char* q :
       {"赵六", "三千二百", "重庆某某机械", "渝人社发", "LS2025000001", "身份证", "核定月养老金"})
    BOOST_TEST(Find(a.session().catalogue(), q).size() == 1u, q);
  Status st = CheckIndex(a.session().catalogue().path());
  BOOST_TEST(st.ok(), st.ToString());
  // Title, details and text are stored as one compressed value, read back above through the
  // codec; their own columns stay empty.
  auto db = OpenCatalogueConnection(a.session().catalogue().path(), false).value();
  BOOST_TEST(Count(*db,
                   "SELECT count(*) FROM records WHERE typeof(texts)='blob' AND title = ''"
                   " AND details = '{}' AND text = ''") == 1);
  SearchSpec spec;
  spec.text = "赵六";
  auto page = a.session().catalogue().Search(spec).value();
  BOOST_REQUIRE(page.hits.size() == 1u);
  BOOST_TEST(page.hits[0].title == "赵六 基本养老金待遇核定表");
}

BOOST_AUTO_TEST_CASE(the_integrity_check_sees_a_body_that_drifted_from_the_index) {
  TestArchive a;
  auto r = a.session().filing().File(a.MakeCase("DR-1"), "business", "test");
  BOOST_REQUIRE(r.ok());
  std::string path = a.session().catalogue().path();
  BOOST_TEST(CheckIndex(path).ok());
  {
    auto db = OpenCatalogueConnection(path, false).value();
    // The packed texts (record_texts.h), plain: empty title, no details, another text.
    BOOST_REQUIRE(db->Exec("UPDATE records SET texts = '0:2:{}完全不同的内容'").ok());
  }
  BOOST_TEST(!CheckIndex(path).ok());
}

// tests/data/catalogue-v5.db was written by the release before schema 6 (`dangan ingest` of one
// case, `dangan capture` of one scan): one copy of each fact now, and nothing lost on the way.
BOOST_AUTO_TEST_CASE(a_schema_5_catalogue_is_migrated_without_losing_anything) {
  TempDir dir;
  std::string path = dir / "catalogue.db";
  fs::copy_file(std::string(DANGAN_SOURCE_DIR) + "/tests/data/catalogue-v5.db", path);
  std::string package_digest, file_digest, fingerprint;
  {
    auto db = SqliteDb::Open(path, false).value();
    BOOST_REQUIRE(Count(*db, "PRAGMA user_version") == 5);
    auto st = db->Prepare(
        "SELECT r.package_sha256, f.sha256, r.fingerprint FROM records r JOIN record_files f"
        " ON f.record_id = r.id WHERE r.id = 1 AND f.name = '申请表.txt'");
    BOOST_REQUIRE(st.ok());
    Status err;
    BOOST_REQUIRE(st->Step(&err));
    package_digest = st->Text(0);
    file_digest = st->Text(1);
    fingerprint = st->Text(2);
    BOOST_REQUIRE(package_digest.size() == 64u);
  }
  auto cat = Catalogue::Open(path, false);
  BOOST_REQUIRE_MESSAGE(cat.ok(), cat.status().ToString());
  BOOST_TEST((*cat)->schema_version() >= 6);

  auto ingested = (*cat)->GetRecord("J012-SB·2025-D100-0102-0001").value();
  BOOST_REQUIRE(ingested.has_value());
  BOOST_TEST(ingested->parts.category == "SB");
  BOOST_TEST(ingested->title == "钱七 参保人员增员申报表");
  BOOST_TEST(ingested->doc_number == "渝社保〔2025〕7号");
  BOOST_TEST(ingested->person->name == "钱七");
  BOOST_TEST(ingested->person->id_number == "11010519491231002X");
  BOOST_TEST(ingested->unit->name == "某科技有限公司");
  BOOST_REQUIRE(ingested->steps.size() == 1u);
  BOOST_TEST(ingested->steps[0].basis == "参保登记规程");
  BOOST_REQUIRE(ingested->files.size() == 2u);
  BOOST_TEST(ingested->files[0].name == "申请表.txt");  // filed first, though it sorts last
  BOOST_TEST(ingested->files[1].name == "附件.txt");
  // Digests became their 32 bytes (schema 11) and read back as the hex they were.
  BOOST_TEST(ingested->package_sha256 == package_digest);
  BOOST_TEST(ingested->files[0].sha256 == file_digest);
  BOOST_TEST(ingested->fingerprint == fingerprint);
  auto found = (*cat)->FindCase(ingested->source, ingested->case_id).value();
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->package_sha256 == package_digest);

  // The captured scan keeps its files' 创建程序 and 数字化属性.
  auto refs = (*cat)->References().value();
  BOOST_REQUIRE(refs.size() == 2u);
  auto captured = (*cat)->GetRecord(refs[1]).value();
  BOOST_REQUIRE(captured.has_value());
  BOOST_REQUIRE(captured->files.size() == 4u);
  BOOST_TEST(captured->files[0].role == "original");
  BOOST_TEST(captured->files[0].digitization.dpi > 0);
  BOOST_TEST(!captured->files[1].created_by.empty());

  BOOST_TEST(Find(**cat, "钱七").size() == 1u);
  BOOST_TEST(Find(**cat, "增员登记的补充说明").size() == 1u);  // the old free text
  auto hit = Find(**cat, "增员登记");
  BOOST_REQUIRE(hit.size() == 1u);
  BOOST_TEST(hit[0].find("[增员登记]") != std::string::npos, hit[0]);
  Status st = CheckIndex(path);
  BOOST_TEST(st.ok(), st.ToString());

  auto db = OpenCatalogueConnection(path, false).value();
  BOOST_TEST(Count(*db, "SELECT count(*) FROM sqlite_schema WHERE name='record_text'") == 0);
  BOOST_TEST(Count(*db,
                   "SELECT count(*) FROM records WHERE typeof(package_sha256) <> 'blob'"
                   " OR length(package_sha256) <> 32") == 0);
  BOOST_TEST(Count(*db, "SELECT count(*) FROM record_files WHERE length(sha256) <> 32") == 0);
  BOOST_TEST(Count(*db,
                   "SELECT count(*) FROM pragma_table_info('records')"
                   " WHERE name='metadata_json'") == 0);
}

namespace {

// A record as the catalogue stores it, without a package: enough to exercise the text columns.
Record SyntheticRecord(int i) {
  static const char* const kNames[] = {"李建国", "王秀英", "张伟", "刘洋", "陈静", "杨帆", "赵敏"};
  static const char* const kUnits[] = {"重庆某某机械有限公司", "成都天府软件股份有限公司",
                                       "绵阳长虹物流有限公司", "自贡盐业集团有限公司"};
  static const char* const kForms[] = {"参保人员增员申报表", "失业保险金申领审核表",
                                       "基本养老金待遇核定表", "工伤认定决定书"};
  Record r;
  r.parts.fonds = "J012";
  r.parts.category = "SB";
  r.parts.class_code = "01";
  r.parts.item = "0102";
  r.parts.year = 2025;
  r.parts.retention = "D30";
  r.parts.seq = i;
  r.series = "J012-SB·2025-D30-0102-";
  r.reference = r.series + std::to_string(10000 + i);
  r.source = "sbxt";
  r.case_id = "C" + std::to_string(i);
  r.channel = "business";
  r.fingerprint = "fp" + std::to_string(i);
  const std::string name = kNames[i % 7], unit = kUnits[i % 4], form = kForms[i % 4];
  r.title = name + " " + form;
  r.formed_on = "2025-06-" + std::to_string(10 + i % 19);
  r.closed_at = r.formed_on + "T16:30:00+08:00";
  r.agency = "重庆市社会保险事业管理中心";
  r.handler = kNames[(i + 3) % 7];
  r.serial = "LS2025" + std::to_string(100000 + i);
  r.steps = {{"受理", r.formed_on + "T09:10:00+08:00", "窗口受理岗 " + r.handler, "", ""},
             {"办结", r.closed_at, "经办岗 " + r.handler, "", ""}};
  r.text = form + "\n姓名：" + name + "  单位名称：" + unit + "\n" + unit + "申报增员" +
           std::to_string(i % 40 + 1) + "人，其中" + name +
           "自2025年6月起参加企业职工基本养老保险，" + "缴费基数" +
           std::to_string(3000 + i * 7 % 9000) + "元。经审核，申报材料齐全，符合有关规定，" +
           "同意办理。经办人已告知申请人相关权利义务。\n经办机构：" + r.agency + "  经办人：" +
           r.handler + "  标记" + std::to_string(i);
  r.filed_at = r.closed_at;
  r.package_path = "packages/2025/C" + std::to_string(i) + ".tar";
  r.package_sha256 = std::string(64, 'a');
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_growing_catalogue_learns_a_text_dictionary_and_reads_both_formats) {
  TempDir dir;
  const std::string path = dir / "catalogue.db";
  constexpr int kRecords = 1300;
  {
    auto cat = Catalogue::Open(path, true, nullptr);
    BOOST_REQUIRE_MESSAGE(cat.ok(), cat.status().ToString());
    for (int first = 1; first <= kRecords; first += 100) {
      auto tx = (*cat)->BeginFiling();
      BOOST_REQUIRE_MESSAGE(tx.ok(), tx.status().ToString());
      for (int i = first; i < first + 100 && i <= kRecords; ++i)
        BOOST_REQUIRE((*tx)->InsertRecord(SyntheticRecord(i)).ok());
      BOOST_REQUIRE((*tx)->Commit().ok());
    }
  }
  auto db = OpenCatalogueConnection(path, false).value();
  BOOST_TEST(Count(*db, "SELECT count(*) FROM text_dictionaries") == 1);
  // Trained once a thousand records were in; everything filed after uses it.
  const int64_t trained_at = Count(*db, "SELECT records FROM text_dictionaries");
  BOOST_TEST(trained_at >= kTrainDictionaryAfter);
  BOOST_TEST(Count(*db, "SELECT count(*) FROM records WHERE hex(substr(texts,1,1))='01'") ==
             trained_at);
  BOOST_TEST(Count(*db, "SELECT count(*) FROM records WHERE hex(substr(texts,1,1))='02'") ==
             kRecords - trained_at);
  // The point of it: the same kind of text takes much less room than with the fixed dictionary.
  const int64_t v1 =
      Count(*db, "SELECT avg(length(texts)) FROM records WHERE id BETWEEN 901 AND 1000");
  const int64_t v2 = Count(*db, "SELECT avg(length(texts)) FROM records WHERE id > 1200");
  BOOST_TEST(v2 * 10 < v1 * 7, "format 2 averages " << v2 << " bytes, format 1 " << v1);

  // Both formats read back, through a fresh catalogue object, and are found by search.
  auto cat = Catalogue::Open(path, false, nullptr).value();
  for (int i : {5, kRecords}) {
    Record want = SyntheticRecord(i);
    auto rec = cat->GetRecord(want.reference).value();
    BOOST_REQUIRE(rec.has_value());
    BOOST_TEST(rec->handler == want.handler);
    BOOST_TEST(rec->steps.size() == 2u);
    auto hits = Find(*cat, "标记" + std::to_string(i));
    BOOST_REQUIRE(hits.size() == 1u);
    BOOST_TEST(hits[0].find("标记" + std::to_string(i)) != std::string::npos, hits[0]);
  }
  Status st = CheckIndex(path);
  BOOST_TEST(st.ok(), st.ToString());
  // A dictionary is needed for as long as any value names it.
  BOOST_TEST(!db->Exec("DELETE FROM text_dictionaries").ok());
  BOOST_TEST(!db->Exec("UPDATE text_dictionaries SET dict = x'00'").ok());
  // A value naming a dictionary the catalogue lacks is damage, not empty text.
  auto unknown = DecodeCatalogueText(db->handle(), std::string("\x02\x39\x30\x00\x00zz", 7));
  BOOST_TEST(!unknown.ok());
}

BOOST_AUTO_TEST_CASE(optimize_merges_the_indexes_and_hands_free_pages_back) {
  TempDir dir;
  auto file = [&](Catalogue& cat, int first, int n) {
    for (int i = first; i < first + n; ++i) {
      auto tx = cat.BeginFiling();
      BOOST_REQUIRE(tx.ok());
      BOOST_REQUIRE((*tx)->InsertRecord(SyntheticRecord(i)).ok());
      BOOST_REQUIRE((*tx)->Commit().ok());
    }
  };
  {
    // A new catalogue keeps free pages apart: after the merge none stay in the file.
    const std::string path = dir / "new.db";
    auto cat = Catalogue::Open(path, true, nullptr).value();
    file(*cat, 1, 200);  // one transaction each: many small index segments
    auto report = cat->Optimize(false);
    BOOST_REQUIRE_MESSAGE(report.ok(), report.status().ToString());
    BOOST_TEST(report->incremental);
    BOOST_TEST(report->free_bytes_left == 0);
    BOOST_TEST(report->bytes_after < report->bytes_before);
    BOOST_TEST(Find(*cat, "标记137").size() == 1u);
    BOOST_TEST(Find(*cat, "桥").empty());
    BOOST_TEST(Find(*cat, "静").size() > 0u);
    Status st = CheckIndex(path);
    BOOST_TEST(st.ok(), st.ToString());
    file(*cat, 201, 5);  // and filing goes on after it
    BOOST_TEST(Find(*cat, "标记203").size() == 1u);
  }
  {
    // A file made before incremental auto-vacuum keeps its free pages until --vacuum.
    const std::string path = dir / "old.db";
    {
      auto raw = SqliteDb::Open(path, false);
      BOOST_REQUIRE(!raw.ok());  // not there yet: it is made below without the new settings
      sqlite3* db = nullptr;
      BOOST_REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
      BOOST_REQUIRE(sqlite3_exec(db, "CREATE TABLE early(x)", nullptr, nullptr, nullptr) ==
                    SQLITE_OK);
      sqlite3_close(db);
    }
    auto cat = Catalogue::Open(path, false, nullptr).value();
    file(*cat, 1, 200);
    auto report = cat->Optimize(false);
    BOOST_REQUIRE(report.ok());
    BOOST_TEST(!report->incremental);
    BOOST_TEST(report->free_bytes_left > 0);
    report = cat->Optimize(true);
    BOOST_REQUIRE_MESSAGE(report.ok(), report.status().ToString());
    BOOST_TEST(report->incremental);
    BOOST_TEST(report->free_bytes_left == 0);
    BOOST_TEST(Find(*cat, "标记137").size() == 1u);
    Status st = CheckIndex(path);
    BOOST_TEST(st.ok(), st.ToString());
  }
}
