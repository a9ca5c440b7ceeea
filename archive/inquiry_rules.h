// InquiryRules: the public inquiry service (查档) as data (archive/scheme/inquiry.json, compiled
// in; a local inquiry.local.json replaces it): what a requester is told before starting
// (一次告知), who may apply online, the promised completion time in working days (限时办结), the
// purposes offered and the satisfaction scale. Immutable after loading; safe to share.
#pragma once

#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

class InquiryRules {
 public:
  struct RequesterType {
    std::string code;  // "person", "unit", "agent", "authority"
    std::string name;
    bool online = false;  // may apply through the portal (only person and unit can)
    std::vector<std::string> identifiers, documents;
  };

  static Result<InquiryRules> Parse(const std::string& json, const std::string& origin);
  static Result<InquiryRules> LoadBuiltin();

  int promised_working_days() const { return promised_working_days_; }
  int near_due_hours() const { return near_due_hours_; }
  const std::vector<RequesterType>& requester_types() const { return types_; }
  const RequesterType* FindType(const std::string& code) const;
  const std::vector<std::string>& purposes() const { return purposes_; }
  const std::vector<std::string>& ratings() const { return ratings_; }
  // The rules as the portal shows them (JSON), without the maintainers' note.
  const std::string& guide_json() const { return guide_json_; }

  // When a request submitted at `submitted` (ISO 8601 with offset) is due: that many working
  // days later (Monday to Friday; public holidays are not known), same time of day and offset.
  Result<std::string> DueAt(const std::string& submitted) const;

 private:
  int promised_working_days_ = 5;
  int near_due_hours_ = 24;
  std::vector<RequesterType> types_;
  std::vector<std::string> purposes_, ratings_;
  std::string guide_json_;
};

const char* BuiltinInquiryJson();

}  // namespace dangan
