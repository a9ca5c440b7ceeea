// Statistics over the catalogue: holdings by class, year and retention period, intake by month and
// channel, fixity status (on either backend), and the figures of the annual
// 社会保险业务档案管理基本情况统计表 (the embedded catalogue, whose registers they read). Free
// functions returning plain structs; each runs its own read on a pooled connection, so they are
// as thread-safe as the catalogue. Holdings count records still in custody (state not
// 'destroyed' or 'transferred'); intake counts by filing time (filed_at, the agency's local date).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive/scheme.h"
#include "archive/status.h"
#include "storage/catalogue.h"

namespace dangan {

// 件 (records), pages and package bytes.
struct Tally {
  int64_t records = 0;
  int64_t pages = 0;
  int64_t bytes = 0;
};

// One line of a holdings breakdown. `key` is the class code ("01"), the 年度 ("2025") or the
// retention code ("D100"); `label` its name from the scheme ("社会保险管理类", "100年"), empty
// when unknown.
struct HoldingsRow {
  std::string key;
  std::string label;
  Tally tally;
};

// With a scheme, every class (or retention code) of the scheme is listed in scheme order, zero
// rows included, then any codes found in the catalogue but unknown to the scheme. Without one,
// only codes present are listed, in code order.
Result<std::vector<HoldingsRow>> HoldingsByClass(SqlTables& catalogue,
                                                 const ClassificationScheme* scheme = nullptr);
// By 年度 (the year the records were formed), ascending; only years present.
Result<std::vector<HoldingsRow>> HoldingsByYear(SqlTables& catalogue);
Result<std::vector<HoldingsRow>> HoldingsByRetention(SqlTables& catalogue,
                                                     const ClassificationScheme* scheme = nullptr);
// Everything in custody.
Result<Tally> TotalHoldings(SqlTables& catalogue);

// Records filed in one month through one channel ("business", "capture", "manual").
struct IntakeRow {
  std::string month;  // YYYY-MM of filed_at
  std::string channel;
  Tally tally;
};
// Months from `from_month` to `to_month` inclusive (YYYY-MM; empty = unbounded), ascending by
// month then channel. Counts every record filed, whatever has happened to it since.
Result<std::vector<IntakeRow>> IntakeByMonth(SqlTables& catalogue,
                                             const std::string& from_month = "",
                                             const std::string& to_month = "");

// How the last fixity check of each record in custody ended.
struct FixityStatus {
  int64_t ok = 0;
  int64_t damaged = 0;
  int64_t never_checked = 0;
  std::string last_checked_at;                  // newest check of any record; empty if none
  std::vector<std::string> damaged_references;  // the first kMaxListed damaged records, by 档号
  static constexpr int kMaxListed = 100;
};
Result<FixityStatus> FixityStatusSummary(SqlTables& catalogue);

// One class in the annual table.
struct AnnualClassRow {
  std::string class_code;
  std::string name;
  int64_t holdings = 0;  // 件 in custody at year end
  int64_t intake = 0;    // 件 filed during the year
};

// What the annual 社会保险业务档案管理基本情况统计表 needs, as far as the catalogue knows.
struct AnnualStatistics {
  int year = 0;
  int64_t fonds = 0;             // 全宗: distinct 全宗号 among the holdings at year end
  Tally holdings;                // 馆藏: filed on or before 31 December and still in custody
  int64_t holdings_volumes = 0;  // 卷: 0 — records are kept by 件; no 卷 level yet
  Tally intake;                  // 本年归档: filed during the year
  std::vector<HoldingsRow> intake_by_retention;  // every retention code of the scheme
  std::vector<AnnualClassRow> by_class;          // every class of the scheme
  // 利用: 查档证明 issued during the year and the 件 they certify. Other forms of use (reading,
  // copies) are counted here once the inquiry workflow records them.
  int64_t certificates_issued = 0;
  int64_t records_certified = 0;
  // 移交 and 销毁 during the year (transfer events; tombstones).
  int64_t transferred_records = 0;
  int64_t destroyed_records = 0;
  // 利用人次: inquiry requests (查档申请) approved in the year.
  int64_t persons_served = 0;
};

// `year` must be 1900–2999 (InvalidArgument otherwise).
Result<AnnualStatistics> ComputeAnnualStatistics(RecordCatalogue& catalogue,
                                                 const ClassificationScheme& scheme, int year);

// The figures as a JSON object (for `dangan report statistics --json` and the HTTP API).
std::string AnnualStatisticsToJson(const AnnualStatistics& stats);

}  // namespace dangan
