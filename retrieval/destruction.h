// Destruction (销毁) carried out: the approved destruction appraisals' records destroyed in one
// catalogue transaction (AppraisalRegister::Destroy), their packages removed from every storage
// root, and the 销毁清册 rendered and filed as a permanent record of its own. Work a run left
// unfinished after its commit (a crash, a full disk) is finished first by the next run. Borrows
// everything. Runs on several servers at once are safe (the destroying transaction takes turns,
// removing a package twice is harmless, a register filed by another run is only noted), though
// the caller keeps one run at a time per process.
#pragma once

#include <string>
#include <vector>

#include "archive/filing.h"
#include "retrieval/reports.h"
#include "storage/appraisal_register.h"
#include "storage/package_store.h"

namespace dangan {

struct DestructionServices {
  RecordCatalogue* catalogue = nullptr;
  const ClassificationScheme* scheme = nullptr;
  PackageStore* packages = nullptr;
  Filing* filing = nullptr;
  ReportContext report;   // renders the 销毁清册
  std::string stage_dir;  // where the register's PDF is staged before filing
};

struct DestructionOutcome {
  std::vector<Tombstone> destroyed;
  std::vector<std::string> registers;  // 档号 of the 销毁清册 filed (this run's and earlier ones')
};

// Destroys the records of the approved destruction appraisals `ids` (all approved ones when
// empty), supervised by `supervisors` (CheckSupervisors: two or more, `actor` not among them),
// as `actor` at `now`. Refused with
// nothing changed if a record is under a hold. `register_copy`, when not empty, also receives
// this run's 销毁清册. An error after the commit says so: the records are destroyed and the next
// run finishes the rest.
Result<DestructionOutcome> CarryOutDestruction(DestructionServices& services,
                                               const std::vector<int64_t>& ids,
                                               const std::vector<std::string>& supervisors,
                                               const std::string& actor, const std::string& now,
                                               const std::string& register_copy = "");

// Only the unfinished work of earlier runs (packages left, registers not filed).
Result<std::vector<std::string>> FinishDestructions(DestructionServices& services,
                                                    const std::string& actor);

}  // namespace dangan
