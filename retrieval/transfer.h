// Transfer (移交) of a year's (or one class's) records to the state archives, and its receipt
// (接收): transfer-stage four-property checks, one signed EEP package per record, a manifest with
// the SHA-256 and SM3 digest of every package, and the 移交与接收登记表 PDF. ReceiveTransfer checks
// a transfer directory as the receiving archive would and names every failure. Borrow their
// inputs; safe to run concurrently on different output directories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/property_checks.h"
#include "archive/reference_number.h"
#include "retrieval/reports.h"
#include "storage/package_store.h"
#include "storage/signing_key.h"

namespace dangan {

inline constexpr const char* kTransferManifest = "manifest.txt";
inline constexpr const char* kTransferSummary = "transfer.json";
inline constexpr const char* kTransferPublicKey = "signing-sm2.pub.pem";
inline constexpr const char* kTransferRegister = "移交与接收登记表.pdf";
// SM2 signature (Base64) over manifest.txt then transfer.json, with the announced key.
inline constexpr const char* kTransferManifestSignature = "manifest.sig";

// The SM3 digest of a PEM public key: printed on the 登记表 both sides sign, so the receiver can
// tell the announced key is the transferring archive's.
std::string KeyFingerprint(const std::string& public_pem);

struct TransferRequest {
  int year = 0;
  std::string class_code;  // empty: every class
  std::string out_dir;     // created; must not exist or be empty
  std::string actor;
};

struct TransferredPackage {
  std::string reference;
  std::string file;  // name inside out_dir
  uint64_t bytes = 0;
  std::string sha256, sm3;
};

struct TransferSummary {
  int year = 0;
  std::string class_code;
  std::string created_at;
  std::vector<TransferredPackage> packages;
  uint64_t bytes = 0;
  int check_items = 0;  // transfer-stage items run on each record (all passed)
};

// Refused with FailedCheck (fields: 档号 → failed item codes) if any record fails the transfer
// stage; NotFound if the selection is empty. Nothing is left in out_dir on failure. Appends one
// "transfer" event per record.
Result<TransferSummary> TransferRecords(const ReportContext& ctx, PackageStore& packages,
                                        const PropertyChecks& checks, const ReferenceTemplate& tmpl,
                                        const SigningKey& key, const TransferRequest& request);

struct ReceiveReport {
  std::string key_fingerprint;  // of the announced key; compare with the signed 登记表
  int packages = 0;
  uint64_t bytes = 0;
  std::vector<std::string> references;
  std::vector<std::string> problems;  // empty: the transfer is accepted
};

// Verifies a transfer directory: manifest against the files (missing, extra, size, SHA-256, SM3),
// each EEP (structure, embedded content digests, signatures with the announced key), 档号 shape
// and uniqueness, and the counts of transfer.json.
ReceiveReport ReceiveTransfer(const std::string& dir);

}  // namespace dangan
