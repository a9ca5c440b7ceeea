// `dangan show` and `dangan search`: reading the catalogue, each read logged as an access.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <iostream>
#include <sstream>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "archive/cli/search_options.h"
#include "archive/text.h"
#include "storage/access_log.h"
#include "storage/appraisal_register.h"
#include "storage/record_json.h"
#include "storage/secret_key.h"
#include "web/http_json.h"

namespace dangan::cli {

using web::JsonQuote;

int RunShow(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--json", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan show REF [--json]\n"
           "Prints a record's metadata, files, handling steps, events and last fixity check.\n"
           "Every view is written to the audit trail.\n";
    return 0;
  }
  if (args->positional.size() != 1) return Fail("show needs exactly one 档号", 2);
  const std::string& ref = args->positional[0];
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto rec = s.catalogue().GetRecord(ref);
  if (!rec.ok()) return FailStatus(rec.status());
  if (!*rec) {
    AppraisalRegister reg(s.catalogue(), s.scheme());
    auto tomb = reg.FindTombstone(ref);
    if (!tomb.ok()) return FailStatus(tomb.status());
    if (!*tomb) return Fail("no record " + ref);
    const Tombstone& t = **tomb;
    std::cout << "档号\t" << t.reference << "\n题名\t" << t.title << "\n日期\t" << t.formed_on
              << "\n保管期限\t" << t.retention << "\n状态\t已销毁 " << t.destroyed_at << "\n鉴定\t#"
              << t.appraisal_id << " " << t.proposed_by << " / 批准 " << t.approved_by
              << "\n销毁清册\t" << t.register_reference << "\n";
    return 1;  // the record itself is gone
  }
  const Record& r = **rec;
  // Personal data was shown: the view is accountable.
  Status logged = s.Log(ctx.actor, "view", ref, "{\"via\":\"cli show\"}");
  if (!logged.ok()) return FailStatus(logged);
  auto events = s.catalogue().Events(ref, 0, Catalogue::EventKinds::kHistory);
  if (!events.ok()) return FailStatus(events.status());
  auto fixity = s.catalogue().LastFixity(ref);
  if (!fixity.ok()) return FailStatus(fixity.status());

  if (args->Has("--json")) {
    std::string json = RecordToJson(r, false);
    json.pop_back();  // reopen the object to add events and fixity
    json += ",\"events\":[";
    for (size_t i = 0; i < events->size(); ++i) {
      const auto& e = (*events)[i];
      json += (i ? "," : "") + std::string("{\"seq\":") + std::to_string(e.seq) +
              ",\"at\":" + JsonQuote(e.at) + ",\"actor\":" + JsonQuote(e.actor) +
              ",\"action\":" + JsonQuote(e.action) + ",\"detail\":" + JsonQuote(e.detail) + "}";
    }
    json += "],\"fixity\":";
    if (*fixity)
      json += "{\"checked_at\":" + JsonQuote((*fixity)->checked_at) +
              ",\"ok\":" + ((*fixity)->ok ? "true" : "false") +
              ",\"detail\":" + JsonQuote((*fixity)->detail) + "}";
    else
      json += "null";
    std::cout << json << "}\n";
    return 0;
  }
  const BusinessItem* item = s.scheme().FindItem(r.parts.item);
  const SchemeClass* cls = s.scheme().FindClass(r.parts.class_code);
  const RetentionCode* ret = s.scheme().FindRetention(r.parts.retention);
  std::cout << "档号      " << r.reference << "\n"
            << "题名      " << r.title << "\n"
            << "类别      " << r.parts.class_code << " " << (cls ? cls->name : "") << "\n"
            << "业务环节  " << r.parts.item << " " << (item ? item->name : "") << "\n"
            << "保管期限  " << r.parts.retention << " " << (ret ? ret->name : "") << "\n"
            << "日期      " << r.formed_on << "\n"
            << "责任者    " << r.responsible << "\n";
  if (!r.doc_number.empty()) std::cout << "文件编号  " << r.doc_number << "\n";
  std::cout << "经办      " << r.agency << " / " << r.handler << "，办结 " << r.closed_at << "\n"
            << "来源      " << r.source << " " << r.case_id << " (" << r.channel << ")\n";
  if (r.person) std::cout << "参保人    " << r.person->name << " " << r.person->id_number << "\n";
  if (r.unit) std::cout << "参保单位  " << r.unit->name << " " << r.unit->credit_code << "\n";
  std::cout << "文件\n";
  for (const auto& f : r.files)
    std::cout << "  " << f.name << "  " << f.format << "  " << f.size << " B  sha256:" << f.sha256
              << "\n";
  if (!r.steps.empty()) std::cout << "办理过程\n";
  for (const auto& st : r.steps)
    std::cout << "  " << st.at << "  " << st.action << "  " << st.by << "\n";
  std::cout << "归档      " << r.filed_at << "\n"
            << "封装包    " << r.package_path << "  sha256:" << r.package_sha256 << "  "
            << r.package_bytes << " B\n";
  if (*fixity)
    std::cout << "固定性    " << ((*fixity)->ok ? "完好" : "损坏") << "  " << (*fixity)->checked_at
              << "\n";
  else
    std::cout << "固定性    未检查\n";
  std::cout << "事件\n";
  for (const auto& e : *events)
    std::cout << "  #" << e.seq << "  " << e.at << "  " << e.action << "  " << e.actor << "\n";
  return 0;
}

int RunSearch(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1,
                               [] {
                                 auto o = kSearchOptions;
                                 o.insert({"--limit", "--offset"});
                                 return o;
                               }(),
                               {"--json", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan search [QUERY] [--class C] [--item I] [--year Y] [--retention R]\n"
           "                     [--person ID] [--unit CODE] [--limit N] [--offset N] [--json]\n"
           "Searches titles, metadata and text. Chinese queries of any length match\n"
           "(养, 养老, 养老保险); words in a query must all occur. A 公民身份号码,\n"
           "统一社会信用代码 or 档号 in the query is looked up exactly.\n";
    return 0;
  }
  auto parsed = SearchSpecFromArguments(*args);
  if (!parsed.ok()) return FailStatus(parsed.status(), 2);
  SearchSpec spec = *parsed;
  if (args->options.count("--limit")) {
    auto n = ParseInt("--limit", args->Get("--limit"), 1, 1000);
    if (!n.ok()) return FailStatus(n.status(), 2);
    spec.limit = *n;
  }
  if (args->options.count("--offset")) {
    auto n = ParseInt("--offset", args->Get("--offset"), 0, 1000000);
    if (!n.ok()) return FailStatus(n.status(), 2);
    spec.offset = *n;
  }
  if (spec.text.empty() && spec.class_code.empty() && spec.item.empty() && !spec.year &&
      spec.retention.empty() && spec.person_id.empty() && spec.unit_code.empty())
    return Fail("search needs a query or at least one filter", 2);

  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  if (Status st = CheckSearchFilters(spec, (*session)->scheme()); !st.ok())
    return FailStatus(st, 2);
  auto page = (*session)->catalogue().Search(spec);
  if (!page.ok()) return FailStatus(page.status());
  // Logged as the server logs a search: whose records exist is personal data.
  auto secret = LoadOrCreateSecret(ctx.root);
  if (!secret.ok()) return FailStatus(secret.status());
  Status logged = (*session)->Log(
      ctx.actor, "search", "",
      "{\"what\":" +
          JsonQuote(KeyedSearchQuestion(*secret, spec.text, spec.person_id, spec.unit_code)) +
          ",\"via\":\"cli search\"}");
  if (!logged.ok()) return FailStatus(logged);
  if (args->Has("--json")) {
    std::cout << "{\"total\":" << page->total
              << ",\"total_is_lower_bound\":" << (page->total_is_lower_bound ? "true" : "false")
              << ",\"hits\":[";
    for (size_t i = 0; i < page->hits.size(); ++i) {
      const auto& h = page->hits[i];
      std::cout << (i ? "," : "") << "{\"reference\":" << JsonQuote(h.reference)
                << ",\"title\":" << JsonQuote(h.title) << ",\"year\":" << h.year
                << ",\"class\":" << JsonQuote(h.class_code) << ",\"item\":" << JsonQuote(h.item)
                << ",\"retention\":" << JsonQuote(h.retention)
                << ",\"formed_on\":" << JsonQuote(h.formed_on)
                << ",\"snippet\":" << JsonQuote(h.snippet) << "}";
    }
    std::cout << "]}\n";
    return 0;
  }
  for (const auto& h : page->hits) {
    std::cout << h.reference << "  " << h.title << "  " << h.formed_on << "\n";
    if (!h.snippet.empty()) {
      std::string one_line = h.snippet;
      for (auto& c : one_line)
        if (c == '\n') c = ' ';
      std::cout << "    " << one_line << "\n";
    }
  }
  std::cerr << (page->total_is_lower_bound ? "more than " : "") << page->total << " record"
            << (page->total == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace dangan::cli
