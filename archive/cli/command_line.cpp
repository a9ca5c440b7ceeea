#include "archive/cli/command_line.h"

#include <iostream>

namespace dangan::cli {
int Main(int, char**) {
  std::cerr << "dangan: not yet\n";
  return 2;
}
}  // namespace dangan::cli
