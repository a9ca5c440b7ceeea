#include "archive/filing.h"

#include "archive/identifiers.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>

#include <algorithm>
#include <cctype>

namespace dangan {
namespace {

void Field(Poco::SHA2Engine& h, const std::string& s) {
  std::string len = std::to_string(s.size()) + ":";
  h.update(len);
  h.update(s);
}

// The identity of a submission's content: same case, same fingerprint ⇒ the same record.
std::string Fingerprint(const CaseSubmission& c, const std::vector<StagedFile>& files) {
  Poco::SHA2Engine h(Poco::SHA2Engine::SHA_256);
  for (const std::string* s :
       {&c.source, &c.case_id, &c.item, &c.title, &c.formed_on, &c.closed_at, &c.agency, &c.handler,
        &c.doc_number, &c.responsible, &c.serial, &c.security, &c.text})
    Field(h, *s);
  Field(h, c.person ? "P" + c.person->id_number + "\n" + c.person->name : "");
  Field(h, c.unit ? "U" + c.unit->credit_code + "\n" + c.unit->name : "");
  for (const auto& s : c.steps) {
    Field(h, s.action);
    Field(h, s.at);
    Field(h, s.by);
    Field(h, s.basis);
    Field(h, s.description);
  }
  for (const auto& f : files) {
    Field(h, f.meta.name);
    Field(h, f.meta.sha256);
  }
  return Poco::DigestEngine::digestToHex(h.digest());
}

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

std::string FormatOfFileName(const std::string& name) {
  auto dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : Lower(name.substr(dot + 1));
  if (ext == "pdf") return "PDF";
  if (ext == "ofd") return "OFD";
  if (ext == "tif" || ext == "tiff") return "TIFF";
  if (ext == "jpg" || ext == "jpeg") return "JPEG";
  if (ext == "png") return "PNG";
  if (ext == "xml") return "XML";
  if (ext == "txt") return "TXT";
  if (ext == "json") return "JSON";
  if (ext == "doc" || ext == "docx") return "DOCX";
  if (ext == "xls" || ext == "xlsx") return "XLSX";
  return ext.empty() ? "UNKNOWN" : Poco::toUpper(ext);
}

Filing::Filing(const ClassificationScheme& scheme, const ReferenceTemplate& tmpl,
               FilingSettings settings, CataloguePort& catalogue, PackageSink& packages,
               FileHasher hasher, std::function<std::string()> clock, const PropertyChecks& checks,
               FileSampler sampler)
    : scheme_(scheme),
      template_(tmpl),
      settings_(std::move(settings)),
      catalogue_(catalogue),
      packages_(packages),
      hasher_(std::move(hasher)),
      clock_(std::move(clock)),
      checks_(checks),
      sampler_(std::move(sampler)) {}

Result<FilingReceipt> Filing::File(const CaseSubmission& c, const std::string& channel,
                                   const std::string& actor) {
  auto prepared = Prepare(c, channel);
  if (!prepared.ok()) return prepared.status();
  return File(*prepared, channel, actor);
}

namespace {
Result<FilingReceipt> Replay(const PreparedCase& p, const FiledCase& fc) {
  if (fc.fingerprint != p.fingerprint)
    return Status::Conflict("case " + p.submission.source + "/" + p.submission.case_id +
                            " was filed as " + fc.reference + " with different content");
  return FilingReceipt{fc.reference, fc.package_sha256, fc.filed_at, true};
}
}  // namespace

namespace {
// The record a prepared case becomes, without its 档号.
Record DraftRecord(const PreparedCase& p, const ClassificationScheme& scheme,
                   const FilingSettings& settings) {
  const CaseSubmission& c = p.submission;
  const BusinessItem* item = scheme.FindItem(c.item);
  Record r;
  r.source = c.source;
  r.case_id = c.case_id;
  r.channel = p.channel;
  r.fingerprint = p.fingerprint;
  r.title = c.title;
  r.doc_number = c.doc_number;
  r.responsible = c.responsible.empty() ? c.agency : c.responsible;
  r.formed_on = c.formed_on;
  r.closed_at = c.closed_at;
  if (!c.security.empty()) r.security = c.security;
  r.agency = c.agency;
  r.handler = c.handler;
  r.serial = c.serial;
  r.person = c.person;
  r.unit = c.unit;
  r.steps = c.steps;
  r.text = c.text;
  r.pages = c.pages;
  for (const auto& s : p.files) r.files.push_back(s.meta);
  r.parts.fonds = settings.fonds;
  r.parts.category = settings.category;
  r.parts.year = std::stoi(c.formed_on.substr(0, 4));
  r.parts.retention = item->retention;
  r.parts.item = item->code;
  r.parts.class_code = item->class_code;
  return r;
}

int CountPassed(const CheckReport& report) {
  int n = 0;
  for (const auto& f : report.findings) n += f.outcome == CheckOutcome::kPassed;
  return n;
}
}  // namespace

Result<CheckReport> Filing::CheckForFiling(const Record& record,
                                           const std::vector<FileObservation>& files) const {
  CheckSubject subject;
  subject.record = &record;
  subject.files = files;
  CheckReport report = checks_.Run(CheckStage::kFiling, subject, scheme_, template_);
  if (!report.passed())
    return Status::FailedCheck("the record fails the filing-stage (归档) four-property checks",
                               report.AsFieldErrors());
  return report;
}

Result<PreparedCase> Filing::Prepare(const CaseSubmission& c, const std::string& channel) {
  std::string today = clock_().substr(0, 10);
  today.erase(std::remove(today.begin(), today.end(), '-'), today.end());
  auto errors = ValidateCase(c, scheme_, today);
  if (!errors.empty()) return Status::InvalidArgument("the case is not valid", errors);

  // Hash every file before touching storage: a wrong declared digest must store nothing.
  PreparedCase p;
  p.submission = c;
  p.channel = channel;
  // Identifiers are kept in one canonical form (trimmed, upper-case X) so exact lookups find them.
  if (p.submission.person)
    p.submission.person->id_number = ParseIdNumber(c.person->id_number, today)->normalized;
  if (p.submission.unit) p.submission.unit->credit_code = *ParseCreditCode(c.unit->credit_code);
  for (size_t i = 0; i < c.files.size(); ++i) {
    const auto& f = c.files[i];
    auto h = hasher_(f.path);
    std::string field = "files[" + std::to_string(i) + "]";
    if (!h.ok()) {
      if (h.status().code() == ErrorCode::kNotFound)
        errors.push_back({field + ".path", "file not found: " + f.path});
      else
        errors.push_back({field + ".path", h.status().message()});
      continue;
    }
    if (!f.declared_sha256.empty() && Lower(f.declared_sha256) != h->first) {
      errors.push_back({field + ".sha256", "declared " + Lower(f.declared_sha256) +
                                               " but the file's SHA-256 is " + h->first});
      continue;
    }
    auto sample = sampler_(f.path);
    if (!sample.ok()) {
      errors.push_back({field + ".path", sample.status().message()});
      continue;
    }
    StagedFile s;
    s.meta.name = f.name;
    s.meta.role = f.role.empty() ? "original" : f.role;
    s.meta.created_by = f.created_by;
    s.meta.digitization = f.digitization;
    s.meta.format = FormatOfFileName(f.name);
    s.meta.size = h->second;
    s.meta.sha256 = h->first;
    s.path = f.path;
    std::optional<std::string> malware;
    if (scanner_) {
      auto verdict = scanner_(f.path);
      // Fail closed: with a scanner configured, a file it could not scan is not filed.
      if (!verdict.ok()) return verdict.status().WithContext(field);
      malware = std::move(*verdict);
    }
    p.observed.push_back(
        {f.name, true, h->second, h->first, sample->first, sample->second, std::move(malware)});
    p.files.push_back(std::move(s));
  }
  if (!errors.empty()) return Status::InvalidArgument("the case's files are not valid", errors);
  p.fingerprint = Fingerprint(p.submission, p.files);
  auto known = catalogue_.FindCase(c.source, c.case_id);
  if (!known.ok()) return known.status();
  if (*known) {
    auto replay = Replay(p, **known);
    if (!replay.ok()) return replay.status();
    p.already_filed = **known;
    return p;
  }
  // 归档-stage checks: refused here, before anything is stored.
  auto checked = CheckForFiling(DraftRecord(p, scheme_, settings_), p.observed);
  if (!checked.ok()) return checked.status();
  return p;
}

Result<FilingReceipt> Filing::File(const PreparedCase& p, const std::string& channel,
                                   const std::string& actor) {
  const CaseSubmission& c = p.submission;
  const std::vector<StagedFile>& staged = p.files;
  if (p.already_filed) return Replay(p, *p.already_filed);

  Record r = DraftRecord(p, scheme_, settings_);
  r.channel = channel;

  // The content goes to disk before the lock: only the small tail of the package is written
  // while other filers wait.
  auto staged_package = packages_.Stage(staged);
  if (!staged_package.ok()) return staged_package.status();

  auto txn = catalogue_.BeginFiling();
  if (!txn.ok()) return txn.status();
  // Checked again under the lock: another filer may have taken this case meanwhile.
  auto again = (*txn)->FindCase(c.source, c.case_id);
  if (!again.ok()) return again.status();
  if (*again) return Replay(p, **again);

  r.series = template_.SeriesKey(r.parts);
  auto seq = (*txn)->NextSequence(r.series);
  if (!seq.ok()) return seq.status();
  r.parts.seq = *seq;
  r.reference = template_.Format(r.parts);
  r.filed_at = clock_();
  // Once more with the 档号: its items (format, required) could not run before.
  auto checked = CheckForFiling(r, p.observed);
  if (!checked.ok()) return checked.status();
  const CheckReport& checks = *checked;

  // The transaction must still be alive once the package's name is held: a catalogue server may
  // have ended it (lost connection, idle timeout) while this filer was slow, and handed the
  // 件号 to another filer whose package is under the name by now. Any statement on it tells; the
  // case look-up is one it already runs (its answer cannot have changed: the transaction holds
  // the case since the look-up above).
  auto package = packages_.Seal(std::move(*staged_package), r,
                                [&] { return (*txn)->FindCase(c.source, c.case_id).status(); });
  if (!package.ok()) return package.status();
  r.package_path = package->path;
  r.package_sha256 = package->sha256;
  r.package_bytes = package->bytes;

  auto fail = [&](const Status& st) -> Result<FilingReceipt> {
    // The row never committed, so the package must go too; a failed discard is left for the
    // recovery pass at the next open.
    packages_.Discard(*package);
    return st;
  };
  Status st = (*txn)->InsertRecord(r);
  if (!st.ok()) return fail(st);
  if (!package->lagging_roots.empty()) {
    st = (*txn)->NoteLaggingCopies(r.reference, package->lagging_roots);
    if (!st.ok()) return fail(st);
  }
  AuditEvent event;
  event.at = r.filed_at;
  event.actor = actor;
  event.action = "file";
  event.reference = r.reference;
  event.detail =
      "{\"channel\":\"" + channel + "\",\"package_sha256\":\"" + r.package_sha256 +
      "\",\"files\":" + std::to_string(r.files.size()) +
      (package->lagging_roots.empty()
           ? std::string()
           : ",\"lagging_copies\":" + std::to_string(package->lagging_roots.size())) +
      ",\"checks\":{\"stage\":\"filing\",\"passed\":" + std::to_string(CountPassed(checks)) +
      ",\"failed\":0}}";
  auto appended = (*txn)->AppendEvent(event);
  if (!appended.ok()) return fail(appended.status());
  st = (*txn)->Commit();
  if (!st.ok()) {
    // A failed COMMIT may still have reached the log; only a row that is truly absent lets the
    // package go, or a committed record would lose its bytes. The transaction is ended first:
    // the look-up needs a connection of its own, and a capped pool may have none spare.
    txn->reset();
    auto landed = catalogue_.FindCase(c.source, c.case_id);
    if (landed.ok() && *landed && (*landed)->reference == r.reference) {
      packages_.Committed(*package);
      return FilingReceipt{r.reference, r.package_sha256, r.filed_at, false, CountPassed(checks)};
    }
    if (!landed.ok()) return st;  // unknown outcome: leave the package for recovery to judge
    return fail(st);
  }
  packages_.Committed(*package);
  return FilingReceipt{r.reference, r.package_sha256, r.filed_at, false, CountPassed(checks)};
}

}  // namespace dangan
