#include "archive/cli/report_status.h"

#include <iostream>

namespace dangan::cli {

void PrintStatus(const std::string& what, const Status& status) {
  std::cerr << "dangan: " << (what.empty() ? "" : what + ": ") << status.message() << "\n";
  for (const auto& f : status.fields()) std::cerr << "  " << f.field << ": " << f.message << "\n";
}

int FailStatus(const Status& status, int code) {
  PrintStatus("", status);
  return code;
}

}  // namespace dangan::cli
