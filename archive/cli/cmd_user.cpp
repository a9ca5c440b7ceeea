// `dangan user`: the people who act on the archive and their roles. Once one exists, every
// command names a registered --actor whose role (archive/scheme/roles.json) allows it.
#include <iostream>

#include "archive/access_policy.h"
#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "storage/user_registry.h"

namespace dangan::cli {

int RunUser(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--role"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string verb = args->positional.empty() ? "" : args->positional[0];
  auto policy = AccessPolicy::LoadBuiltin();
  if (!policy.ok()) return FailStatus(policy.status());
  if (args->Has("--help") || verb.empty()) {
    std::cout << "usage: dangan user add NAME --role ROLE\n"
                 "       dangan user list\n"
                 "       dangan user roles\n"
                 "Registers who may act on the archive. The first user must be an administrator;\n"
                 "from then on every command needs --actor NAME of a registered user whose role\n"
                 "allows it (see `dangan user roles`).\n";
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
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  UserRegistry users((*session)->catalogue());
  if (verb == "add") {
    if (args->positional.size() != 2) return Fail("usage: dangan user add NAME --role ROLE", 2);
    Status st =
        users.Add(args->positional[1], args->Get("--role"), *policy, ctx.actor, NowIso8601());
    if (!st.ok()) return FailStatus(st, st.code() == ErrorCode::kInvalidArgument ? 2 : 1);
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
  return Fail("unknown user command '" + verb + "' (add, list, roles)", 2);
}

}  // namespace dangan::cli
