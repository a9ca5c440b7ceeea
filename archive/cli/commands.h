// The subcommands of `dangan`. Each takes the global context and its own arguments, prints its
// results on stdout and its errors on stderr, and returns the process exit code.
#pragma once

#include <string>

namespace dangan::cli {

struct Context {
  std::string root;   // the archive directory
  std::string actor;  // who is acting, for the audit chain
  // The permission the command asks of the actor: checked against the root's users before the
  // command runs, and on a shared PostgreSQL catalogue (--catalogue) against its users too.
  std::string permission;
};

int RunInit(const Context& ctx, int argc, char** argv);
int RunIngest(const Context& ctx, int argc, char** argv);
int RunShow(const Context& ctx, int argc, char** argv);
int RunSearch(const Context& ctx, int argc, char** argv);
int RunVerify(const Context& ctx, int argc, char** argv);
int RunExport(const Context& ctx, int argc, char** argv);
int RunBag(const Context& ctx, int argc, char** argv);
int RunReplica(const Context& ctx, int argc, char** argv);
int RunAudit(const Context& ctx, int argc, char** argv);
int RunCheck(const Context& ctx, int argc, char** argv);
int RunAppraise(const Context& ctx, int argc, char** argv);
int RunHold(const Context& ctx, int argc, char** argv);
int RunDestroy(const Context& ctx, int argc, char** argv);
int RunTransfer(const Context& ctx, int argc, char** argv);
int RunReceive(const Context& ctx, int argc, char** argv);
int RunUser(const Context& ctx, int argc, char** argv);
// The permission (archive/access_policy.h) a command line needs; "" when none.
std::string PermissionFor(const std::string& command, int argc, char** argv);
int RunServe(const Context& ctx, int argc, char** argv);
int RunApiKey(const Context& ctx, int argc, char** argv);
int RunReport(const Context& ctx, int argc, char** argv);
int RunCapture(const Context& ctx, int argc, char** argv);
int RunReview(const Context& ctx, int argc, char** argv);
int RunClassifier(const Context& ctx, int argc, char** argv);
int RunCatalogueMaintenance(const Context& ctx, int argc, char** argv);
int RunWorker(const Context& ctx, int argc, char** argv);

// Prints "dangan: <message>" (and each field error) on stderr; returns `code`.
int Fail(const std::string& message, int code = 1);

}  // namespace dangan::cli
