#include "archive/cli/search_options.h"

#include "archive/text.h"

namespace dangan::cli {

Result<SearchSpec> SearchSpecFromArguments(const Arguments& args) {
  SearchSpec spec;
  for (const auto& p : args.positional) spec.text += (spec.text.empty() ? "" : " ") + p;
  if (!IsValidUtf8(spec.text)) return Status::InvalidArgument("the query is not valid UTF-8");
  spec.class_code = args.Get("--class");
  spec.item = args.Get("--item");
  spec.retention = args.Get("--retention");
  spec.person_id = args.Get("--person");
  spec.unit_code = args.Get("--unit");
  if (args.options.count("--year")) {
    auto y = ParseInt("--year", args.Get("--year"), 1900, 2999);
    if (!y.ok()) return y.status();
    spec.year = *y;
  }
  return spec;
}

Status CheckSearchFilters(const SearchSpec& spec, const ClassificationScheme& scheme) {
  if (!spec.class_code.empty() && !scheme.FindClass(spec.class_code))
    return Status::InvalidArgument("unknown class " + spec.class_code + " (the scheme has 01–09)");
  if (!spec.item.empty() && !scheme.FindItem(spec.item))
    return Status::InvalidArgument("unknown business item " + spec.item);
  if (!spec.retention.empty() && !scheme.FindRetention(spec.retention))
    return Status::InvalidArgument("unknown retention code " + spec.retention);
  return Status::Ok();
}

}  // namespace dangan::cli
