// Reports as PDF: the 归档文件目录 of a selection, the 查档证明 (inquiry certificate, with a serial
// number and an HMAC verification code kept in the catalogue's `certificates` table), and the
// annual statistics table. Each function renders into memory (the web server serves the bytes;
// the CLI writes them with WriteFileAtomically). The context borrows the catalogue and scheme;
// the functions are thread-safe when the catalogue is (certificate serials are allocated under a
// named lock, so concurrent issuers on any server never share a number). All work on either
// catalogue backend.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "archive/scheme.h"
#include "archive/status.h"
#include "retrieval/pdf_document.h"
#include "retrieval/statistics.h"
#include "storage/appraisal_register.h"
#include "storage/catalogue.h"

namespace dangan {

// What every report needs to know about the archive. Borrowed pointers: the caller keeps the
// catalogue and scheme alive while a report runs.
struct ReportContext {
  RecordCatalogue* catalogue = nullptr;
  const ClassificationScheme* scheme = nullptr;
  std::string archive_root;            // holds secret.key, the key of certificate codes
  std::string fonds;                   // 全宗号
  std::string organization;            // the agency, printed in headers and on certificates
  std::string font_path;               // empty = ResolveCjkFontPath()
  std::function<std::string()> clock;  // now as ISO 8601 with offset; required for certificates
};

// ---- 归档文件目录 ------------------------------------------------------------------------------
// A year (and optionally one class), or one numbering series (the 档号 without its 件号, e.g.
// "J012-SB·2025-D100-0102", with or without the separator before the 件号); `series` wins when
// set.
struct CatalogueSelection {
  int year = 0;
  std::string class_code;
  std::string series;
  // For a reader without the right to personal data: names and 公民身份号码 masked in the
  // 题名, 文号 and 责任者 (archive/record_masking.h).
  bool mask_personal = false;
};

// One line of the 目录, in 档号 order.
struct CatalogueEntry {
  int number = 0;           // 序号
  std::string reference;    // 档号
  std::string doc_number;   // 文号
  std::string responsible;  // 责任者
  std::string title;        // 题名
  std::string date;         // 日期, 8 digits YYYYMMDD
  std::string security;     // 密级
  int pages = 0;            // 页数
  std::string remarks;      // 备注 (e.g. the record's state when it is no longer simply filed)
};

// The entries of a selection. InvalidArgument for a year outside 1900–2999 (without a series) or
// a class the scheme does not know; an empty selection is an empty list.
Result<std::vector<CatalogueEntry>> ListCatalogue(const ReportContext& ctx,
                                                  const CatalogueSelection& selection);
// The 归档文件目录 as an A4 landscape PDF (DA/T 22 columns).
Result<std::string> RenderCataloguePdf(const ReportContext& ctx,
                                       const CatalogueSelection& selection);

// ---- 查档证明 ----------------------------------------------------------------------------------
struct CertificateRequest {
  std::string requester;                // the person who asked; stored and printed masked
  std::string purpose;                  // why (查档目的)
  std::vector<std::string> references;  // the 档号 certified, each must exist
  std::string actor;                    // who issues it, for the audit trail
};

struct Certificate {
  std::string serial;     // CD-2026-000001: sequential per year of issue, never reused
  std::string code;       // 12 lower-case hex digits: HMAC-SHA256(secret, serial|refs|issued_at)
  std::string issued_at;  // ISO 8601
  std::string requester;  // masked (MaskName)
  std::string purpose;
  std::vector<std::string> references;  // in the order asked, duplicates removed
};

struct IssuedCertificate {
  Certificate certificate;
  std::string pdf;  // the 查档证明 document
};

// Checks the request (InvalidArgument naming what is wrong, e.g. an unknown 档号), allocates the
// serial, stores the certificate, appends one "certify" audit event per record and renders the
// PDF. The secret is <archive_root>/secret.key, created (32 random bytes, mode 0600) on first use.
// If rendering fails after the certificate was stored, the serial stays used (no gaps are
// reused) and the error is returned; RenderCertificatePdf can print it again.
// `within`, when given, runs in the certificate's own transaction once it is stored: what must
// happen with the certificate or not at all (an inquiry's approval); its error undoes both.
Result<IssuedCertificate> IssueCertificate(
    const ReportContext& ctx, const CertificateRequest& request,
    const std::function<Status(SqlSession&, const Certificate&)>& within = nullptr);
// Renders a stored certificate (e.g. to print it again).
Result<std::string> RenderCertificatePdf(const ReportContext& ctx, const Certificate& certificate);

struct CertificateCheck {
  bool genuine = false;  // the serial exists and the code is its code
  bool known_serial = false;
  Certificate certificate;  // filled only when genuine (a wrong code reveals nothing)
};
// Looks the serial up and compares codes in constant time; letter case and surrounding spaces of
// `code` are ignored. Unknown serials and wrong codes are answers, not errors.
Result<CertificateCheck> VerifyCertificate(const ReportContext& ctx, const std::string& serial,
                                           const std::string& code);
// A stored certificate by serial (NotFound if there is none).
Result<Certificate> FindCertificate(const ReportContext& ctx, const std::string& serial);

// ---- 销毁清册 ----------------------------------------------------------------------------------
// The register of one destruction: 序号, 档号, 题名, 起止年度, 应保管期限, 已保管期限, 销毁时间,
// and who appraised, approved and supervised it. `tombstones` in the order listed.
Result<std::string> RenderDestructionRegisterPdf(const ReportContext& ctx,
                                                 const std::vector<Tombstone>& tombstones);

// ---- 社会保险业务档案管理基本情况统计表 ---------------------------------------------------------
Result<std::string> RenderAnnualStatisticsPdf(const ReportContext& ctx, int year);
// The same from figures already computed.
Result<std::string> RenderAnnualStatisticsPdf(const ReportContext& ctx,
                                              const AnnualStatistics& stats);

}  // namespace dangan
