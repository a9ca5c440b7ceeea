#include "archive/reference_number.h"

#include <cstdio>
#include <regex>
#include <set>

namespace dangan {

Result<ReferenceTemplate> ReferenceTemplate::Parse(const std::string& pattern) {
  static const std::set<std::string> kNames = {"fonds", "category", "year", "retention",
                                               "item",  "class",    "seq"};
  ReferenceTemplate t;
  t.pattern_ = pattern;
  std::set<std::string> seen;
  size_t i = 0;
  while (i < pattern.size()) {
    size_t open = pattern.find('{', i);
    if (open == std::string::npos) {
      t.pieces_.push_back({pattern.substr(i), ""});
      break;
    }
    if (open > i) t.pieces_.push_back({pattern.substr(i, open - i), ""});
    size_t close = pattern.find('}', open);
    if (close == std::string::npos) {
      return Status::InvalidArgument("档号 template '" + pattern + "': unclosed '{'");
    }
    std::string name = pattern.substr(open + 1, close - open - 1);
    if (name.rfind("seq", 0) == 0) {
      if (name == "seq") {
        t.seq_width_ = 4;
      } else if (std::regex_match(name, std::regex("seq:[1-9]"))) {
        t.seq_width_ = name[4] - '0';
      } else {
        return Status::InvalidArgument("档号 template: bad placeholder {" + name + "}");
      }
      name = "seq";
    }
    if (!kNames.count(name)) {
      return Status::InvalidArgument("档号 template: unknown placeholder {" + name + "}");
    }
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("档号 template: {" + name + "} appears twice");
    }
    t.pieces_.push_back({"", name});
    i = close + 1;
  }
  for (const char* required : {"year", "retention", "seq"}) {
    if (!seen.count(required)) {
      return Status::InvalidArgument(std::string("档号 template '") + pattern + "' lacks {" +
                                     required + "}");
    }
  }
  if (t.pieces_.back().name != "seq") {
    return Status::InvalidArgument("档号 template must end with the 件号 {seq}");
  }
  std::string shape;
  for (const auto& piece : t.pieces_) {
    if (piece.name.empty()) {
      for (char c : piece.literal) {
        if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) shape += '\\';
        shape += c;
      }
    } else if (piece.name == "year") {
      shape += "[0-9]{4}";
    } else if (piece.name == "seq") {
      shape += "[0-9]{" + std::to_string(t.seq_width_) + ",}";
    } else {
      shape += "[0-9A-Za-z]+";
    }
  }
  t.shape_ = std::regex(shape);
  return t;
}

std::string ReferenceTemplate::Render(const ReferenceParts& p, bool with_seq) const {
  std::string out;
  for (const auto& piece : pieces_) {
    if (piece.name.empty())
      out += piece.literal;
    else if (piece.name == "fonds")
      out += p.fonds;
    else if (piece.name == "category")
      out += p.category;
    else if (piece.name == "year") {
      char year[16];
      std::snprintf(year, sizeof year, "%04d", p.year);
      out += year;
    } else if (piece.name == "retention")
      out += p.retention;
    else if (piece.name == "item")
      out += p.item;
    else if (piece.name == "class")
      out += p.class_code;
    else if (piece.name == "seq" && with_seq) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%0*d", seq_width_, p.seq);
      out += buf;
    }
  }
  return out;
}

std::string ReferenceTemplate::Format(const ReferenceParts& parts) const {
  return Render(parts, true);
}

std::string ReferenceTemplate::SeriesKey(const ReferenceParts& parts) const {
  return Render(parts, false);
}

bool ReferenceTemplate::Matches(const std::string& text) const {
  // std::regex recurses per character: keep arbitrary user text away from it.
  if (text.empty() || text.size() > 128) return false;
  return std::regex_match(text, shape_);
}

Status ValidateFonds(const std::string& fonds) {
  if (!std::regex_match(fonds, std::regex("[0-9A-Z]{4}"))) {
    return Status::InvalidArgument("全宗号 must be 4 upper-case letters or digits, got '" + fonds +
                                   "'");
  }
  return Status::Ok();
}

}  // namespace dangan
