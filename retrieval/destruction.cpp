#include "retrieval/destruction.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "retrieval/pdf_document.h"

namespace dangan {

namespace fs = std::filesystem;

namespace {

std::string Joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : "、") + n;
  return out;
}

// Different on each call, on any host.
std::string UniqueSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// Files the 销毁清册 of `batch` (the tombstones of one destruction) as a permanent record and
// notes its 档号 on them; writes a copy to `copy` when given.
Result<std::string> FileRegister(DestructionServices& s, const std::vector<Tombstone>& batch,
                                 const std::string& actor, const std::string& copy) {
  auto pdf = RenderDestructionRegisterPdf(s.report, batch);
  if (!pdf.ok()) return pdf.status();
  if (!copy.empty()) DANGAN_RETURN_IF_ERROR(WriteFileAtomically(copy, *pdf));
  const Tombstone& first = batch.front();
  std::vector<std::string> refs;
  for (const auto& t : batch) refs.push_back(t.reference);
  AppraisalRegister reg(*s.catalogue, *s.scheme);
  CaseSubmission c;
  c.source = "dangan";
  // One register per destruction: its first appraisal (its batch) and its time name it. If a
  // run filed it but stopped before noting it on the tombstones, the next run (perhaps by
  // someone else, with other bytes in the PDF) only notes it.
  std::string stamp = first.destroyed_at;
  for (char& ch : stamp)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '-';
  c.case_id =
      "XHQC-" + std::to_string(first.batch ? first.batch : first.appraisal_id) + "-" + stamp;
  auto filed_before = [&]() -> Result<std::optional<std::string>> {
    auto known = s.catalogue->FindCase(c.source, c.case_id);
    if (!known.ok()) return known.status();
    if (!*known) return std::optional<std::string>();
    DANGAN_RETURN_IF_ERROR(reg.SetRegister(refs, (*known)->reference));
    return std::optional<std::string>((*known)->reference);
  };
  auto known = filed_before();
  if (!known.ok()) return known.status();
  if (*known) return **known;
  std::error_code ec;
  fs::create_directories(s.stage_dir, ec);
  // Another server finishing the same destruction stages its own copy.
  const std::string staged = s.stage_dir + "/销毁清册-" + std::to_string(first.appraisal_id) + "-" +
                             UniqueSuffix() + ".pdf";
  DANGAN_RETURN_IF_ERROR(WriteFileAtomically(staged, *pdf));
  c.item = "1001";
  c.title = "档案销毁清册（" + first.destroyed_at.substr(0, 10) + "，" +
            std::to_string(batch.size()) + "件）";
  c.formed_on = first.destroyed_at.substr(0, 10);
  c.closed_at = first.destroyed_at;
  c.agency = s.report.organization;
  c.handler = actor;
  std::set<std::string> approvers, supervisors;
  for (const auto& t : batch) {
    approvers.insert(t.approved_by);
    supervisors.insert(t.supervisors.begin(), t.supervisors.end());
  }
  c.steps = {{"批准", first.destroyed_at, Joined(approvers), "", ""},
             {"监销", first.destroyed_at, Joined(supervisors), "", ""},
             {"销毁", first.destroyed_at, actor, "", ""}};
  // The register is a record like any other, found by search and shown in snippets to people
  // without personal.read, and it has no one holder whose name search could mask: its text
  // lists the titles as masked (the PDF, for record.download only, keeps them whole).
  for (const auto& t : batch) c.text += t.reference + " " + t.TitleWithoutPersonalData() + "\n";
  c.files = {{"销毁清册.pdf", staged, "", "original", "dangan", {}}};
  auto receipt = s.filing->File(c, "manual", actor);
  fs::remove(staged, ec);
  if (!receipt.ok() && receipt.status().code() == ErrorCode::kConflict) {
    // Filed meanwhile by another run (its PDF differs by its time of rendering): note that one.
    known = filed_before();
    if (!known.ok()) return known.status();
    if (*known) return **known;
  }
  if (!receipt.ok()) return receipt.status();
  DANGAN_RETURN_IF_ERROR(reg.SetRegister(refs, receipt->reference));
  return receipt->reference;
}

Status Finish(DestructionServices& s, const std::string& actor, const std::string& copy,
              std::vector<std::string>* registers) {
  AppraisalRegister reg(*s.catalogue, *s.scheme);
  auto unfinished = reg.Unfinished();
  if (!unfinished.ok()) return unfinished.status();
  std::vector<std::string> removed;
  // By destruction: its batch, or its time for tombstones from before batches.
  std::map<std::string, std::vector<Tombstone>> unregistered;
  for (const auto& t : *unfinished) {
    if (!t.packages_removed) {
      DANGAN_RETURN_IF_ERROR(s.packages->Remove(t.package_path));
      removed.push_back(t.reference);
    }
    if (t.register_reference.empty())
      unregistered[t.batch ? "b" + std::to_string(t.batch) : "t" + t.destroyed_at].push_back(t);
  }
  DANGAN_RETURN_IF_ERROR(reg.MarkPackagesRemoved(removed));
  for (const auto& [key, batch] : unregistered) {
    auto ref = FileRegister(s, batch, actor, copy);
    if (!ref.ok()) return ref.status().WithContext("filing the 销毁清册");
    registers->push_back(*ref);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> FinishDestructions(DestructionServices& services,
                                                    const std::string& actor) {
  std::vector<std::string> registers;
  DANGAN_RETURN_IF_ERROR(Finish(services, actor, "", &registers));
  return registers;
}

Result<DestructionOutcome> CarryOutDestruction(DestructionServices& services,
                                               const std::vector<int64_t>& ids,
                                               const std::vector<std::string>& supervisors,
                                               const std::string& actor, const std::string& now,
                                               const std::string& register_copy) {
  DANGAN_RETURN_IF_ERROR(CheckSupervisors(supervisors, actor));
  DestructionOutcome out;
  Status earlier = Finish(services, actor, "", &out.registers);
  if (!earlier.ok()) return earlier.WithContext("finishing an earlier destruction");
  AppraisalRegister reg(*services.catalogue, *services.scheme);
  auto destroyed = reg.Destroy(ids, supervisors, actor, now);
  if (!destroyed.ok()) return destroyed.status();
  out.destroyed = std::move(*destroyed);
  Status done = Finish(services, actor, register_copy, &out.registers);
  if (!done.ok())
    return done.WithContext(
        "the records are destroyed, but the rest (packages, 销毁清册) is left for the next "
        "destruction run to finish");
  return out;
}

}  // namespace dangan
