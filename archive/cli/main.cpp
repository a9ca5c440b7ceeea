#include "archive/cli/command_line.h"

int main(int argc, char** argv) { return dangan::cli::Main(argc, argv); }
