// Appraisal (鉴定), holds (保全) and destruction (销毁) for the workbench: the same register and
// the same destruction run as `dangan appraise|hold|destroy`, so the four-eyes rule, holds and
// the filed 销毁清册 cannot differ between the command line and the web. Over HTTP the two
// supervisors of a destruction are not names typed in: each confirms with their own password.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/NumberParser.h>

#include <memory>
#include <mutex>
#include <optional>

#include "archive/identifiers.h"
#include "archive/record_masking.h"
#include "archive/text.h"
#include "retrieval/destruction.h"
#include "storage/appraisal_register.h"
#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

constexpr size_t kMaxListed = 1000;  // references or ids in one request
constexpr size_t kMaxSupervisors = 4;

Object::Ptr AppraisalJson(const AppraisalEntry& a) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", a.id);
  o->set("reference", a.reference);
  o->set("decision", a.decision);
  o->set("new_retention", a.new_retention);
  o->set("reason", a.reason);
  o->set("proposed_by", a.proposed_by);
  o->set("proposed_at", a.proposed_at);
  o->set("state", a.state);
  o->set("decided_by", a.decided_by);
  o->set("decided_at", a.decided_at);
  o->set("note", a.note);
  return o;
}

Object::Ptr HoldJson(const HoldEntry& h) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", h.id);
  o->set("active", h.released_at.empty());
  o->set("reference", h.scope.reference);
  o->set("class", h.scope.class_code);
  o->set("item", h.scope.item);
  o->set("year", h.scope.year);
  // A hold is a lifecycle fact, not a reason to show whose records it covers.
  o->set("person", h.scope.person_id.empty() ? "" : MaskIdNumber(h.scope.person_id));
  o->set("unit", h.scope.unit_code);
  o->set("reason", h.reason);
  o->set("placed_by", h.placed_by);
  o->set("placed_at", h.placed_at);
  o->set("released_by", h.released_by);
  o->set("released_at", h.released_at);
  return o;
}

// `masked`: for a viewer without personal.read: the title as masked when the record was
// destroyed. A tombstone from before that was kept cannot say which words are the name, so its
// title is withheld.
Object::Ptr TombstoneJson(const Tombstone& t, bool masked) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("reference", t.reference);
  o->set("title", masked ? t.TitleWithoutPersonalData() : t.title);
  o->set("year", t.year);
  o->set("retention", t.retention);
  o->set("formed_on", t.formed_on);
  o->set("filed_at", t.filed_at);
  o->set("destroyed_at", t.destroyed_at);
  o->set("proposed_by", t.proposed_by);
  o->set("approved_by", t.approved_by);
  Array::Ptr sup = new Array;
  for (const auto& s : t.supervisors) sup->add(s);
  o->set("supervisors", sup);
  o->set("register_reference", t.register_reference);
  return o;
}

// A `limit` query parameter: `fallback` when absent, 1..`most` otherwise.
Result<int> LimitParam(const Exchange& x, int fallback, int most) {
  auto it = x.query.find("limit");
  if (it == x.query.end() || it->second.empty()) return fallback;
  int n = 0;
  if (!Poco::NumberParser::tryParse(it->second, n) || n < 1 || n > most)
    return Status::InvalidArgument("limit must be a whole number from 1 to " + std::to_string(most),
                                   {{"limit", "from 1 to " + std::to_string(most)}});
  return n;
}

// A text field: absent or null is empty; anything but a string is an error named by field.
Result<std::string> TextField(const Object::Ptr& body, const std::string& name) {
  if (!body->has(name) || body->isNull(name)) return std::string();
  Poco::Dynamic::Var v = body->get(name);
  if (!v.isString())
    return Status::InvalidArgument(name + " must be text", {{name, "must be text"}});
  std::string s = v.extract<std::string>();
  if (s.size() > 4000 || !IsValidUtf8(s))
    return Status::InvalidArgument(name + " must be UTF-8 text of at most 4000 bytes",
                                   {{name, "too long or not UTF-8"}});
  return s;
}

// A list of strings (`references`) or of positive ids (`ids`); absent is empty.
Result<std::vector<std::string>> TextList(const Object::Ptr& body, const std::string& name) {
  std::vector<std::string> out;
  if (!body->has(name) || body->isNull(name)) return out;
  Array::Ptr list = body->getArray(name);
  if (!list || list->size() > kMaxListed)
    return Status::InvalidArgument(
        name + " must be a list of at most " + std::to_string(kMaxListed) + " 档号",
        {{name, "must be a list of 档号"}});
  for (size_t i = 0; i < list->size(); ++i) {
    Poco::Dynamic::Var v = list->get(i);
    std::string field = name + "[" + std::to_string(i) + "]";
    if (!v.isString() || v.extract<std::string>().empty() || v.extract<std::string>().size() > 200)
      return Status::InvalidArgument(field + " must be a 档号", {{field, "must be a 档号"}});
    out.push_back(v.extract<std::string>());
  }
  return out;
}

Result<std::vector<int64_t>> IdList(const Object::Ptr& body, const std::string& name) {
  std::vector<int64_t> out;
  if (!body->has(name) || body->isNull(name)) return out;
  Array::Ptr list = body->getArray(name);
  if (!list || list->size() > kMaxListed)
    return Status::InvalidArgument(name + " must be a list of ids", {{name, "a list of ids"}});
  for (size_t i = 0; i < list->size(); ++i) {
    Poco::Dynamic::Var v = list->get(i);
    std::string field = name + "[" + std::to_string(i) + "]";
    Poco::Int64 id = 0;
    try {
      if (v.isInteger()) id = v.convert<Poco::Int64>();
    } catch (const Poco::Exception&) {
      id = 0;  // out of range
    }
    if (id < 1)
      return Status::InvalidArgument(field + " must be a positive whole number",
                                     {{field, "must be a positive whole number"}});
    out.push_back(id);
  }
  return out;
}

// Reads the JSON body; on failure the answer is sent and nullptr returned.
Object::Ptr Body(Exchange& x) {
  auto body = ReadJsonObject(x.req);
  if (!body.ok()) {
    SendStatus(x.resp, body.status());
    return nullptr;
  }
  return *body;
}

// The supervisors of a destruction, each confirmed by their own password and allowed to
// supervise, none of them the one carrying it out; one answer for every failed confirmation, so
// it tells no one which names exist. Password attempts count against the same per-name limit as
// signing in, and each failed one is an audit event. On failure the answer is sent and nullopt
// returned.
std::optional<std::vector<std::string>> ConfirmedSupervisors(Services& services, Exchange& x,
                                                             const Object::Ptr& body,
                                                             RateLimiter& password_tries) {
  auto refuse = [&x](const Status& st) -> std::optional<std::vector<std::string>> {
    SendStatus(x.resp, st);
    return std::nullopt;
  };
  if (!body->has("supervisors") || !body->getArray("supervisors"))
    return refuse(Status::InvalidArgument("supervisors must be a list of {name, password}",
                                          {{"supervisors", "a list of {name, password}"}}));
  Array::Ptr list = body->getArray("supervisors");
  if (list->size() > kMaxSupervisors)
    return refuse(
        Status::InvalidArgument("at most " + std::to_string(kMaxSupervisors) + " supervisors",
                                {{"supervisors", "too many"}}));
  std::vector<std::pair<std::string, std::string>> given;
  for (size_t i = 0; i < list->size(); ++i) {
    Object::Ptr s = list->getObject(i);
    std::string field = "supervisors[" + std::to_string(i) + "]";
    if (!s)
      return refuse(Status::InvalidArgument(field + " must be {name, password}",
                                            {{field, "{name, password}"}}));
    auto name = TextField(s, "name");
    auto password = TextField(s, "password");
    if (!name.ok() || !password.ok() || name->empty() || password->empty() || name->size() > 100)
      return refuse(Status::InvalidArgument(field + " needs a name and a password",
                                            {{field, "a name and a password"}}));
    given.emplace_back(*name, *password);
  }
  std::vector<std::string> names;
  for (const auto& g : given) names.push_back(g.first);
  // The rules first: a request that cannot pass them costs no password checks.
  Status rules = CheckSupervisors(names, x.principal->Actor());
  if (!rules.ok()) return refuse(rules);
  if (services.sessions == nullptr)
    return refuse(
        Status(ErrorCode::kUnavailable, "this server keeps no users to confirm supervisors"));
  for (const auto& [name, password] : given) {
    double wait = 0;
    if (!password_tries.Allow(name, &wait)) {
      x.resp.set("Retry-After", std::to_string(static_cast<int>(wait) + 1));
      SendProblem(x.resp, 429, "Too Many Requests",
                  "too many password attempts for " + name + "; try again in " +
                      std::to_string(static_cast<int>(wait) + 1) + " s");
      return std::nullopt;
    }
    auto role = services.sessions->Confirm(name, password);
    if (!role.ok() && role.status().code() != ErrorCode::kUnauthorized)
      return refuse(role.status());
    if (!role.ok() || !services.policy->Allows(*role, "destroy.supervise")) {
      AuditEvent e;
      e.at = services.clock();
      e.actor = x.principal->Actor();
      e.action = "supervisor-refused";
      e.detail = "{\"supervisor\":" + JsonQuote(name) + "}";
      auto logged = services.records->AppendEvents({e}, RecordCatalogue::Durability::kSynced);
      if (!logged.ok()) return refuse(logged.status());
      return refuse(Status(ErrorCode::kForbidden,
                           "supervisor " + name +
                               " could not be confirmed: a registered user who may supervise a "
                               "destruction, with their own password"));
    }
  }
  return names;
}

}  // namespace

void AddLifecycleRoutes(Router& router, Services& services,
                        std::shared_ptr<RateLimiter> password_tries) {
  router.Add(
      {"GET",
       "/api/v1/appraisals/due",
       "appraise.read",
       "Records whose retention period has run out by due_by (default today), oldest first, "
       "with any open appraisal and whether a hold covers them",
       [&services](Exchange& x) {
         std::string due_by = x.query.count("due_by") ? x.query["due_by"] : "";
         if (due_by.empty()) due_by = services.clock().substr(0, 10);
         if (!IsIsoDate(due_by))
           return SendProblem(x.resp, 422, "Unprocessable Content", "due_by must be YYYY-MM-DD",
                              {{"due_by", "a date YYYY-MM-DD"}});
         auto limit = LimitParam(x, 500, 5000);
         if (!limit.ok()) return SendStatus(x.resp, limit.status());
         AppraisalRegister reg(*services.records, *services.scheme);
         auto due = reg.Due(due_by, x.query.count("class") ? x.query["class"] : "", *limit);
         if (!due.ok()) return SendStatus(x.resp, due.status());
         // Titles name the persons: whole only for those who may read personal data
         // (a leader approves destructions without that right).
         const bool masked = !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
         if (Status st = LogAccess(services, x, "report", "",
                                   "appraisal due list, " + std::to_string(due->size()) +
                                       " records" + (masked ? ", masked" : ""));
             !st.ok())
           return SendStatus(x.resp, st);
         Object root(Poco::JSON_PRESERVE_KEY_ORDER);
         root.set("due_by", due_by);
         Array::Ptr records = new Array;
         for (const auto& d : *due) {
           Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
           std::string title = d.title;
           if (masked) MaskPersonalText(title, d.person);
           o->set("reference", d.reference);
           o->set("title", title);
           o->set("year", d.year);
           o->set("retention", d.retention);
           o->set("due_on", d.due_on);
           o->set("held", d.held);
           if (d.open)
             o->set("open", AppraisalJson(*d.open));
           else
             o->set("open", Poco::Dynamic::Var());
           records->add(o);
         }
         root.set("records", records);
         SendJson(x.resp, 200, root);
       },
       {"due_by", "class", "limit"}});

  router.Add({"GET",
              "/api/v1/appraisals",
              "appraise.read",
              "Appraisals, newest first (state=proposed|approved|rejected|executed)",
              [&services](Exchange& x) {
                std::string state = x.query.count("state") ? x.query["state"] : "";
                if (!state.empty() && state != "proposed" && state != "approved" &&
                    state != "rejected" && state != "executed")
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "state must be proposed, approved, rejected or executed",
                                     {{"state", "unknown state '" + state + "'"}});
                auto limit = LimitParam(x, 500, 5000);
                if (!limit.ok()) return SendStatus(x.resp, limit.status());
                AppraisalRegister reg(*services.records, *services.scheme);
                auto list = reg.List(state, *limit);
                if (!list.ok()) return SendStatus(x.resp, list.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                Array::Ptr out = new Array;
                for (const auto& a : *list) out->add(AppraisalJson(a));
                root.set("appraisals", out);
                SendJson(x.resp, 200, root);
              },
              {"state", "limit"}});

  router.Add({"POST", "/api/v1/appraisals", "appraise.propose",
              "Propose keep, extend (with retention) or destroy for records due, with a reason: "
              "{references, decision, retention, reason}; all or none",
              [&services](Exchange& x) {
                Object::Ptr body = Body(x);
                if (!body) return;
                auto refs = TextList(body, "references");
                if (!refs.ok()) return SendStatus(x.resp, refs.status());
                if (refs->empty())
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "name at least one record",
                                     {{"references", "at least one 档号"}});
                auto decision_text = TextField(body, "decision");
                if (!decision_text.ok()) return SendStatus(x.resp, decision_text.status());
                auto decision = ParseDecision(*decision_text);
                if (!decision)
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "decision must be keep, extend or destroy",
                                     {{"decision", "keep, extend or destroy"}});
                auto retention = TextField(body, "retention");
                if (!retention.ok()) return SendStatus(x.resp, retention.status());
                auto reason = TextField(body, "reason");
                if (!reason.ok()) return SendStatus(x.resp, reason.status());
                AppraisalRegister reg(*services.records, *services.scheme);
                auto ids = reg.Propose(*refs, *decision, *retention, *reason, x.principal->Actor(),
                                       services.clock());
                if (!ids.ok()) return SendStatus(x.resp, ids.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                Array::Ptr out = new Array;
                for (int64_t id : *ids) out->add(id);
                root.set("ids", out);
                SendJson(x.resp, 201, root);
              }});

  router.Add(
      {"POST", "/api/v1/appraisals/decisions", "appraise.decide",
       "Approve or reject proposed appraisals: {ids, approve, note}; never one's own "
       "proposal; all or none",
       [&services](Exchange& x) {
         Object::Ptr body = Body(x);
         if (!body) return;
         auto ids = IdList(body, "ids");
         if (!ids.ok()) return SendStatus(x.resp, ids.status());
         if (!body->has("approve") || !body->get("approve").isBoolean())
           return SendProblem(x.resp, 422, "Unprocessable Content", "approve must be true or false",
                              {{"approve", "true or false"}});
         const bool approve = body->getValue<bool>("approve");
         auto note = TextField(body, "note");
         if (!note.ok()) return SendStatus(x.resp, note.status());
         AppraisalRegister reg(*services.records, *services.scheme);
         Status st = reg.Decide(*ids, approve, x.principal->Actor(), *note, services.clock());
         if (!st.ok()) return SendStatus(x.resp, st);
         Object root(Poco::JSON_PRESERVE_KEY_ORDER);
         Array::Ptr out = new Array;
         for (int64_t id : *ids) out->add(id);
         root.set("ids", out);
         root.set("state", approve ? "approved" : "rejected");
         SendJson(x.resp, 200, root);
       }});

  router.Add({"GET",
              "/api/v1/holds",
              "appraise.read",
              "Holds that block destruction: active ones, or all with all=true",
              [&services](Exchange& x) {
                const bool all = x.query.count("all") && x.query["all"] == "true";
                AppraisalRegister reg(*services.records, *services.scheme);
                auto holds = reg.Holds(!all);
                if (!holds.ok()) return SendStatus(x.resp, holds.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                Array::Ptr out = new Array;
                for (const auto& h : *holds) out->add(HoldJson(h));
                root.set("holds", out);
                SendJson(x.resp, 200, root);
              },
              {"all"}});

  router.Add({"POST", "/api/v1/holds", "hold",
              "Place a hold on one record {reference, reason} or on every record a query matches "
              "{class, item, year, person, unit, reason}",
              [&services](Exchange& x) {
                Object::Ptr body = Body(x);
                if (!body) return;
                HoldScope scope;
                std::string person;
                for (auto [name, target] : {std::pair{"reference", &scope.reference},
                                            {"class", &scope.class_code},
                                            {"item", &scope.item},
                                            {"unit", &scope.unit_code},
                                            {"person", &person}}) {
                  auto v = TextField(body, name);
                  if (!v.ok()) return SendStatus(x.resp, v.status());
                  *target = *v;
                }
                if (!person.empty()) {
                  auto id = ParseIdNumber(person);
                  if (!id.ok())
                    return SendProblem(x.resp, 422, "Unprocessable Content",
                                       "person must be a valid 公民身份号码",
                                       {{"person", id.status().message()}});
                  scope.person_id = id->normalized;
                }
                if (body->has("year") && !body->isNull("year")) {
                  Poco::Dynamic::Var y = body->get("year");
                  Poco::Int64 year = 0;
                  try {
                    if (y.isInteger()) year = y.convert<Poco::Int64>();
                  } catch (const Poco::Exception&) {
                    year = 0;  // out of range
                  }
                  if (year < 1900 || year > 2999)
                    return SendProblem(x.resp, 422, "Unprocessable Content",
                                       "year must be a year from 1900 to 2999",
                                       {{"year", "a year from 1900 to 2999"}});
                  scope.year = static_cast<int>(year);
                }
                const bool query = !scope.class_code.empty() || !scope.item.empty() || scope.year ||
                                   !scope.person_id.empty() || !scope.unit_code.empty();
                if (!scope.reference.empty() && query)
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "a hold names either one record or query fields, not both",
                                     {{"reference", "not with query fields"}});
                auto reason = TextField(body, "reason");
                if (!reason.ok()) return SendStatus(x.resp, reason.status());
                AppraisalRegister reg(*services.records, *services.scheme);
                auto id = reg.PlaceHold(scope, *reason, x.principal->Actor(), services.clock());
                if (!id.ok()) return SendStatus(x.resp, id.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                root.set("id", *id);
                SendJson(x.resp, 201, root);
              }});

  router.Add(
      {"POST", "/api/v1/holds/{id}/release", "hold", "Release a hold", [&services](Exchange& x) {
         Poco::Int64 id = 0;
         if (x.params[0].size() > 12 || !Poco::NumberParser::tryParse64(x.params[0], id) || id < 1)
           return SendProblem(x.resp, 404, "Not Found", "no hold " + x.params[0]);
         AppraisalRegister reg(*services.records, *services.scheme);
         Status st = reg.ReleaseHold(id, x.principal->Actor(), services.clock());
         if (!st.ok()) return SendStatus(x.resp, st);
         Object root(Poco::JSON_PRESERVE_KEY_ORDER);
         root.set("id", static_cast<int64_t>(id));
         root.set("released", true);
         SendJson(x.resp, 200, root);
       }});

  router.Add({"GET",
              "/api/v1/destructions",
              "appraise.read",
              "Tombstones of destroyed records, newest first, with the 销毁清册 listing each",
              [&services](Exchange& x) {
                auto limit = LimitParam(x, 500, 5000);
                if (!limit.ok()) return SendStatus(x.resp, limit.status());
                AppraisalRegister reg(*services.records, *services.scheme);
                auto all = reg.Tombstones(*limit);
                if (!all.ok()) return SendStatus(x.resp, all.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                Array::Ptr out = new Array;
                const bool masked =
                    !services.policy->Allows(PolicyRole(*x.principal), "personal.read");
                if (Status st = LogAccess(
                        services, x, "report", "",
                        "tombstones, " + std::to_string(all->size()) + (masked ? ", masked" : ""));
                    !st.ok())
                  return SendStatus(x.resp, st);
                for (const auto& t : *all) out->add(TombstoneJson(t, masked));
                root.set("tombstones", out);
                SendJson(x.resp, 200, root);
              },
              {"limit"}});

  // One destruction at a time here: the run finishes what an earlier one left, and two at once
  // would both file its 销毁清册 (safe, see retrieval/destruction.h, but wasted work). Servers
  // sharing a catalogue take turns only in the destroying transaction.
  static std::mutex destruction_mutex;
  router.Add(
      {"POST", "/api/v1/destructions", "destroy",
       "Carry out approved destructions {ids | all: true, supervisors: [{name, password}, …]}: at "
       "least two different supervisors other than oneself, each confirmed by their own password; "
       "refused with "
       "nothing destroyed if a hold covers any record. Files the 销毁清册",
       [&services, password_tries](Exchange& x) {
         Object::Ptr body = Body(x);
         if (!body) return;
         auto ids = IdList(body, "ids");
         if (!ids.ok()) return SendStatus(x.resp, ids.status());
         // Everything approved only when asked for in so many words, not by a key left out.
         const bool all =
             body->has("all") && body->get("all").isBoolean() && body->getValue<bool>("all");
         if (ids->empty() != all)
           return SendProblem(x.resp, 422, "Unprocessable Content",
                              "name the appraisals to carry out (ids) or ask for all of them "
                              "(\"all\": true), not both",
                              {{"ids", "a list of approved destruction appraisals, or all: true"}});
         auto supervisors = ConfirmedSupervisors(services, x, body, *password_tries);
         if (!supervisors) return;
         DestructionServices d;
         d.catalogue = services.records;
         d.scheme = services.scheme;
         d.packages = services.packages;
         d.filing = services.filing;
         d.report = ReportContextFor(services);
         d.stage_dir = services.root + "/intake";
         std::lock_guard<std::mutex> one_at_a_time(destruction_mutex);
         auto outcome =
             CarryOutDestruction(d, *ids, *supervisors, x.principal->Actor(), services.clock());
         if (!outcome.ok()) return SendStatus(x.resp, outcome.status());
         Object root(Poco::JSON_PRESERVE_KEY_ORDER);
         Array::Ptr destroyed = new Array;
         for (const auto& t : outcome->destroyed) destroyed->add(t.reference);
         Array::Ptr registers = new Array;
         for (const auto& r : outcome->registers) registers->add(r);
         root.set("destroyed", destroyed);
         root.set("registers", registers);
         SendJson(x.resp, 201, root);
       }});
}

}  // namespace dangan::web
