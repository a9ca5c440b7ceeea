#include "archive/retention.h"

namespace dangan {

std::optional<std::string> RetentionDueDate(int formed_year, const RetentionCode& retention) {
  if (!retention.years) return std::nullopt;
  return std::to_string(formed_year + 1 + *retention.years) + "-01-01";
}

}  // namespace dangan
