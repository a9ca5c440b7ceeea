#define BOOST_TEST_MODULE bag_validator
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "storage/bag_validator.h"
#include "storage/digest.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using dangan::testing::ReadFile;
using dangan::testing::TempDir;
using dangan::testing::WriteFile;
namespace fs = std::filesystem;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;  // path under data/, content

// RFC 8493 2.1.3 encoding, written independently of the validator's decoder.
std::string Encode(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\n') {
      out += "%0A";
    } else if (c == '\r') {
      out += "%0D";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ManifestText(const Files& files, const std::string& alg) {
  std::string text;
  for (const auto& [path, content] : files) {
    text += Digest::OfString(content, alg) + "  " + Encode("data/" + path) + "\n";
  }
  return text;
}

// A complete, valid bag as a careful tool would write it: bagit.txt, payload, one manifest per
// algorithm, bag-info.txt with Payload-Oxum and, optionally, a tag manifest over all of it.
void MakeBag(const std::string& dir, const Files& files,
             const std::vector<std::string>& algs = {"sha256"}, bool tag_manifest = false) {
  WriteFile(dir + "/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  fs::create_directories(dir + "/data");
  uint64_t bytes = 0;
  for (const auto& [path, content] : files) {
    WriteFile(dir + "/data/" + path, content);
    bytes += content.size();
  }
  std::vector<std::string> tag_files = {"bagit.txt", "bag-info.txt"};
  for (const auto& alg : algs) {
    WriteFile(dir + "/manifest-" + alg + ".txt", ManifestText(files, alg));
    tag_files.push_back("manifest-" + alg + ".txt");
  }
  WriteFile(dir + "/bag-info.txt",
            "Source-Organization: 某市社会保险事业管理中心\n"
            "Bagging-Date: 2024-03-01\n"
            "Payload-Oxum: " +
                std::to_string(bytes) + "." + std::to_string(files.size()) + "\n");
  for (const auto& alg : algs) {
    if (!tag_manifest) break;
    std::string text;
    for (const auto& t : tag_files) {
      text += Digest::OfString(ReadFile(dir + "/" + t), alg) + " " + t + "\n";
    }
    WriteFile(dir + "/tagmanifest-" + alg + ".txt", text);
  }
}

bool Contains(const std::vector<std::string>& messages, const std::string& needle) {
  for (const auto& m : messages) {
    if (m.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "\n  " + s;
  return out;
}

// Exit status of the independent Python validator: 0 valid, 1 invalid.
int PythonCheck(const std::string& dir) {
  std::string cmd = std::string("python3 '") + DANGAN_SOURCE_DIR +
                    "/tests/tools/bagit_check.py' '" + dir + "' 2>/dev/null";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void ExpectValid(const std::string& dir) {
  BagReport r = BagValidator::Validate(dir);
  BOOST_TEST(r.valid, "errors:" << Join(r.errors));
  BOOST_TEST(r.errors.empty());
  BOOST_TEST(PythonCheck(dir) == 0, "bagit_check.py disagrees: it finds the bag invalid");
}

// The bag must be invalid, with an error mentioning `needle`, and the Python tool must agree.
void ExpectInvalid(const std::string& dir, const std::string& needle) {
  BagReport r = BagValidator::Validate(dir);
  BOOST_TEST(!r.valid);
  BOOST_TEST(Contains(r.errors, needle),
             "no error containing '" << needle << "':" << Join(r.errors));
  BOOST_TEST(PythonCheck(dir) == 1, "bagit_check.py disagrees: it finds the bag valid");
}

const Files kFiles = {{"申请表.pdf", "%PDF-1.4 fake application form\n"},
                      {"材料/身份证.jpg", std::string("\xFF\xD8\xFF\xE0 binary\0bytes", 17)},
                      {"empty.txt", ""}};

}  // namespace

BOOST_AUTO_TEST_CASE(valid_bag_with_cjk_and_encoded_names_passes_cleanly) {
  TempDir t;
  Files files = kFiles;
  // Names that need %0A, %0D and %25 in manifests, if this filesystem takes them.
  files.push_back({"100%.txt", "percent"});
  files.push_back({"a%0Ab.txt", "a literal percent-zero-A in the name"});
  std::error_code ec;
  fs::create_directories(t / "probe");
  WriteFile(t / "probe/x\ny", "");
  bool newline_names = fs::exists(t / "probe/x\ny", ec);
  fs::remove_all(t / "probe", ec);
  if (newline_names) {
    files.push_back({"line\nbreak.txt", "newline in name"});
    files.push_back({"carriage\rreturn.txt", "CR in name"});
  } else {
    BOOST_TEST_MESSAGE("filesystem refuses newline in names; %0A case skipped");
  }
  MakeBag(t / "bag", files, {"sha256", "sha512"}, /*tag_manifest=*/true);

  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(r.valid, Join(r.errors));
  BOOST_TEST(r.errors.empty());
  BOOST_TEST(r.warnings.empty(), "warnings:" << Join(r.warnings));
  BOOST_TEST(r.payload_files == files.size());
  uint64_t bytes = 0;
  for (const auto& f : files) bytes += f.second.size();
  BOOST_TEST(r.payload_bytes == bytes);
  if (newline_names) {
    BOOST_TEST(ReadFile(t / "bag/manifest-sha256.txt").find("data/line%0Abreak.txt") !=
               std::string::npos);
  }
  BOOST_TEST(ReadFile(t / "bag/manifest-sha256.txt").find("data/a%250Ab.txt") != std::string::npos);
  BOOST_TEST(BagValidator::Validate(t / "bag", /*check_digests=*/false).valid);
  BOOST_TEST(PythonCheck(t / "bag") == 0);
  // A trailing slash on the bag path changes nothing.
  BOOST_TEST(BagValidator::Validate(t / "bag/").valid);
}

// Digests written out by hand, so a bug shared by Digest and the test helper cannot hide; also CRLF
// and CR line ends, upper-case hex and tab separators, all of which RFC 8493 allows.
BOOST_AUTO_TEST_CASE(hand_written_bag_with_crlf_and_known_digest_passes) {
  TempDir t;
  WriteFile(t / "bag/bagit.txt", "BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n");
  WriteFile(t / "bag/data/hello.txt", "hello\n");
  WriteFile(t / "bag/manifest-sha256.txt",
            "5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03\tdata/hello.txt\r");
  WriteFile(t / "bag/bag-info.txt",
            "Payload-Oxum: 6.1\rExternal-Description: a long\r  description, continued\r");
  ExpectValid(t / "bag");

  WriteFile(t / "bag/manifest-sha256.txt",
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be04 data/hello.txt\n");
  ExpectInvalid(t / "bag", "digest mismatch");
}

BOOST_AUTO_TEST_CASE(version_0_97_is_accepted) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n");
  ExpectValid(t / "bag");
}

BOOST_AUTO_TEST_CASE(missing_bagit_txt) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  fs::remove(t / "bag/bagit.txt");
  ExpectInvalid(t / "bag", "bagit.txt is missing");
}

BOOST_AUTO_TEST_CASE(bad_version_lines) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/bagit.txt", "BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n");
  ExpectInvalid(t / "bag", "unsupported BagIt version 2.0");
  WriteFile(t / "bag/bagit.txt", "BagIt-Version 1.0\nTag-File-Character-Encoding: UTF-8\n");
  ExpectInvalid(t / "bag", "first line must be");
  WriteFile(t / "bag/bagit.txt", "Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n");
  ExpectInvalid(t / "bag", "first line must be");
  WriteFile(t / "bag/bagit.txt",
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: line\n");
  ExpectInvalid(t / "bag", "exactly two lines");
}

BOOST_AUTO_TEST_CASE(bom_in_bagit_txt) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/bagit.txt",
            "\xEF\xBB\xBF"
            "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
  ExpectInvalid(t / "bag", "byte-order mark");
}

BOOST_AUTO_TEST_CASE(missing_data_directory) {
  TempDir t;
  MakeBag(t / "bag", {});
  fs::remove_all(t / "bag/data");
  ExpectInvalid(t / "bag", "data/ directory is missing");
}

BOOST_AUTO_TEST_CASE(no_payload_manifest) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  fs::remove(t / "bag/manifest-sha256.txt");
  ExpectInvalid(t / "bag", "no payload manifest");
}

BOOST_AUTO_TEST_CASE(file_missing_from_one_of_two_manifests) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"sha256", "sha512"});
  Files fewer(kFiles.begin() + 1, kFiles.end());
  WriteFile(t / "bag/manifest-sha512.txt", ManifestText(fewer, "sha512"));
  ExpectInvalid(t / "bag", "not listed in manifest-sha512.txt");
}

BOOST_AUTO_TEST_CASE(extra_payload_file) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/data/材料/added-later.txt", "slipped in");
  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(Contains(r.errors, "data/材料/added-later.txt: payload file not listed"),
             Join(r.errors));
  BOOST_TEST(Contains(r.errors, "Payload-Oxum says"), Join(r.errors));
  BOOST_TEST(PythonCheck(t / "bag") == 1);
}

BOOST_AUTO_TEST_CASE(manifest_lists_missing_file) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  fs::remove(t / "bag/data/empty.txt");
  // Payload-Oxum made right, so that only the listing is wrong.
  WriteFile(t / "bag/bag-info.txt",
            "Payload-Oxum: " + std::to_string(kFiles[0].second.size() + kFiles[1].second.size()) +
                ".2\n");
  ExpectInvalid(t / "bag", "lists data/empty.txt, which is not in the payload");
}

BOOST_AUTO_TEST_CASE(wrong_digest_in_manifest) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  std::string m = ReadFile(t / "bag/manifest-sha256.txt");
  m[0] = m[0] == '0' ? '1' : '0';
  WriteFile(t / "bag/manifest-sha256.txt", m);
  ExpectInvalid(t / "bag", "sha256 digest mismatch");
}

BOOST_AUTO_TEST_CASE(changed_byte_in_payload) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"sha512"});
  std::string c = ReadFile(t / "bag/data/申请表.pdf");
  c[5] ^= 1;
  WriteFile(t / "bag/data/申请表.pdf", c);
  ExpectInvalid(t / "bag", "data/申请表.pdf: sha512 digest mismatch");
  // Same size and names: only digests can see this.
  BOOST_TEST(BagValidator::Validate(t / "bag", /*check_digests=*/false).valid);
}

BOOST_AUTO_TEST_CASE(truncated_payload_file) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  fs::resize_file(t / "bag/data/材料/身份证.jpg", 4);
  ExpectInvalid(t / "bag", "data/材料/身份证.jpg: sha256 digest mismatch");
  BagReport r = BagValidator::Validate(t / "bag", false);
  BOOST_TEST(Contains(r.errors, "payload bytes"), Join(r.errors));
}

BOOST_AUTO_TEST_CASE(duplicate_manifest_entry) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  std::string m = ReadFile(t / "bag/manifest-sha256.txt");
  WriteFile(t / "bag/manifest-sha256.txt", m + m.substr(0, m.find('\n') + 1));
  ExpectInvalid(t / "bag", "duplicate entry for data/申请表.pdf");
}

BOOST_AUTO_TEST_CASE(escaping_paths_in_manifest) {
  const std::string sum = Digest::OfString("x");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"data/../../etc/passwd", ".. segment"}, {"../outside.txt", ".. segment"},
      {"/etc/passwd", "absolute path"},        {"~/secret.txt", "starts with ~"},
      {"data\\..\\x.txt", "backslash"},        {"data//x.txt", "empty segment"},
      {"bag-info.txt", "not under data/"},
  };
  for (const auto& [path, why] : cases) {
    TempDir t;
    MakeBag(t / "bag", kFiles);
    WriteFile(t / "outside.txt", "x");
    std::string m = ReadFile(t / "bag/manifest-sha256.txt");
    WriteFile(t / "bag/manifest-sha256.txt", m + sum + "  " + path + "\n");
    BOOST_TEST_CONTEXT("path " << path) { ExpectInvalid(t / "bag", why); }
  }
}

BOOST_AUTO_TEST_CASE(symlink_inside_data_is_refused_even_with_right_digest) {
  TempDir t;
  Files files = kFiles;
  files.push_back({"link.txt", "outside secret"});
  MakeBag(t / "bag", files);
  WriteFile(t / "secret.txt", "outside secret");
  fs::remove(t / "bag/data/link.txt");
  fs::create_symlink(t / "secret.txt", t / "bag/data/link.txt");
  ExpectInvalid(t / "bag", "data/link.txt: symbolic link");
  BagReport r = BagValidator::Validate(t / "bag");
  // Not followed: the target's bytes are not counted as payload.
  BOOST_TEST(r.payload_files == kFiles.size());
}

BOOST_AUTO_TEST_CASE(symlinked_directory_and_fifo_are_refused) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  fs::create_directories(t / "elsewhere");
  WriteFile(t / "elsewhere/x.txt", "x");
  fs::create_directory_symlink(t / "elsewhere", t / "bag/data/dir");
  ExpectInvalid(t / "bag", "data/dir: symbolic link");
  fs::remove(t / "bag/data/dir");
  BOOST_REQUIRE(::mkfifo((t / "bag/data/pipe").c_str(), 0600) == 0);
  ExpectInvalid(t / "bag", "data/pipe: not a regular file");
}

BOOST_AUTO_TEST_CASE(payload_oxum_mismatches_and_malformed) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  uint64_t bytes = 0;
  for (const auto& f : kFiles) bytes += f.second.size();
  WriteFile(t / "bag/bag-info.txt", "Payload-Oxum: " + std::to_string(bytes + 1) + ".3\n");
  ExpectInvalid(t / "bag", "payload bytes");
  WriteFile(t / "bag/bag-info.txt", "Payload-Oxum: " + std::to_string(bytes) + ".4\n");
  ExpectInvalid(t / "bag", "payload files");
  for (const char* bad :
       {"12", "12.", ".3", "12.3.4", "-1.3", "abc.3", "99999999999999999999999.3"}) {
    WriteFile(t / "bag/bag-info.txt", std::string("Payload-Oxum: ") + bad + "\n");
    BOOST_TEST_CONTEXT("oxum " << bad) { ExpectInvalid(t / "bag", "malformed Payload-Oxum"); }
  }
  WriteFile(t / "bag/bag-info.txt", "Payload-Oxum: " + std::to_string(bytes) + ".3\n");
  ExpectValid(t / "bag");
}

BOOST_AUTO_TEST_CASE(tag_manifest_mismatch) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"sha256"}, /*tag_manifest=*/true);
  ExpectValid(t / "bag");
  std::string info = ReadFile(t / "bag/bag-info.txt");
  WriteFile(t / "bag/bag-info.txt", info + "Contact-Name: 张三\n");
  ExpectInvalid(t / "bag", "bag-info.txt: sha256 digest mismatch in tagmanifest-sha256.txt");
}

BOOST_AUTO_TEST_CASE(tag_manifest_must_not_list_payload_or_tag_manifests) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"sha256"}, true);
  std::string tm = ReadFile(t / "bag/tagmanifest-sha256.txt");
  std::string pdf = Digest::OfString(kFiles[0].second) + "  data/申请表.pdf\n";
  WriteFile(t / "bag/tagmanifest-sha256.txt", tm + pdf);
  ExpectInvalid(t / "bag", "tag manifest lists a payload file");

  TempDir u;
  MakeBag(u / "bag", kFiles, {"sha256"}, true);
  WriteFile(u / "bag/tagmanifest-sha512.txt",
            Digest::OfString(ReadFile(u / "bag/tagmanifest-sha256.txt"), "sha512") +
                "  tagmanifest-sha256.txt\n");
  ExpectInvalid(u / "bag", "tag manifest lists a tag manifest");
}

BOOST_AUTO_TEST_CASE(tag_file_not_in_tag_manifest_is_a_warning) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"sha256"}, true);
  WriteFile(t / "bag/extra/notes.txt", "卷内备考表");
  ExpectValid(t / "bag");
  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(Contains(r.warnings, "extra/notes.txt: tag file not listed in tagmanifest-sha256.txt"),
             Join(r.warnings));

  // Without a tag manifest nothing is expected to list it.
  fs::remove(t / "bag/tagmanifest-sha256.txt");
  BOOST_TEST(BagValidator::Validate(t / "bag").warnings.empty());
}

BOOST_AUTO_TEST_CASE(fetch_txt_with_missing_file_is_incomplete) {
  TempDir t;
  Files files = kFiles;
  files.push_back({"remote.bin", "fetched from elsewhere"});
  MakeBag(t / "bag", files);
  fs::remove(t / "bag/data/remote.bin");
  WriteFile(t / "bag/fetch.txt", "https://example.org/remote.bin 22 data/remote.bin\n");
  ExpectInvalid(t / "bag", "bag is incomplete");
  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(Contains(r.warnings, "fetch.txt present"));
  BOOST_TEST(!Contains(r.errors, "not in the payload"), "missing file reported twice");

  // Once fetched, the bag is complete and valid; fetch.txt is still worth a warning.
  WriteFile(t / "bag/data/remote.bin", "fetched from elsewhere");
  r = BagValidator::Validate(t / "bag");
  BOOST_TEST(r.valid, Join(r.errors));
  BOOST_TEST(Contains(r.warnings, "fetch.txt present"));
  BOOST_TEST(PythonCheck(t / "bag") == 0);

  WriteFile(t / "bag/fetch.txt", "https://example.org/x - ../x\n");
  ExpectInvalid(t / "bag", "path escapes the bag");
  WriteFile(t / "bag/fetch.txt", "https://example.org/x 12 data/not-in-manifest.bin\n");
  ExpectInvalid(t / "bag", "is not listed in manifest-sha256.txt");
  WriteFile(t / "bag/fetch.txt", "https://example.org/x twelve data/remote.bin\n");
  ExpectInvalid(t / "bag", "LENGTH must be");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_bag_info) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/bag-info.txt", "Contact-Name: \xD5\xC5\xC8\xFD\n");  // GBK, not UTF-8
  ExpectInvalid(t / "bag", "bag-info.txt: not valid UTF-8");
  WriteFile(t / "bag/bag-info.txt", "Contact-Name: \xC0\xAF\n");  // overlong '/'
  ExpectInvalid(t / "bag", "not valid UTF-8");
}

BOOST_AUTO_TEST_CASE(bag_info_lines) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/bag-info.txt", "Contact-Name: 张三\nthis line has no label\n");
  ExpectInvalid(t / "bag", "malformed line");
  WriteFile(t / "bag/bag-info.txt", "  continuation first\n");
  ExpectInvalid(t / "bag", "continuation line");
  WriteFile(t / "bag/bag-info.txt", "Bagging-Date: 01/03/2024\n");
  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(r.valid);
  BOOST_TEST(Contains(r.warnings, "Bagging-Date"), Join(r.warnings));
}

BOOST_AUTO_TEST_CASE(md5_only_manifest_is_valid_with_warning) {
  TempDir t;
  MakeBag(t / "bag", kFiles, {"md5"});
  ExpectValid(t / "bag");
  BagReport r = BagValidator::Validate(t / "bag");
  BOOST_TEST(Contains(r.warnings, "manifest-md5.txt: weak algorithm"), Join(r.warnings));
}

BOOST_AUTO_TEST_CASE(unknown_algorithm_is_skipped) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/manifest-whirlpool.txt", "not even parsed\n");
  ExpectValid(t / "bag");
  BOOST_TEST(Contains(BagValidator::Validate(t / "bag").warnings, "unknown algorithm"));
  fs::remove(t / "bag/manifest-sha256.txt");
  ExpectInvalid(t / "bag", "no payload manifest with a supported algorithm");
}

BOOST_AUTO_TEST_CASE(malformed_manifest_checksum) {
  TempDir t;
  MakeBag(t / "bag", kFiles);
  WriteFile(t / "bag/manifest-sha256.txt", "abc123  data/申请表.pdf\n");
  ExpectInvalid(t / "bag", "malformed sha256 checksum");
}

// Latin-1 tag files are legal if declared; names are compared after decoding to UTF-8.
BOOST_AUTO_TEST_CASE(latin1_tag_files_are_decoded) {
  TempDir t;
  WriteFile(t / "bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n");
  WriteFile(t / "bag/data/caf\xC3\xA9.txt", "coffee");
  WriteFile(t / "bag/manifest-sha256.txt", Digest::OfString("coffee") + "  data/caf\xE9.txt\n");
  ExpectValid(t / "bag");
  BOOST_TEST(Contains(BagValidator::Validate(t / "bag").warnings, "not UTF-8"));

  WriteFile(t / "bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: EBCDIC-XYZ\n");
  ExpectInvalid(t / "bag", "is not supported");
}

BOOST_AUTO_TEST_CASE(not_a_directory) {
  TempDir t;
  BagReport r = BagValidator::Validate(t / "nope");
  BOOST_TEST(!r.valid);
  BOOST_TEST(Contains(r.errors, "not a directory"));
}
