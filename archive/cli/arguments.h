// Arguments: a subcommand's command line split into positional arguments, options with values
// and flags, checked against what the subcommand accepts. A plain value.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan::cli {

struct Arguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--year" → "2026"
  std::set<std::string> flags;                 // "--json"

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string Get(const std::string& option, const std::string& fallback = "") const {
    auto it = options.find(option);
    return it == options.end() ? fallback : it->second;
  }
  // Parses `argv[first..argc)`. Options take a value (`--x V` or `--x=V`); "--" ends options.
  static Result<Arguments> Parse(int argc, char** argv, int first,
                                 const std::set<std::string>& value_options,
                                 const std::set<std::string>& flag_options);
};

// Parses a whole number within [min, max] for `option`.
Result<int> ParseInt(const std::string& option, const std::string& text, int min, int max);

}  // namespace dangan::cli
