#include "archive/cli/arguments.h"

#include <charconv>

namespace dangan::cli {

Result<Arguments> Arguments::Parse(int argc, char** argv, int first,
                                   const std::set<std::string>& value_options,
                                   const std::set<std::string>& flag_options) {
  Arguments a;
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg.size() < 2 || arg.rfind("--", 0) != 0) {
      if (!options_done && arg.size() >= 2 && arg[0] == '-' && arg != "-")
        return Status::InvalidArgument("unknown option " + arg);
      a.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (value_options.count(name)) {
      if (!has_value) {
        if (i + 1 >= argc) return Status::InvalidArgument(name + " needs a value");
        value = argv[++i];
      }
      a.options[name] = value;
    } else if (flag_options.count(name)) {
      if (has_value) return Status::InvalidArgument(name + " takes no value");
      a.flags.insert(name);
    } else {
      return Status::InvalidArgument("unknown option " + name);
    }
  }
  return a;
}

Result<int> ParseInt(const std::string& option, const std::string& text, int min, int max) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max)
    return Status::InvalidArgument(option + " must be a whole number from " + std::to_string(min) +
                                   " to " + std::to_string(max) + ", got '" + text + "'");
  return v;
}

}  // namespace dangan::cli
