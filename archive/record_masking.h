// MaskPersonalData: a record as someone without the right to the person's data sees it: the
// person's name and 公民身份号码 masked (identifiers.h) wherever the record repeats them in text
// (title, 文号, 责任者, file names, handling steps, full text). Pure function on a copy.
#pragma once

#include "archive/record.h"

namespace dangan {

void MaskPersonalData(Record& record);

// The person's name and 公民身份号码 masked in one text (a search hit's title or snippet).
void MaskPersonIn(std::string& text, const Person& person);

}  // namespace dangan
