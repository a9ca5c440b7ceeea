// The search options shared by `dangan search` and `dangan report csv`: free text from the
// positional arguments plus --class --item --year --retention --person --unit. Pure functions.
#pragma once

#include <set>
#include <string>

#include "archive/cli/arguments.h"
#include "archive/scheme.h"
#include "storage/catalogue.h"

namespace dangan::cli {

inline const std::set<std::string> kSearchOptions = {"--class",     "--item",   "--year",
                                                     "--retention", "--person", "--unit"};

// The query the arguments describe; InvalidArgument for a bad year or text that is not UTF-8.
Result<SearchSpec> SearchSpecFromArguments(const Arguments& args);
// Filters must name things the scheme knows, so a typo is an error rather than "0 records".
Status CheckSearchFilters(const SearchSpec& spec, const ClassificationScheme& scheme);

}  // namespace dangan::cli
