// MaskPersonalData: a record as someone without the right to the person's data sees it: the
// person's name and 公民身份号码 masked (identifiers.h) wherever the record repeats them in text
// (title, 文号, 责任者, file names, handling steps, full text), and any other valid 公民身份号码
// the text holds. Each works on the caller's record or string, in place or on a copy; no state,
// thread-safe.
#pragma once

#include <optional>
#include <string>

#include "archive/record.h"

namespace dangan {

void MaskPersonalData(Record& record);

// The person's name and 公民身份号码 masked in one text (a search hit's title or snippet).
void MaskPersonIn(std::string& text, const Person& person);

// One text as someone without the right to personal data sees it: the holder's name and number
// masked (when the holder is known), and every other valid 公民身份号码 too.
void MaskPersonalText(std::string& text, const std::optional<Person>& holder);

// Every valid 公民身份号码 in `text` shown masked (110105********002X), whoever it belongs to: a
// capture whose holder was not recognised, or a note naming a relative, still holds numbers.
std::string MaskIdentifiers(const std::string& text);

}  // namespace dangan
