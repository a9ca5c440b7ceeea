#include "storage/record_xml.h"

#include <Poco/SAX/AttributesImpl.h>
#include <Poco/XML/XMLWriter.h>

#include <sstream>

namespace dangan {
namespace {

class Doc {
 public:
  explicit Doc(std::ostream& out, std::string ns = kRecordXmlNamespace)
      : ns_(std::move(ns)),
        w_(out, Poco::XML::XMLWriter::WRITE_XML_DECLARATION | Poco::XML::XMLWriter::PRETTY_PRINT) {
    w_.setNewLine("\n");
    w_.setIndent("  ");
    w_.startDocument();
  }
  ~Doc() { w_.endDocument(); }
  void Open(const std::string& name, const Poco::XML::AttributesImpl& attrs = {}) {
    w_.startElement(ns_, name, name, attrs);
  }
  void Close(const std::string& name) { w_.endElement(ns_, name, name); }
  void Leaf(const std::string& name, const std::string& value) {
    w_.dataElement(ns_, name, name, value);
  }
  void LeafIf(const std::string& name, const std::string& value) {
    if (!value.empty()) Leaf(name, value);
  }
  Poco::XML::XMLWriter& writer() { return w_; }

 private:
  std::string ns_;
  Poco::XML::XMLWriter w_;
};

}  // namespace

std::string RecordToXml(const Record& r, const std::string& organization) {
  std::ostringstream out;
  {
    Doc d(out);
    d.writer().startPrefixMapping("", kRecordXmlNamespace);
    Poco::XML::AttributesImpl root;
    root.addAttribute("", "版本", "版本", "CDATA", "1");
    d.Open("文件", root);
    d.Leaf("档号", r.reference);
    d.Open("档号构成");
    d.Leaf("全宗号", r.parts.fonds);
    d.Leaf("门类代码", r.parts.category);
    d.Leaf("年度", std::to_string(r.parts.year));
    d.Leaf("保管期限", r.parts.retention);
    d.Leaf("机构问题代码", r.parts.item);
    d.Leaf("件号", std::to_string(r.parts.seq));
    d.Close("档号构成");
    d.Leaf("题名", r.title);
    d.LeafIf("文件编号", r.doc_number);
    d.Leaf("责任者", r.responsible);
    d.Leaf("日期", r.formed_on);
    d.Leaf("保管期限", r.parts.retention);
    d.Leaf("密级", r.security);
    d.Leaf("页数", std::to_string(r.pages));
    d.Leaf("语种", r.language);
    d.Open("分类");
    d.Leaf("类别代码", r.parts.class_code);
    d.Leaf("业务环节代码", r.parts.item);
    d.Close("分类");
    d.Open("社会保险");
    d.Leaf("来源系统", r.source);
    d.Leaf("业务编号", r.case_id);
    d.LeafIf("业务流水号", r.serial);
    d.Leaf("经办机构", r.agency);
    d.Leaf("经办人", r.handler);
    d.Leaf("办结时间", r.closed_at);
    if (r.person) {
      d.Leaf("公民身份号码", r.person->id_number);
      d.Leaf("姓名", r.person->name);
    }
    if (r.unit) {
      d.Leaf("统一社会信用代码", r.unit->credit_code);
      d.Leaf("单位名称", r.unit->name);
    }
    d.Close("社会保险");
    d.Open("业务实体");
    for (const auto& s : r.steps) {
      d.Open("业务行为");
      d.Leaf("行为", s.action);
      d.Leaf("行为时间", s.at);
      d.Leaf("机构人员", s.by);
      d.LeafIf("行为依据", s.basis);
      d.LeafIf("行为描述", s.description);
      d.Close("业务行为");
    }
    d.Close("业务实体");
    d.Open("电子属性");
    for (const auto& f : r.files) {
      d.Open("计算机文件");
      d.Leaf("文件名", f.name);
      d.Leaf("角色", f.role);
      d.Leaf("格式", f.format);
      d.Leaf("大小", std::to_string(f.size));
      d.Leaf("SHA256", f.sha256);
      d.LeafIf("创建程序", f.created_by);
      if (!f.digitization.empty()) {
        d.Open("数字化属性");
        d.Leaf("扫描分辨率", std::to_string(f.digitization.dpi));
        d.Leaf("色彩模式", f.digitization.colour_mode);
        d.Leaf("压缩方式", f.digitization.compression);
        d.Leaf("页数", std::to_string(f.digitization.pages));
        d.Close("数字化属性");
      }
      d.Close("计算机文件");
    }
    d.Close("电子属性");
    d.Open("归档");
    d.Leaf("归档时间", r.filed_at);
    d.Leaf("接收渠道", r.channel);
    d.Leaf("立档单位", organization);
    d.Close("归档");
    d.Close("文件");
    d.writer().endPrefixMapping("");
  }
  return out.str();
}

std::string PremisEventsXml(const Record& r, const std::vector<AuditEvent>& events) {
  std::ostringstream out;
  {
    Doc d(out, kPremisNamespace);
    d.writer().startPrefixMapping("", kPremisNamespace);
    Poco::XML::AttributesImpl root;
    root.addAttribute("", "version", "version", "CDATA", "3.0");
    d.Open("premis", root);
    d.Open("object");
    d.Open("objectIdentifier");
    d.Leaf("objectIdentifierType", "档号");
    d.Leaf("objectIdentifierValue", r.reference);
    d.Close("objectIdentifier");
    d.Open("objectCharacteristics");
    d.Open("fixity");
    d.Leaf("messageDigestAlgorithm", "SHA-256");
    d.Leaf("messageDigest", r.package_sha256);
    d.Leaf("messageDigestOriginator", "dangan (AIP as filed)");
    d.Close("fixity");
    d.Leaf("size", std::to_string(r.package_bytes));
    d.Close("objectCharacteristics");
    d.Close("object");
    for (const auto& e : events) {
      d.Open("event");
      d.Open("eventIdentifier");
      d.Leaf("eventIdentifierType", "dangan audit chain");
      d.Leaf("eventIdentifierValue", std::to_string(e.seq));
      d.Close("eventIdentifier");
      d.Leaf("eventType", e.action);
      d.Leaf("eventDateTime", e.at);
      d.Leaf("eventDetail", e.detail);
      d.Open("eventOutcomeInformation");
      d.Open("eventOutcomeDetail");
      // The chain links travel with the event, so the receiver can check them against ours.
      d.Leaf("eventOutcomeDetailNote", "prev_hash=" + e.prev_hash + " hash=" + e.hash);
      d.Close("eventOutcomeDetail");
      d.Close("eventOutcomeInformation");
      d.Open("linkingAgentIdentifier");
      d.Leaf("linkingAgentIdentifierType", "dangan actor");
      d.Leaf("linkingAgentIdentifierValue", e.actor);
      d.Close("linkingAgentIdentifier");
      d.Close("event");
    }
    d.Close("premis");
    d.writer().endPrefixMapping("");
  }
  return out.str();
}

}  // namespace dangan
