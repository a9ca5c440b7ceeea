// What the report-printing commands share: the font a PDF uses (--font, $DANGAN_PDF_FONT,
// report.font in archive.properties, else the default) and a ReportContext over an open session.
#pragma once

#include <string>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "retrieval/reports.h"

namespace dangan::cli {

std::string ReportFontPath(const Context& ctx, const Arguments& args);
ReportContext MakeReportContext(ArchiveSession& s, const std::string& font);

}  // namespace dangan::cli
