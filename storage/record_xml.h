// RecordXml: the record's metadata as the XML document kept in every package (data/metadata.xml):
// DA/T 46 文件实体 fields, the social-insurance keys, 业务实体 handling steps and the files'
// electronic properties. Element names follow DA/T 46 in Chinese. Pure functions; thread-safe.
#pragma once

#include <string>

#include <vector>

#include "archive/audit_chain.h"
#include "archive/record.h"

namespace dangan {

inline constexpr const char* kRecordXmlNamespace = "urn:dangan:record:1";

std::string RecordToXml(const Record& record, const std::string& organization);

inline constexpr const char* kPremisNamespace = "http://www.loc.gov/premis/v3";
// The record's history (audit events) as PREMIS 3 events on the package object, so it travels
// with an exported copy (premis-events.xml beside the bag's tag files).
std::string PremisEventsXml(const Record& record, const std::vector<AuditEvent>& events);

}  // namespace dangan
