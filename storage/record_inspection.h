// RecordInspection: what the transfer- and preservation-stage four-property checks judge about
// one filed record, observed from its package (one copy) and the catalogue: the package's digest
// and problems, each content file's size, digest and first and last bytes, its metadata XML, the
// 档号's uniqueness, the series' 件号 gaps and the digest the audit chain recorded at filing.
// Reads only; safe from several threads when the catalogue and store are.
#pragma once

#include <optional>

#include "archive/property_checks.h"
#include "storage/package_store.h"
#include "storage/record_catalogue.h"

namespace dangan {

// Fills every fact of `out` for `record` (which `out.record` must point to). `copy` picks the
// storage root (0 the primary); without it, the copy reads would use. Errors only when the
// catalogue cannot be read: damage in the package becomes facts, not errors.
Status InspectRecord(RecordCatalogue& catalogue, const PackageStore& packages, const Record& record,
                     CheckSubject* out, std::optional<size_t> copy = std::nullopt);
// Inspects `record` and judges it with the items of `stage`.
Result<CheckReport> CheckRecord(RecordCatalogue& catalogue, const PackageStore& packages,
                                const PropertyChecks& checks, const ClassificationScheme& scheme,
                                const ReferenceTemplate& tmpl, const Record& record,
                                CheckStage stage, std::optional<size_t> copy = std::nullopt);

}  // namespace dangan
