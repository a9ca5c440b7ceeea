#include "storage/audit_anchor.h"

#include <openssl/rand.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>

#include "storage/catalogue.h"
#include "storage/digest.h"
#include "storage/secret_key.h"

namespace dangan {

namespace {

constexpr const char* kHeader = "dangan audit-head 1";
constexpr const char* kMacField = "hmac-sha256: ";
// A real anchor is about 250 bytes; anything much larger is not one, and is not read whole.
constexpr size_t kMaxAnchorBytes = 4096;

bool IsHex(const std::string& s, size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Values never hold a line break (the format is one field a line); times come from our clock.
std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

std::string AnchorPath(const std::string& root, const char* name) { return root + "/" + name; }

AnchorFile Invalid(const std::string& path, const std::string& problem) {
  AnchorFile f;
  f.path = path;
  f.state = AnchorFile::State::kInvalid;
  f.problem = problem;
  return f;
}

// A name no other writer (process or thread) uses at the same time.
// Unique across the hosts sharing a root, too (their process ids may coincide).
std::string TempName(const std::string& root, const char* name) {
  unsigned char raw[8] = {};
  if (RAND_bytes(raw, sizeof raw) != 1) {
    static std::atomic<uint64_t> counter{0};  // no randomness: at least unique on this host
    const uint64_t n = (static_cast<uint64_t>(::getpid()) << 32) + ++counter;
    std::memcpy(raw, &n, sizeof n);
  }
  return AnchorPath(root, name) + ".tmp." + HexEncode(raw, sizeof raw);
}
}  // namespace

std::string FormatAnchor(const AuditAnchor& a, const std::string& secret) {
  std::string body = std::string(kHeader) + "\n";
  body += "seq: " + std::to_string(a.seq) + "\n";
  body += "hash: " + OneLine(a.hash) + "\n";
  body += "event-at: " + OneLine(a.event_at) + "\n";
  body += "anchored-at: " + OneLine(a.anchored_at) + "\n";
  // The header is inside what is signed: the same secret also signs receipts and certificates,
  // and none of those can pass for an anchor.
  return body + kMacField + HmacSha256Hex(secret, body) + "\n";
}

AnchorFile ParseAnchor(const std::string& path, const std::string& text,
                       const std::string& secret) {
  const std::string mac_line = std::string("\n") + kMacField;
  const size_t at = text.rfind(mac_line);
  if (at == std::string::npos) return Invalid(path, "it is not an audit-head file (no signature)");
  const std::string body = text.substr(0, at + 1);
  std::string mac = text.substr(at + mac_line.size());
  if (!mac.empty() && mac.back() == '\n') mac.pop_back();
  if (!ConstantTimeEquals(HmacSha256Hex(secret, body), mac))
    return Invalid(path,
                   "its signature does not match: the file was edited, or written with another "
                   "archive's secret");

  // Signed by us, so well formed unless this code has a bug; checked all the same.
  std::vector<std::string> lines;
  for (size_t i = 0; i < body.size();) {
    size_t j = body.find('\n', i);
    lines.push_back(body.substr(i, j - i));
    i = j + 1;
  }
  const char* names[] = {"seq: ", "hash: ", "event-at: ", "anchored-at: "};
  if (lines.size() != 5 || lines[0] != kHeader)
    return Invalid(path, "it is not an audit-head file of this version");
  std::string values[4];
  for (int i = 0; i < 4; ++i) {
    if (lines[i + 1].rfind(names[i], 0) != 0)
      return Invalid(path, std::string("line ") + std::to_string(i + 2) + " should start with '" +
                               names[i] + "'");
    values[i] = lines[i + 1].substr(std::string(names[i]).size());
  }
  if (values[0].empty() || values[0].size() > 18 ||
      values[0].find_first_not_of("0123456789") != std::string::npos || values[0] == "0")
    return Invalid(path, "its seq is not a positive number");
  if (!IsHex(values[1], 64)) return Invalid(path, "its hash is not 64 hex digits");
  AnchorFile f;
  f.path = path;
  f.state = AnchorFile::State::kValid;
  f.anchor = AuditAnchor{std::stoll(values[0]), values[1], values[2], values[3]};
  return f;
}

AnchorFile ReadAnchor(const std::string& root, const std::string& secret, const char* name) {
  const std::string path = AnchorPath(root, name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      AnchorFile f;
      f.path = path;
      return f;
    }
    return Invalid(path, "it cannot be read: " + PosixError(path, errno).message());
  }
  std::string text;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Invalid(path, "it cannot be read: " + PosixError(path, err).message());
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxAnchorBytes) {
      ::close(fd);
      return Invalid(path, "it is too large to be an audit-head file");
    }
  }
  ::close(fd);
  return ParseAnchor(path, text, secret);
}

Status WriteAnchor(Env* env, const std::string& root, const AuditAnchor& anchor,
                   const std::string& secret, const char* name) {
  const std::string text = FormatAnchor(anchor, secret);
  const std::string tmp = TempName(root, name);
  auto file = env->NewWritableFile(tmp);
  if (!file.ok()) return file.status().WithContext("anchoring the audit chain in " + root);
  Status st = (*file)->Append(text.data(), text.size());
  if (st.ok()) st = (*file)->Sync();
  Status closed = (*file)->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = env->RenameFile(tmp, AnchorPath(root, name));
  // Until the directory is synced the rename may not survive a power loss; the old anchor then
  // comes back, which is older but still true.
  if (st.ok()) st = env->SyncDir(root);
  if (!st.ok()) {
    env->RemoveFile(tmp);  // the rename may have taken it already; nothing else to undo
    return st.WithContext("anchoring the audit chain in " + root);
  }
  return Status::Ok();
}

AnchorVerdict CheckAnchors(const std::vector<AuditEvent>& events,
                           const std::vector<AnchorFile>& files) {
  AnchorVerdict v;
  std::set<std::pair<int64_t, std::string>> checked;  // the same anchor in several roots
  for (const AnchorFile& f : files) {
    if (f.state == AnchorFile::State::kMissing) continue;
    if (f.state == AnchorFile::State::kInvalid) {
      v.problems.push_back("the anchor " + f.path + " is not to be trusted: " + f.problem);
      continue;
    }
    const AuditAnchor& a = f.anchor;
    if (!v.newest || a.seq > v.newest->seq) {
      v.newest = a;
      v.newest_path = f.path;
    }
    if (!checked.insert({a.seq, a.hash}).second) continue;
    const std::string anchored = "event " + std::to_string(a.seq) + " (hash " + a.hash +
                                 ") was anchored at " + a.anchored_at + " (" + f.path + ")";
    const int64_t last = events.empty() ? 0 : events.back().seq;
    if (last < a.seq) {
      v.problems.push_back("events were removed from the end: the chain ends at event " +
                           std::to_string(last) + " but " + anchored);
      continue;
    }
    auto it = std::lower_bound(events.begin(), events.end(), a.seq,
                               [](const AuditEvent& e, int64_t seq) { return e.seq < seq; });
    if (it == events.end() || it->seq != a.seq) {
      v.problems.push_back("the chain has no event " + std::to_string(a.seq) + ", but " + anchored);
    } else if (it->hash != a.hash) {
      v.problems.push_back("the chain was rewritten: event " + std::to_string(a.seq) +
                           " now has hash " + it->hash + ", but " + anchored);
    }
  }
  return v;
}

Result<AuditAnchor> AnchorChainHead(RecordCatalogue& catalogue, Env* env,
                                    const std::vector<std::string>& roots,
                                    const std::string& secret, const AuditEvent& head,
                                    const std::string& now, AnchorMismatch mismatch,
                                    const char* name) {
  DANGAN_RETURN_IF_ERROR(catalogue.SyncCommitted().WithContext("anchoring the audit chain"));
  std::vector<std::string> refusals;
  std::vector<const std::string*> to_write;
  std::optional<AuditAnchor> in_force;
  for (const std::string& root : roots) {
    if (mismatch == AnchorMismatch::kReplace) {
      to_write.push_back(&root);
      continue;
    }
    AnchorFile f = ReadAnchor(root, secret, name);
    if (f.state == AnchorFile::State::kInvalid) {
      refusals.push_back(f.path + ": " + f.problem);
      continue;
    }
    if (f.state == AnchorFile::State::kValid) {
      const AuditAnchor& a = f.anchor;
      std::optional<AuditEvent> there;
      if (a.seq == head.seq) {
        there = head;
      } else {
        auto e = catalogue.EventAt(a.seq);
        if (!e.ok()) return e.status().WithContext("anchoring the audit chain");
        there = std::move(*e);
      }
      if (!there || there->hash != a.hash) {
        refusals.push_back(f.path + " anchors event " + std::to_string(a.seq) +
                           (there ? ", which the chain now holds with another hash"
                                  : ", which the chain no longer holds"));
        continue;
      }
      if (a.seq >= head.seq) {  // as new or newer (another process anchored meanwhile)
        if (!in_force || a.seq > in_force->seq) in_force = a;
        continue;
      }
    }
    to_write.push_back(&root);
  }
  if (!refusals.empty()) {
    std::string why;
    for (const auto& r : refusals) why += (why.empty() ? "" : "; ") + r;
    return Status::Corruption("not anchoring event " + std::to_string(head.seq) +
                              ", to keep the evidence: " + why + " (run `dangan audit verify`)");
  }
  const AuditAnchor fresh{head.seq, head.hash, head.at, now};
  Status first_error;
  for (const std::string* root : to_write) {
    Status st = WriteAnchor(env, *root, fresh, secret, name);
    if (!st.ok() && first_error.ok()) first_error = st;
  }
  if (!first_error.ok()) return first_error;
  return in_force ? *in_force : fresh;  // one kept is as new as `head` or newer
}

}  // namespace dangan
