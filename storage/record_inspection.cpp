#include "storage/record_inspection.h"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <sstream>

#include "storage/digest.h"
#include "storage/file_sample.h"

namespace dangan {

namespace {

// An ostream that hashes what is written to it and keeps its first and last bytes.
class SamplingDigestBuf : public std::streambuf {
 public:
  explicit SamplingDigestBuf(size_t keep) : keep_(keep) {}
  std::string head, tail;
  uint64_t bytes = 0;
  Digest digest{"sha256"};

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    Take(s, static_cast<size_t>(n));
    return n;
  }
  int overflow(int c) override {
    if (c != EOF) {
      char ch = static_cast<char>(c);
      Take(&ch, 1);
    }
    return c;
  }

 private:
  void Take(const char* s, size_t n) {
    digest.Update(s, n);
    bytes += n;
    if (head.size() < keep_) head.append(s, std::min(n, keep_ - head.size()));
    tail.append(s, n);
    if (tail.size() > 2 * keep_) tail.erase(0, tail.size() - keep_);
  }
  size_t keep_;
};

std::string MetadataProblem(const PackageStore& packages, const Record& r) {
  auto xml = packages.ReadMember(r.package_path, "data/metadata.xml");
  if (!xml.ok()) return "data/metadata.xml cannot be read: " + xml.status().message();
  try {
    Poco::XML::DOMParser parser;
    Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(*xml);
    Poco::AutoPtr<Poco::XML::NodeList> refs = doc->getElementsByTagName("档号");
    if (refs->length() == 0) return "data/metadata.xml has no 档号 element";
    if (refs->item(0)->innerText() != r.reference)
      return "data/metadata.xml names 档号 " + refs->item(0)->innerText();
  } catch (const Poco::Exception& e) {
    return "data/metadata.xml is not well-formed XML: " + e.displayText();
  }
  return "";
}

}  // namespace

Status InspectRecord(RecordCatalogue& catalogue, const PackageStore& packages, const Record& r,
                     CheckSubject* out, std::optional<size_t> copy) {
  std::error_code ec;
  const std::string path =
      copy ? packages.CopyPath(*copy, r.package_path) : packages.AbsolutePath(r.package_path);
  out->package_present = std::filesystem::is_regular_file(path, ec);

  std::vector<PackageFinding> findings;
  std::vector<FileObservation> files;
  if (!*out->package_present) {
    findings.push_back({r.package_path, "missing"});
    for (const auto& f : r.files) files.push_back({f.name, false, 0, "", "", "", std::nullopt});
    out->package_sha256 = "";
  } else {
    PackageCheck check = copy
                             ? packages.VerifyCopy(*copy, r.package_path, r.package_sha256, r.files)
                             : packages.Verify(r.package_path, r.package_sha256, r.files);
    if (check.ok) {
      out->package_sha256 = r.package_sha256;
    } else {
      auto d = Digest::OfFile(path);
      out->package_sha256 = d.ok() ? *d : "";
      for (const auto& p : check.problems) findings.push_back({p.path, p.what});
    }
    for (const auto& f : r.files) {
      const std::string member = "data/files/" + f.name;
      SamplingDigestBuf buf(kFileSampleBytes);
      std::ostream sink(&buf);
      auto size = packages.MemberSize(r.package_path, member, copy);
      if (!size.ok()) {
        files.push_back({f.name, false, 0, "", "", "", std::nullopt});
        continue;
      }
      Status st = packages.CopyMember(r.package_path, member, 0, *size, sink, copy);
      if (!st.ok()) {
        files.push_back({f.name, false, 0, "", "", "", std::nullopt});
        continue;
      }
      std::string tail = buf.tail.size() > kFileSampleBytes
                             ? buf.tail.substr(buf.tail.size() - kFileSampleBytes)
                             : buf.tail;
      files.push_back(
          {f.name, true, buf.bytes, buf.digest.HexFinal(), buf.head, tail, std::nullopt});
    }
    out->metadata_problem = MetadataProblem(packages, r);
  }
  out->package_findings = findings;
  out->files = files;
  if (!*out->package_present) out->metadata_problem = "the package is missing";

  return catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto count = db.Run("SELECT count(*) FROM records WHERE reference=$1", {r.reference});
    if (!count.ok()) return count.status();
    if (!count->empty()) out->records_with_reference = count->Int(0, 0);

    // A destroyed record's 件号 stays taken by its tombstone: no gap.
    auto seqs = db.Run(
        "SELECT seq FROM records WHERE series=$1 AND seq<=$2 UNION"
        " SELECT seq FROM destroyed_records WHERE series=$1 AND seq<=$2 ORDER BY seq",
        {r.series, static_cast<int64_t>(r.parts.seq)});
    if (!seqs.ok()) return seqs.status();
    std::vector<int> missing;
    int expect = 1;
    for (size_t i = 0; i < seqs->size(); ++i) {
      const int n = static_cast<int>(seqs->Int(i, 0));
      for (; expect < n; ++expect) missing.push_back(expect);
      expect = n + 1;
    }
    out->missing_sequence_numbers = missing;

    auto filed = db.Run(
        "SELECT detail FROM events WHERE reference=$1 AND action='file' ORDER BY seq LIMIT 1",
        {r.reference});
    if (!filed.ok()) return filed.status();
    std::string digest;
    if (!filed->empty()) {
      try {
        Poco::JSON::Parser parser;
        auto o = parser.parse(filed->Text(0, 0)).extract<Poco::JSON::Object::Ptr>();
        digest = o ? o->optValue<std::string>("package_sha256", "") : "";
      } catch (const Poco::Exception&) {
        digest = "";  // an unreadable event is as good as none: 4-3 fails
      }
    }
    out->filed_package_sha256 = digest;
    return Status::Ok();
  });
}

Result<CheckReport> CheckRecord(RecordCatalogue& catalogue, const PackageStore& packages,
                                const PropertyChecks& checks, const ClassificationScheme& scheme,
                                const ReferenceTemplate& tmpl, const Record& record,
                                CheckStage stage, std::optional<size_t> copy) {
  CheckSubject subject;
  subject.record = &record;
  DANGAN_RETURN_IF_ERROR(InspectRecord(catalogue, packages, record, &subject, copy));
  return checks.Run(stage, subject, scheme, tmpl);
}

}  // namespace dangan
