#include "storage/bag_validator.h"
#include "storage/bagit_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "archive/status.h"
#include "storage/digest.h"

namespace dangan {
namespace {

namespace fs = std::filesystem;

enum class Encoding { kUtf8, kLatin1, kAscii };

struct AlgInfo {
  const char* name;
  size_t hex_len;
  bool weak;
};

constexpr AlgInfo kAlgs[] = {
    {"sha256", 64, false}, {"sha512", 128, false}, {"sha1", 40, true}, {"md5", 32, true}};

const AlgInfo* FindAlg(std::string_view name) {
  for (const AlgInfo& a : kAlgs) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

// Paths go into messages that are one line each, so control characters (legal in file names and
// encodable in manifests) must not break them.
std::string Show(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s, size_t* bad_offset) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// RFC 8493 allows LF, CR LF and CR as line ends, even mixed. A final terminator does not start
// another (empty) line.
std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n' || c == '\r') {
      lines.emplace_back(text.substr(start, i - start));
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = ++i;
    } else {
      ++i;
    }
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  return lines;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (!IsDigits(s)) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Why a manifest or fetch path is unusable, or nothing. A path that could resolve outside the bag
// must be refused before anything is opened with it.
std::optional<std::string> PathProblem(const std::string& path) {
  if (path.empty()) return "empty path";
  if (path.find('\0') != std::string::npos) return "path contains a NUL byte";
  if (path.find('\\') != std::string::npos) return "path escapes the bag (backslash separator)";
  if (path[0] == '/') return "path escapes the bag (absolute path)";
  if (path[0] == '~') return "path escapes the bag (starts with ~)";
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view seg = std::string_view(path).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty()) return "path escapes the bag (empty segment)";
    if (seg == "..") return "path escapes the bag (.. segment)";
    if (seg == ".") return "path is not normalized (. segment)";
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return std::nullopt;
}

bool IsPayloadPath(const std::string& p) { return p.size() > 5 && p.compare(0, 5, "data/") == 0; }

// Reads without following a symbolic link, so a link swapped in after the directory walk still
// cannot make us read outside the bag.
Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return Status::IOError(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError("not a regular file");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOError(std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// All of a file's digests in one read, since a payload file is listed in every manifest.
Result<std::map<std::string, std::string>> HashFile(const std::string& path,
                                                    const std::vector<std::string>& algs) {
  std::vector<std::unique_ptr<Digest>> digests;
  for (const std::string& a : algs) {
    digests.push_back(std::make_unique<Digest>(a));
    if (!digests.back()->valid()) return Status::Internal("digest " + a + " unavailable");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return Status::IOError(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IOError("not a regular file");
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::vector<char> buf(64 << 10);  // as fast as 1 MiB, and reused by the allocator
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOError(std::strerror(err));
    }
    if (n == 0) break;
    for (auto& d : digests) d->Update(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < algs.size(); ++i) out[algs[i]] = digests[i]->HexFinal();
  return out;
}

bool ValidDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  auto y = ParseU64(s.substr(0, 4));
  auto m = ParseU64(s.substr(5, 2));
  auto d = ParseU64(s.substr(8, 2));
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return false;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*d > static_cast<uint64_t>(kDays[*m - 1])) return false;
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  return !(*m == 2 && *d == 29 && !leap);
}

// path -> lower-case hex digest
using Manifest = std::map<std::string, std::string>;

class Checker {
 public:
  Checker(std::string root, bool check_digests, BagReport* report)
      : root_(std::move(root)), check_digests_(check_digests), r_(*report) {}

  void Run() {
    std::error_code ec;
    if (!fs::is_directory(fs::status(root_, ec))) {
      Error(Show(root_) + ": not a directory");
      return;
    }
    Walk();
    if (!ReadBagitTxt()) return;
    ReadFetch();
    CheckPayloadManifests();
    CheckTagManifests();
    CheckBagInfo();
  }

 private:
  void Error(std::string m) { r_.errors.push_back(std::move(m)); }
  void Warn(std::string m) { r_.warnings.push_back(std::move(m)); }
  std::string Abs(const std::string& rel) const { return root_ + "/" + rel; }

  // Inventory by lstat only: links are reported, never followed, so nothing outside the bag is
  // ever counted or read.
  void Walk() {
    std::error_code ec;
    auto data_st = fs::symlink_status(Abs("data"), ec);
    if (fs::is_symlink(data_st)) {
      Error("data/ is a symbolic link, not a directory");
    } else if (!fs::is_directory(data_st)) {
      Error("data/ directory is missing");
    }
    std::set<std::string> links, specials;
    fs::recursive_directory_iterator it(root_, fs::directory_options::none, ec), end;
    if (ec) {
      Error("cannot list " + Show(root_) + ": " + ec.message());
      return;
    }
    const size_t prefix = root_.size() + 1;
    for (; it != end; it.increment(ec)) {
      if (ec) break;
      const std::string full = it->path().string();
      const std::string rel = full.size() > prefix ? full.substr(prefix) : full;
      std::error_code sec;
      fs::file_status st = it->symlink_status(sec);
      if (sec) {
        Error(Show(rel) + ": cannot stat: " + sec.message());
        continue;
      }
      if (fs::is_symlink(st)) {
        links.insert(rel);
        it.disable_recursion_pending();
      } else if (fs::is_directory(st)) {
        continue;
      } else if (fs::is_regular_file(st)) {
        uint64_t size = it->file_size(sec);
        if (sec) {
          Error(Show(rel) + ": cannot stat: " + sec.message());
          continue;
        }
        if (IsPayloadPath(rel)) {
          payload_[rel] = size;
          r_.payload_bytes += size;
          ++r_.payload_files;
        } else {
          tags_[rel] = size;
        }
      } else {
        specials.insert(rel);
      }
    }
    if (ec) Error("cannot list the bag completely: " + ec.message());
    for (const auto& l : links) Error(Show(l) + ": symbolic link inside the bag (not followed)");
    for (const auto& s : specials) {
      Error(Show(s) + ": not a regular file (fifo, socket or device) inside the bag");
    }
  }

  // Reads a tag file as UTF-8 text per the declared encoding; reports and returns nullopt if it
  // cannot be.
  std::optional<std::string> ReadTagText(const std::string& rel) {
    auto bytes = ReadWholeFile(Abs(rel));
    if (!bytes.ok()) {
      Error(Show(rel) + ": cannot read: " + bytes.status().message());
      return std::nullopt;
    }
    std::string text = std::move(bytes.value());
    if (encoding_ == Encoding::kUtf8 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      Warn(Show(rel) + ": starts with a byte-order mark (ignored)");
      text.erase(0, 3);
    }
    switch (encoding_) {
      case Encoding::kUtf8: {
        size_t bad = 0;
        if (!IsValidUtf8(text, &bad)) {
          Error(Show(rel) + ": not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
          return std::nullopt;
        }
        return text;
      }
      case Encoding::kAscii:
        for (size_t i = 0; i < text.size(); ++i) {
          if (static_cast<unsigned char>(text[i]) >= 0x80) {
            Error(Show(rel) + ": not valid US-ASCII (byte offset " + std::to_string(i) + ")");
            return std::nullopt;
          }
        }
        return text;
      case Encoding::kLatin1:
        return Latin1ToUtf8(text);
    }
    return text;
  }

  bool ReadBagitTxt() {
    if (!tags_.count("bagit.txt")) {
      Error("bagit.txt is missing");
      return true;  // keep going as UTF-8 so the rest of the bag is still reported
    }
    auto bytes = ReadWholeFile(Abs("bagit.txt"));
    if (!bytes.ok()) {
      Error("bagit.txt: cannot read: " + bytes.status().message());
      return true;
    }
    const std::string& text = bytes.value();
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      Error("bagit.txt: starts with a byte-order mark, which RFC 8493 2.1.1 forbids");
      return true;
    }
    size_t bad = 0;
    if (!IsValidUtf8(text, &bad)) {
      Error("bagit.txt: not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
      return true;
    }
    std::vector<std::string> lines = SplitLines(text);
    if (lines.size() != 2) {
      Error("bagit.txt: must be exactly two lines, has " + std::to_string(lines.size()));
    }
    constexpr std::string_view kVer = "BagIt-Version: ";
    if (lines.empty() || lines[0].compare(0, kVer.size(), kVer) != 0) {
      Error("bagit.txt: first line must be 'BagIt-Version: M.N'");
    } else {
      std::string v = lines[0].substr(kVer.size());
      size_t dot = v.find('.');
      if (dot == std::string::npos || !IsDigits(v.substr(0, dot)) || !IsDigits(v.substr(dot + 1))) {
        Error("bagit.txt: malformed version '" + Show(v) + "'");
      } else if (v != "1.0" && v != "0.97") {
        Error("bagit.txt: unsupported BagIt version " + Show(v) + " (1.0 and 0.97 are accepted)");
      }
    }
    constexpr std::string_view kEnc = "Tag-File-Character-Encoding: ";
    if (lines.size() < 2 || lines[1].compare(0, kEnc.size(), kEnc) != 0) {
      Error("bagit.txt: second line must be 'Tag-File-Character-Encoding: ENC'");
      return true;
    }
    std::string enc = ToLower(lines[1].substr(kEnc.size()));
    if (enc == "utf-8") return true;
    if (enc == "utf8") {
      Warn("bagit.txt: encoding should be spelled UTF-8");
    } else if (enc == "iso-8859-1" || enc == "iso8859-1" || enc == "latin1" || enc == "latin-1") {
      Warn("bagit.txt: tag files are in " + lines[1].substr(kEnc.size()) + ", not UTF-8");
      encoding_ = Encoding::kLatin1;
    } else if (enc == "us-ascii" || enc == "ascii") {
      Warn("bagit.txt: tag files are in " + lines[1].substr(kEnc.size()) + ", not UTF-8");
      encoding_ = Encoding::kAscii;
    } else {
      Error("bagit.txt: tag file encoding '" + Show(lines[1].substr(kEnc.size())) +
            "' is not supported; tag files cannot be read");
      return false;
    }
    return true;
  }

  // Shared by manifests and tag manifests: "<checksum> <whitespace> <filepath>".
  std::optional<Manifest> ParseManifest(const std::string& name, const AlgInfo& alg, bool is_tag) {
    auto text = ReadTagText(name);
    if (!text) return std::nullopt;
    Manifest m;
    bool stray_percent = false;
    std::vector<std::string> lines = SplitLines(*text);
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string& line = lines[n];
      const std::string where = name + " line " + std::to_string(n + 1) + ": ";
      if (line.empty()) {
        Warn(where + "blank line");
        continue;
      }
      size_t ws = line.find_first_of(" \t");
      size_t path_at = ws == std::string::npos ? ws : line.find_first_not_of(" \t", ws);
      if (ws == 0 || path_at == std::string::npos) {
        Error(where + "malformed line, expected '<checksum> <filepath>'");
        continue;
      }
      std::string sum = ToLower(line.substr(0, ws));
      if (sum.size() != alg.hex_len || !IsHex(sum)) {
        Error(where + "malformed " + alg.name + " checksum '" + Show(sum) + "'");
        continue;
      }
      std::string path = DecodeManifestPath(std::string_view(line).substr(path_at), &stray_percent);
      if (auto why = PathProblem(path)) {
        Error(where + *why + ": " + Show(path));
        continue;
      }
      if (!is_tag && !IsPayloadPath(path)) {
        Error(where + "payload manifest path is not under data/: " + Show(path));
        continue;
      }
      if (is_tag && IsPayloadPath(path)) {
        Error(where + "tag manifest lists a payload file: " + Show(path));
        continue;
      }
      if (is_tag && IsTagManifestName(path)) {
        Error(where + "tag manifest lists a tag manifest: " + Show(path));
        continue;
      }
      if (!m.emplace(path, sum).second) {
        Error(where + "duplicate entry for " + Show(path));
      }
    }
    if (stray_percent) {
      Warn(name + ": has a % not written as %25; it was taken literally");
    }
    return m;
  }

  static bool IsTagManifestName(const std::string& p) {
    return p.find('/') == std::string::npos && p.size() > 16 &&
           p.compare(0, 12, "tagmanifest-") == 0 && p.compare(p.size() - 4, 4, ".txt") == 0;
  }

  // Top-level files named <prefix><alg>.txt, as (alg, file name).
  std::vector<std::pair<std::string, std::string>> FindManifests(std::string_view prefix) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [rel, size] : tags_) {
      if (rel.find('/') != std::string::npos || rel.size() <= prefix.size() + 4) continue;
      if (rel.compare(0, prefix.size(), prefix) != 0) continue;
      if (rel.compare(rel.size() - 4, 4, ".txt") != 0) continue;
      out.emplace_back(rel.substr(prefix.size(), rel.size() - prefix.size() - 4), rel);
    }
    return out;
  }

  void ReadFetch() {
    if (!tags_.count("fetch.txt")) return;
    Warn(
        "fetch.txt present: this bag expects files to be fetched from elsewhere; "
        "files are not fetched here");
    auto text = ReadTagText("fetch.txt");
    if (!text) return;
    std::vector<std::string> lines = SplitLines(*text);
    bool stray_percent = false;
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string& line = lines[n];
      const std::string where = "fetch.txt line " + std::to_string(n + 1) + ": ";
      if (line.empty()) {
        Warn(where + "blank line");
        continue;
      }
      size_t a = line.find_first_of(" \t");
      size_t b = a == std::string::npos ? a : line.find_first_not_of(" \t", a);
      size_t c = b == std::string::npos ? b : line.find_first_of(" \t", b);
      size_t d = c == std::string::npos ? c : line.find_first_not_of(" \t", c);
      if (a == 0 || d == std::string::npos) {
        Error(where + "malformed line, expected 'URL LENGTH FILEPATH'");
        continue;
      }
      std::string url = line.substr(0, a);
      std::string length = line.substr(b, c - b);
      size_t colon = url.find(':');
      bool scheme_ok =
          colon != std::string::npos && colon > 0 &&
          std::isalpha(static_cast<unsigned char>(url[0])) &&
          std::all_of(url.begin(), url.begin() + static_cast<long>(colon), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '-' ||
                   ch == '.';
          });
      if (!scheme_ok) Error(where + "URL has no scheme: " + Show(url));
      std::optional<uint64_t> len;
      if (length != "-") {
        len = ParseU64(length);
        if (!len) {
          Error(where + "LENGTH must be a number or '-', got " + Show(length));
          continue;
        }
      }
      std::string path = DecodeManifestPath(std::string_view(line).substr(d), &stray_percent);
      if (auto why = PathProblem(path)) {
        Error(where + *why + ": " + Show(path));
        continue;
      }
      if (!IsPayloadPath(path)) {
        Error(where + "fetch.txt may list only payload files under data/: " + Show(path));
        continue;
      }
      if (!fetch_.insert(path).second) {
        Error(where + "duplicate entry for " + Show(path));
        continue;
      }
      auto it = payload_.find(path);
      if (it == payload_.end()) {
        Error(where + "bag is incomplete: " + Show(path) +
              " is listed in fetch.txt but not present (fetching is not supported)");
        incomplete_ = true;
      } else if (len && *len != it->second) {
        Warn(where + Show(path) + " is " + std::to_string(it->second) + " bytes, fetch.txt says " +
             std::to_string(*len));
      }
    }
    if (stray_percent) Warn("fetch.txt: has a % not written as %25; it was taken literally");
  }

  void CheckPayloadManifests() {
    std::vector<std::pair<std::string, Manifest>> manifests;  // (alg, entries)
    auto found = FindManifests("manifest-");
    if (found.empty()) {
      Error("no payload manifest (manifest-<algorithm>.txt)");
      return;
    }
    for (const auto& [alg, name] : found) {
      const AlgInfo* info = FindAlg(alg);
      if (!info) {
        Warn(name + ": unknown algorithm '" + Show(alg) + "', manifest skipped");
        continue;
      }
      if (info->weak) Warn(name + ": weak algorithm " + alg + "; prefer sha256 or sha512");
      payload_algs_.insert(alg);
      if (auto m = ParseManifest(name, *info, false)) {
        manifests.emplace_back(alg, std::move(*m));
      }
    }
    if (payload_algs_.empty()) {
      Error("no payload manifest with a supported algorithm (sha256, sha512, sha1, md5)");
      return;
    }

    for (const auto& [alg, m] : manifests) {
      const std::string name = "manifest-" + alg + ".txt";
      for (const auto& [path, sum] : m) {
        if (payload_.count(path)) continue;
        // A fetch entry that is absent is already reported as an incomplete bag.
        if (fetch_.count(path)) continue;
        Error(name + ": lists " + Show(path) + ", which is not in the payload");
      }
      for (const auto& [path, size] : payload_) {
        if (!m.count(path)) Error(Show(path) + ": payload file not listed in " + name);
      }
      for (const auto& path : fetch_) {
        if (!m.count(path)) Error("fetch.txt: " + Show(path) + " is not listed in " + name);
      }
    }

    if (!check_digests_ || manifests.empty()) return;
    std::vector<std::string> algs;
    for (const auto& mf : manifests) algs.push_back(mf.first);
    for (const auto& [path, size] : payload_) {
      std::vector<std::string> needed;
      for (const auto& [alg, m] : manifests) {
        if (m.count(path)) needed.push_back(alg);
      }
      if (needed.empty()) continue;
      auto sums = HashFile(Abs(path), needed);
      if (!sums.ok()) {
        Error(Show(path) + ": cannot read: " + sums.status().message());
        continue;
      }
      for (const auto& [alg, m] : manifests) {
        auto e = m.find(path);
        if (e == m.end()) continue;
        if (e->second != sums->at(alg)) {
          Error(Show(path) + ": " + alg + " digest mismatch (manifest " + e->second + ", actual " +
                sums->at(alg) + ")");
        }
      }
    }
  }

  void CheckTagManifests() {
    std::set<std::string> tag_algs;
    for (const auto& [alg, name] : FindManifests("tagmanifest-")) {
      const AlgInfo* info = FindAlg(alg);
      if (!info) {
        Warn(name + ": unknown algorithm '" + Show(alg) + "', tag manifest skipped");
        continue;
      }
      if (info->weak) Warn(name + ": weak algorithm " + alg + "; prefer sha256 or sha512");
      tag_algs.insert(alg);
      auto m = ParseManifest(name, *info, true);
      if (!m) continue;
      for (const auto& [path, sum] : *m) {
        if (!tags_.count(path)) {
          Error(name + ": lists " + Show(path) + ", which is not a tag file in the bag");
          continue;
        }
        if (!check_digests_) continue;
        auto sums = HashFile(Abs(path), {alg});
        if (!sums.ok()) {
          Error(Show(path) + ": cannot read: " + sums.status().message());
        } else if (sums->at(alg) != sum) {
          Error(Show(path) + ": " + alg + " digest mismatch in " + name + " (manifest " + sum +
                ", actual " + sums->at(alg) + ")");
        }
      }
      for (const auto& [path, size] : tags_) {
        if (IsTagManifestName(path) || m->count(path)) continue;
        Warn(Show(path) + ": tag file not listed in " + name);
      }
    }
    if (!tag_algs.empty() && !payload_algs_.empty() && tag_algs != payload_algs_) {
      Warn("tag manifests and payload manifests use different algorithms");
    }
  }

  void CheckBagInfo() {
    if (!tags_.count("bag-info.txt")) return;
    auto text = ReadTagText("bag-info.txt");
    if (!text) return;
    std::vector<std::pair<std::string, std::string>> elements;
    std::vector<std::string> lines = SplitLines(*text);
    for (size_t n = 0; n < lines.size(); ++n) {
      const std::string& line = lines[n];
      const std::string where = "bag-info.txt line " + std::to_string(n + 1) + ": ";
      if (line.empty()) {
        Warn(where + "blank line");
        continue;
      }
      if (IsBlank(line[0])) {
        if (elements.empty()) {
          Error(where + "continuation line with no element before it");
          continue;
        }
        size_t s = line.find_first_not_of(" \t");
        if (s != std::string::npos) elements.back().second += " " + line.substr(s);
        continue;
      }
      size_t colon = line.find(':');
      if (colon == std::string::npos || colon == 0) {
        Error(where + "malformed line, expected 'Label: value'");
        continue;
      }
      std::string label = line.substr(0, colon);
      while (!label.empty() && IsBlank(label.back())) label.pop_back();
      std::string value = line.substr(colon + 1);
      if (!value.empty() && !IsBlank(value[0])) {
        Warn(where + "no whitespace after the colon");
      }
      size_t s = value.find_first_not_of(" \t");
      value = s == std::string::npos ? "" : value.substr(s);
      elements.emplace_back(label, value);
    }

    int oxums = 0;
    for (const auto& [label, value] : elements) {
      std::string key = ToLower(label);
      if (key == "payload-oxum") {
        if (++oxums == 2) Warn("bag-info.txt: Payload-Oxum is repeated");
        CheckOxum(value);
      } else if (key == "bagging-date" && !ValidDate(value)) {
        Warn("bag-info.txt: Bagging-Date '" + Show(value) + "' is not an ISO date (YYYY-MM-DD)");
      }
    }
  }

  void CheckOxum(const std::string& value) {
    size_t dot = value.find('.');
    std::optional<uint64_t> octets, streams;
    if (dot != std::string::npos) {
      octets = ParseU64(std::string_view(value).substr(0, dot));
      streams = ParseU64(std::string_view(value).substr(dot + 1));
    }
    if (!octets || !streams) {
      Error("bag-info.txt: malformed Payload-Oxum '" + Show(value) +
            "', expected <octets>.<file count>");
      return;
    }
    if (incomplete_) {
      Warn("bag-info.txt: Payload-Oxum not checked because the bag is incomplete");
      return;
    }
    if (*octets != r_.payload_bytes) {
      Error("bag-info.txt: Payload-Oxum says " + std::to_string(*octets) +
            " payload bytes, the payload has " + std::to_string(r_.payload_bytes));
    }
    if (*streams != r_.payload_files) {
      Error("bag-info.txt: Payload-Oxum says " + std::to_string(*streams) +
            " payload files, the payload has " + std::to_string(r_.payload_files));
    }
  }

  const std::string root_;
  const bool check_digests_;
  BagReport& r_;
  Encoding encoding_ = Encoding::kUtf8;
  std::map<std::string, uint64_t> payload_;  // "data/..." -> size
  std::map<std::string, uint64_t> tags_;     // every other regular file, relative to the root
  std::set<std::string> fetch_;
  std::set<std::string> payload_algs_;
  bool incomplete_ = false;
};

}  // namespace

BagReport BagValidator::Validate(const std::string& bag_dir, bool check_digests) {
  BagReport report;
  try {
    std::string root = bag_dir;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    Checker(root, check_digests, &report).Run();
  } catch (const std::exception& e) {
    report.errors.push_back(std::string("internal error while validating: ") + e.what());
  } catch (...) {
    report.errors.push_back("internal error while validating");
  }
  report.valid = report.errors.empty();
  return report;
}

}  // namespace dangan
