// Retention arithmetic: a period runs from 1 January of the year after the record was formed
// (社会保险业务档案管理规定). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "archive/scheme.h"

namespace dangan {

// The first day the record may be appraised, as "YYYY-01-01"; empty for 永久 (Y).
std::optional<std::string> RetentionDueDate(int formed_year, const RetentionCode& retention);

}  // namespace dangan
