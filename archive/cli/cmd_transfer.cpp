// `dangan transfer` and `dangan receive`: handing a year's records to the state archives as
// signed EEP packages (DA/T 48) with a manifest and the 移交与接收登记表, and checking such a
// transfer as the receiving side.
#include <filesystem>
#include <iostream>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/lifecycle_archive.h"
#include "archive/cli/report_context.h"
#include "archive/cli/report_status.h"
#include "retrieval/transfer.h"

namespace dangan::cli {

namespace {

int Report(const Result<TransferSummary>& summary, const SigningKey& key,
           const TransferRequest& req) {
  if (!summary.ok())
    return FailStatus(summary.status(),
                      summary.status().code() == ErrorCode::kInvalidArgument ? 2 : 1);
  for (const auto& p : summary->packages) std::cout << p.reference << "\t" << p.file << "\n";
  std::cerr << summary->packages.size() << " package(s), " << summary->bytes / 1e9
            << " GB written to " << req.out_dir << "; key fingerprint (SM3) "
            << KeyFingerprint(key.public_pem()) << "\n";
  return 0;
}

}  // namespace

int RunTransfer(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1,
                               {"--year", "--class", "--out", "--font", "--catalogue"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan transfer --year Y [--class C] --out DIR [--catalogue URL]\n"
           "Transfers (移交) a year's records, or one class of them: runs the transfer-stage\n"
           "four-property checks on every record (any failure: nothing is written), then writes\n"
           "one EEP package per record (DA/T 48-2009 XML, content Base64-embedded, signed with\n"
           "the archive's SM2 key: 电子签名 and 锁定签名), manifest.txt with each package's size,\n"
           "SHA-256 and SM3, its signature (manifest.sig), transfer.json, the public key, and\n"
           "the 移交与接收登记表 PDF. DIR must not exist or be empty. `dangan receive DIR` checks\n"
           "it as the receiving archive would. --catalogue postgresql://… transfers from\n"
           "the PostgreSQL catalogue this root shares with `dangan serve --catalogue`.\n";
    return 0;
  }
  if (!args->positional.empty()) return Fail("transfer takes no positional arguments", 2);
  auto year = ParseInt("--year", args->Get("--year"), 1900, 2999);
  if (!year.ok()) return FailStatus(year.status(), 2);
  if (args->Get("--out").empty()) return Fail("--out DIR is required", 2);
  TransferRequest req{*year, args->Get("--class"), args->Get("--out"), ctx.actor};
  auto url = LifecycleCatalogueUrl(*args);
  if (!url.ok()) return FailStatus(url.status(), 2);
  auto archive = LifecycleArchive::Open(ctx, *url);
  if (!archive.ok()) return FailOpening(archive.status());
  LifecycleArchive& a = **archive;
  if (!req.class_code.empty() && !a.scheme().FindClass(req.class_code))
    return Fail("unknown class " + req.class_code, 2);
  auto key = SigningKey::LoadOrCreate(a.root());
  if (!key.ok()) return FailStatus(key.status());
  return Report(TransferRecords(a.Reports(ReportFontPath(ctx, *args)), a.packages(), a.checks(),
                                a.reference_template(), *key, req),
                *key, req);
}

int RunReceive(const Context&, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan receive DIR\n"
                 "Checks a transfer as the receiving archive: the signed manifest against the\n"
                 "files (missing, foreign, size, SHA-256, SM3), every EEP package (structure,\n"
                 "embedded content against its digests, 电子签名 and 锁定签名 with the announced\n"
                 "key), 档号 shape and uniqueness. Prints every problem; exit 1 if there is any.\n"
                 "Compare the printed key fingerprint with the one on the signed 登记表.\n";
    return 0;
  }
  if (args->positional.size() != 1) return Fail("usage: dangan receive DIR", 2);
  // A wrong argument is a usage error, said as such on stderr, not a "problem" of a transfer.
  std::error_code ec;
  if (!std::filesystem::is_directory(args->positional[0], ec))
    return Fail(args->positional[0] +
                    (std::filesystem::exists(args->positional[0], ec)
                         ? " is not a directory; give the directory `dangan transfer --out` wrote"
                         : " does not exist"),
                2);
  ReceiveReport r = ReceiveTransfer(args->positional[0]);
  for (const auto& p : r.problems) std::cout << "PROBLEM " << p << "\n";
  std::cerr << r.packages << " package(s), " << r.bytes / 1e9 << " GB; key fingerprint (SM3) "
            << r.key_fingerprint << ": "
            << (r.problems.empty() ? "accepted" : std::to_string(r.problems.size()) + " problem(s)")
            << "\n";
  return r.problems.empty() ? 0 : 1;
}

}  // namespace dangan::cli
