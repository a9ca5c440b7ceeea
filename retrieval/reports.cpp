#include "retrieval/reports.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "archive/appraisal.h"
#include "archive/identifiers.h"
#include "archive/record_masking.h"
#include "archive/text.h"
#include "storage/secret_key.h"

namespace dangan {

namespace {

constexpr int kMaxCertificateReferences = 200;
constexpr size_t kMaxRequesterChars = 64;
constexpr size_t kMaxPurposeChars = 200;

Status CheckContext(const ReportContext& ctx) {
  if (!ctx.catalogue || !ctx.scheme)
    return Status::Internal("report context without catalogue or scheme");
  return Status::Ok();
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string EightDigitDate(const std::string& iso) {
  std::string out;
  for (char c : iso.substr(0, 10))
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  return out.size() == 8 ? out : iso;
}

// 2026-11-23T… → 2026年11月23日
std::string ChineseDate(const std::string& iso) {
  if (iso.size() < 10) return iso;
  return iso.substr(0, 4) + "年" + iso.substr(5, 2) + "月" + iso.substr(8, 2) + "日";
}

std::string StateRemark(const std::string& state) {
  if (state == "filed" || state.empty()) return "";
  if (state == "destroyed") return "已销毁";
  if (state == "transferred") return "已移交";
  return state;
}

std::string FormatGb(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

std::string ClassLabel(const ClassificationScheme& scheme, const std::string& code) {
  const SchemeClass* c = scheme.FindClass(code);
  return c ? code + " " + c->name : code;
}

std::string ReferencesJson(const std::vector<std::string>& refs) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array;
  for (const auto& r : refs) a->add(r);
  std::ostringstream out;
  a->stringify(out);
  return out.str();
}

Result<std::vector<std::string>> ParseReferences(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    auto a = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> out;
    for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
    return out;
  } catch (const Poco::Exception& e) {
    return Status::Corruption("certificate references: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("certificate references: ") + e.what());
  }
}

// The archive's secret, read once per archive root. The mutex also keeps this process's threads
// from racing to create the key file.
Result<std::string> CertificateSecret(const std::string& root) {
  static std::mutex mu;
  static std::map<std::string, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(root);
  if (it != cache.end()) return it->second;
  auto secret = LoadOrCreateSecret(root);
  if (!secret.ok()) return secret.status().WithContext("certificate key");
  cache.emplace(root, *secret);
  return secret;
}

std::string CertificateCode(const std::string& secret, const std::string& serial,
                            const std::string& references_json, const std::string& issued_at) {
  return HmacSha256Hex(secret, serial + "|" + references_json + "|" + issued_at).substr(0, 12);
}

PdfOptions BaseOptions(const ReportContext& ctx, const std::string& title,
                       const std::string& header) {
  PdfOptions o;
  o.font_path = ctx.font_path;
  o.title = title;
  o.header = header;
  o.author = ctx.organization;
  return o;
}

Result<std::string> Finish(PdfDocument& doc) {
  DANGAN_RETURN_IF_ERROR(doc.status());
  return doc.SaveToString();
}

Result<Certificate> ReadCertificate(const ReportContext& ctx, const std::string& serial,
                                    std::string* stored_code, std::string* references_json) {
  std::optional<Certificate> found;
  Status st = ctx.catalogue->ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run(
        "SELECT serial, code, issued_at, requester, purpose, references_json FROM certificates"
        " WHERE serial = $1",
        {serial});
    if (!q.ok()) return q.status();
    if (!q->empty()) {
      Certificate c;
      c.serial = q->Text(0, 0);
      *stored_code = q->Text(0, 1);
      c.issued_at = q->Text(0, 2);
      c.requester = q->Text(0, 3);
      c.purpose = q->Text(0, 4);
      *references_json = q->Text(0, 5);
      found = std::move(c);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("certificate " + serial);
  if (!found) return Status::NotFound("no certificate " + serial);
  auto refs = ParseReferences(*references_json);
  if (!refs.ok()) return refs.status();
  found->references = std::move(*refs);
  return std::move(*found);
}

}  // namespace
// ---- 归档文件目录 ------------------------------------------------------------------------------

Result<std::vector<CatalogueEntry>> ListCatalogue(const ReportContext& ctx,
                                                  const CatalogueSelection& sel) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  // The 档号 in order here, then the records through the catalogue (ListRecords, in batches): the
  // same on either backend, whatever its row layout.
  std::string sql = "SELECT reference FROM records WHERE ";
  std::vector<SqlValue> binds;
  if (!sel.series.empty()) {
    if (!IsValidUtf8(sel.series) || sel.series.size() > 200)
      return Status::InvalidArgument("not a numbering series", {{"series", "invalid text"}});
    // The stored series keeps the separator before the 件号 ("…-0102-"); accept it either way.
    sql += "series IN ($1, $2, $3) ORDER BY series, seq";
    binds.push_back(sel.series);
    binds.push_back(sel.series + "-");
    binds.push_back(sel.series + "·");
  } else {
    if (sel.year < 1900 || sel.year > 2999)
      return Status::InvalidArgument("the 年度 must be a year between 1900 and 2999",
                                     {{"year", std::to_string(sel.year)}});
    sql += "year = $1";
    binds.push_back(int64_t{sel.year});
    if (!sel.class_code.empty()) {
      if (!ctx.scheme->FindClass(sel.class_code))
        return Status::InvalidArgument("unknown class " + sel.class_code,
                                       {{"class", "not a class of the scheme (01–09)"}});
      sql += " AND class_code = $2";
      binds.push_back(sel.class_code);
    }
    sql += " ORDER BY series, seq";
  }
  std::vector<std::string> references;
  Status st = ctx.catalogue->ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run(sql, binds);
    if (!q.ok()) return q.status();
    for (size_t i = 0; i < q->size(); ++i) references.push_back(q->Text(i, 0));
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("归档文件目录");
  // Whole records are read a slice at a time and only their entries kept, so that a year of a
  // large archive never holds all its records in memory at once. A record destroyed since the
  // list was read is left out by ListRecords.
  constexpr size_t kSlice = 5000;
  std::vector<CatalogueEntry> out;
  out.reserve(references.size());
  for (size_t start = 0; start < references.size(); start += kSlice) {
    const size_t end = std::min(references.size(), start + kSlice);
    auto records = ctx.catalogue->ListRecords({references.begin() + static_cast<ptrdiff_t>(start),
                                               references.begin() + static_cast<ptrdiff_t>(end)});
    if (!records.ok()) return records.status().WithContext("归档文件目录");
    for (Record& r : *records) {
      if (sel.mask_personal) {
        // Only what the 目录 shows: masking the whole record would scan its full text too.
        for (std::string* field : {&r.title, &r.doc_number, &r.responsible})
          MaskPersonalText(*field, r.person);
      }
      CatalogueEntry e;
      e.number = static_cast<int>(out.size()) + 1;
      e.reference = r.reference;
      e.doc_number = r.doc_number;
      e.responsible = r.responsible.empty() ? r.agency : r.responsible;
      e.title = r.title;
      e.date = EightDigitDate(r.formed_on);
      e.security = r.security;
      e.pages = r.pages;
      e.remarks = StateRemark(r.state);
      out.push_back(std::move(e));
    }
  }
  return out;
}

Result<std::string> RenderCataloguePdf(const ReportContext& ctx, const CatalogueSelection& sel) {
  auto entries = ListCatalogue(ctx, sel);
  if (!entries.ok()) return entries.status();
  std::string scope;
  if (!sel.series.empty()) {
    scope = "件号系列：" + sel.series;
  } else {
    scope = "年度：" + std::to_string(sel.year);
    if (!sel.class_code.empty()) scope += "　类别：" + ClassLabel(*ctx.scheme, sel.class_code);
  }
  PdfOptions o = BaseOptions(
      ctx, "归档文件目录", ctx.organization + "　全宗号 " + ctx.fonds + "　归档文件目录　" + scope);
  o.landscape = true;
  auto doc = PdfDocument::Create(o);
  if (!doc.ok()) return doc.status();
  PdfDocument& d = **doc;
  d.Paragraph("全宗号：" + ctx.fonds + "　" + scope + "　共 " + std::to_string(entries->size()) +
              " 件");
  d.Space(2);
  d.BeginTable({{"序号", 12, PdfAlign::kCenter},
                {"档号", 48, PdfAlign::kLeft},
                {"文号", 32, PdfAlign::kLeft},
                {"责任者", 34, PdfAlign::kLeft, 3},
                {"题名", 76, PdfAlign::kLeft},
                {"日期", 19, PdfAlign::kCenter},
                {"密级", 12, PdfAlign::kCenter},
                {"页数", 12, PdfAlign::kCenter},
                {"备注", 22, PdfAlign::kLeft, 3}});
  for (const auto& e : *entries) {
    d.AddRow({std::to_string(e.number), e.reference, e.doc_number, e.responsible, e.title, e.date,
              e.security, e.pages > 0 ? std::to_string(e.pages) : "", e.remarks});
  }
  d.EndTable();
  if (entries->empty()) d.Paragraph("（所选范围内没有归档文件）", 0, PdfAlign::kCenter);
  return Finish(d);
}

// ---- 销毁清册 ----------------------------------------------------------------------------------

Result<std::string> RenderDestructionRegisterPdf(const ReportContext& ctx,
                                                 const std::vector<Tombstone>& tombstones) {
  if (tombstones.empty()) return Status::InvalidArgument("a 销毁清册 lists at least one record");
  const std::string on = tombstones.front().destroyed_at.substr(0, 10);
  PdfOptions o = BaseOptions(ctx, "档案销毁清册",
                             ctx.organization + "　全宗号 " + ctx.fonds + "　档案销毁清册　" + on);
  o.landscape = true;
  auto doc = PdfDocument::Create(o);
  if (!doc.ok()) return doc.status();
  PdfDocument& d = **doc;
  d.Paragraph("全宗号：" + ctx.fonds + "　销毁日期：" + on + "　共 " +
              std::to_string(tombstones.size()) + " 件");
  d.Space(2);
  d.BeginTable({{"序号", 12, PdfAlign::kCenter},
                {"档号", 50, PdfAlign::kLeft},
                {"题名", 80, PdfAlign::kLeft, 3},
                {"起止年度", 18, PdfAlign::kCenter},
                {"应保管期限", 20, PdfAlign::kCenter},
                {"已保管期限", 20, PdfAlign::kCenter},
                {"销毁时间", 34, PdfAlign::kCenter},
                {"鉴定单号", 18, PdfAlign::kCenter}});
  std::set<std::string> proposers, approvers, supervisors;
  int n = 0;
  for (const auto& t : tombstones) {
    const RetentionCode* period = ctx.scheme->FindRetention(t.retention);
    d.AddRow({std::to_string(++n), t.reference, t.title, std::to_string(t.year),
              period ? period->name : t.retention,
              std::to_string(YearsKept(t.year, t.destroyed_at)) + "年", t.destroyed_at,
              std::to_string(t.appraisal_id)});
    proposers.insert(t.proposed_by);
    approvers.insert(t.approved_by);
    supervisors.insert(t.supervisors.begin(), t.supervisors.end());
  }
  d.EndTable();
  auto join = [](const std::set<std::string>& names) {
    std::string out;
    for (const auto& x : names) out += (out.empty() ? "" : "、") + x;
    return out;
  };
  d.Space(4);
  d.Paragraph("鉴定提出人：" + join(proposers) + "　　批准人：" + join(approvers) + "　　监销人：" +
              join(supervisors));
  d.Space(2);
  d.Paragraph("本清册永久保存。");
  return Finish(d);
}

// ---- 查档证明 ----------------------------------------------------------------------------------

Result<IssuedCertificate> IssueCertificate(
    const ReportContext& ctx, const CertificateRequest& request,
    const std::function<Status(SqlSession&, const Certificate&)>& within) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  if (!ctx.clock) return Status::Internal("report context without a clock");
  std::vector<FieldError> problems;
  const std::string requester = Trim(request.requester);
  const std::string purpose = Trim(request.purpose);
  if (requester.empty() || !IsValidUtf8(requester) || Utf8Length(requester) > kMaxRequesterChars)
    problems.push_back({"requester", "a name of 1–64 characters is required"});
  if (purpose.empty() || !IsValidUtf8(purpose) || Utf8Length(purpose) > kMaxPurposeChars)
    problems.push_back({"purpose", "a purpose of 1–200 characters is required"});
  std::vector<std::string> refs;
  std::set<std::string> seen;
  for (const auto& raw : request.references) {
    std::string r = Trim(raw);
    if (!r.empty() && seen.insert(r).second) refs.push_back(r);
  }
  if (refs.empty()) problems.push_back({"references", "at least one 档号 is required"});
  if (refs.size() > static_cast<size_t>(kMaxCertificateReferences))
    problems.push_back({"references", "at most 200 档号 per certificate"});
  if (problems.empty()) {
    for (size_t i = 0; i < refs.size(); ++i) {
      auto rec = ctx.catalogue->GetRecord(refs[i]);
      if (!rec.ok()) return rec.status();
      if (!*rec)
        problems.push_back({"references[" + std::to_string(i) + "]", "no record " + refs[i]});
    }
  }
  if (!problems.empty()) return Status::InvalidArgument("cannot issue the 查档证明", problems);

  auto secret = CertificateSecret(ctx.archive_root);
  if (!secret.ok()) return secret.status();
  Certificate c;
  c.issued_at = ctx.clock();
  if (!IsIsoTimestamp(c.issued_at)) return Status::Internal("clock gave " + c.issued_at);
  c.requester = MaskName(requester);
  c.purpose = purpose;
  c.references = refs;
  const int year = std::stoi(c.issued_at.substr(0, 4));
  const std::string refs_json = ReferencesJson(refs);

  Status st = ctx.catalogue->WriteTables([&](SqlSession& db) -> Status {
    // Serial allocation is serialised across threads, processes and servers.
    DANGAN_RETURN_IF_ERROR(db.Serialize("certificate-serial"));
    auto q = db.Run("SELECT coalesce(max(seq),0) + 1 FROM certificates WHERE year = $1",
                    {int64_t{year}});
    if (!q.ok()) return q.status();
    if (q->empty()) return Status::Internal("no certificate number");
    const int64_t seq = q->Int(0, 0);
    char serial[40];
    std::snprintf(serial, sizeof serial, "CD-%04d-%06lld", year, static_cast<long long>(seq));
    c.serial = serial;
    c.code = CertificateCode(*secret, c.serial, refs_json, c.issued_at);
    auto ins = db.Run(
        "INSERT INTO certificates(serial, year, seq, code, issued_at, requester, purpose,"
        " references_json, actor) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        {c.serial, int64_t{year}, seq, c.code, c.issued_at, c.requester, c.purpose, refs_json,
         request.actor});
    if (!ins.ok()) return ins.status();
    if (within) DANGAN_RETURN_IF_ERROR(within(db, c));
    // Each certified record carries the certificate in its history (no personal data in
    // clear), committed with it.
    for (const auto& ref : refs) {
      AuditEvent e;
      e.at = c.issued_at;
      e.actor = request.actor.empty() ? "system" : request.actor;
      e.action = "certify";
      e.reference = ref;
      e.detail = "{\"serial\":\"" + c.serial + "\"}";
      auto logged = db.Log(e);
      if (!logged.ok()) return logged.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("issuing a 查档证明");
  auto pdf = RenderCertificatePdf(ctx, c);
  if (!pdf.ok()) return pdf.status().WithContext("certificate " + c.serial + " was issued");
  return IssuedCertificate{std::move(c), std::move(*pdf)};
}

Result<std::string> RenderCertificatePdf(const ReportContext& ctx, const Certificate& c) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  auto doc = PdfDocument::Create(
      BaseOptions(ctx, "查档证明", ctx.organization + "　查档证明　编号 " + c.serial));
  if (!doc.ok()) return doc.status();
  PdfDocument& d = **doc;
  d.Paragraph("编号：" + c.serial, 10.5, PdfAlign::kRight);
  d.Space(3);
  d.Paragraph("查询人：" + c.requester + "　　查档目的：" + c.purpose, 10.5);
  d.Space(1);
  d.Paragraph("经查询本机构保存的社会保险业务档案，查得下列档案共" +
                  std::to_string(c.references.size()) + "件：",
              10.5);
  d.Space(2);
  d.BeginTable({{"序号", 12, PdfAlign::kCenter},
                {"档号", 56, PdfAlign::kLeft},
                {"题名", 70, PdfAlign::kLeft},
                {"日期", 20, PdfAlign::kCenter},
                {"当事人", 22, PdfAlign::kLeft, 2}});
  int n = 0;
  for (const auto& ref : c.references) {
    auto rec = ctx.catalogue->GetRecord(ref);
    if (!rec.ok()) return rec.status();
    std::string title = "（该档案已不在馆）", date, party;
    if (*rec) {
      const Record& r = **rec;
      title = r.title;
      MaskPersonalText(title, r.person);
      if (r.person)
        party = MaskName(r.person->name);
      else if (r.unit)
        party = r.unit->name;  // an employer is not personal data
      date = EightDigitDate(r.formed_on);
    }
    d.AddRow({std::to_string(++n), ref, title, date, party});
  }
  d.EndTable();
  d.Space(2);
  d.Paragraph("特此证明。", 10.5);
  d.Space(8);
  d.Paragraph(ctx.organization + "（档案管理专用）", 10.5, PdfAlign::kRight);
  d.Paragraph("出具日期：" + ChineseDate(c.issued_at), 10.5, PdfAlign::kRight);
  d.Space(8);
  d.Paragraph("核验码：" + c.code, 10.5);
  d.Paragraph("凭本证明编号与核验码可向出具机构核验真伪（dangan report verify-certificate " +
                  c.serial + " " + c.code + "）。本证明中的人名已作脱敏处理，仅用于上述查档目的。",
              8);
  return Finish(d);
}

Result<Certificate> FindCertificate(const ReportContext& ctx, const std::string& serial) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  std::string code, refs_json;
  auto c = ReadCertificate(ctx, Trim(serial), &code, &refs_json);
  if (!c.ok()) return c.status();
  c->code = code;
  return c;
}

Result<CertificateCheck> VerifyCertificate(const ReportContext& ctx, const std::string& serial,
                                           const std::string& code) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  CertificateCheck check;
  std::string want = Trim(serial);
  for (auto& ch : want) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string given = Trim(code);
  for (auto& ch : given) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string stored, refs_json;
  auto c = ReadCertificate(ctx, want, &stored, &refs_json);
  if (!c.ok()) {
    if (c.status().code() == ErrorCode::kNotFound) return check;
    return c.status();
  }
  check.known_serial = true;
  auto secret = CertificateSecret(ctx.archive_root);
  if (!secret.ok()) return secret.status();
  // The code is recomputed, so a row written without the key does not verify either.
  const std::string expected = CertificateCode(*secret, c->serial, refs_json, c->issued_at);
  check.genuine = ConstantTimeEquals(given, expected) && ConstantTimeEquals(stored, expected);
  if (check.genuine) {
    check.certificate = std::move(*c);
    check.certificate.code = expected;
  }
  return check;
}

// ---- 统计表 ------------------------------------------------------------------------------------

Result<std::string> RenderAnnualStatisticsPdf(const ReportContext& ctx, int year) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  auto stats = ComputeAnnualStatistics(*ctx.catalogue, *ctx.scheme, year);
  if (!stats.ok()) return stats.status();
  return RenderAnnualStatisticsPdf(ctx, *stats);
}

Result<std::string> RenderAnnualStatisticsPdf(const ReportContext& ctx, const AnnualStatistics& a) {
  DANGAN_RETURN_IF_ERROR(CheckContext(ctx));
  const std::string y = std::to_string(a.year);
  auto doc = PdfDocument::Create(
      BaseOptions(ctx, "社会保险业务档案管理基本情况统计表",
                  ctx.organization + "　社会保险业务档案管理基本情况统计表　" + y + " 年度"));
  if (!doc.ok()) return doc.status();
  PdfDocument& d = **doc;
  d.Paragraph("填报单位：" + ctx.organization + "　全宗号：" + ctx.fonds + "　统计年度：" + y +
              "　计量单位：件、页、GB");
  d.Space(3);

  d.Paragraph("一、馆藏与归档", 10.5);
  d.Space(1);
  d.BeginTable({{"项目", 55},
                {"件数", 22, PdfAlign::kRight},
                {"页数", 22, PdfAlign::kRight},
                {"容量（GB）", 24, PdfAlign::kRight},
                {"说明", 57, PdfAlign::kLeft, 3}});
  auto row = [&](const std::string& item, const Tally& t, const std::string& note) {
    d.AddRow({item, std::to_string(t.records), std::to_string(t.pages), FormatGb(t.bytes), note});
  };
  d.AddRow({"全宗数", std::to_string(a.fonds), "", "", "年末馆藏涉及的全宗"});
  row("年末馆藏", a.holdings, "截至" + y + "年12月31日已归档且在馆的件");
  d.AddRow({"其中：卷", std::to_string(a.holdings_volumes), "", "", "按件管理，未组卷"});
  row("本年归档", a.intake, "按归档时间统计");
  for (const auto& r : a.intake_by_retention)
    row("本年归档：" + (r.label.empty() ? r.key : r.label), r.tally, "保管期限代码 " + r.key);
  d.EndTable();
  d.Space(3);

  d.Paragraph("二、按类别统计", 10.5);
  d.Space(1);
  d.BeginTable({{"类别代码", 20, PdfAlign::kCenter},
                {"类别名称", 70},
                {"年末馆藏（件）", 45, PdfAlign::kRight},
                {"本年归档（件）", 45, PdfAlign::kRight}});
  for (const auto& c : a.by_class)
    d.AddRow({c.class_code, c.name.empty() ? "（方案外类别）" : c.name, std::to_string(c.holdings),
              std::to_string(c.intake)});
  d.EndTable();
  d.Space(3);

  d.Paragraph("三、移交、销毁与利用", 10.5);
  d.Space(1);
  d.BeginTable({{"项目", 55}, {"数量", 30, PdfAlign::kRight}, {"说明", 95, PdfAlign::kLeft, 3}});
  d.AddRow({"本年移交（件）", std::to_string(a.transferred_records), "移交流程启用后统计"});
  d.AddRow({"本年销毁（件）", std::to_string(a.destroyed_records), "鉴定销毁流程启用后统计"});
  d.AddRow({"出具查档证明（份）", std::to_string(a.certificates_issued), "本年出具的查档证明"});
  d.AddRow({"查档证明涉及档案（件）", std::to_string(a.records_certified), ""});
  d.AddRow({"利用人次", std::to_string(a.persons_served), "本年办结并提供档案的查档申请"});
  d.EndTable();
  d.Space(3);
  d.Paragraph(
      "数据来源：档案管理系统目录库。年末馆藏不含已移交、已销毁的件；容量为封装包字节数"
      "（1 GB = 1024³ 字节）。",
      8);
  return Finish(d);
}

}  // namespace dangan
