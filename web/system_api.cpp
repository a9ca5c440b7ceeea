// /healthz and /metrics.
#include "storage/replica_catch_up.h"
#include "web/api_server.h"
#include "web/http_json.h"

namespace dangan::web {

void AddSystemRoutes(Router& router, Services& services, Metrics& metrics) {
  router.Add({"GET", "/healthz", Access::kPublic, "Liveness and catalogue reachability",
              [&services](Exchange& x) {
                auto n = services.records->CountRecords();
                if (!n.ok()) {
                  SendProblem(x.resp, 503, "Service Unavailable", n.status().message());
                  return;
                }
                SendJson(x.resp, 200, "{\"status\":\"ok\",\"records\":" + std::to_string(*n) + "}");
              }});
  router.Add({"GET", "/metrics", Access::kPublic, "Prometheus metrics", [&](Exchange& x) {
                std::map<std::string, double> gauges;
                auto n = services.records->CountRecords();
                if (n.ok()) gauges["dangan_records"] = static_cast<double>(*n);
                // Copies still to catch up, on either backend: a replica left behind shows here.
                auto lagging = CountLaggingCopies(*services.records);
                if (lagging.ok())
                  gauges["dangan_replica_lagging_copies"] = static_cast<double>(*lagging);
                // The rest describe the embedded catalogue; a shared PostgreSQL one is watched
                // on its server, and its fixity results come from the workers' jobs.
                if (services.catalogue != nullptr) {
                  // Memory the catalogue holds: each pooled connection keeps its own page cache.
                  const auto pool = services.catalogue->Pool();
                  gauges["dangan_catalogue_connections"] = static_cast<double>(pool.connections);
                  gauges["dangan_catalogue_cache_bytes"] = static_cast<double>(pool.cache_bytes);
                  services.catalogue->WithConnection([&gauges](SqliteDb& db) {
                    // The latest fixity result of each record, counted by outcome.
                    auto st = db.Prepare(
                        "SELECT f.ok, count(*) FROM fixity f JOIN (SELECT reference, max(id) AS id"
                        " FROM fixity GROUP BY reference) last ON last.id = f.id GROUP BY f.ok");
                    if (!st.ok()) return st.status();
                    Status err;
                    gauges["dangan_fixity_records{status=\"damaged\"}"] = 0;
                    gauges["dangan_fixity_records{status=\"intact\"}"] = 0;
                    while (st->Step(&err))
                      gauges[st->Int(0) ? "dangan_fixity_records{status=\"intact\"}"
                                        : "dangan_fixity_records{status=\"damaged\"}"] =
                          static_cast<double>(st->Int(1));
                    return err;
                  });
                }
                if (const AuditCounters* a = services.audit) {
                  // Counters since the server started; damage left unrepaired also shows in
                  // dangan_fixity_records{status="damaged"} above.
                  gauges["dangan_fixity_audit_copies_checked_total"] =
                      static_cast<double>(a->copies_checked.load());
                  gauges["dangan_fixity_audit_bytes_total"] = static_cast<double>(a->bytes.load());
                  gauges["dangan_fixity_audit_damaged_copies_total"] =
                      static_cast<double>(a->damaged_copies.load());
                  gauges["dangan_fixity_audit_repaired_copies_total"] =
                      static_cast<double>(a->repaired_copies.load());
                  gauges["dangan_fixity_audit_unrepairable_records_total"] =
                      static_cast<double>(a->unrepairable_records.load());
                  gauges["dangan_fixity_audit_cycles_completed_total"] =
                      static_cast<double>(a->cycles_completed.load());
                  gauges["dangan_fixity_audit_stray_files_total"] =
                      static_cast<double>(a->stray_files.load());
                  gauges["dangan_replica_caught_up_copies_total"] =
                      static_cast<double>(a->caught_up_copies.load());
                  gauges["dangan_preservation_checks_failed_total"] =
                      static_cast<double>(a->checks_failed.load());
                }
                std::string body = metrics.Render(gauges);
                x.resp.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
                x.resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
                x.resp.setContentLength64(static_cast<Poco::Int64>(body.size()));
                x.resp.send() << body;
              }});
}

}  // namespace dangan::web
