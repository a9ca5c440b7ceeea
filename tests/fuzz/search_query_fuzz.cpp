// libFuzzer target: the search query parser. The input is the free text of Catalogue::Search
// (alone, and with facets and paging) and one of its filters (class, item, retention, person or
// unit, picked by the input's length) against a small archive filed once per process through the
// normal filing path; and it goes through CjkTokenize in every mode. Invariants: no query makes
// the search fail (an FTS5 syntax error would be a 500 over the API), token offsets lie inside
// the input, and a page never holds more hits than asked for.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "archive/case_submission.h"
#include "archive/cli/archive_session.h"
#include "archive/identifiers.h"
#include "storage/catalogue.h"
#include "storage/cjk_tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

using namespace dangan;

namespace {

cli::ArchiveSession* session = nullptr;

void FileCase(int n, const std::string& item, const std::string& title, const std::string& id17,
              const std::string& text) {
  CaseSubmission c;
  c.source = "sbxt";
  c.case_id = "FUZZ-" + std::to_string(n);
  c.item = item;
  c.title = title;
  c.formed_on = "2025-06-30";
  c.closed_at = "2025-06-30T16:00:00+08:00";
  c.agency = "测试市社会保险事业管理中心";
  c.handler = "李经办";
  c.text = text;
  c.person = Person{id17 + IdNumberCheckChar(id17), "张三"};
  c.unit = Unit{"91350100M000100Y43", "测试科技有限公司"};
  c.steps = {{"受理", "2025-06-30T09:00:00+08:00", "窗口", "", ""},
             {"办结", "2025-06-30T16:00:00+08:00", "经办岗", "", ""}};
  const std::string file = fuzz::ScratchRoot() + "/files/" + std::to_string(n) + "/申请表.txt";
  fuzz::WriteBytes(file, title + "\n" + text);
  c.files.push_back({"申请表.txt", file, "", "", "", {}});
  auto r = session->filing().File(c, "business", "fuzz");
  if (!r.ok()) fuzz::Fail("cannot file the fuzz archive's cases: " + r.status().ToString());
}

void Search(const SearchSpec& spec) {
  auto page = session->catalogue().Search(spec);
  const std::string what = "text='" + spec.text + "' class='" + spec.class_code + "' item='" +
                           spec.item + "' retention='" + spec.retention + "' person='" +
                           spec.person_id + "' unit='" + spec.unit_code + "'";
  if (!page.ok()) fuzz::Fail("Search(" + what + ") failed: " + page.status().ToString());
  fuzz::Note(what + ": " + std::to_string(page->total) + " match(es)");
  const size_t limit = spec.limit > 0 && spec.limit <= 1000 ? static_cast<size_t>(spec.limit) : 20;
  if (page->hits.size() > limit) fuzz::Fail("more hits than the page size");
  if (page->total < static_cast<int64_t>(page->hits.size()) + spec.offset && !page->hits.empty())
    fuzz::Fail("fewer matches counted than shown");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string root = fuzz::ScratchRoot() + "/archive";
  cli::ArchiveSettings settings;
  settings.fonds = "J012";
  settings.organization = "测试市社会保险事业管理中心";
  Status st = cli::ArchiveSession::Create(root, settings);
  if (!st.ok()) fuzz::Fail("cannot create the fuzz archive: " + st.ToString());
  auto s = cli::ArchiveSession::Open(root);
  if (!s.ok()) fuzz::Fail("cannot open the fuzz archive: " + s.status().ToString());
  session = s->release();
  FileCase(1, "0301", "基本养老金待遇核定表", "11010519491231002",
           "养老保险 待遇 核定 NEAR a OR b");
  FileCase(2, "0503", "失业保险金申领审核表", "44010619621211918", "失业 申领 审核");
  FileCase(3, "0602", "工伤认定决定书", "32010219800101001", "工伤认定 社保卡 ABC-123");
  FileCase(4, "0102", "参保人员增员申报表", "11010519491231002", "增员 申报 \"quoted\" 保险*");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = fuzz::AsString(data, size);
  for (auto mode :
       {CjkTokenizeMode::kDocument, CjkTokenizeMode::kQuery, CjkTokenizeMode::kPrefixQuery}) {
    for (const auto& t : CjkTokenize(input, mode)) {
      if (t.start < 0 || t.end < t.start || static_cast<size_t>(t.end) > input.size())
        fuzz::Fail("token [" + std::to_string(t.start) + ", " + std::to_string(t.end) +
                   ") outside the input");
      if (t.text.empty()) fuzz::Fail("an empty token");
    }
  }
  SearchSpec text;
  text.text = input;
  Search(text);
  SearchSpec paged = text;
  paged.facets = true;
  paged.offset = static_cast<int>(size % 3);
  paged.limit = 2;
  Search(paged);
  // The input as one filter, picked by its length so every filter sees inputs of every shape.
  SearchSpec filter;
  switch (size % 5) {
    case 0:
      filter.class_code = input;
      break;
    case 1:
      filter.item = input;
      break;
    case 2:
      filter.retention = input;
      break;
    case 3:
      filter.person_id = input;
      break;
    default:
      filter.unit_code = input;
      break;
  }
  Search(filter);
  return 0;
}
