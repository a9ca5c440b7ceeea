// Printing a Status for a person on stderr: the message, then one line per offending field.
#pragma once

#include <string>

#include "archive/status.h"

namespace dangan::cli {

void PrintStatus(const std::string& what, const Status& status);
// Prints the status and returns `code`.
int FailStatus(const Status& status, int code = 1);

}  // namespace dangan::cli
