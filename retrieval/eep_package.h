// EepPackage: one record (件) as a DA/T 48-2009 electronic-file encapsulation package (.eep) for
// transfer (移交) to the state archives: XML 电子文件封装包 → 被签名对象 (文件实体块 with each
// content file Base64-embedded, 业务实体块, 机构人员实体块) → 电子签名块 → 锁定签名, signed with
// the archive's SM2 key (SM3 digests). Written by our own serialiser in a fixed order, so the
// same record and time give the same bytes; signatures cover exact byte ranges of the file.
// Content is streamed from the package store, never whole in memory. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/audit_chain.h"
#include "archive/record.h"
#include "archive/status.h"
#include "storage/package_store.h"
#include "storage/signing_key.h"

namespace dangan {

inline constexpr const char* kEepNamespace = "http://www.saac.gov.cn/standards/ERM/encapsulation";

struct EepWriteOptions {
  std::string organization;  // 封装包创建单位 and 签名人
  std::string created_at;    // 封装包创建时间 and 签名时间, ISO 8601
};

// Writes `record` (with the events of its history: filing, checks, transfer…) to `path`.
Status WriteEep(const Record& record, const std::vector<AuditEvent>& history,
                const PackageStore& packages, const SigningKey& key, const EepWriteOptions& options,
                const std::string& path);

// What a receiver finds in one .eep file.
struct EepCheck {
  std::string reference;  // 档号 as the package states it
  int files = 0;
  uint64_t content_bytes = 0;
  std::string public_pem;             // the key the package was signed with
  std::vector<std::string> problems;  // empty when sound
};

// Parses and verifies an .eep file: root element and namespace, required elements, every
// embedded file against its stated size and SHA-256, the 电子签名 over 被签名对象 and the 锁定签名
// over 被签名对象 and 电子签名块, both with the public key the package carries (which the caller
// compares with the one the transfer was announced with). Never throws.
EepCheck VerifyEep(const std::string& path, uint64_t max_bytes = 2ull << 30);

// Base64 without line breaks, as the packages and transfer files carry signatures.
std::string Base64Text(const std::string& bytes);
// Decodes Base64 (whitespace skipped); false if it is not Base64.
bool Unbase64Text(const std::string& text, std::string* out);

}  // namespace dangan
