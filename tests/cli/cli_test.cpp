#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

// End-to-end tests of the `dangan` program: every test runs the real binary in a fresh directory
// and checks its exit status, stdout, stderr and what it left on disk.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/SHA2Engine.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "archive/access_policy.h"
#include "archive/inquiry_rules.h"
#include "tests/support/shell.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using dangan::testing::Contains;
using dangan::testing::Lines;
using dangan::testing::Quote;
using dangan::testing::ReadFile;
using dangan::testing::RunResult;
using dangan::testing::Shell;
using dangan::testing::TempDir;
using dangan::testing::WriteFile;
using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr ParseObject(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Object::Ptr>();
}

std::string Stringify(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 2);
  return out.str();
}

std::string Sha256Hex(const std::string& bytes) {
  Poco::SHA2Engine h(Poco::SHA2Engine::SHA_256);
  h.update(bytes);
  return Poco::DigestEngine::digestToHex(h.digest());
}

// A 公民身份号码 with a correct GB 11643 check digit.
std::string IdNumber(const std::string& first17) {
  static const int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// One scratch directory with an archive under it and cases beside it.
class Sandbox {
 public:
  Sandbox() : root_(dir_ / "archive"), cases_(dir_ / "cases"), scratch_(dir_ / "scratch") {
    fs::create_directories(cases_);
    fs::create_directories(scratch_);
  }

  const std::string& root() const { return root_; }
  const std::string& cases() const { return cases_; }
  std::string operator/(const std::string& name) const { return dir_ / name; }

  // `dangan ARGS` without --root.
  RunResult Bare(const std::vector<std::string>& args) const {
    std::string cmd = Quote(DANGAN_BINARY);
    for (const auto& a : args) cmd += " " + Quote(a);
    return Shell(dir_.path(), scratch_, cmd);
  }
  // `dangan --root ROOT ARGS`.
  RunResult Run(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"--root", root_};
    all.insert(all.end(), args.begin(), args.end());
    return Bare(all);
  }
  RunResult Command(const std::string& cmdline) const {
    return Shell(dir_.path(), scratch_, cmdline);
  }

  void Init() const {
    RunResult r = Run({"init", "--fonds", "J012"});
    BOOST_TEST_REQUIRE(r.code == 0, r);
  }

  // Writes `count` valid generated cases under cases/<sub>/; returns their case.json paths.
  std::vector<std::string> Generate(const std::string& sub, int count, int seed) const {
    const std::string out = cases_ + "/" + sub;
    RunResult r = Command(
        "python3 " + Quote(std::string(DANGAN_SOURCE_DIR) + "/scripts/make_cases.py") + " --out " +
        Quote(out) + " --count " + std::to_string(count) + " --seed " + std::to_string(seed));
    BOOST_TEST_REQUIRE(r.code == 0, r);
    std::vector<std::string> paths = Lines(r.out);
    BOOST_TEST_REQUIRE(paths.size() == static_cast<size_t>(count));
    return paths;
  }

  // Writes a case with a controlled title and text (no unit) and its one file 申请表.txt.
  std::string MakeCase(const std::string& name, const std::string& case_id, const std::string& item,
                       const std::string& title, const std::string& text,
                       const std::string& person_id, const std::string& person_name) const {
    const std::string dir = cases_ + "/" + name;
    const std::string content = text + "\n";
    WriteFile(dir + "/申请表.txt", content);
    Object::Ptr c = new Object;
    c->set("source", "sbxt");
    c->set("case_id", case_id);
    c->set("item", item);
    c->set("title", title);
    c->set("formed_on", "2025-03-01");
    c->set("closed_at", "2025-03-01T16:30:00+08:00");
    c->set("agency", "城关经办中心");
    c->set("handler", "周明");
    Object::Ptr person = new Object;
    person->set("id_number", person_id);
    person->set("name", person_name);
    c->set("person", person);
    Array::Ptr steps = new Array;
    Object::Ptr step = new Object;
    step->set("action", "受理");
    step->set("at", "2025-03-01T09:10:00+08:00");
    step->set("by", "窗口");
    steps->add(step);
    c->set("steps", steps);
    c->set("text", text);
    Array::Ptr files = new Array;
    Object::Ptr f = new Object;
    f->set("name", "申请表.txt");
    f->set("path", "申请表.txt");
    f->set("sha256", Sha256Hex(content));
    files->add(f);
    c->set("files", files);
    WriteFile(dir + "/case.json", Stringify(c));
    return dir + "/case.json";
  }

  // Ingests cases that must be valid; returns the 档号 printed for each.
  std::vector<std::string> Ingest(const std::vector<std::string>& paths) const {
    std::vector<std::string> args = {"ingest"};
    args.insert(args.end(), paths.begin(), paths.end());
    RunResult r = Run(args);
    BOOST_TEST_REQUIRE(r.code == 0, r);
    std::vector<std::string> refs = Lines(r.out);
    BOOST_TEST_REQUIRE(refs.size() == paths.size(), r);
    return refs;
  }

  // `search ARGS --json`: the total and the references of the hits.
  std::pair<int, std::set<std::string>> Search(std::vector<std::string> args) const {
    args.insert(args.begin(), "search");
    args.push_back("--json");
    args.push_back("--limit");
    args.push_back("1000");
    RunResult r = Run(args);
    BOOST_TEST_REQUIRE(r.code == 0, r);
    Object::Ptr o = ParseObject(r.out);
    std::set<std::string> refs;
    Array::Ptr hits = o->getArray("hits");
    for (size_t i = 0; hits && i < hits->size(); ++i)
      refs.insert(hits->getObject(i)->getValue<std::string>("reference"));
    return {o->getValue<int>("total"), refs};
  }
  int Total() const { return Search({"--year", "2025"}).first; }

  // The package files ending in .tar under packages/.
  int TarCount() const {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(root_ + "/packages", ec))
      if (e.is_regular_file() && e.path().extension() == ".tar") ++n;
    return n;
  }

  Object::Ptr ShowJson(const std::string& ref) const {
    RunResult r = Run({"show", ref, "--json"});
    BOOST_TEST_REQUIRE(r.code == 0, r);
    return ParseObject(r.out);
  }
  std::string PackagePath(const std::string& ref) const {
    std::string rel = ShowJson(ref)->getObject("package")->getValue<std::string>("path");
    return rel.front() == '/' ? rel : root_ + "/" + rel;
  }

  // Starts `dangan serve --port 0 EXTRA` in the background, its output in `log`; returns its
  // port once it listens (the test fails if it never does) and sets `pid`.
  std::string StartServer(const std::string& extra, const std::string& log,
                          std::string* pid) const {
    RunResult started = Command(Quote(DANGAN_BINARY) + " --root " + Quote(root_) +
                                " serve --port 0 " + extra + " >" + Quote(log) + " 2>&1 & echo $!");
    BOOST_TEST_REQUIRE(started.code == 0, started);
    *pid = Lines(started.out).at(0);
    std::string port;
    for (int i = 0; i < 100 && port.empty(); ++i) {
      std::smatch m;
      std::string text = ReadFile(log);
      if (std::regex_search(text, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)")))
        port = m[1];
      else
        usleep(50000);
    }
    BOOST_TEST_REQUIRE(!port.empty(), ReadFile(log));
    return port;
  }

 private:
  TempDir dir_;  // first: the others are made from it
  std::string root_;
  std::string cases_;
  std::string scratch_;
};

void EditJson(const std::string& path, const std::function<void(Object::Ptr)>& edit) {
  Object::Ptr o = ParseObject(ReadFile(path));
  edit(o);
  WriteFile(path, Stringify(o));
}

Object::Ptr FirstFile(const Object::Ptr& c) { return c->getArray("files")->getObject(0); }

// The stdout of `verify` split into one block per "DAMAGED <ref>" line.
std::map<std::string, std::string> DamagedBlocks(const std::string& out) {
  std::map<std::string, std::string> blocks;
  std::string current;
  for (const auto& line : Lines(out)) {
    if (line.rfind("DAMAGED ", 0) == 0) {
      current = line.substr(8);
      blocks[current];
    } else if (!current.empty()) {
      blocks[current] += line + "\n";
    }
  }
  return blocks;
}

// The calendar year now, as the archive's clock writes it (local time).
std::string ThisYear() {
  time_t t = time(nullptr);
  struct tm tm;
  localtime_r(&t, &tm);
  return std::to_string(1900 + tm.tm_year);
}

const std::regex kReference("J012-SB·20[0-9]{2}-(Y|D100|D50|D30|D10)-[0-9]{4}-[0-9]{4}");

// ---------------------------------------------------------------------------------------------
// 1. Help and usage errors

BOOST_AUTO_TEST_CASE(HelpOnProgramAndEverySubcommand) {
  Sandbox box;
  RunResult top = box.Bare({"--help"});
  BOOST_TEST(top.code == 0, top);
  BOOST_TEST(Contains(top.out, "usage"), top);
  for (const std::string cmd :
       {"init", "ingest", "show", "search", "verify", "export", "bag", "audit", "replica",
        "catalogue", "check", "appraise", "hold", "destroy", "transfer", "receive", "user"}) {
    BOOST_TEST_CONTEXT("dangan " << cmd << " --help") {
      RunResult r = box.Run({cmd, "--help"});
      BOOST_TEST(r.code == 0, r);
      BOOST_TEST(Contains(r.out, "usage"), r);
    }
  }
  // Asking for help creates nothing.
  BOOST_TEST(!fs::exists(box.root()));
}

BOOST_AUTO_TEST_CASE(UnknownCommandAndOptionsAreUsageErrors) {
  Sandbox box;
  RunResult r = box.Run({"frobnicate"});
  BOOST_TEST(r.code == 2, r);
  BOOST_TEST(Contains(r.err, "frobnicate"), r);

  r = box.Bare({"--no-such-global", "init"});
  BOOST_TEST(r.code == 2, r);
  BOOST_TEST(Contains(r.err, "--no-such-global"), r);

  box.Init();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"search", "养老", "--no-such-option"},
                                             {"verify", "--all", "--bogus"},
                                             {"ingest", "--bogus", "x.json"},
                                             {"init", "--bogus"}}) {
    BOOST_TEST_CONTEXT(args[0] << " " << args.back()) {
      RunResult u = box.Run(args);
      BOOST_TEST(u.code == 2, u);
      BOOST_TEST(Contains(u.err, "--"), u);
      BOOST_TEST(Contains(u.err, "unknown option"), u);
    }
  }
  // Out-of-range values of the server's and the audit's numeric options; the archive is untouched.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"serve", "--rate-limit", "-1"},
                                             {"serve", "--audit-days", "0"},
                                             {"serve", "--audit-rate", "x"},
                                             {"serve", "--search-cache", "-1"},
                                             {"serve", "--search-cache", "many"},
                                             {"audit", "run", "--limit", "0"},
                                             {"replica", "add"}}) {
    BOOST_TEST_CONTEXT(args[0] << " " << args[1] << " " << args.back()) {
      RunResult u = box.Run(args);
      BOOST_TEST(u.code == 2, u);
    }
  }
  BOOST_TEST(box.Total() == 0);
  // A missing command is a usage error too.
  r = box.Run({});
  BOOST_TEST(r.code == 2, r);
  BOOST_TEST(!r.err.empty(), r);
}

// ---------------------------------------------------------------------------------------------
// 2. Ingesting generated cases

BOOST_AUTO_TEST_CASE(IngestTwelveGeneratedCases) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 12, 7);
  std::vector<std::string> args = {"ingest"};
  args.insert(args.end(), paths.begin(), paths.end());
  RunResult r = box.Run(args);
  BOOST_TEST_REQUIRE(r.code == 0, r);
  std::vector<std::string> refs = Lines(r.out);
  BOOST_TEST_REQUIRE(refs.size() == 12u, r);
  BOOST_TEST(std::set<std::string>(refs.begin(), refs.end()).size() == 12u, r);
  for (const auto& ref : refs) BOOST_TEST(std::regex_match(ref, kReference), ref);
  BOOST_TEST(box.TarCount() == 12);

  // Re-ingesting the same content is idempotent: the same 档号, success, nothing new stored.
  RunResult again = box.Run({"ingest", paths[4]});
  BOOST_TEST(again.code == 0, again);
  BOOST_TEST(Lines(again.out) == std::vector<std::string>{refs[4]}, again);
  BOOST_TEST(box.Total() == 12);
  BOOST_TEST(box.TarCount() == 12);
}

// ---------------------------------------------------------------------------------------------
// 3. Invalid input: a clear message naming the field, and nothing stored

struct InvalidCase {
  Sandbox box;
  std::vector<std::string> paths;  // [0] is filed, [1] and [2] are spare valid cases
  InvalidCase() {
    box.Init();
    paths = box.Generate("gen", 3, 11);
    box.Ingest({paths[0]});
    BOOST_TEST_REQUIRE(box.Total() == 1);
    BOOST_TEST_REQUIRE(box.TarCount() == 1);
  }
  // Ingests and expects a refusal naming each of `needles` on stderr, with nothing filed.
  void ExpectRefused(const std::vector<std::string>& files,
                     const std::vector<std::string>& needles) {
    std::vector<std::string> args = {"ingest"};
    args.insert(args.end(), files.begin(), files.end());
    RunResult r = box.Run(args);
    BOOST_TEST(r.code == 1, r);
    for (const auto& n : needles)
      BOOST_TEST(Contains(r.err, n), "stderr lacks '" << n << "'\n" << r);
    BOOST_TEST(r.out.empty(), r);
    BOOST_TEST(box.Total() == 1);
    BOOST_TEST(box.TarCount() == 1);
  }
  void Edit(const std::function<void(Object::Ptr)>& edit) { EditJson(paths[1], edit); }
};

BOOST_FIXTURE_TEST_CASE(MissingTitleIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) { c->remove("title"); });
  ExpectRefused({paths[1]}, {"title", "required"});
}

BOOST_FIXTURE_TEST_CASE(UnknownItemCodeIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) { c->set("item", "9999"); });
  ExpectRefused({paths[1]}, {"item", "9999"});
}

BOOST_FIXTURE_TEST_CASE(BadIdNumberCheckDigitIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) {
    Object::Ptr p = c->getObject("person");
    std::string id = p->getValue<std::string>("id_number");
    id.back() = id.back() == '1' ? '2' : '1';
    p->set("id_number", id);
  });
  ExpectRefused({paths[1]}, {"person.id_number"});
}

BOOST_FIXTURE_TEST_CASE(BadCreditCodeIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) {
    Object::Ptr u = c->getObject("unit");
    std::string code = u->getValue<std::string>("credit_code");
    code.back() = code.back() == '1' ? '2' : '1';
    u->set("credit_code", code);
  });
  ExpectRefused({paths[1]}, {"unit.credit_code"});
}

BOOST_FIXTURE_TEST_CASE(ImpossibleDateIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) { c->set("formed_on", "2025-02-30"); });
  ExpectRefused({paths[1]}, {"formed_on", "2025-02-30"});
}

BOOST_FIXTURE_TEST_CASE(PathEscapingTheCaseDirectoryIsRefused, InvalidCase) {
  WriteFile(box.cases() + "/gen/x", "outside\n");
  Edit([](Object::Ptr c) {
    FirstFile(c)->set("path", "../x");
    FirstFile(c)->remove("sha256");
  });
  ExpectRefused({paths[1]}, {"files[0].path"});
}

BOOST_FIXTURE_TEST_CASE(WrongDeclaredDigestIsRefused, InvalidCase) {
  Edit([](Object::Ptr c) { FirstFile(c)->set("sha256", std::string(64, '0')); });
  ExpectRefused({paths[1]}, {"files[0].sha256"});
}

BOOST_FIXTURE_TEST_CASE(MissingFileIsRefused, InvalidCase) {
  fs::remove(fs::path(paths[1]).parent_path() / "申请表.txt");
  ExpectRefused({paths[1]}, {"files[0].path", "not found"});
}

BOOST_FIXTURE_TEST_CASE(NotJsonIsRefused, InvalidCase) {
  WriteFile(paths[1], "this is not JSON {\n");
  ExpectRefused({paths[1]}, {paths[1], "JSON"});
}

BOOST_FIXTURE_TEST_CASE(BatchWithOneInvalidCaseFilesNeither, InvalidCase) {
  Edit([](Object::Ptr c) { c->remove("title"); });
  ExpectRefused({paths[2], paths[1]}, {"title", "nothing was filed"});
}

// The declared digest and the file's existence are part of the case too: a batch whose second
// case has a wrong digest must not file the first.
BOOST_FIXTURE_TEST_CASE(BatchWithBadDigestFilesNeither, InvalidCase) {
  Edit([](Object::Ptr c) { FirstFile(c)->set("sha256", std::string(64, '0')); });
  ExpectRefused({paths[2], paths[1]}, {"files[0].sha256"});
}

BOOST_FIXTURE_TEST_CASE(BatchWithMissingFileFilesNeither, InvalidCase) {
  fs::remove(fs::path(paths[1]).parent_path() / "申请表.txt");
  ExpectRefused({paths[2], paths[1]}, {"files[0].path"});
}

BOOST_FIXTURE_TEST_CASE(SameCaseWithOtherContentIsRefused, InvalidCase) {
  const std::string ref = *box.Search({"--year", "2025"}).second.begin();
  const std::string title = box.ShowJson(ref)->getValue<std::string>("title");
  EditJson(paths[0], [](Object::Ptr c) { c->set("title", "改过的题名"); });
  RunResult r = box.Run({"ingest", paths[0]});
  BOOST_TEST(r.code == 1, r);
  BOOST_TEST(Contains(r.err, "different content"), r);
  BOOST_TEST(Contains(r.err, ref), r);
  BOOST_TEST(box.Total() == 1);
  BOOST_TEST(box.TarCount() == 1);
  BOOST_TEST(box.ShowJson(ref)->getValue<std::string>("title") == title);
}

// The filing-stage (归档) four-property checks read a file's bytes, not only its name.
BOOST_FIXTURE_TEST_CASE(ContentFailingTheFilingChecksIsRefused, InvalidCase) {
  const std::string dir = fs::path(paths[1]).parent_path();
  const std::string elf = std::string(
                              "\x7f"
                              "ELF\x02\x01\x01\0\0\0",
                              10) +
                          "payload";
  WriteFile(dir + "/申请表.txt", elf);
  Edit([&](Object::Ptr c) { FirstFile(c)->set("sha256", Sha256Hex(elf)); });
  ExpectRefused({paths[1]}, {"GD-4-1", "恶意代码", "GD-3-3", "ELF"});

  // A format outside the allowed list (checks.json's allowed_formats).
  WriteFile(dir + "/申请表.rar", "Rar!\x1a\x07\x00");
  Edit([&](Object::Ptr c) {
    FirstFile(c)->set("name", "申请表.rar");
    FirstFile(c)->set("path", "申请表.rar");
    FirstFile(c)->remove("sha256");
  });
  ExpectRefused({paths[1]}, {"GD-3-2", "RAR"});

  // A local override of the rules takes effect at the next open: RAR allowed, the bytes still
  // have to be a readable format.
  WriteFile(box.root() + "/checks.local.json", R"({"allowed_formats":["PDF","TXT","TIFF","RAR"]})");
  RunResult r = box.Run({"ingest", paths[1]});
  BOOST_TEST(r.code == 1, r);
  BOOST_TEST(!Contains(r.err, "GD-3-2"), r);
  BOOST_TEST(Contains(r.err, "GD-3-3"), r);
  WriteFile(box.root() + "/checks.local.json", R"({"allowed_formats": "PDF"})");
  RunResult broken = box.Run({"ingest", paths[1]});
  BOOST_TEST(broken.code == 1, broken);
  BOOST_TEST(Contains(broken.err, "checks.local.json"), broken);
}

// ---------------------------------------------------------------------------------------------
// 4. show

BOOST_AUTO_TEST_CASE(ShowPrintsTheRecord) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 2, 3);
  std::vector<std::string> refs = box.Ingest(paths);
  Object::Ptr input = ParseObject(ReadFile(paths[1]));
  const std::string title = input->getValue<std::string>("title");

  RunResult r = box.Run({"show", refs[1]});
  BOOST_TEST(r.code == 0, r);
  BOOST_TEST(Contains(r.out, "题名"), r);
  BOOST_TEST(Contains(r.out, title), r);
  BOOST_TEST(Contains(r.out, refs[1]), r);
  BOOST_TEST(!Contains(r.out, refs[0]), r);

  Object::Ptr shown = box.ShowJson(refs[1]);
  BOOST_TEST(shown->getValue<std::string>("reference") == refs[1]);
  BOOST_TEST(shown->getValue<std::string>("title") == title);
  BOOST_TEST(shown->getValue<std::string>("case_id") == input->getValue<std::string>("case_id"));
  Array::Ptr files = shown->getArray("files");
  BOOST_TEST_REQUIRE(files);
  BOOST_TEST_REQUIRE(files->size() == 1u);
  BOOST_TEST(files->getObject(0)->getValue<std::string>("name") == "申请表.txt");
  BOOST_TEST(files->getObject(0)->getValue<std::string>("sha256") ==
             FirstFile(input)->getValue<std::string>("sha256"));
  const std::string content = ReadFile(fs::path(paths[1]).parent_path() / "申请表.txt");
  BOOST_TEST(files->getObject(0)->getValue<uint64_t>("size") == content.size());

  RunResult unknown = box.Run({"show", "J012-SB·2025-Y-0101-9999"});
  BOOST_TEST(unknown.code != 0, unknown);
  BOOST_TEST(Contains(unknown.err, "J012-SB·2025-Y-0101-9999"), unknown);
}

// ---------------------------------------------------------------------------------------------
// 5. search

BOOST_AUTO_TEST_CASE(SearchFindsExactlyTheExpectedRecords) {
  Sandbox box;
  box.Init();
  const std::string id_a = IdNumber("11010519800101123");
  const std::string id_b = IdNumber("31010419851212456");
  const std::string id_c = IdNumber("44010619900615789");
  const std::string id_d = IdNumber("35010219700909321");
  std::vector<std::string> refs = box.Ingest({
      box.MakeCase("a", "T-0001", "0301", "养老金核定表", "养老金核定表 月标准三千元", id_a,
                   "张三"),
      box.MakeCase("b", "T-0002", "0503", "失业保险金申领", "失业保险金申领 领取十二个月", id_b,
                   "李四"),
      box.MakeCase("c", "T-0003", "0602", "工伤认定决定书", "工伤认定决定书 认定为工伤", id_c,
                   "王五"),
      box.MakeCase("d", "T-0004", "0304", "养老保险关系转移接续申请表", "转移接续 跨省转入", id_d,
                   "赵六"),
  });
  const std::string& a = refs[0];
  const std::string& b = refs[1];
  const std::string& c = refs[2];
  const std::string& d = refs[3];
  using Refs = std::set<std::string>;

  auto check = [&](const std::vector<std::string>& args, const Refs& expected) {
    BOOST_TEST_CONTEXT("search " << args[0]) {
      auto [total, found] = box.Search(args);
      BOOST_TEST(found == expected);
      BOOST_TEST(total == static_cast<int>(expected.size()));
    }
  };
  check({"伤"}, Refs{c});                // one character
  check({"养"}, Refs{a, d});             // one character, two records
  check({"失业"}, Refs{b});              // two characters
  check({"核定"}, Refs{a});              // two characters, title only
  check({"工伤认定"}, Refs{c});          // four characters
  check({"跨省转入"}, Refs{d});          // four characters, text only
  check({"养老保险"}, Refs{d});          // four characters
  check({id_b}, Refs{b});                // 公民身份号码: that person's one record
  check({"--class", "03"}, Refs{a, d});  // class filter alone
  check({"养", "--class", "03"}, Refs{a, d});
  check({"伤", "--class", "03"}, Refs{});  // the filter applies to the query
  check({"失业", "--class", "05"}, Refs{b});
  check({"医疗"}, Refs{});  // absent
  check({"犇"}, Refs{});    // absent single character
  check({"--year", "2025"}, Refs{a, b, c, d});

  // The text output names the hit and reports the count on stderr.
  RunResult r = box.Run({"search", "工伤"});
  BOOST_TEST(r.code == 0, r);
  BOOST_TEST(Contains(r.out, c), r);
  BOOST_TEST(!Contains(r.out, a), r);
  BOOST_TEST(Contains(r.err, "1 record"), r);
}

// ---------------------------------------------------------------------------------------------
// 6. verify

BOOST_AUTO_TEST_CASE(VerifyNamesEveryDamagedPackage) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 4, 5);
  std::vector<std::string> refs = box.Ingest(paths);

  RunResult ok = box.Run({"verify", "--all"});
  BOOST_TEST_REQUIRE(ok.code == 0, ok);
  BOOST_TEST(!Contains(ok.out, "DAMAGED"), ok);

  // (a) change one byte of the payload inside the first package.
  {
    const std::string pkg = box.PackagePath(refs[0]);
    std::string bytes = ReadFile(pkg);
    const std::string payload = ReadFile(fs::path(paths[0]).parent_path() / "申请表.txt");
    size_t at = bytes.find(payload);
    BOOST_TEST_REQUIRE(at != std::string::npos, "payload not found in " << pkg);
    size_t digit = bytes.find("金额 ", at);
    BOOST_TEST_REQUIRE(digit < at + payload.size());
    digit += std::string("金额 ").size();
    bytes[digit] = bytes[digit] == '1' ? '2' : '1';
    WriteFile(pkg, bytes);
    BOOST_TEST_REQUIRE(ReadFile(pkg).size() == bytes.size());
  }
  // (b) truncate the second.
  {
    const std::string pkg = box.PackagePath(refs[1]);
    auto size = fs::file_size(pkg);
    fs::resize_file(pkg, size / 2);
  }
  // (c) delete the third.
  {
    const std::string pkg = box.PackagePath(refs[2]);
    BOOST_TEST_REQUIRE(fs::remove(pkg));
  }

  RunResult r = box.Run({"verify", "--all"});
  BOOST_TEST(r.code == 1, r);
  std::map<std::string, std::string> damaged = DamagedBlocks(r.out);
  BOOST_TEST(damaged.size() == 3u, r);
  BOOST_TEST(damaged.count(refs[0]) == 1u, r);
  BOOST_TEST(damaged.count(refs[1]) == 1u, r);
  BOOST_TEST(damaged.count(refs[2]) == 1u, r);
  BOOST_TEST(damaged.count(refs[3]) == 0u, r);
  BOOST_TEST(!Contains(r.out, refs[3]), r);
  BOOST_TEST(Contains(damaged[refs[0]], "changed"), r);
  BOOST_TEST(Contains(damaged[refs[1]], "truncated"), r);
  BOOST_TEST(Contains(damaged[refs[2]], "missing"), r);

  // Verifying just the intact record still succeeds; the damaged one alone fails.
  RunResult one = box.Run({"verify", refs[3]});
  BOOST_TEST(one.code == 0, one);
  BOOST_TEST(Contains(one.out, "OK " + refs[3]), one);
  RunResult bad = box.Run({"verify", refs[2]});
  BOOST_TEST(bad.code == 1, bad);
  BOOST_TEST(Contains(bad.out, "DAMAGED " + refs[2]), bad);

  // show reports the fixity outcome.
  Object::Ptr shown = box.ShowJson(refs[0]);
  Object::Ptr fixity = shown->getObject("fixity");
  BOOST_TEST_REQUIRE(fixity);
  BOOST_TEST(fixity->getValue<bool>("ok") == false);
}

// A replica gets every package; `audit run` repairs damage in either copy from the other and
// names what has no good copy left; a running server does the same in the background.
BOOST_AUTO_TEST_CASE(ReplicaAndAuditRunRepairDamage) {
  Sandbox box;
  box.Init();
  const std::string replica = box / "second-disk";
  fs::create_directories(replica);
  std::vector<std::string> refs = box.Ingest(box.Generate("rep", 4, 9));
  RunResult added = box.Run({"replica", "add", replica});
  BOOST_TEST_REQUIRE(added.code == 0, added);
  BOOST_TEST(Contains(added.out, "4 package(s) copied"), added);
  RunResult listed = box.Run({"replica", "list"});
  BOOST_TEST(Contains(listed.out, replica), listed);
  refs.push_back(box.Ingest(box.Generate("rep2", 1, 10)).at(0));  // filed with the replica set
  auto copy_of = [&](const std::string& ref) {
    return replica + box.PackagePath(ref).substr(box.root().size());
  };
  for (const auto& ref : refs)
    BOOST_TEST(ReadFile(copy_of(ref)) == ReadFile(box.PackagePath(ref)), ref);

  std::string bytes = ReadFile(box.PackagePath(refs[0]));
  const std::string good0 = bytes;
  bytes[bytes.size() / 2] ^= 0x04;
  WriteFile(box.PackagePath(refs[0]), bytes);
  const std::string good4 = ReadFile(copy_of(refs[4]));
  BOOST_TEST_REQUIRE(fs::remove(copy_of(refs[4])));
  RunResult audit = box.Run({"audit", "run"});
  BOOST_TEST(audit.code == 0, audit);
  BOOST_TEST(Contains(audit.err, "2 damaged, 2 repaired, 0 unrepairable, 0 stray"), audit);
  BOOST_TEST(ReadFile(box.PackagePath(refs[0])) == good0);
  BOOST_TEST(ReadFile(copy_of(refs[4])) == good4);
  BOOST_TEST(box.Run({"verify", "--all"}).code == 0);

  // Files that belong to no record, in either copy: reported (exit 1) and left in place.
  const std::string stray_replica =
      (fs::path(copy_of(refs[0])).parent_path() / "J012-SB.2025-D10-0102-9999.tar").string();
  const std::string stray_primary = box.root() + "/packages/notes.txt";
  WriteFile(stray_replica, "a copy put here by hand");
  WriteFile(stray_primary, "x");
  RunResult strays = box.Run({"audit", "run"});
  BOOST_TEST(strays.code == 1, strays);
  BOOST_TEST(Contains(strays.out, "STRAY " + stray_replica), strays);
  BOOST_TEST(Contains(strays.out, "STRAY " + stray_primary), strays);
  BOOST_TEST(Contains(strays.err, "0 damaged, 0 repaired, 0 unrepairable, 2 stray file(s)"),
             strays);
  BOOST_TEST(fs::exists(stray_replica));
  BOOST_TEST(fs::remove(stray_primary));

  // Both copies damaged: reported, exit 1, left alone.
  for (const std::string& path : {box.PackagePath(refs[2]), copy_of(refs[2])}) {
    std::string b = ReadFile(path);
    b[b.size() / 3] ^= 0x10;
    WriteFile(path, b);
  }
  RunResult lost = box.Run({"audit", "run"});
  BOOST_TEST(lost.code == 1, lost);
  BOOST_TEST(Contains(lost.out, "UNREPAIRABLE " + refs[2]), lost);
  BOOST_TEST(box.Run({"audit", "run", "--rate", "0"}).code == 2);  // 1..100000 MB/s

  // The server's background audit repairs too, and says so on /metrics.
  WriteFile(box.PackagePath(refs[1]), "not a package any more");
  const std::string log = box / "serve.log";
  std::string pid;
  const std::string port = box.StartServer("--audit-days 1", log, &pid);
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    metrics = box.Command("curl -s http://127.0.0.1:" + port + "/metrics").out;
    if (Contains(metrics, "dangan_fixity_audit_cycles_completed_total 1")) break;
    usleep(100000);
  }
  BOOST_TEST(Contains(metrics, "dangan_fixity_audit_repaired_copies_total 1"), metrics);
  BOOST_TEST(Contains(metrics, "dangan_fixity_audit_unrepairable_records_total 1"), metrics);
  BOOST_TEST(Contains(metrics, "dangan_fixity_audit_stray_files_total 1"), metrics);
  // The preservation-stage checks ride along: the record with no good copy fails them.
  BOOST_TEST(Contains(metrics, "dangan_preservation_checks_failed_total 1"), metrics);
  BOOST_TEST(Contains(ReadFile(log), "stray file packages/"), ReadFile(log));
  BOOST_TEST(Contains(ReadFile(log), "FIXITY: " + refs[2]), ReadFile(log));
  BOOST_TEST(ReadFile(box.PackagePath(refs[1])) == ReadFile(copy_of(refs[1])));
  box.Command("kill -TERM " + pid + " && for i in $(seq 100); do kill -0 " + pid +
              " 2>/dev/null || exit 0; sleep 0.05; done; exit 1");
}

// A quorum of one copy: a filing goes on while the replica cannot take its copy (its year folder
// is in the way), `replica list` counts the copy waiting, and `audit run` writes it once the
// replica is fixed.
BOOST_AUTO_TEST_CASE(ReplicaQuorumLetsFilingGoOnAndCatchesUpLater) {
  Sandbox box;
  box.Init();
  const std::string replica = box / "second-disk";
  fs::create_directories(replica);
  std::vector<std::string> refs = box.Ingest(box.Generate("q", 2, 4));
  BOOST_TEST_REQUIRE(box.Run({"replica", "add", replica}).code == 0);
  BOOST_TEST(box.Run({"replica", "quorum", "3"}).code == 2);  // only two copies exist
  BOOST_TEST(box.Run({"replica", "quorum", "none"}).code == 2);
  RunResult set = box.Run({"replica", "quorum", "1"});
  BOOST_TEST_REQUIRE(set.code == 0, set);
  BOOST_TEST(Contains(box.Run({"replica", "list"}).out, "quorum: 1 of 2 copies"));

  const fs::path year =
      fs::path(replica + box.PackagePath(refs[0]).substr(box.root().size())).parent_path();
  fs::rename(year, year.string() + ".moved");
  WriteFile(year.string(), "a file where the replica's folder should be");
  std::vector<std::string> more = box.Ingest(box.Generate("q2", 1, 5));
  BOOST_TEST_REQUIRE(more.size() == 1u);
  const std::string lagging_copy = replica + box.PackagePath(more[0]).substr(box.root().size());
  BOOST_TEST(Contains(box.Run({"replica", "list"}).out, "copies waiting for catch-up: 1"));
  RunResult still = box.Run({"audit", "run"});
  BOOST_TEST(still.code == 1, still);
  BOOST_TEST(Contains(still.out, "LAGGING " + more[0]), still);

  fs::remove(year);
  fs::rename(year.string() + ".moved", year);
  RunResult caught = box.Run({"audit", "run"});
  BOOST_TEST(caught.code == 0, caught);
  BOOST_TEST(Contains(caught.err, "caught up 1 replica copy"), caught);
  BOOST_TEST(ReadFile(lagging_copy) == ReadFile(box.PackagePath(more[0])));
  BOOST_TEST(!Contains(box.Run({"replica", "list"}).out, "waiting"));
  RunResult all = box.Run({"replica", "quorum", "all"});
  BOOST_TEST(all.code == 0, all);
  BOOST_TEST(Contains(box.Run({"replica", "list"}).out, "quorum: all 2 copies"));
}

// ---------------------------------------------------------------------------------------------
// 7. export and bag validate

BOOST_AUTO_TEST_CASE(ExportWritesAValidBag) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 2, 9);
  std::vector<std::string> refs = box.Ingest(paths);
  const std::string bag = box / "bag";

  RunResult r = box.Run({"export", refs[1], "--bag", bag});
  BOOST_TEST_REQUIRE(r.code == 0, r);
  BOOST_TEST(fs::is_regular_file(bag + "/bagit.txt"));
  const std::string info = ReadFile(bag + "/bag-info.txt");
  BOOST_TEST(Contains(info, "External-Identifier: " + refs[1]), info);
  BOOST_TEST(Contains(info, "Payload-Oxum:"), info);
  const std::string input = ReadFile(fs::path(paths[1]).parent_path() / "申请表.txt");
  const std::string exported = bag + "/data/files/申请表.txt";
  BOOST_TEST_REQUIRE(fs::is_regular_file(exported));
  BOOST_TEST(ReadFile(exported) == input);

  // The history travels with the copy, as PREMIS events listed in the tag manifest.
  const std::string premis = ReadFile(bag + "/premis-events.xml");
  BOOST_TEST(Contains(premis, "http://www.loc.gov/premis/v3"), premis);
  BOOST_TEST(Contains(premis, "<eventType>file</eventType>"), premis);
  BOOST_TEST(Contains(premis, "<objectIdentifierValue>" + refs[1]), premis);
  BOOST_TEST(Contains(ReadFile(bag + "/tagmanifest-sha256.txt"), "premis-events.xml"));

  const std::string checker =
      "python3 " + Quote(std::string(DANGAN_SOURCE_DIR) + "/tests/tools/bagit_check.py") + " ";
  RunResult valid = box.Bare({"bag", "validate", bag});
  BOOST_TEST(valid.code == 0, valid);
  RunResult independent = box.Command(checker + Quote(bag));
  BOOST_TEST(independent.code == 0, independent);

  std::string changed = input;
  changed[0] = changed[0] == 'A' ? 'B' : 'A';
  WriteFile(exported, changed);
  BOOST_TEST_REQUIRE(ReadFile(exported).size() == input.size());
  RunResult invalid = box.Bare({"bag", "validate", bag});
  BOOST_TEST(invalid.code == 1, invalid);
  RunResult independent_invalid = box.Command(checker + Quote(bag));
  BOOST_TEST(independent_invalid.code == 1, independent_invalid);

  // Exporting into a directory that is not empty fails and leaves what was there.
  const std::string busy = box / "busy";
  WriteFile(busy + "/keep.txt", "mine\n");
  RunResult refused = box.Run({"export", refs[0], "--bag", busy});
  BOOST_TEST(refused.code != 0, refused);
  BOOST_TEST(!refused.err.empty(), refused);
  BOOST_TEST(ReadFile(busy + "/keep.txt") == "mine\n");
  BOOST_TEST(!fs::exists(busy + "/bagit.txt"));
}

// ---------------------------------------------------------------------------------------------
// 8. audit verify

void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  BOOST_TEST_REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  BOOST_TEST_REQUIRE(rc == SQLITE_OK, message);
}

// `dangan check` runs the preservation-stage items on filed records and names each failure by
// its item code; every run leaves a "check" event on the record.
BOOST_AUTO_TEST_CASE(CheckNamesTheFailedItemsOfDamagedRecords) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 4, 17);
  std::vector<std::string> refs = box.Ingest(paths);

  RunResult ok = box.Run({"check", "--stage", "preservation", "--all"});
  BOOST_TEST_REQUIRE(ok.code == 0, ok);
  BOOST_TEST(!Contains(ok.out, "FAILED"), ok);
  RunResult one = box.Run({"check", "--stage", "transfer", refs[0]});
  BOOST_TEST_REQUIRE(one.code == 0, one);
  BOOST_TEST(Contains(one.out, "PASSED " + refs[0]), one);
  BOOST_TEST(Contains(one.out, "YJ-2-2  完整性  件号连续性检测  通过"), one);

  // (a) a foreign file appended to the first package.
  RunResult appended = box.Command(
      "python3 -c 'import io,sys,tarfile\n"
      "t=tarfile.open(sys.argv[1],\"a\")\n"
      "i=tarfile.TarInfo(\"J/data/files/payload.exe\"); d=b\"MZ\"*10; i.size=len(d)\n"
      "t.addfile(i,io.BytesIO(d)); t.close()' " +
      Quote(box.PackagePath(refs[0])));
  BOOST_TEST_REQUIRE(appended.code == 0, appended);
  // (b) the second package removed.
  BOOST_TEST_REQUIRE(fs::remove(box.PackagePath(refs[1])));
  // (c) the third's digest rewritten in the catalogue, as by someone covering up a change.
  Exec(box.root() + "/catalogue.db", "UPDATE records SET package_sha256='" + std::string(64, 'f') +
                                         "' WHERE reference='" + refs[2] + "';");

  RunResult r = box.Run({"check", "--stage", "preservation", "--all"});
  BOOST_TEST(r.code == 1, r);
  BOOST_TEST(Contains(r.out, "FAILED " + refs[0]), r);
  BOOST_TEST(Contains(r.out, "BC-4-2"), r);
  BOOST_TEST(Contains(r.out, "payload.exe"), r);
  BOOST_TEST(Contains(r.out, "FAILED " + refs[1]), r);
  BOOST_TEST(Contains(r.out, "BC-1-8"), r);
  BOOST_TEST(Contains(r.out, "FAILED " + refs[2]), r);
  BOOST_TEST(Contains(r.out, "BC-4-3"), r);
  BOOST_TEST(!Contains(r.out, refs[3]), r);
  BOOST_TEST(Contains(r.err, "3 failed"), r);

  // --json: one report per line, with every item.
  RunResult j = box.Run({"check", "--stage", "preservation", "--json", refs[3]});
  BOOST_TEST_REQUIRE(j.code == 0, j);
  Object::Ptr report = ParseObject(j.out);
  BOOST_TEST(report->getValue<bool>("passed"));
  BOOST_TEST(report->getArray("items")->size() == 20u);

  // The reports are kept as events on the records.
  Object::Ptr shown = box.ShowJson(refs[1]);
  Array::Ptr events = shown->getArray("events");
  int checks = 0;
  std::string last_detail;
  for (size_t i = 0; i < events->size(); ++i)
    if (events->getObject(i)->getValue<std::string>("action") == "check") {
      ++checks;
      last_detail = events->getObject(i)->getValue<std::string>("detail");
    }
  BOOST_TEST(checks == 2);
  BOOST_TEST(Contains(last_detail, "BC-1-8"), last_detail);

  RunResult usage = box.Run({"check", "--stage", "filing", "--all"});
  BOOST_TEST(usage.code == 2, usage);
  RunResult unknown = box.Run({"check", "--stage", "preservation", "J012-SB·2025-Y-0101-9999"});
  BOOST_TEST(unknown.code == 1, unknown);
  BOOST_TEST(Contains(unknown.err, "no such record"), unknown);
}

// Appraisal through destruction: only records past their period, never decided by their
// proposer, blocked by a hold, supervised by two people; tombstones stay, packages go, the
// 销毁清册 is filed as a permanent record and the series never reuses a 件号.
BOOST_AUTO_TEST_CASE(AppraisalAndDestructionFollowTheRules) {
  Sandbox box;
  box.Init();
  const std::string out = box.cases() + "/old";
  RunResult made =
      box.Command("python3 " + Quote(std::string(DANGAN_SOURCE_DIR) + "/scripts/make_cases.py") +
                  " --out " + Quote(out) + " --count 12 --seed 3 --year 2010");
  BOOST_TEST_REQUIRE(made.code == 0, made);
  std::vector<std::string> paths = Lines(made.out);
  std::vector<std::string> refs = box.Ingest(paths);
  const int tars = box.TarCount();

  RunResult due = box.Run({"appraise", "due", "--due-by", "2026-11-24"});
  BOOST_TEST_REQUIRE(due.code == 0, due);
  std::vector<std::string> due_refs;
  for (const auto& line : Lines(due.out)) due_refs.push_back(line.substr(0, line.find('\t')));
  BOOST_TEST_REQUIRE(due_refs.size() == 2u, due);  // the two 10-year items of 2010
  for (const auto& r : due_refs) BOOST_TEST(Contains(r, "-D10-"), due);
  RunResult none_yet = box.Run({"appraise", "due", "--due-by", "2020-12-31"});
  BOOST_TEST(Lines(none_yet.out).empty(), none_yet);

  auto as = [&](const std::string& who, std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", box.root(), "--actor", who});
    return box.Bare(args);
  };
  // A record still within its period cannot be proposed for destruction.
  const std::string young = refs[1];  // 2010 · 0102 → 100 years
  RunResult early =
      as("王鉴定", {"appraise", "propose", young, "--decision", "destroy", "--reason", "x"});
  BOOST_TEST(early.code == 2, early);
  BOOST_TEST(Contains(early.err, "2111-01-01"), early);

  RunResult proposed = as("王鉴定", {"appraise", "propose", due_refs[0], due_refs[1], "--decision",
                                     "destroy", "--reason", "保管期满"});
  BOOST_TEST_REQUIRE(proposed.code == 0, proposed);
  BOOST_TEST(Lines(proposed.out) == (std::vector<std::string>{"1", "2"}), proposed);
  RunResult twice =
      as("王鉴定", {"appraise", "propose", due_refs[0], "--decision", "keep", "--reason", "again"});
  BOOST_TEST(twice.code == 2, twice);
  BOOST_TEST(Contains(twice.err, "already proposed"), twice);
  // Not yet approved: nothing to destroy.
  RunResult premature = as("张管理", {"destroy", "--supervisor", "甲", "--supervisor", "乙"});
  BOOST_TEST(premature.code == 1, premature);

  RunResult self = as("王鉴定", {"appraise", "approve", "1", "2"});
  BOOST_TEST(self.code == 1, self);
  BOOST_TEST(Contains(self.err, "cannot also decide"), self);
  RunResult approved = as("李领导", {"appraise", "approve", "1", "2"});
  BOOST_TEST_REQUIRE(approved.code == 0, approved);

  // A hold on a query covering the second record blocks the whole destruction.
  const std::string item = due_refs[1].substr(due_refs[1].size() - 9, 4);
  RunResult hold =
      as("赵审计", {"hold", "place", "--item", item, "--year", "2010", "--reason", "审计进行中"});
  BOOST_TEST_REQUIRE(hold.code == 0, hold);
  RunResult blocked = as("张管理", {"destroy", "--supervisor", "甲", "--supervisor", "乙"});
  BOOST_TEST(blocked.code == 1, blocked);
  BOOST_TEST(Contains(blocked.err, due_refs[1]), blocked);
  BOOST_TEST(Contains(blocked.err, "审计进行中"), blocked);
  BOOST_TEST(box.TarCount() == tars);
  BOOST_TEST(box.Run({"show", due_refs[0]}).code == 0);

  RunResult one_supervisor = as("张管理", {"destroy", "--supervisor", "甲", "--supervisor", "甲"});
  BOOST_TEST(one_supervisor.code == 2, one_supervisor);
  BOOST_TEST_REQUIRE(as("赵审计", {"hold", "release", "1"}).code == 0);

  const std::string pdf = box / "销毁清册.pdf";
  RunResult destroyed =
      as("张管理", {"destroy", "--supervisor", "甲", "--supervisor", "乙", "--out", pdf});
  BOOST_TEST_REQUIRE(destroyed.code == 0, destroyed);
  BOOST_TEST(Lines(destroyed.out).size() == 2u, destroyed);
  std::smatch m;
  BOOST_TEST_REQUIRE(
      std::regex_search(destroyed.err, m, std::regex("filed as (J012-SB·20[0-9]{2}-Y-1001-0001)")),
      destroyed);
  const std::string register_ref = m[1];
  const std::string destroyed_year = register_ref.substr(register_ref.find("·") + 2, 4);

  // The packages are gone from storage; the register's package is new.
  BOOST_TEST(box.TarCount() == tars - 2 + 1);
  for (const auto& r : due_refs) {
    RunResult shown = box.Run({"show", r});
    BOOST_TEST(shown.code == 1, shown);
    BOOST_TEST(Contains(shown.out, "已销毁"), shown);
    BOOST_TEST(Contains(shown.out, register_ref), shown);
  }
  BOOST_TEST(box.Search({"--year", "2010"}).first == static_cast<int>(refs.size()) - 2);
  Object::Ptr reg = box.ShowJson(register_ref);
  BOOST_TEST(reg->getObject("parts")->getValue<std::string>("retention") == "Y");
  BOOST_TEST(reg->getObject("parts")->getValue<std::string>("item") == "1001");
  RunResult text = box.Command("pdftotext " + Quote(pdf) + " - 2>/dev/null");
  BOOST_TEST(Contains(text.out, "档案销毁清册"), text);
  BOOST_TEST(Contains(text.out, "监销人"), text);
  for (const auto& r : due_refs)
    BOOST_TEST(Contains(text.out, r.substr(r.size() - 4)),
               text);  // the 件号 column survives wrapping

  RunResult stats = box.Run({"report", "statistics", "--year", destroyed_year, "--json"});
  BOOST_TEST_REQUIRE(stats.code == 0, stats);
  BOOST_TEST(ParseObject(stats.out)->getValue<int>("destroyed_records") == 2, stats);

  // The chain holds, and the holdings still pass the preservation checks (件号 continuous:
  // tombstones keep their numbers).
  BOOST_TEST(box.Run({"audit", "verify"}).code == 0);
  RunResult checked = box.Run({"check", "--stage", "preservation", "--all"});
  BOOST_TEST(checked.code == 0, checked);

  // A later filing into a destroyed record's series takes the next number, never a freed one.
  std::string source_case;
  for (size_t i = 0; i < refs.size(); ++i)
    if (refs[i] == due_refs[0]) source_case = paths[i];
  BOOST_TEST_REQUIRE(!source_case.empty());
  const std::string copy = fs::path(source_case).parent_path() / "again.json";
  WriteFile(copy, ReadFile(source_case));
  EditJson(copy, [](Object::Ptr c) { c->set("case_id", "AGAIN-1"); });
  std::vector<std::string> next = box.Ingest({copy});
  BOOST_TEST(next[0] == due_refs[0].substr(0, due_refs[0].size() - 4) + "0002");
  // …and its series counts as continuous: 0001 is held by the tombstone.
  RunResult continuous = box.Run({"check", "--stage", "preservation", next[0]});
  BOOST_TEST(continuous.code == 0, continuous);
}

// 移交 and 接收: a transfer that `receive` accepts, and tampered copies of it that it rejects.
BOOST_AUTO_TEST_CASE(TransferIsAcceptedAndTamperingIsFound) {
  Sandbox box;
  box.Init();
  std::vector<std::string> refs = box.Ingest(box.Generate("gen", 5, 23));
  const std::string dir = box / "transfer";
  RunResult t = box.Run({"transfer", "--year", "2025", "--out", dir});
  BOOST_TEST_REQUIRE(t.code == 0, t);
  BOOST_TEST(Lines(t.out).size() == refs.size(), t);
  RunResult ok = box.Bare({"receive", dir});
  BOOST_TEST_REQUIRE(ok.code == 0, ok);
  BOOST_TEST(Contains(ok.err, "accepted"), ok);
  BOOST_TEST(Contains(ok.err, "5 package(s)"), ok);
  // The 登记表 names the packages and the key both sides sign for.
  RunResult table =
      box.Command("pdftotext " + Quote(dir + "/移交与接收登记表.pdf") + " - 2>/dev/null");
  BOOST_TEST(Contains(table.out, "移交与接收登记表"), table);
  BOOST_TEST(Contains(table.out, "5 件"), table);
  // Each package is DA/T 48 XML with the content embedded and the record's history.
  const std::string first = dir + "/" + Lines(t.out)[0].substr(Lines(t.out)[0].find('\t') + 1);
  const std::string eep = ReadFile(first);
  BOOST_TEST(Contains(
      eep, "<电子文件封装包 xmlns=\"http://www.saac.gov.cn/standards/ERM/encapsulation\">"));
  for (const char* element :
       {"<被签名对象", "<文件实体块>", "<业务实体块>", "<机构人员实体块>", "<编码数据>",
        "<电子签名块>", "<锁定签名>", "<业务行为>归档</业务行为>"})
    BOOST_TEST(Contains(eep, element), element);
  // The records left custody: marked transferred, counted as the year's 移交, not as holdings.
  BOOST_TEST(box.ShowJson(refs[0])->getValue<std::string>("state") == "transferred");
  RunResult stats = box.Run({"report", "statistics", "--year", ThisYear(), "--json"});
  BOOST_TEST_REQUIRE(stats.code == 0, stats);
  BOOST_TEST(ParseObject(stats.out)->getValue<int>("transferred_records") == 5, stats);
  // A transfer is written once: the same directory again is refused.
  RunResult again = box.Run({"transfer", "--year", "2025", "--out", dir});
  BOOST_TEST(again.code == 2, again);

  auto tampered = [&](const std::string& name, const std::string& script) {
    const std::string copy = box / name;
    RunResult c = box.Command("cp -r " + Quote(dir) + " " + Quote(copy) + " && cd " + Quote(copy) +
                              " && python3 -c " + Quote(script));
    BOOST_TEST_REQUIRE(c.code == 0, c);
    RunResult r = box.Bare({"receive", copy});
    BOOST_TEST(r.code == 1, r);
    return r.out;
  };
  const std::string pick =
      "import glob,hashlib\n"
      "f=sorted(glob.glob('*.eep'))[0]\n"
      "b=bytearray(open(f,'rb').read())\n";
  const std::string relist =
      "m=open('manifest.txt').read().split('\\n')\n"
      "m=[l if not l.startswith(f+'\\t') else '\\t'.join([f,str(len(b)),"
      "hashlib.sha256(b).hexdigest(),hashlib.new('sm3',bytes(b)).hexdigest(),l.split('\\t')[4]])"
      " for l in m]\n"
      "open('manifest.txt','w').write('\\n'.join(m))\n";
  // (a) one byte of embedded content changed.
  std::string out = tampered("changed", pick +
                                            "i=b.index('<编码数据>'.encode())+30\n"
                                            "b[i]=ord('A') if b[i]!=ord('A') else ord('B')\n"
                                            "open(f,'wb').write(b)\n");
  BOOST_TEST(Contains(out, "SHA-256 differs from the manifest"), out);
  BOOST_TEST(Contains(out, "电子签名 does not verify"), out);
  // (b) a record removed, and removed together with its manifest line.
  out = tampered("removed", pick + "import os\nos.remove(f)\n");
  BOOST_TEST(Contains(out, "listed but missing"), out);
  out = tampered(
      "removed-relisted",
      pick +
          "import os\nos.remove(f)\n"
          "m=[l for l in open('manifest.txt').read().split('\\n') if not l.startswith(f)]\n"
          "open('manifest.txt','w').write('\\n'.join(m))\n");
  BOOST_TEST(Contains(out, "manifest.txt and transfer.json does not verify"), out);
  // (c) the XML edited (a title) and the manifest's digests brought in line.
  out =
      tampered("edited", pick +
                             "s=b.decode()\n"
                             "import re\n"
                             "s=re.sub('<题名>[^<]*</题名>','<题名>改过的题名</题名>',s,count=1)\n"
                             "b=bytearray(s.encode())\n"
                             "open(f,'wb').write(b)\n" +
                             relist);
  BOOST_TEST(Contains(out, "电子签名 does not verify"), out);
  BOOST_TEST(Contains(out, "锁定签名 does not verify"), out);
  BOOST_TEST(!Contains(out, "SHA-256 differs from the manifest"), out);
  // (c2) markup the writer never makes (a comment here; a processing instruction or CDATA
  // could hide the signed bytes from the parser) is refused outright.
  out = tampered("comment", pick +
                                "s=b.decode().replace('<版本>','<!-- x --><版本>',1)\n"
                                "b=bytearray(s.encode())\n"
                                "open(f,'wb').write(b)\n" +
                                relist);
  BOOST_TEST(Contains(out, "processing instructions, CDATA or DOCTYPE are not allowed"), out);
  // (d) a foreign file slipped in.
  out = tampered("foreign", "open('extra.eep','w').write('<x/>')\n");
  BOOST_TEST(Contains(out, "extra.eep is not in the manifest"), out);

  // A record that fails the transfer-stage checks stops the whole transfer.
  BOOST_TEST_REQUIRE(fs::remove(box.PackagePath(refs[2])));
  RunResult refused = box.Run({"transfer", "--year", "2025", "--out", box / "second"});
  BOOST_TEST(refused.code == 1, refused);
  BOOST_TEST(Contains(refused.err, refs[2]), refused);
  BOOST_TEST(Contains(refused.err, "YJ-1-8"), refused);
  BOOST_TEST((!fs::exists(box / "second") || fs::is_empty(box / "second")));
}

// Once users exist, every command needs a registered --actor whose role allows it: a role ×
// command matrix, written out here (roles.json is the policy; this is what it must say).
BOOST_AUTO_TEST_CASE(RolesDecideWhoMayRunEachCommand) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 3, 29);
  std::vector<std::string> refs = box.Ingest({paths[0], paths[1]});
  auto as = [&](const std::string& who, std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", box.root(), "--actor", who});
    return box.Bare(args);
  };
  RunResult first = as("甲", {"user", "add", "甲", "--role", "archivist"});
  BOOST_TEST(first.code == 2, first);  // the first user administers
  BOOST_TEST_REQUIRE(as("管理员", {"user", "add", "管理员", "--role", "admin"}).code == 0);
  for (auto [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"档案员", "archivist"}, {"领导", "leader"}, {"窗口", "inquiry"}})
    BOOST_TEST_REQUIRE(as("管理员", {"user", "add", name, "--role", role}).code == 0);
  RunResult unknown_role = as("管理员", {"user", "add", "某", "--role", "boss"});
  BOOST_TEST(unknown_role.code == 2, unknown_role);

  const std::vector<std::string> people = {"管理员", "档案员", "领导", "窗口"};
  struct Row {
    std::vector<std::string> args;
    std::set<std::string> allowed;
  };
  const std::vector<Row> rows = {
      {{"search", "失业"}, {"管理员", "档案员", "领导", "窗口"}},
      {{"show", refs[0]}, {"管理员", "档案员", "领导", "窗口"}},
      {{"export", refs[0], "--bag", box / "bag-X"}, {"档案员", "窗口"}},
      {{"ingest", paths[2]}, {"档案员"}},
      {{"verify", refs[0]}, {"管理员", "档案员"}},
      {{"check", "--stage", "preservation", refs[0]}, {"管理员", "档案员"}},
      {{"appraise", "due", "--due-by", "2026-01-01"}, {"档案员", "领导"}},
      {{"appraise", "propose", "X", "--decision", "keep", "--reason", "r"}, {"档案员"}},
      {{"appraise", "approve", "1"}, {"领导"}},
      {{"hold", "list"}, {"档案员", "领导"}},
      {{"destroy", "--supervisor", "a", "--supervisor", "b"}, {"档案员"}},
      {{"transfer", "--year", "1999", "--out", box / "t-X"}, {"档案员"}},
      {{"replica", "list"}, {"管理员"}},
      {{"user", "list"}, {"管理员"}},
      {{"report", "statistics", "--year", "2025", "--out", box / "s-X.pdf"},
       {"管理员", "档案员", "领导"}},
  };
  for (const auto& row : rows) {
    for (const auto& who : people) {
      std::vector<std::string> args = row.args;
      for (auto& a : args) {  // one output path per person
        auto x = a.find("-X");
        if (x != std::string::npos) a.replace(x, 2, "-" + std::to_string(&who - &people[0]));
      }
      RunResult r = as(who, args);
      BOOST_TEST_CONTEXT(who << ": dangan " << args[0] << " " << (args.size() > 1 ? args[1] : "")) {
        if (row.allowed.count(who)) {
          BOOST_TEST(r.code != 3, r);
          BOOST_TEST(!Contains(r.err, "forbidden"), r);
        } else {
          BOOST_TEST(r.code == 3, r);
          BOOST_TEST(Contains(r.err, "forbidden"), r);
        }
      }
    }
  }
  // An option that swallows the next word cannot make a command look milder than it is.
  for (auto [who, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"窗口", {"destroy", "--supervisor", "a", "--supervisor", "b", "--out", "--help"}},
           {"领导", {"destroy", "--out", "--list", "--supervisor", "a", "--supervisor", "b"}},
           {"档案员", {"appraise", "--note", "x", "approve", "1"}},
           // nor make one look as if a shared catalogue would check the actor instead
           {"路人", {"hold", "place", "--class", "05", "--reason", "--catalogue"}},
           {"窗口", {"user", "list", "--role", "--catalogue"}}}) {
    RunResult r = as(who, args);
    BOOST_TEST(r.code == 3, r);
  }
  // Someone not registered may do nothing; --help is always open.
  RunResult stranger = as("路人", {"search", "失业"});
  BOOST_TEST(stranger.code == 3, stranger);
  BOOST_TEST(Contains(stranger.err, "not a registered user"), stranger);
  BOOST_TEST(Contains(stranger.err, "--actor NAME"), stranger);
  BOOST_TEST(as("路人", {"search", "--help"}).code == 0);
  // A sub-command's help too, and help after other words; never "--help" as an option's value
  // (destroy --out --help above).
  for (const std::vector<std::string> args :
       {std::vector<std::string>{"apikey", "create", "--help"},
        {"audit", "run", "--help"},
        {"audit", "verify", "--help"},
        {"catalogue", "optimize", "--help"},
        {"replica", "add", "--help"},
        {"replica", "quorum", "--help"},
        {"classifier", "report", "--help"},
        {"user", "add", "--help"},
        {"worker", "run", "--help"},
        {"worker", "enqueue", "--help"},
        {"destroy", "--supervisor", "a", "--help"},
        {"search", "失业", "--help"}}) {
    BOOST_TEST_CONTEXT("dangan " << args[0] << " " << args[1] << " --help") {
      RunResult r = as("路人", args);
      BOOST_TEST(r.code == 0, r);
      BOOST_TEST(Contains(r.out, "usage"), r);
    }
  }
  BOOST_TEST(as("路人", {"search", "--", "--help"}).code == 3);

  // An archive's own roles.local.json replaces the built-in roles: here the leader no longer
  // prints reports.
  std::string roles = dangan::BuiltinRolesJson();
  const std::string leader_perms = "\"report\", \"appraise.read\", \"appraise.decide\"";
  auto at = roles.find(leader_perms);
  BOOST_REQUIRE(at != std::string::npos);
  roles.replace(at, leader_perms.size(), "\"appraise.read\", \"appraise.decide\"");
  const fs::path local = fs::path(box.root()) / "roles.local.json";
  { std::ofstream(local) << roles; }
  const std::vector<std::string> report = {"report", "statistics", "--year",
                                           "2025",   "--out",      box / "s-local.pdf"};
  RunResult no_report = as("领导", report);
  BOOST_TEST(no_report.code == 3, no_report);
  BOOST_TEST(as("档案员", report).code == 0);
  // A local file that forgets a permission the program checks is refused, naming the file,
  // rather than leaving what it guards open or closed by accident.
  {
    Poco::JSON::Parser parser;
    auto doc = parser.parse(roles).extract<Poco::JSON::Object::Ptr>();
    doc->getObject("permissions")->remove("transfer");
    auto list = doc->getArray("roles");
    for (size_t i = 0; i < list->size(); ++i) {
      auto perms = list->getObject(i)->getArray("permissions");
      Poco::JSON::Array::Ptr kept = new Poco::JSON::Array;
      for (size_t j = 0; j < perms->size(); ++j)
        if (perms->getElement<std::string>(j) != "transfer") kept->add(perms->get(j));
      list->getObject(i)->set("permissions", kept);
    }
    std::ofstream out(local);
    Poco::JSON::Stringifier::stringify(doc, out);
  }
  RunResult broken = as("档案员", {"search", "失业"});
  BOOST_TEST(broken.code != 0, broken);
  BOOST_TEST(Contains(broken.err, "roles.local.json"), broken);
  BOOST_TEST(Contains(broken.err, "permission transfer"), broken);
  fs::remove(local);
  BOOST_TEST(as("领导", report).code == 0);
}

BOOST_AUTO_TEST_CASE(ALocalRulesFileThatCannotBeReadIsAnErrorNotTheBuiltInRules) {
  Sandbox box;
  box.Init();
  // Roles are read once the archive has users.
  BOOST_TEST_REQUIRE(box.Bare({"--root", box.root(), "--actor", "管理员", "user", "add", "管理员",
                               "--role", "admin"})
                         .code == 0);
  auto search = [&]() {
    return box.Bare({"--root", box.root(), "--actor", "管理员", "search", "失业"});
  };
  BOOST_TEST_REQUIRE(search().code == 0);
  // Taking such a file as absent would classify and check records by other rules than the
  // archive's own, or let other people see them, without a word.
  for (const char* name : {"scheme.local.json", "checks.local.json", "roles.local.json"}) {
    const fs::path local = fs::path(box.root()) / name;
    { std::ofstream(local) << ""; }
    RunResult empty = search();
    BOOST_TEST(empty.code != 0, empty);
    BOOST_TEST(Contains(empty.err, std::string(name) + " is empty"), empty);
    fs::remove(local);
    fs::create_directory(local);
    RunResult folder = search();
    BOOST_TEST(folder.code != 0, folder);
    BOOST_TEST(Contains(folder.err, std::string(name) + " is not a file"), folder);
    fs::remove(local);
    fs::create_symlink(fs::path(box.root()) / "nowhere.json", local);  // dangling
    RunResult dangling = search();
    BOOST_TEST(dangling.code != 0, dangling);
    BOOST_TEST(Contains(dangling.err, std::string(name) + " is not a file"), dangling);
    fs::remove(local);
  }
  BOOST_TEST(search().code == 0);
}

BOOST_AUTO_TEST_CASE(AuditVerifyDetectsATamperedEvent) {
  Sandbox box;
  box.Init();
  std::vector<std::string> paths = box.Generate("gen", 2, 13);
  box.Ingest(paths);

  RunResult ok = box.Run({"audit", "verify"});
  BOOST_TEST_REQUIRE(ok.code == 0, ok);
  BOOST_TEST(!Contains(ok.out, "BROKEN"), ok);

  // The append-only trigger refuses the edit while it exists.
  {
    sqlite3* db = nullptr;
    BOOST_TEST_REQUIRE(sqlite3_open((box.root() + "/catalogue.db").c_str(), &db) == SQLITE_OK);
    int rc =
        sqlite3_exec(db, "UPDATE events SET detail='{}' WHERE seq=2;", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    BOOST_TEST(rc != SQLITE_OK);
  }
  Exec(box.root() + "/catalogue.db",
       "DROP TRIGGER events_append_only_update; UPDATE events SET detail='{}' WHERE seq=2;");
  RunResult r = box.Run({"audit", "verify"});
  BOOST_TEST(r.code == 1, r);
  BOOST_TEST(Contains(r.out, "event 2"), r);

  // A deleted row breaks the chain too (the next event no longer links to its predecessor).
  Sandbox other;
  other.Init();
  other.Ingest(other.Generate("gen", 3, 31));
  BOOST_TEST_REQUIRE(other.Run({"audit", "verify"}).code == 0);
  Exec(other.root() + "/catalogue.db",
       "DROP TRIGGER events_append_only_delete; DELETE FROM events WHERE seq=2;");
  RunResult deleted = other.Run({"audit", "verify"});
  BOOST_TEST(deleted.code == 1, deleted);
  BOOST_TEST(Contains(deleted.out, "event 3"), deleted);
}

// The number `sql` (one row, one column) counts in the catalogue, read without the program.
int64_t Count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

// The event number after "anchored head: event " in `audit verify`'s output; 0 when absent.
int64_t AnchoredHead(const std::string& out) {
  std::smatch m;
  return std::regex_search(out, m, std::regex("anchored head: event ([0-9]+)")) ? std::stoll(m[1])
                                                                                : 0;
}

// Events deleted from the end of the chain leave a chain that still links; the head anchored
// outside the catalogue (audit-head, in the root and every replica) finds the cut, and no later
// command anchors over the evidence. An archive without an anchor verifies, and gets one.
BOOST_AUTO_TEST_CASE(AuditVerifyFindsEventsRemovedFromTheEndThroughTheAnchor) {
  Sandbox box;
  box.Init();
  const std::string replica = box / "replica";
  fs::create_directories(replica);
  BOOST_TEST_REQUIRE(box.Run({"replica", "add", replica}).code == 0);
  std::vector<std::string> refs = box.Ingest(box.Generate("gen", 3, 17));
  // Events that are no filing, so the filing-event check cannot be what finds their removal.
  for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(box.Run({"verify", refs[0]}).code == 0);
  const std::string anchor = box.root() + "/audit-head";
  BOOST_TEST(fs::exists(anchor));  // the last command to append events anchored them
  BOOST_TEST(fs::exists(replica + "/audit-head"));

  // Without an anchor (an archive from before anchoring): intact, said so, and anchored now.
  fs::remove(anchor);
  fs::remove(replica + "/audit-head");
  RunResult first = box.Run({"audit", "verify"});
  BOOST_TEST_REQUIRE(first.code == 0, first);
  BOOST_TEST(Contains(first.out, "no anchor yet"), first);
  const int64_t head = AnchoredHead(first.out);
  BOOST_TEST_REQUIRE(head == Count(box.root() + "/catalogue.db", "SELECT max(seq) FROM events"),
                     first);
  BOOST_TEST(Contains(ReadFile(anchor), "seq: " + std::to_string(head) + "\n"));
  BOOST_TEST(ReadFile(replica + "/audit-head") == ReadFile(anchor));
  RunResult again = box.Run({"audit", "verify"});
  BOOST_TEST(again.code == 0, again);
  BOOST_TEST(Contains(again.out, "anchor: event " + std::to_string(head)), again);

  // The last two events deleted, as someone with the catalogue file could.
  Exec(box.root() + "/catalogue.db",
       "DROP TRIGGER events_append_only_delete; DELETE FROM events WHERE seq > " +
           std::to_string(head - 2) + ";");
  RunResult cut = box.Run({"audit", "verify"});
  BOOST_TEST(cut.code == 1, cut);
  BOOST_TEST(
      Contains(cut.out, "BROKEN: events were removed from the end: the chain ends at event " +
                            std::to_string(head - 2) + " but event " + std::to_string(head) +
                            " (hash "),
      cut);
  // A command appending events afterwards does not anchor the shorter chain over the evidence.
  RunResult later = box.Run({"verify", refs[1]});
  BOOST_TEST(later.code == 0, later);
  BOOST_TEST(Contains(later.err, "warning: the audit chain's head is not anchored"), later);
  BOOST_TEST(Contains(ReadFile(anchor), "seq: " + std::to_string(head) + "\n"));
  RunResult still = box.Run({"audit", "verify"});
  BOOST_TEST(still.code == 1, still);
  BOOST_TEST(Contains(still.out, "but event " + std::to_string(head) + " (hash "), still);

  // After a deliberate restore the chain is accepted as it is, on the record: the reason and the
  // anchors replaced are kept in a `reanchor` event, and verify holds again.
  BOOST_TEST(box.Run({"audit", "reanchor"}).code == 2);  // a reason is required
  RunResult reanchored =
      box.Run({"audit", "reanchor", "--reason", "catalogue restored from backup"});
  BOOST_TEST_REQUIRE(reanchored.code == 0, reanchored);
  BOOST_TEST(Contains(reanchored.out, "re-anchored at event"), reanchored);
  RunResult restored = box.Run({"audit", "verify"});
  BOOST_TEST(restored.code == 0, restored);
  BOOST_TEST(Count(box.root() + "/catalogue.db",
                   "SELECT count(*) FROM events WHERE action='reanchor' AND detail LIKE "
                   "'%catalogue restored from backup%\"seq\":" +
                       std::to_string(head) + "%'") == 1);
  BOOST_TEST(ReadFile(replica + "/audit-head") == ReadFile(anchor));
}

// An anchor file edited by hand (here: moved back to an earlier event) no longer verifies its
// signature and is reported with its path, even where another root's anchor is good.
BOOST_AUTO_TEST_CASE(AuditVerifyReportsAnEditedAnchor) {
  Sandbox box;
  box.Init();
  const std::string replica = box / "replica";
  fs::create_directories(replica);
  BOOST_TEST_REQUIRE(box.Run({"replica", "add", replica}).code == 0);
  box.Ingest(box.Generate("gen", 2, 19));
  RunResult ok = box.Run({"audit", "verify"});
  BOOST_TEST_REQUIRE(ok.code == 0, ok);
  const int64_t head = AnchoredHead(ok.out);
  BOOST_TEST_REQUIRE(head > 1, ok);
  std::string text = ReadFile(replica + "/audit-head");
  const std::string line = "seq: " + std::to_string(head) + "\n";
  BOOST_TEST_REQUIRE(Contains(text, line), text);
  text.replace(text.find(line), line.size(), "seq: " + std::to_string(head - 1) + "\n");
  WriteFile(replica + "/audit-head", text);
  RunResult r = box.Run({"audit", "verify"});
  BOOST_TEST(r.code == 1, r);
  BOOST_TEST(Contains(r.out, "BROKEN: the anchor " + replica + "/audit-head"), r);
  BOOST_TEST(Contains(r.out, "signature does not match"), r);
  BOOST_TEST(ReadFile(replica + "/audit-head") == text);  // kept as evidence
}

// Bad input to the lifecycle commands: a usage error (exit 2) that names what is wrong, and
// nothing stored: no appraisal, no hold, no event.
BOOST_AUTO_TEST_CASE(LifecycleCommandsRefuseBadInputAndStoreNothing) {
  Sandbox box;
  box.Init();
  std::vector<std::string> refs = box.Ingest(box.Generate("gen", 1, 43));
  const std::string db = box.root() + "/catalogue.db";
  const int64_t events = Count(db, "SELECT count(*) FROM events");
  BOOST_TEST_REQUIRE(events > 0);

  RunResult decision =
      box.Run({"appraise", "propose", refs[0], "--decision", "bogus", "--reason", "x"});
  BOOST_TEST(decision.code == 2, decision);
  BOOST_TEST(Contains(decision.err, "--decision must be keep, extend or destroy"), decision);
  BOOST_TEST(decision.out.empty(), decision);
  RunResult appraisals = box.Run({"appraise", "list"});
  BOOST_TEST(appraisals.code == 0, appraisals);
  BOOST_TEST(appraisals.out.empty(), appraisals);

  // 123 is no 公民身份号码 (18 characters with a check digit).
  RunResult person = box.Run({"hold", "place", "--person", "123", "--reason", "x"});
  BOOST_TEST(person.code == 2, person);
  BOOST_TEST(Contains(person.err, "dangan: --person: "), person);
  BOOST_TEST(person.out.empty(), person);
  RunResult holds = box.Run({"hold", "list", "--all"});
  BOOST_TEST(holds.code == 0, holds);
  BOOST_TEST(holds.out.empty(), holds);

  // `receive` checks a transfer directory; a regular file is a usage error, not a transfer
  // with problems, and is left as it was.
  const std::string file = box / "not-a-transfer.txt";
  WriteFile(file, "manifest?\n");
  RunResult receive = box.Run({"receive", file});
  BOOST_TEST(receive.code == 2, receive);
  BOOST_TEST(Contains(receive.err, "dangan: " + file + " is not a directory"), receive);
  BOOST_TEST(receive.out.empty(), receive);
  BOOST_TEST(ReadFile(file) == "manifest?\n");
  RunResult missing = box.Run({"receive", box / "no-such-dir"});
  BOOST_TEST(missing.code == 2, missing);
  BOOST_TEST(Contains(missing.err, "does not exist"), missing);

  BOOST_TEST(Count(db, "SELECT count(*) FROM events") == events);
}

// Once an archive has users, a command needing a permission is refused when the catalogue that
// says who they are cannot be read (garbage in its place, or something that cannot be opened),
// not let through as if nobody were registered.
BOOST_AUTO_TEST_CASE(AnUnreadableCatalogueRefusesRatherThanLettingEveryoneIn) {
  Sandbox box;
  box.Init();
  auto as = [&](const std::string& who, std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", box.root(), "--actor", who});
    return box.Bare(args);
  };
  BOOST_TEST_REQUIRE(as("管理员", {"user", "add", "管理员", "--role", "admin"}).code == 0);
  BOOST_TEST_REQUIRE(as("管理员", {"search", "失业"}).code == 0);
  const std::string db = box.root() + "/catalogue.db";
  fs::rename(db, db + ".good");

  WriteFile(db, std::string(4096, 'x'));
  for (const std::string who : {"管理员", "路人"}) {
    RunResult r = as(who, {"search", "失业"});
    BOOST_TEST(r.code == 3, who << ": " << r);
    BOOST_TEST(Contains(r.err, "forbidden: reading the users of"), who << ": " << r);
  }
  BOOST_TEST(ReadFile(db) == std::string(4096, 'x'));

  // SQLite cannot even open a directory: that is no "catalogue not made yet" either.
  fs::remove(db);
  fs::create_directory(db);
  RunResult dir = as("路人", {"hold", "list"});
  BOOST_TEST(dir.code == 3, dir);
  BOOST_TEST(Contains(dir.err, "forbidden: reading the users of"), dir);
  BOOST_TEST(fs::is_empty(db));

  fs::remove(db);
  fs::rename(db + ".good", db);
  BOOST_TEST(as("管理员", {"search", "失业"}).code == 0);
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// 9. serve and apikey: a real server process, a filing over HTTP, and a clean stop on SIGTERM

BOOST_AUTO_TEST_CASE(ServeFilesOverHttpAndStopsCleanlyOnSigterm) {
  Sandbox box;
  box.Init();
  RunResult key = box.Run({"apikey", "create", "--source", "sbxt"});
  BOOST_TEST_REQUIRE(key.code == 0, key);
  std::vector<std::string> key_lines = Lines(key.out);
  const std::string api_key = key_lines.back();
  BOOST_TEST(std::regex_match(api_key, std::regex("dk_[0-9a-f]{8}_[0-9a-f]{64}")), api_key);
  BOOST_TEST(!Contains(ReadFile(box.root() + "/api_keys"), api_key));  // only its hash is kept
  BOOST_TEST(box.Run({"apikey", "create", "--source", "bad source"}).code == 2);

  std::vector<std::string> paths = box.Generate("srv", 1, 21);
  const std::string log = box / "serve.log";
  std::string pid;
  const std::string port = box.StartServer("", log, &pid);
  const std::string base = "http://127.0.0.1:" + port;
  const std::string dir = fs::path(paths[0]).parent_path().string();
  RunResult post =
      box.Command("curl -s -o " + Quote(box / "receipt.json") + " -w '%{http_code}' -H " +
                  Quote("Authorization: Bearer " + api_key) + " -F " + Quote("case=<" + paths[0]) +
                  " -F " + Quote("file=@" + dir + "/申请表.txt") + " " + base + "/api/v1/cases");
  BOOST_TEST(post.out == "201", post << ReadFile(box / "receipt.json"));
  BOOST_TEST(Contains(ReadFile(box / "receipt.json"), "\"signature\""));
  RunResult health = box.Command("curl -s " + base + "/healthz");
  BOOST_TEST(Contains(health.out, "\"records\":1"), health);

  RunResult stop = box.Command("kill -TERM " + pid + " && for i in $(seq 100); do kill -0 " + pid +
                               " 2>/dev/null || exit 0; sleep 0.05; done; exit 1");
  BOOST_TEST(stop.code == 0, "the server did not stop on SIGTERM\n" << ReadFile(log));
  BOOST_TEST(Contains(ReadFile(log), "stopping"));
  // The server anchored the head its requests moved (at the latest when it stopped).
  const int64_t head = Count(box.root() + "/catalogue.db", "SELECT max(seq) FROM events");
  BOOST_TEST(Contains(ReadFile(box.root() + "/audit-head"), "seq: " + std::to_string(head) + "\n"),
             head);
  BOOST_TEST(box.Total() == 1);
}

// The portal tells the public what the archive promises (限时办结): an archive's own
// inquiry.local.json replaces the built-in rules in the server, and a broken one stops it.
BOOST_AUTO_TEST_CASE(AnArchivesOwnInquiryRulesAreWhatItsPortalPromises) {
  Sandbox box;
  box.Init();
  std::string rules = dangan::BuiltinInquiryJson();
  const std::string promised = "\"promised_working_days\": 5";
  auto at = rules.find(promised);
  BOOST_REQUIRE(at != std::string::npos);
  rules.replace(at, promised.size(), "\"promised_working_days\": 3");
  const std::string local = box.root() + "/inquiry.local.json";
  WriteFile(local, rules);

  const std::string log = box / "serve.log";
  std::string pid;
  const std::string port = box.StartServer("", log, &pid);
  RunResult guide =
      box.Command("curl -s http://127.0.0.1:" + port + "/api/v1/public/inquiry-guide");
  BOOST_TEST(Contains(guide.out, "\"promised_working_days\":3"), guide);
  RunResult stop = box.Command("kill -TERM " + pid + " && for i in $(seq 100); do kill -0 " + pid +
                               " 2>/dev/null || exit 0; sleep 0.05; done; exit 1");
  BOOST_TEST(stop.code == 0, ReadFile(log));

  // Broken or empty: the server does not start on rules other than the archive's own.
  // (Under a time limit: a server that ignored the file would run on.)
  const std::string serve =
      "timeout 20 " + Quote(DANGAN_BINARY) + " --root " + Quote(box.root()) + " serve --port 0";
  WriteFile(local, "{\"version\": \"dangan inquiry 1\"");
  RunResult broken = box.Command(serve);
  BOOST_TEST(broken.code != 0, broken);
  BOOST_TEST(broken.code != 124, broken);
  BOOST_TEST(Contains(broken.err, "inquiry.local.json"), broken);
  WriteFile(local, "");
  RunResult empty = box.Command(serve);
  BOOST_TEST(empty.code != 124, empty);
  BOOST_TEST(empty.code != 0, empty);
  BOOST_TEST(Contains(empty.err, "inquiry.local.json is empty"), empty);
}

BOOST_AUTO_TEST_CASE(CatalogueOptimizeKeepsEverythingFindable) {
  Sandbox box;
  box.Init();
  std::vector<std::string> refs = box.Ingest(box.Generate("gen", 6, 7));
  RunResult r = box.Run({"catalogue", "optimize"});
  BOOST_TEST(r.code == 0, r);
  BOOST_TEST(Contains(r.out, "MB ->"), r);
  BOOST_TEST(r.err.empty(), r);  // a new archive hands free pages back without --vacuum
  RunResult found = box.Run({"search", refs[3]});
  BOOST_TEST(found.code == 0, found);
  BOOST_TEST(Contains(found.out, refs[3]), found);
  RunResult bad = box.Run({"catalogue", "shrink"});
  BOOST_TEST(bad.code == 2, bad);
}

// Web sign-in passwords come from standard input, never the command line; a bad one is refused
// with nothing stored, and only an existing user's password can be replaced.
BOOST_AUTO_TEST_CASE(PasswordsComeFromStdinAndBadOnesStoreNothing) {
  Sandbox box;
  box.Init();
  auto with_stdin = [&](const std::string& input, const std::string& args) {
    const std::string piped = "printf '" + input + "' | " + Quote(DANGAN_BINARY) + " --root " +
                              Quote(box.root()) + " " + args;
    return Shell(box / "", box / "scratch", "sh -c " + Quote(piped));
  };

  RunResult short_pw = with_stdin("short\\n", "user add 管理员 --role admin --password-stdin");
  BOOST_TEST(short_pw.code == 2, short_pw);
  BOOST_TEST(Contains(short_pw.err, "at least 8"), short_pw);
  RunResult none = with_stdin("", "user add 管理员 --role admin --password-stdin");
  BOOST_TEST(none.code == 2, none);
  BOOST_TEST(Contains(none.err, "no password"), none);
  RunResult listed = box.Bare({"--root", box.root(), "user", "list"});
  BOOST_TEST(listed.code == 0, listed);
  BOOST_TEST(listed.out.empty(), listed);  // nothing was stored

  BOOST_TEST_REQUIRE(
      with_stdin("long enough pw\\n", "user add 管理员 --role admin --password-stdin").code == 0);
  RunResult nobody =
      with_stdin("another pw 123\\n", "--actor 管理员 user password 无此人 --password-stdin");
  BOOST_TEST(nobody.code == 1, nobody);
  BOOST_TEST(Contains(nobody.err, "no user"), nobody);
  RunResult no_flag =
      box.Bare({"--root", box.root(), "--actor", "管理员", "user", "password", "管理员"});
  BOOST_TEST(no_flag.code == 2, no_flag);
  BOOST_TEST(with_stdin("another pw 123\\n", "--actor 管理员 user password 管理员 --password-stdin")
                 .code == 0);
}

// A search from the command line is logged as the server logs one: whose records exist is
// personal data, so the question is kept only keyed with the archive's secret.
BOOST_AUTO_TEST_CASE(ASearchIsLoggedWithItsQuestionKeyed) {
  Sandbox box;
  box.Init();
  const std::string db = box.root() + "/catalogue.db";
  const std::string searches = "SELECT count(*) FROM events WHERE action='search'";
  BOOST_TEST(Count(db, searches) == 0);
  BOOST_TEST_REQUIRE(box.Run({"search", "失业"}).code == 0);
  BOOST_TEST_REQUIRE(box.Run({"search", "--person", "11010519491231002X"}).code == 0);
  BOOST_TEST(Count(db, searches) == 2);
  BOOST_TEST(Count(db,
                   "SELECT count(*) FROM events WHERE action='search'"
                   " AND detail LIKE '%hmac-sha256:%' AND detail NOT LIKE '%失业%'"
                   " AND detail NOT LIKE '%11010519491231002X%'") == 2);
}
