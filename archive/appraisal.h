// Appraisal and destruction (鉴定与销毁) as rules over values: what an appraisal may decide, who
// may decide it, who must supervise a destruction, and the periods a 销毁清册 states. Records are
// never destroyed automatically: expiry only opens an appraisal. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archive/scheme.h"
#include "archive/status.h"

namespace dangan {

enum class AppraisalDecision { kKeep, kExtend, kDestroy };

const char* DecisionName(AppraisalDecision d);   // "keep", "extend", "destroy"
const char* DecisionLabel(AppraisalDecision d);  // 继续保存(永久), 延长保管期限, 销毁
std::optional<AppraisalDecision> ParseDecision(const std::string& name);

// A proposal's decision checked against the record: extending needs a longer period than the
// current one (or 永久), destroying and extending need the record to be due by `today`.
// `current` is the record's effective period (its own, or the last approved extension).
Status CheckProposal(AppraisalDecision decision, const RetentionCode& current,
                     const std::optional<RetentionCode>& new_period, int formed_year,
                     const std::string& today);

// The four-eyes rule: whoever proposed an appraisal can never approve or reject it.
Status CheckDecider(const std::string& proposed_by, const std::string& decided_by);

// A destruction is supervised by at least two different people, none of them empty and none
// of them the one who carries it out (`executor`; empty: not known here).
Status CheckSupervisors(const std::vector<std::string>& supervisors,
                        const std::string& executor = "");

// 已保管期限: whole years from 1 January after the record was formed to `on` (YYYY-MM-DD).
int YearsKept(int formed_year, const std::string& on);

}  // namespace dangan
