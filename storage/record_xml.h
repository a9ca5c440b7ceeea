// RecordXml: the record's metadata as the XML document kept in every package (data/metadata.xml):
// DA/T 46 文件实体 fields, the social-insurance keys, 业务实体 handling steps and the files'
// electronic properties. Element names follow DA/T 46 in Chinese. Pure functions; thread-safe.
#pragma once

#include <string>

#include "archive/record.h"

namespace dangan {

inline constexpr const char* kRecordXmlNamespace = "urn:dangan:record:1";

std::string RecordToXml(const Record& record, const std::string& organization);

}  // namespace dangan
