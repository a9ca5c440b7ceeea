// The `dangan` program's entry: parses the global options and dispatches to one subcommand.
// Main() owns everything it creates; not reentrant (it sets the process locale).
#pragma once

namespace dangan::cli {
int Main(int argc, char** argv);
}
