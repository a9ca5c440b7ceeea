// `dangan user`: the people who act on the archive and their roles. Once one exists, every
// command names a registered --actor whose role (archive/scheme/roles.json) allows it.
#include <iostream>

#include "archive/access_policy.h"
#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "storage/password_hash.h"
#include "storage/pg_catalogue.h"
#include "storage/user_registry.h"

namespace dangan::cli {

namespace {

// The first line of standard input, without its line end: a password never goes on the
// command line, where other users of the machine could read it from the process list.
Result<std::string> PasswordFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line)) return Status::InvalidArgument("no password on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return HashPassword(line);
}

}  // namespace

int RunUser(const Context& ctx, int argc, char** argv) {
  auto args =
      Arguments::Parse(argc, argv, 1, {"--role", "--catalogue"}, {"--help", "--password-stdin"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string verb = args->positional.empty() ? "" : args->positional[0];
  auto policy = LoadAccessPolicy(ctx.root);
  if (!policy.ok()) return FailStatus(policy.status());
  if (args->Has("--help") || verb.empty()) {
    std::cout << "usage: dangan user add NAME --role ROLE [--password-stdin]\n"
                 "       dangan user password NAME --password-stdin\n"
                 "       dangan user list\n"
                 "       dangan user roles\n"
                 "Registers who may act on the archive. The first user must be an administrator;\n"
                 "from then on every command needs --actor NAME of a registered user whose role\n"
                 "allows it (see `dangan user roles`). --password-stdin reads the password for\n"
                 "signing in to the web workbench from the first line of standard input (at\n"
                 "least 8 characters; kept as a PBKDF2 hash). A new password ends the user's\n"
                 "sessions.\n"
                 "--catalogue postgresql://… acts on the users of a PostgreSQL catalogue (those\n"
                 "`dangan serve --catalogue` signs in); once it has users, --actor must be one\n"
                 "of them with the admin permission.\n";
    return verb.empty() && !args->Has("--help") ? 2 : 0;
  }
  if (verb == "roles") {
    for (const auto& r : policy->roles()) {
      std::cout << r.code << "\t" << r.name << "\t";
      bool first = true;
      for (const auto& p : r.permissions) std::cout << (first ? "" : ",") << p, first = false;
      std::cout << "\n";
    }
    return 0;
  }
  std::unique_ptr<ArchiveSession> session;
  std::unique_ptr<PgCatalogue> shared;
  SqlTables* tables = nullptr;
  if (args->options.count("--catalogue")) {
    auto url = SharedCatalogueUrl(args->Get("--catalogue"), false);
    if (url.ok() && url->empty()) return Fail("--catalogue needs a postgresql:// URI", 2);
    if (!url.ok()) return FailStatus(url.status(), 2);
    auto pg = PgCatalogue::Open(*url, nullptr);
    if (!pg.ok()) return FailStatus(pg.status());
    shared = std::move(*pg);
    tables = shared.get();
    // This catalogue has its own users; the command line left the check to here.
    Status may = CheckSharedActor(*tables, ctx.root, ctx.actor, ctx.permission);
    if (!may.ok()) return Fail("forbidden: " + may.message(), 3);
  } else {
    auto opened = ArchiveSession::Open(ctx.root);
    if (!opened.ok()) return FailStatus(opened.status());
    session = std::move(*opened);
    tables = &session->catalogue();
  }
  UserRegistry users(*tables);
  if (verb == "add") {
    if (args->positional.size() != 2)
      return Fail("usage: dangan user add NAME --role ROLE [--password-stdin]", 2);
    std::string hash;
    if (args->Has("--password-stdin")) {
      auto h = PasswordFromStdin();
      if (!h.ok()) return FailStatus(h.status(), 2);
      hash = *h;
    }
    Status st =
        users.Add(args->positional[1], args->Get("--role"), *policy, ctx.actor, NowIso8601(), hash);
    if (!st.ok()) return FailStatus(st, st.code() == ErrorCode::kInvalidArgument ? 2 : 1);
    return 0;
  }
  if (verb == "password") {
    if (args->positional.size() != 2 || !args->Has("--password-stdin"))
      return Fail("usage: dangan user password NAME --password-stdin", 2);
    auto h = PasswordFromStdin();
    if (!h.ok()) return FailStatus(h.status(), 2);
    Status st = users.SetPassword(args->positional[1], *h, ctx.actor, NowIso8601());
    if (!st.ok()) return FailStatus(st);
    return 0;
  }
  if (verb == "list") {
    auto all = users.List();
    if (!all.ok()) return FailStatus(all.status());
    for (const auto& u : *all) {
      const AccessPolicy::Role* r = policy->FindRole(u.role);
      std::cout << u.name << "\t" << u.role << "\t" << (r ? r->name : "?") << "\t" << u.created_at
                << "\n";
    }
    return 0;
  }
  return Fail("unknown user command '" + verb + "' (add, password, list, roles)", 2);
}

}  // namespace dangan::cli
