#include "retrieval/transfer.h"

#include "storage/appraisal_register.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "retrieval/eep_package.h"
#include "retrieval/pdf_document.h"
#include "storage/digest.h"
#include "storage/record_inspection.h"

namespace dangan {

namespace fs = std::filesystem;

namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Gigabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(bytes) / 1e9);
  return buf;
}

struct RegisterFacts : TransferSummary {
  std::string key_fingerprint;
};

Result<std::string> RegisterPdf(const ReportContext& ctx, const RegisterFacts& s) {
  PdfOptions o;
  o.font_path = ctx.font_path.empty() ? ResolveCjkFontPath() : ctx.font_path;
  o.title = "电子档案移交与接收登记表";
  o.header = ctx.organization + "　全宗号 " + ctx.fonds + "　移交与接收登记表　" +
             s.created_at.substr(0, 10);
  o.author = ctx.organization;
  auto doc = PdfDocument::Create(o);
  if (!doc.ok()) return doc.status();
  PdfDocument& d = **doc;
  const std::string scope = std::to_string(s.year) + "年度" +
                            (s.class_code.empty() ? "全部类别" : "类别 " + s.class_code);
  d.BeginTable({{"项目", 45}, {"内容", 135}});
  d.AddRow({"交接工作名称", ctx.organization + " " + scope + " 电子档案移交"});
  d.AddRow({"内容描述", "全宗号 " + ctx.fonds + "，" + scope + "社会保险业务电子档案"});
  d.AddRow({"移交电子档案数量", std::to_string(s.packages.size()) + " 件"});
  d.AddRow({"移交数据量", Gigabytes(s.bytes) + " GB"});
  d.AddRow({"载体起止顺序号", "—"});
  d.AddRow({"移交载体类型、规格", "在线(目录)"});
  d.AddRow({"封装格式", "EEP（DA/T 48-2009），SM2/SM3 电子签名与锁定签名"});
  d.AddRow({"四性检测(移交)", "真实性、完整性、可用性、安全性：每件 " +
                                  std::to_string(s.check_items) + " 项，全部通过"});
  d.AddRow({"签名公钥指纹(SM3)", s.key_fingerprint});
  d.EndTable();
  d.Space(3);
  d.Paragraph("各封装包数字摘要（算法：SM3；SHA-256 见 manifest.txt）");
  d.BeginTable({{"序号", 12, PdfAlign::kCenter}, {"档号", 55}, {"SM3 摘要", 113}});
  int n = 0;
  for (const auto& p : s.packages) d.AddRow({std::to_string(++n), p.reference, p.sm3});
  d.EndTable();
  d.Space(6);
  d.Paragraph("移交单位（签章）：　　　　　　　　　接收单位（签章）：");
  d.Space(3);
  d.Paragraph("移交人：　　　　　　　　　　　　　　接收人：");
  d.Space(3);
  d.Paragraph("移交日期：" + s.created_at.substr(0, 10) + "　　　　　　　　　接收日期：");
  return d.SaveToString();
}

}  // namespace

std::string KeyFingerprint(const std::string& public_pem) {
  return Digest::OfString(public_pem, "sm3");
}

Result<TransferSummary> TransferRecords(const ReportContext& ctx, PackageStore& packages,
                                        const PropertyChecks& checks, const ReferenceTemplate& tmpl,
                                        const SigningKey& key, const TransferRequest& req) {
  if (req.year < 1900 || req.year > 2999)
    return Status::InvalidArgument("the year must be between 1900 and 2999");
  std::error_code ec;
  if (req.out_dir.empty()) return Status::InvalidArgument("no output directory given");
  if (fs::exists(req.out_dir, ec) && !fs::is_empty(req.out_dir, ec))
    return Status::InvalidArgument(req.out_dir + " exists and is not empty");
  if (ctx.catalogue == nullptr) return Status::InvalidArgument("a transfer needs the catalogue");
  RecordCatalogue& catalogue = *ctx.catalogue;
  std::vector<std::string> refs;
  DANGAN_RETURN_IF_ERROR(catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run(
        "SELECT reference FROM records WHERE year=$1 AND ($2='' OR class_code=$2)"
        " ORDER BY series, seq",
        {static_cast<int64_t>(req.year), req.class_code});
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i) refs.push_back(rows->Text(i, 0));
    return Status::Ok();
  }));
  if (refs.empty()) return Status::NotFound("no records of that year and class to transfer");

  // Transfer-stage checks of every record first: one failure transfers nothing.
  std::vector<Record> records;
  std::vector<FieldError> failed;
  TransferSummary summary;
  summary.year = req.year;
  summary.class_code = req.class_code;
  summary.created_at = ctx.clock();
  for (const auto& ref : refs) {
    auto rec = catalogue.GetRecord(ref);
    if (!rec.ok()) return rec.status();
    if (!*rec) continue;
    auto report =
        CheckRecord(catalogue, packages, checks, *ctx.scheme, tmpl, **rec, CheckStage::kTransfer);
    if (!report.ok()) return report.status();
    summary.check_items = static_cast<int>(report->findings.size());
    if (!report->passed()) {
      std::string codes;
      for (const auto* f : report->failures()) codes += (codes.empty() ? "" : ", ") + f->code;
      failed.push_back({ref, codes});
    }
    records.push_back(std::move(**rec));
  }
  if (!failed.empty())
    return Status::FailedCheck("records fail the transfer-stage (移交) checks; nothing was written",
                               failed);

  fs::create_directories(req.out_dir, ec);
  if (ec) return Status::IOError("cannot create " + req.out_dir + ": " + ec.message());
  auto abandon = [&](const Status& st) -> Result<TransferSummary> {
    std::error_code ignored;
    for (auto& e : fs::directory_iterator(req.out_dir, ignored)) fs::remove_all(e.path(), ignored);
    return st;
  };
  std::ostringstream manifest;
  manifest << "# file\tbytes\tsha256\tsm3\treference\n";
  for (const Record& r : records) {
    auto history = catalogue.Events(r.reference, 0, RecordCatalogue::EventKinds::kHistory);
    if (!history.ok()) return abandon(history.status());
    std::string file = PackageStore::FileNameFor(r.reference);
    file = file.substr(0, file.rfind('.')) + ".eep";
    const std::string path = req.out_dir + "/" + file;
    Status st = WriteEep(r, *history, packages, key, {ctx.organization, summary.created_at}, path);
    if (!st.ok()) return abandon(st);
    TransferredPackage p;
    p.reference = r.reference;
    p.file = file;
    auto digests = Digest::OfFile(path, std::vector<std::string>{"sha256", "sm3"}, &p.bytes);
    if (!digests.ok()) return abandon(digests.status());
    p.sha256 = (*digests)[0];
    p.sm3 = (*digests)[1];
    summary.bytes += p.bytes;
    manifest << p.file << "\t" << p.bytes << "\t" << p.sha256 << "\t" << p.sm3 << "\t"
             << p.reference << "\n";
    summary.packages.push_back(std::move(p));
  }
  Poco::JSON::Object info(Poco::JSON_PRESERVE_KEY_ORDER);
  info.set("fonds", ctx.fonds);
  info.set("organization", ctx.organization);
  info.set("year", req.year);
  info.set("class", req.class_code);
  info.set("packages", static_cast<int>(summary.packages.size()));
  info.set("bytes", summary.bytes);
  info.set("created_at", summary.created_at);
  info.set("reference_template", tmpl.pattern());
  info.set("signature", SigningKey::kAlgorithm);
  info.set("check_items", summary.check_items);
  std::ostringstream info_json;
  info.stringify(info_json, 2);
  RegisterFacts facts;
  static_cast<TransferSummary&>(facts) = summary;
  facts.key_fingerprint = KeyFingerprint(key.public_pem());
  auto pdf = RegisterPdf(ctx, facts);
  if (!pdf.ok()) return abandon(pdf.status());
  const std::string info_text = info_json.str() + "\n";
  auto signer = key.StartSigning();
  if (!signer.ok()) return abandon(signer.status());
  signer->Update(manifest.str());
  signer->Update(info_text);
  auto manifest_sig = signer->Sign();
  if (!manifest_sig.ok()) return abandon(manifest_sig.status());
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {kTransferManifest, manifest.str()},
           {kTransferSummary, info_text},
           {kTransferManifestSignature, Base64Text(*manifest_sig) + "\n"},
           {kTransferPublicKey, key.public_pem()},
           {kTransferRegister, *pdf}}) {
    Status st = WriteFileAtomically(req.out_dir + "/" + name, bytes);
    if (!st.ok()) return abandon(st);
  }
  // The records leave the agency's custody (holdings statistics no longer count them); the
  // catalogue keeps them, and their packages, as copies.
  Status logged = catalogue.WriteTables([&](SqlSession& db) {
    // In turn with appraisal and destruction (storage/appraisal_register.h): a record destroyed
    // meanwhile on another server was not handed over.
    DANGAN_RETURN_IF_ERROR(db.Serialize(kLifecycleLock));
    for (const auto& p : summary.packages) {
      auto up = db.Run("UPDATE records SET state='transferred' WHERE reference=$1", {p.reference});
      if (!up.ok()) return up.status();
      if (up->changed == 0)
        return Status::Conflict(p.reference + " was destroyed meanwhile; nothing was transferred");
      AuditEvent e;
      e.at = summary.created_at;
      e.actor = req.actor;
      e.action = "transfer";
      e.reference = p.reference;
      e.detail = "{\"package\":\"" + p.file + "\",\"sm3\":\"" + p.sm3 + "\"}";
      auto appended = db.Log(e);
      if (!appended.ok()) return appended.status();
    }
    return Status::Ok();
  });
  if (!logged.ok()) return abandon(logged);  // not recorded: not handed over either
  return summary;
}

ReceiveReport ReceiveTransfer(const std::string& dir) {
  ReceiveReport r;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    r.problems.push_back(dir + " is not a directory");
    return r;
  }
  // Read once: what is verified is what is then parsed.
  const std::string manifest_text = ReadText(dir + "/" + kTransferManifest);
  const std::string summary_text = ReadText(dir + "/" + kTransferSummary);
  int announced = -1;
  std::string pattern;
  try {
    Poco::JSON::Parser parser;
    auto info = parser.parse(summary_text).extract<Poco::JSON::Object::Ptr>();
    announced = info->getValue<int>("packages");
    pattern = info->optValue<std::string>("reference_template", "");
  } catch (const Poco::Exception& e) {
    r.problems.push_back(std::string(kTransferSummary) +
                         " is missing or unreadable: " + e.displayText());
  }
  const std::string announced_key = ReadText(dir + "/" + kTransferPublicKey);
  if (announced_key.empty()) r.problems.push_back(std::string(kTransferPublicKey) + " is missing");
  r.key_fingerprint = KeyFingerprint(announced_key);
  {
    // The manifest and summary are signed: a record removed together with its manifest line
    // is still found out.
    auto key = SigningKey::FromPublicPem(announced_key);
    std::string sig;
    auto v = key.ok() ? key->StartVerifying() : Result<SignatureStream>(key.status());
    if (!v.ok() || !Unbase64Text(ReadText(dir + "/" + kTransferManifestSignature), &sig)) {
      r.problems.push_back(std::string(kTransferManifestSignature) + " is missing or unreadable");
    } else {
      v->Update(manifest_text);
      v->Update(summary_text);
      if (!v->Verify(sig))
        r.problems.push_back("the signature of manifest.txt and transfer.json does not verify");
    }
  }
  std::optional<ReferenceTemplate> tmpl;
  if (!pattern.empty()) {
    auto t = ReferenceTemplate::Parse(pattern);
    if (t.ok())
      tmpl = std::move(*t);
    else
      r.problems.push_back("the transfer's 档号 template is not valid: " + t.status().message());
  }

  struct Listed {
    uint64_t bytes = 0;
    std::string sha256, sm3, reference;
  };
  std::map<std::string, Listed> listed;
  {
    std::istringstream in(manifest_text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> cols;
      std::istringstream ls(line);
      for (std::string col; std::getline(ls, col, '\t');) cols.push_back(col);
      if (cols.size() != 5 || cols[0].find('/') != std::string::npos || cols[0].empty() ||
          cols[0][0] == '.') {
        r.problems.push_back(std::string(kTransferManifest) + " line " + std::to_string(n) +
                             " is malformed");
        continue;
      }
      Listed l;
      try {
        l.bytes = std::stoull(cols[1]);
      } catch (const std::exception&) {
        r.problems.push_back(std::string(kTransferManifest) + " line " + std::to_string(n) +
                             ": bad size");
      }
      l.sha256 = cols[2];
      l.sm3 = cols[3];
      l.reference = cols[4];
      if (!listed.emplace(cols[0], l).second)
        r.problems.push_back(cols[0] + " is listed twice in the manifest");
    }
    if (n == 0) r.problems.push_back(std::string(kTransferManifest) + " is missing or empty");
  }

  const std::set<std::string> expected_others = {kTransferManifest, kTransferSummary,
                                                 kTransferManifestSignature, kTransferPublicKey,
                                                 kTransferRegister};
  std::set<std::string> present;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (expected_others.count(name)) continue;
    if (!e.is_regular_file() || e.is_symlink())
      r.problems.push_back(name + " is not a regular file");
    else if (!listed.count(name))
      r.problems.push_back(name + " is not in the manifest (a foreign file)");
    present.insert(name);
  }
  std::set<std::string> references;
  for (const auto& [name, l] : listed) {
    if (!present.count(name)) {
      r.problems.push_back(name + " (" + l.reference + ") is listed but missing");
      continue;
    }
    const std::string path = dir + "/" + name;
    uint64_t size = 0;
    auto digests = Digest::OfFile(path, std::vector<std::string>{"sha256", "sm3"}, &size);
    if (!digests.ok()) {
      r.problems.push_back(name + ": cannot be read");
      continue;
    }
    if (size != l.bytes)
      r.problems.push_back(name + ": " + std::to_string(size) + " bytes, listed " +
                           std::to_string(l.bytes));
    if ((*digests)[0] != l.sha256)
      r.problems.push_back(name + ": SHA-256 differs from the manifest");
    if ((*digests)[1] != l.sm3) r.problems.push_back(name + ": SM3 differs from the manifest");
    EepCheck check = VerifyEep(path);
    for (const auto& p : check.problems) r.problems.push_back(name + ": " + p);
    if (!check.public_pem.empty() && check.public_pem != announced_key)
      r.problems.push_back(name + ": signed with another key than the transfer announces");
    if (!check.reference.empty()) {
      if (check.reference != l.reference)
        r.problems.push_back(name + ": holds " + check.reference + ", the manifest says " +
                             l.reference);
      if (tmpl && !tmpl->Matches(check.reference))
        r.problems.push_back(name + ": 档号 " + check.reference + " does not have the shape " +
                             tmpl->pattern());
      if (!references.insert(check.reference).second)
        r.problems.push_back(name + ": 档号 " + check.reference + " occurs twice");
      r.references.push_back(check.reference);
    }
    ++r.packages;
    r.bytes += size;
  }
  if (announced >= 0 && announced != static_cast<int>(listed.size()))
    r.problems.push_back(std::string(kTransferSummary) + " announces " + std::to_string(announced) +
                         " packages, the manifest lists " + std::to_string(listed.size()));
  return r;
}

}  // namespace dangan
