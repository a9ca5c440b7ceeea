// The capture review queue for the workbench: GET /api/v1/review (pending documents),
// GET /api/v1/review/{id} (the draft with its OCR text and word layout), the page images, and
// POST …/accept or …/reject. Decisions go through the ReviewDesk, so they file and teach the
// classifier exactly as `dangan review` does. Also GET /api/v1/scheme, the items to choose from.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/NumberParser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

Object::Ptr ItemSummary(const ReviewItem& r) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", r.id);
  o->set("file", r.file_name);
  o->set("suggested_item", r.suggested_item);
  o->set("confidence", r.confidence);
  o->set("state", r.state);
  o->set("created_at", r.created_at);
  o->set("reference", r.reference);
  if (!r.decided_by.empty()) {
    o->set("decided_by", r.decided_by);
    o->set("decided_at", r.decided_at);
    o->set("decided_item", r.decided_item);
  }
  return o;
}

// A staged file of a queued document; empty when it is not there (older stagings lack images).
std::string ReadStaged(const std::string& root, const ReviewItem& r, const std::string& name) {
  std::ifstream in(fs::path(root) / r.staged_dir / name, std::ios::binary);
  if (!in) return "";
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<int64_t> ReviewId(const std::string& text) {
  Poco::Int64 id = 0;
  if (!Poco::NumberParser::tryParse64(text, id) || id < 1 || text.size() > 12)
    return Status::NotFound("no review item " + text);
  return static_cast<int64_t>(id);
}

// The pending item, or an answer already sent (404/503) and nullopt.
std::optional<ReviewItem> Lookup(Services& services, Exchange& x) {
  if (services.review == nullptr) {
    SendProblem(x.resp, 503, "Service Unavailable", "this server keeps no review queue");
    return std::nullopt;
  }
  auto id = ReviewId(x.params[0]);
  if (!id.ok()) {
    SendStatus(x.resp, id.status());
    return std::nullopt;
  }
  auto item = services.review->queue().Find(*id);
  if (!item.ok()) {
    SendStatus(x.resp, item.status());
    return std::nullopt;
  }
  if (!*item) {
    SendProblem(x.resp, 404, "Not Found", "no review item " + x.params[0]);
    return std::nullopt;
  }
  return **item;
}

std::string Field(const Object::Ptr& o, const std::string& name) {
  if (!o->has(name) || o->isNull(name)) return "";
  return o->get(name).convert<std::string>();
}

}  // namespace

void AddSchemeRoutes(Router& router, Services& services) {
  router.Add({"GET", "/api/v1/scheme", "search",
              "The classification scheme: classes and their business items with retention",
              [&services](Exchange& x) {
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                root.set("version", services.scheme->version());
                Array::Ptr classes = new Array;
                for (const auto& c : services.scheme->classes()) {
                  Object::Ptr co = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                  co->set("code", c.code);
                  co->set("name", c.name);
                  Array::Ptr items = new Array;
                  for (const auto& code : c.item_codes) {
                    const BusinessItem* it = services.scheme->FindItem(code);
                    if (it == nullptr) continue;
                    Object::Ptr io = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                    io->set("code", it->code);
                    io->set("name", it->name);
                    io->set("retention", it->retention);
                    io->set("capture", it->capture);
                    items->add(io);
                  }
                  co->set("items", items);
                  classes->add(co);
                }
                root.set("classes", classes);
                Array::Ptr retention = new Array;
                for (const auto& r : services.scheme->retention_codes()) {
                  Object::Ptr ro = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                  ro->set("code", r.code);
                  ro->set("name", r.name);
                  retention->add(ro);
                }
                root.set("retention", retention);
                SendJson(x.resp, 200, root);
              }});
}

void AddReviewRoutes(Router& router, Services& services) {
  router.Add({"GET",
              "/api/v1/review",
              "review",
              "The capture review queue, oldest first (state=pending|filed|rejected|all)",
              [&services](Exchange& x) {
                if (services.review == nullptr)
                  return SendProblem(x.resp, 503, "Service Unavailable",
                                     "this server keeps no review queue");
                std::string state = x.query.count("state") ? x.query["state"] : "pending";
                if (state != "pending" && state != "filed" && state != "rejected" && state != "all")
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "state must be pending, filed, rejected or all",
                                     {{"state", "unknown state '" + state + "'"}});
                auto items = services.review->queue().List(state == "all" ? "" : state, 500);
                if (!items.ok()) return SendStatus(x.resp, items.status());
                Object root(Poco::JSON_PRESERVE_KEY_ORDER);
                Array::Ptr list = new Array;
                for (const auto& r : *items) list->add(ItemSummary(r));
                root.set("items", list);
                SendJson(x.resp, 200, root);
              },
              {"state"}});

  router.Add({"GET", "/api/v1/review/{id}", "review",
              "A queued document: the draft case, its OCR text and word layout, its page images",
              [&services](Exchange& x) {
                auto r = Lookup(services, x);
                if (!r) return;
                Object::Ptr o = ItemSummary(*r);
                Poco::JSON::Parser parser;
                try {
                  o->set("case", parser.parse(r->draft_json));
                } catch (const std::exception&) {
                  o->set("case", Poco::Dynamic::Var());
                }
                o->set("text", ReadStaged(services.root, *r, "ocr.txt"));
                std::string layout = ReadStaged(services.root, *r, "ocr.json");
                int images = 0;
                try {
                  Poco::JSON::Parser lp;
                  o->set("layout", layout.empty() ? Poco::Dynamic::Var() : lp.parse(layout));
                } catch (const std::exception&) {
                  o->set("layout", Poco::Dynamic::Var());
                }
                std::error_code ec;
                while (fs::exists(fs::path(services.root) / r->staged_dir /
                                      ("page-" + std::to_string(images + 1) + ".jpg"),
                                  ec))
                  ++images;
                o->set("page_images", images);
                // The draft names people (names, 公民身份号码): showing it is an access.
                AuditEvent e;
                e.at = services.clock();
                e.actor = x.principal->Actor();
                e.action = "view";
                e.detail = "{\"review_id\":" + std::to_string(r->id) + "}";
                Status logged = services.access_log->Record(std::move(e));
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendJson(x.resp, 200, *o);
              }});

  router.Add({"GET", "/api/v1/review/{id}/pages/{page}", "review",
              "Page N (from 1) of a queued document as recognised, as JPEG: the pixels its OCR "
              "word boxes refer to",
              [&services](Exchange& x) {
                auto r = Lookup(services, x);
                if (!r) return;
                int page = 0;
                if (!Poco::NumberParser::tryParse(x.params[1], page) || page < 1 || page > 100000)
                  return SendProblem(x.resp, 404, "Not Found", "no page " + x.params[1]);
                std::string jpeg =
                    ReadStaged(services.root, *r, "page-" + std::to_string(page) + ".jpg");
                if (jpeg.empty())
                  return SendProblem(x.resp, 404, "Not Found",
                                     "no image of page " + x.params[1] + " was kept");
                AuditEvent e;  // the page shows names and numbers as the draft does
                e.at = services.clock();
                e.actor = x.principal->Actor();
                e.action = "view";
                e.detail = "{\"review_id\":" + std::to_string(r->id) +
                           ",\"page\":" + std::to_string(page) + "}";
                Status logged = services.access_log->Record(std::move(e));
                if (!logged.ok()) return SendStatus(x.resp, logged);
                SendBytes(x.resp, jpeg, "image/jpeg");
              }});

  router.Add({"POST", "/api/v1/review/{id}/accept", "review",
              "File a queued document, as its suggested item or as {item}, optionally with "
              "another {title} or {date}; returns its 档号",
              [&services](Exchange& x) {
                auto r = Lookup(services, x);
                if (!r) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::string item, title, date;
                try {
                  item = Field(*body, "item");
                  title = Field(*body, "title");
                  date = Field(*body, "date");
                } catch (const std::exception&) {
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "item, title and date are strings");
                }
                auto ref = services.review->Accept(r->id, item, title, date, x.principal->Actor());
                if (!ref.ok()) return SendStatus(x.resp, ref.status());
                Object o(Poco::JSON_PRESERVE_KEY_ORDER);
                o.set("id", r->id);
                o.set("state", "filed");
                o.set("reference", *ref);
                SendJson(x.resp, 201, o);
              }});

  router.Add({"POST", "/api/v1/review/{id}/reject", "review",
              "Reject a queued document as not a business record, with a {reason}",
              [&services](Exchange& x) {
                auto r = Lookup(services, x);
                if (!r) return;
                auto body = ReadJsonObject(x.req);
                if (!body.ok()) return SendStatus(x.resp, body.status());
                std::string reason;
                try {
                  reason = Field(*body, "reason");
                } catch (const std::exception&) {
                }
                if (reason.empty() || reason.size() > 2000)
                  return SendProblem(x.resp, 422, "Unprocessable Content",
                                     "a rejection needs a reason",
                                     {{"reason", "1 to 2000 bytes of text"}});
                Status st = services.review->Reject(r->id, reason, x.principal->Actor());
                if (!st.ok()) return SendStatus(x.resp, st);
                Object o(Poco::JSON_PRESERVE_KEY_ORDER);
                o.set("id", r->id);
                o.set("state", "rejected");
                SendJson(x.resp, 200, o);
              }});
}

}  // namespace dangan::web
