#include "archive/inquiry_rules.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace dangan {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Result<std::vector<std::string>> Strings(const Object::Ptr& o, const std::string& key,
                                         const std::string& where, bool required_nonempty) {
  std::vector<std::string> out;
  Array::Ptr a = o->has(key) ? o->getArray(key) : nullptr;
  if (!a) return Status::InvalidArgument(where + ": '" + key + "' must be a list of strings");
  for (size_t i = 0; i < a->size(); ++i) {
    const auto& v = a->get(static_cast<unsigned>(i));
    if (!v.isString() || v.extract<std::string>().empty())
      return Status::InvalidArgument(where + ": '" + key + "' holds a value that is not text");
    out.push_back(v.extract<std::string>());
  }
  if (required_nonempty && out.empty())
    return Status::InvalidArgument(where + ": '" + key + "' must not be empty");
  return out;
}

}  // namespace

Result<InquiryRules> InquiryRules::Parse(const std::string& json, const std::string& origin) {
  InquiryRules rules;
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(json).extract<Object::Ptr>();
    if (root->optValue<std::string>("version", "") != "dangan inquiry 1")
      return Status::InvalidArgument(origin + ": version must be \"dangan inquiry 1\"");
    rules.promised_working_days_ = root->getValue<int>("promised_working_days");
    rules.near_due_hours_ = root->getValue<int>("near_due_hours");
    if (rules.promised_working_days_ < 1 || rules.promised_working_days_ > 60)
      return Status::InvalidArgument(origin + ": promised_working_days must be 1 to 60");
    if (rules.near_due_hours_ < 1 || rules.near_due_hours_ > 24 * 30)
      return Status::InvalidArgument(origin + ": near_due_hours must be 1 to 720");
    Array::Ptr types = root->getArray("requester_types");
    if (!types || types->size() == 0)
      return Status::InvalidArgument(origin + ": requester_types must list the requesters");
    for (size_t i = 0; i < types->size(); ++i) {
      auto t = types->getObject(static_cast<unsigned>(i));
      const std::string where = origin + ": requester_types[" + std::to_string(i) + "]";
      if (!t) return Status::InvalidArgument(where + " must be an object");
      RequesterType rt;
      rt.code = t->optValue<std::string>("code", "");
      rt.name = t->optValue<std::string>("name", "");
      rt.online = t->optValue<bool>("online", false);
      if (rt.code.empty() || rt.name.empty())
        return Status::InvalidArgument(where + " needs a code and a name");
      // The portal checks identifiers it knows how to check: a person's or a unit's.
      if (rt.online && rt.code != "person" && rt.code != "unit")
        return Status::InvalidArgument(where + ": only person and unit can apply online");
      if (rules.FindType(rt.code))
        return Status::InvalidArgument(where + ": code " + rt.code + " is listed twice");
      auto ids = Strings(t, "identifiers", where, true);
      if (!ids.ok()) return ids.status();
      auto docs = Strings(t, "documents", where, false);
      if (!docs.ok()) return docs.status();
      rt.identifiers = *ids;
      rt.documents = *docs;
      rules.types_.push_back(std::move(rt));
    }
    auto purposes = Strings(root, "purposes", origin, true);
    if (!purposes.ok()) return purposes.status();
    auto ratings = Strings(root, "ratings", origin, true);
    if (!ratings.ok()) return ratings.status();
    auto notice = Strings(root, "notice", origin, true);
    if (!notice.ok()) return notice.status();
    rules.purposes_ = *purposes;
    rules.ratings_ = *ratings;
    root->remove("note");
    std::ostringstream guide;
    root->stringify(guide);
    rules.guide_json_ = guide.str();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(origin + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
  return rules;
}

Result<InquiryRules> InquiryRules::LoadBuiltin() {
  return Parse(BuiltinInquiryJson(), "archive/scheme/inquiry.json");
}

const InquiryRules::RequesterType* InquiryRules::FindType(const std::string& code) const {
  for (const auto& t : types_)
    if (t.code == code) return &t;
  return nullptr;
}

Result<std::string> InquiryRules::DueAt(const std::string& submitted) const {
  // Poco's parser keeps the wall-clock time as written (the offset apart): the days are counted
  // in the agency's own calendar.
  Poco::DateTime local;
  int tz = 0;
  const bool shaped = submitted.size() >= 20 && submitted[4] == '-' && submitted[10] == 'T';
  if (!shaped || (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FORMAT, submitted,
                                                  local, tz) &&
                  !Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT,
                                                  submitted, local, tz)))
    return Status::InvalidArgument("not an ISO 8601 time: " + submitted);
  int left = promised_working_days_;
  while (left > 0) {
    local += Poco::Timespan(1, 0, 0, 0, 0);
    int dow = local.dayOfWeek();  // 0 = Sunday
    if (dow != 0 && dow != 6) --left;
  }
  return Poco::DateTimeFormatter::format(local, Poco::DateTimeFormat::ISO8601_FORMAT, tz);
}

}  // namespace dangan
