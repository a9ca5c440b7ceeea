#include "archive/cli/command_line.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "archive/access_policy.h"
#include "archive/cli/archive_session.h"
#include "archive/cli/commands.h"
#include "storage/user_registry.h"

namespace dangan::cli {

namespace {

const char* kUsage = R"(dangan — electronic business archive for social-insurance agencies

usage: dangan [--root DIR] [--config FILE] [--actor NAME] COMMAND [ARGS]

commands:
  init              create an archive
  ingest CASE.json… file closed business cases (born-digital) and print their 档号
  capture PATH…     scanned documents: OCR, classify, extract fields, file or queue for review
  review            the capture review queue: list, show, accept, reject
  classifier report precision and recall of the capture classifier on reviewed documents
  show REF          a record's metadata, files and events
  search QUERY      full-text and field search of the catalogue
  verify            re-hash packages against their manifests and the catalogue
  check             four-property checks (DA/T 70) at the preservation or transfer stage
  appraise          records past their retention period: due, propose, approve, reject, list
  hold              holds that block destruction: place, release, list
  destroy           carry out approved destructions; files the 销毁清册
  transfer          移交: a year's records as signed EEP packages with manifest and 登记表
  receive DIR       接收: check a transfer (digests, signatures, structure)
  user              who may act and in which role: add, password, list, roles
  export REF        write a record's package as an unpacked BagIt bag
  bag validate DIR  check any BagIt bag (RFC 8493)
  audit verify      walk the audit chain and report the first broken link
  audit run         re-hash every copy of every package; repair damage from a good copy
  replica list|add  storage roots that hold a copy of every package
  catalogue optimize  merge the search indexes and release free space
  worker run        take jobs (ingest, capture, fixity) from a PostgreSQL catalogue's queue
  serve             the HTTP API (intake, retrieval, statistics, reports)
  apikey create     a key for a business system (intake) or a reader
  report KIND       PDF and CSV reports: catalogue (归档文件目录), certificate (查档证明),
                    verify-certificate, statistics (年度统计表), csv

global options:
  --root DIR        the archive (default: archive.root of the config file, else ./var/dangan)
  --config FILE     properties file (default: $DANGAN_CONFIG, else ./dangan.properties if present)
  --actor NAME      who is acting, for the audit trail (default: $USER)

Run `dangan COMMAND --help` for a command's options.
)";

}  // namespace

// The permission of archive/access_policy.h a command needs; "" for commands that touch no
// archive (bag validate, receive) or create one (init).
std::string PermissionFor(const std::string& command, int argc, char** argv) {
  // Read by position, as the commands dispatch: a sub-command is the first argument itself. An
  // argument list that does not start that way gets the strictest permission of the command,
  // so that an option swallowing the next word can never make a command look milder.
  const std::string first = argc > 1 ? argv[1] : "";
  static const std::map<std::string, std::string> kSimple = {{"ingest", "file"},
                                                             {"capture", "file"},
                                                             {"review", "review"},
                                                             {"classifier", "stats"},
                                                             {"show", "record.read"},
                                                             {"search", "search"},
                                                             {"verify", "check"},
                                                             {"check", "check"},
                                                             {"export", "record.download"},
                                                             {"audit", "check"},
                                                             {"replica", "admin"},
                                                             {"catalogue", "admin"},
                                                             {"serve", "admin"},
                                                             {"apikey", "admin"},
                                                             {"user", "admin"},
                                                             {"hold", "hold"},
                                                             {"transfer", "transfer"},
                                                             {"destroy", "destroy"},
                                                             {"appraise", "appraise.decide"},
                                                             {"report", "report"}};
  if (command == "report") {
    if (first == "certificate") return "certify";
    if (first == "verify-certificate") return "certificate.verify";
  }
  if (command == "appraise" && (first == "due" || first == "list")) return "appraise.read";
  if (command == "appraise" && first == "propose") return "appraise.propose";
  if (command == "hold" && first == "list") return "appraise.read";
  if (command == "audit" && first == "reanchor") return "admin";
  if (command == "destroy" && first == "--list" && argc == 2) return "appraise.read";
  if (command == "user" && first == "roles") return "";
  auto it = kSimple.find(command);
  return it == kSimple.end() ? "" : it->second;
}

namespace {
// Whether the command line asks for help: "--help" where no option can take it as its value
// (first, or after a word that is not an option, or after an option written with "="), and
// before "--". Every command reads it as its flag then, and prints its usage and nothing else.
bool AsksForHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") return false;
    if (a != "--help") continue;
    const std::string before = i > 1 ? argv[i - 1] : "";
    if (i == 1 || before.empty() || before[0] != '-' || before.find('=') != std::string::npos)
      return true;
  }
  return false;
}

// Once the archive has users, the actor must be one whose role allows the command.
Status CheckActor(Context& ctx, const std::string& command, int argc, char** argv) {
  // Help is free (`dangan apikey create --help` too), but not "--help" as an option's value.
  if (AsksForHelp(argc, argv)) return Status::Ok();
  const std::string permission = PermissionFor(command, argc, argv);
  ctx.permission = permission;
  if (permission.empty()) return Status::Ok();
  int64_t users = 0;
  auto role = RoleOfUser(ctx.root + "/catalogue.db", ctx.actor, &users);
  if (!role.ok()) return role.status();
  if (users == 0) return Status::Ok();  // a single-user archive: nobody registered yet
  if (!*role)
    return Status(ErrorCode::kForbidden,
                  "'" + ctx.actor +
                      "' is not a registered user of this archive: name yourself with "
                      "`dangan --actor NAME ...` (an administrator lists the users with "
                      "`dangan --actor ADMIN user list`)");
  auto policy = LoadAccessPolicy(ctx.root);
  if (!policy.ok()) return policy.status();
  return policy->Check(**role, permission);
}
}  // namespace

int Fail(const std::string& message, int code) {
  std::cerr << "dangan: " << message << "\n";
  return code;
}

int Main(int argc, char** argv) {
  // libarchive and the C library need a UTF-8 character type for Chinese file names.
  std::setlocale(LC_CTYPE, "C.UTF-8");
  Context ctx;
  std::string config_path;
  std::string root_option;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& name) -> const char* {
      if (a.size() > name.size() && a.compare(0, name.size() + 1, name + "=") == 0)
        return argv[i] + name.size() + 1;
      if (a == name && i + 1 < argc) return argv[++i];
      return nullptr;
    };
    if (a == "--help" || a == "-h" || a == "help") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "dangan 0.1.0\n";
      return 0;
    } else if (a.rfind("--root", 0) == 0) {
      const char* v = value("--root");
      if (!v) return Fail("--root needs a directory", 2);
      root_option = v;
    } else if (a.rfind("--config", 0) == 0) {
      const char* v = value("--config");
      if (!v) return Fail("--config needs a file", 2);
      config_path = v;
    } else if (a.rfind("--actor", 0) == 0) {
      const char* v = value("--actor");
      if (!v) return Fail("--actor needs a name", 2);
      ctx.actor = v;
    } else if (a.rfind("-", 0) == 0) {
      return Fail("unknown option " + a + " (see dangan --help)", 2);
    } else {
      break;
    }
  }
  if (i >= argc) {
    std::cerr << kUsage;
    return 2;
  }
  if (config_path.empty()) {
    if (const char* env = std::getenv("DANGAN_CONFIG"); env && *env)
      config_path = env;
    else if (std::filesystem::exists("dangan.properties"))
      config_path = "dangan.properties";
  }
  std::string configured_root;
  if (!config_path.empty()) {
    try {
      Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
          new Poco::Util::PropertyFileConfiguration(config_path));
      configured_root = cfg->getString("archive.root", "");
    } catch (const Poco::Exception& e) {
      return Fail("cannot read config " + config_path + ": " + e.displayText(), 2);
    }
  }
  ctx.root = !root_option.empty()       ? root_option
             : !configured_root.empty() ? configured_root
                                        : "var/dangan";
  if (ctx.actor.empty()) {
    const char* user = std::getenv("USER");
    ctx.actor = user && *user ? std::string("cli:") + user : "cli";
  }

  static const std::map<std::string, int (*)(const Context&, int, char**)> kCommands = {
      {"init", RunInit},
      {"ingest", RunIngest},
      {"show", RunShow},
      {"search", RunSearch},
      {"verify", RunVerify},
      {"export", RunExport},
      {"bag", RunBag},
      {"audit", RunAudit},
      {"check", RunCheck},
      {"appraise", RunAppraise},
      {"hold", RunHold},
      {"destroy", RunDestroy},
      {"transfer", RunTransfer},
      {"receive", RunReceive},
      {"user", RunUser},
      {"serve", RunServe},
      {"apikey", RunApiKey},
      {"report", RunReport},
      {"capture", RunCapture},
      {"review", RunReview},
      {"classifier", RunClassifier},
      {"replica", RunReplica},
      {"catalogue", RunCatalogueMaintenance},
      {"worker", RunWorker},
  };
  auto it = kCommands.find(argv[i]);
  if (it == kCommands.end())
    return Fail(std::string("unknown command '") + argv[i] + "' (see dangan --help)", 2);
  Status may = CheckActor(ctx, argv[i], argc - i, argv + i);
  if (!may.ok()) return Fail("forbidden: " + may.message(), 3);
  try {
    return it->second(ctx, argc - i, argv + i);
  } catch (const std::exception& e) {
    // Modules report errors as values; reaching here is a bug, but it must still end clearly.
    return Fail(std::string("internal error: ") + e.what(), 70);
  }
}

}  // namespace dangan::cli
