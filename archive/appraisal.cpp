#include "archive/appraisal.h"

#include <set>

#include "archive/retention.h"

namespace dangan {

const char* DecisionName(AppraisalDecision d) {
  switch (d) {
    case AppraisalDecision::kKeep:
      return "keep";
    case AppraisalDecision::kExtend:
      return "extend";
    case AppraisalDecision::kDestroy:
      return "destroy";
  }
  return "?";
}

const char* DecisionLabel(AppraisalDecision d) {
  switch (d) {
    case AppraisalDecision::kKeep:
      return "继续保存(永久)";
    case AppraisalDecision::kExtend:
      return "延长保管期限";
    case AppraisalDecision::kDestroy:
      return "销毁";
  }
  return "?";
}

std::optional<AppraisalDecision> ParseDecision(const std::string& name) {
  for (auto d : {AppraisalDecision::kKeep, AppraisalDecision::kExtend, AppraisalDecision::kDestroy})
    if (name == DecisionName(d)) return d;
  return std::nullopt;
}

Status CheckProposal(AppraisalDecision decision, const RetentionCode& current,
                     const std::optional<RetentionCode>& new_period, int formed_year,
                     const std::string& today) {
  auto due = RetentionDueDate(formed_year, current);
  if (decision != AppraisalDecision::kKeep) {
    if (!due)
      return Status::InvalidArgument("the record is kept permanently (" + current.name +
                                     "); it is never due for destruction");
    if (*due > today)
      return Status::InvalidArgument("the record's period (" + current.name + ") runs until " +
                                     *due + "; it cannot be appraised for " +
                                     DecisionLabel(decision) + " before then");
  }
  if (decision == AppraisalDecision::kExtend) {
    if (!new_period)
      return Status::InvalidArgument("extending needs the new period (--retention CODE)");
    if (new_period->years && current.years && *new_period->years <= *current.years)
      return Status::InvalidArgument("the new period " + new_period->name +
                                     " is not longer than the current " + current.name);
  } else if (new_period) {
    return Status::InvalidArgument(std::string("a new period is only given when extending, not ") +
                                   "for " + DecisionLabel(decision));
  }
  return Status::Ok();
}

Status CheckDecider(const std::string& proposed_by, const std::string& decided_by) {
  if (decided_by.empty()) return Status::InvalidArgument("who decides must be named");
  if (decided_by == proposed_by)
    return Status(ErrorCode::kForbidden, decided_by +
                                             " proposed this appraisal and cannot also decide it "
                                             "(the proposer and the approver must differ)");
  return Status::Ok();
}

Status CheckSupervisors(const std::vector<std::string>& supervisors, const std::string& executor) {
  std::set<std::string> distinct;
  for (const auto& s : supervisors) {
    if (s.empty()) return Status::InvalidArgument("a supervisor's name is empty");
    if (!executor.empty() && s == executor)
      return Status::InvalidArgument(s +
                                     " carries out the destruction and cannot also supervise it");
    distinct.insert(s);
  }
  if (distinct.size() < 2)
    return Status::InvalidArgument(
        "a destruction is supervised by at least two different people (监销人)");
  return Status::Ok();
}

int YearsKept(int formed_year, const std::string& on) {
  if (on.size() < 4) return 0;
  int year = std::stoi(on.substr(0, 4));
  int kept = year - (formed_year + 1);
  return kept < 0 ? 0 : kept;
}

}  // namespace dangan
