#include "retrieval/eep_package.h"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "storage/digest.h"

namespace dangan {

std::string Base64Text(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Unbase64Text(const std::string& text, std::string* out) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') clean += c;
  if (clean.size() % 4 != 0) return false;
  out->assign(clean.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

namespace {

std::string Escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 cannot carry these; the replacement character marks where one was.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

// The serialiser: each piece goes to the file and to whichever signatures are running.
class Writer {
 public:
  explicit Writer(std::ofstream& out) : out_(out) {}
  void Emit(const std::string& s) {
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    for (SignatureStream* sig : signing_) sig->Update(s);
  }
  void Open(int depth, const std::string& name, const std::string& attrs = "") {
    Emit(std::string(depth * 2, ' ') + "<" + name + (attrs.empty() ? "" : " " + attrs) + ">\n");
  }
  void Close(int depth, const std::string& name) {
    Emit(std::string(depth * 2, ' ') + "</" + name + ">\n");
  }
  void Leaf(int depth, const std::string& name, const std::string& value) {
    Emit(std::string(depth * 2, ' ') + "<" + name + ">" + Escape(value) + "</" + name + ">\n");
  }
  std::vector<SignatureStream*> signing_;

 private:
  std::ofstream& out_;
};

// Encodes what is written to it as Base64 (no line breaks) into a Writer.
class Base64Sink : public std::streambuf {
 public:
  explicit Base64Sink(Writer& w) : w_(w) {}
  void Finish() {
    if (!pending_.empty()) w_.Emit(Base64Text(pending_));
    pending_.clear();
  }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pending_.append(s, static_cast<size_t>(n));
    if (pending_.size() >= kChunk) {
      size_t whole = pending_.size() / 3 * 3;
      w_.Emit(Base64Text(pending_.substr(0, whole)));
      pending_.erase(0, whole);
    }
    return n;
  }
  int overflow(int c) override {
    if (c != EOF) {
      char ch = static_cast<char>(c);
      xsputn(&ch, 1);
    }
    return c;
  }

 private:
  static constexpr size_t kChunk = 3 * 65536;
  Writer& w_;
  std::string pending_;
};

const char* ActionLabel(const std::string& action) {
  if (action == "file") return "归档";
  if (action == "check") return "检测";
  if (action == "transfer") return "移交";
  if (action == "appraise" || action == "appraise-approve") return "鉴定";
  if (action == "fixity-damage" || action == "fixity-repair") return "修复";
  return "管理";
}

}  // namespace

Status WriteEep(const Record& r, const std::vector<AuditEvent>& history,
                const PackageStore& packages, const SigningKey& key, const EepWriteOptions& options,
                const std::string& path) {
  namespace fs = std::filesystem;
  const std::string part = path + ".part";
  std::ofstream out(part, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot create " + part);
  Writer w(out);
  auto signature = key.StartSigning();
  if (!signature.ok()) return signature.status();
  auto lock = key.StartSigning();
  if (!lock.ok()) return lock.status();

  w.Emit("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  w.Open(0, "电子文件封装包", std::string("xmlns=\"") + kEepNamespace + "\"");
  w.Leaf(1, "封装包格式描述",
         "本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成");
  w.Leaf(1, "版本", "2009");
  // The signatures cover exact byte ranges: from "<被签名对象" to "</被签名对象>", and for the
  // 锁定签名 on to "</电子签名块>"; the indentation and line ends around them lie outside.
  w.Emit("  ");
  w.signing_ = {&*signature, &*lock};
  w.Emit("<被签名对象 eep版本=\"2009\">\n");
  w.Leaf(2, "封装包类型", "原始型");
  w.Leaf(2, "封装包类型描述", "本封装包包含电子文件数据及其元数据，原始封装，未经修改");
  w.Leaf(2, "封装包创建时间", options.created_at);
  w.Leaf(2, "封装包创建单位", options.organization);
  w.Open(2, "电子文件数据");

  w.Open(3, "文件实体块");
  w.Open(4, "文件实体");
  w.Leaf(5, "聚合层次", "件");
  w.Open(5, "来源");
  w.Leaf(6, "档案馆名称", "");
  w.Leaf(6, "全宗名称", options.organization);
  w.Leaf(6, "立档单位名称", options.organization);
  w.Close(5, "来源");
  w.Leaf(5, "档号", r.reference);
  w.Open(5, "档号构成");
  w.Leaf(6, "全宗号", r.parts.fonds);
  w.Leaf(6, "门类代码", r.parts.category);
  w.Leaf(6, "年度", std::to_string(r.parts.year));
  w.Leaf(6, "保管期限", r.parts.retention);
  w.Leaf(6, "机构或问题", r.parts.item);
  w.Leaf(6, "件号", std::to_string(r.parts.seq));
  w.Close(5, "档号构成");
  w.Leaf(5, "题名", r.title);
  w.Leaf(5, "文件编号", r.doc_number);
  w.Leaf(5, "责任者", r.responsible);
  w.Leaf(5, "日期", r.formed_on);
  w.Leaf(5, "密级", r.security);
  w.Leaf(5, "页数", std::to_string(r.pages));
  w.Leaf(5, "语种", r.language);
  w.Open(5, "社会保险业务信息");
  w.Leaf(6, "业务环节", r.parts.item);
  w.Leaf(6, "经办机构", r.agency);
  w.Leaf(6, "经办人", r.handler);
  w.Leaf(6, "业务流水号", r.serial);
  w.Leaf(6, "办结时间", r.closed_at);
  w.Leaf(6, "公民身份号码", r.person ? r.person->id_number : "");
  w.Leaf(6, "姓名", r.person ? r.person->name : "");
  w.Leaf(6, "统一社会信用代码", r.unit ? r.unit->credit_code : "");
  w.Leaf(6, "单位名称", r.unit ? r.unit->name : "");
  w.Close(5, "社会保险业务信息");
  for (size_t i = 0; i < r.files.size(); ++i) {
    const RecordFile& f = r.files[i];
    const std::string n = std::to_string(i + 1);
    w.Open(5, "文档");
    w.Leaf(6, "文档标识符", "修改0-文档" + n);
    w.Leaf(6, "文档序号", n);
    w.Open(6, "文档数据", "文档数据ID=\"修改0-文档" + n + "-文档数据1\"");
    w.Open(7, "编码", "编码ID=\"修改0-文档" + n + "-文档数据1-编码1\"");
    w.Open(8, "电子属性");
    w.Leaf(9, "格式信息", f.format);
    w.Leaf(9, "计算机文件名", f.name);
    w.Leaf(9, "计算机文件大小", std::to_string(f.size));
    w.Leaf(9, "文档创建程序", f.created_by);
    w.Leaf(9, "文件角色", f.role);
    w.Close(8, "电子属性");
    w.Emit(std::string(16, ' ') + "<数字摘要 算法=\"SHA-256\">" + f.sha256 + "</数字摘要>\n");
    w.Leaf(8, "编码描述", "本封装包中“编码数据”元素存储的是计算机文件二进制流的Base64编码");
    w.Leaf(8, "反编码关键字", "base64");
    w.Emit(std::string(16, ' ') + "<编码数据>");
    Base64Sink sink(w);
    std::ostream encoded(&sink);
    Status copied = packages.CopyMember(r.package_path, "data/files/" + f.name, 0, f.size, encoded);
    if (!copied.ok()) {
      out.close();
      fs::remove(part);
      return copied.WithContext(r.reference + ": " + f.name);
    }
    sink.Finish();
    w.Emit("</编码数据>\n");
    w.Close(7, "编码");
    w.Close(6, "文档数据");
    w.Close(5, "文档");
  }
  w.Close(4, "文件实体");
  w.Close(3, "文件实体块");

  w.Open(3, "业务实体块");
  int n = 0;
  for (const auto& s : r.steps) {
    w.Open(4, "业务实体");
    w.Leaf(5, "业务标识符", "业务" + std::to_string(++n));
    w.Leaf(5, "机构人员标识符", s.by);
    w.Leaf(5, "业务状态", "业务办理");
    w.Leaf(5, "业务行为", s.action);
    w.Leaf(5, "行为时间", s.at);
    w.Leaf(5, "行为依据", s.basis);
    w.Leaf(5, "行为描述", s.description);
    w.Close(4, "业务实体");
  }
  for (const auto& e : history) {
    w.Open(4, "业务实体");
    w.Leaf(5, "业务标识符", "业务" + std::to_string(++n));
    w.Leaf(5, "机构人员标识符", e.actor);
    w.Leaf(5, "业务状态", "档案管理");
    w.Leaf(5, "业务行为", ActionLabel(e.action));
    w.Leaf(5, "行为时间", e.at);
    w.Leaf(5, "行为依据", "审计链事件 " + std::to_string(e.seq) + " " + e.hash);
    w.Leaf(5, "行为描述", e.action + " " + e.detail);
    w.Close(4, "业务实体");
  }
  w.Close(3, "业务实体块");

  w.Open(3, "机构人员实体块");
  std::vector<std::pair<std::string, std::string>> people = {{r.agency, "单位"}};
  std::set<std::string> seen = {r.agency};
  auto add = [&](const std::string& who, const char* type) {
    if (!who.empty() && seen.insert(who).second) people.emplace_back(who, type);
  };
  add(r.handler, "个人");
  for (const auto& s : r.steps) add(s.by, "个人");
  for (const auto& e : history) add(e.actor, "个人");
  for (const auto& [who, type] : people) {
    w.Open(4, "机构人员实体");
    w.Leaf(5, "机构人员标识符", who);
    w.Leaf(5, "机构人员类型", type);
    w.Leaf(5, "机构人员名称", who);
    w.Close(4, "机构人员实体");
  }
  w.Close(3, "机构人员实体块");
  w.Close(2, "电子文件数据");
  w.Emit("  </被签名对象>");
  w.signing_ = {&*lock};
  auto first = signature->Sign();
  if (!first.ok()) return first.status();
  w.Emit("\n");
  w.Open(1, "电子签名块");
  w.Open(2, "电子签名");
  w.Leaf(3, "签名标识符", "签名1");
  w.Leaf(3, "签名规则", "对“被签名对象”元素（含起止标签）的字节序列签名");
  w.Leaf(3, "签名时间", options.created_at);
  w.Leaf(3, "签名人", options.organization);
  w.Leaf(3, "签名结果", Base64Text(*first));
  w.Open(3, "证书块");
  w.Leaf(4, "证书", key.public_pem());
  w.Leaf(4, "证书引证", "公钥(PEM)");
  w.Close(3, "证书块");
  w.Leaf(3, "签名算法标识", SigningKey::kAlgorithm);
  w.Close(2, "电子签名");
  w.Emit("  </电子签名块>");
  w.signing_.clear();
  w.Emit("\n");
  auto locked = lock->Sign();
  if (!locked.ok()) return locked.status();
  w.Open(1, "锁定签名");
  w.Leaf(2, "被锁定签名标识符", "签名1");
  w.Leaf(2, "签名规则", "对“被签名对象”起始标签至“电子签名块”结束标签的字节序列签名");
  w.Leaf(2, "签名时间", options.created_at);
  w.Leaf(2, "签名人", options.organization);
  w.Leaf(2, "签名结果", Base64Text(*locked));
  w.Open(2, "证书块");
  w.Leaf(3, "证书", key.public_pem());
  w.Close(2, "证书块");
  w.Leaf(2, "签名算法标识", SigningKey::kAlgorithm);
  w.Close(1, "锁定签名");
  w.Close(0, "电子文件封装包");
  out.flush();
  if (!out) {
    out.close();
    fs::remove(part);
    return Status::IOError("writing " + part + " failed");
  }
  out.close();
  // Durable before it takes its name: a transfer lists only complete packages.
  if (FILE* f = std::fopen(part.c_str(), "rb")) {
    ::fsync(::fileno(f));
    std::fclose(f);
  }
  std::error_code ec;
  fs::rename(part, path, ec);
  if (ec) return Status::IOError("renaming " + part + ": " + ec.message());
  return Status::Ok();
}

namespace {

std::string ChildText(Poco::XML::Element* parent, const std::string& name) {
  if (!parent) return "";
  Poco::XML::Element* e = parent->getChildElement(name);
  return e ? e->innerText() : "";
}

}  // namespace

EepCheck VerifyEep(const std::string& path, uint64_t max_bytes) {
  EepCheck c;
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    c.problems.push_back("cannot read: " + ec.message());
    return c;
  }
  if (size > max_bytes) {
    c.problems.push_back("larger than " + std::to_string(max_bytes) + " bytes");
    return c;
  }
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.resize(size);
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (static_cast<uint64_t>(in.gcount()) != size) {
      c.problems.push_back("cannot read the whole file");
      return c;
    }
  }
  // The signed byte ranges, located in the file as it is.
  const std::string open_signed = "<被签名对象", close_signed = "</被签名对象>";
  const std::string open_block = "<电子签名块>", close_block = "</电子签名块>";
  const size_t a = bytes.find(open_signed);
  const size_t b = bytes.find(close_signed);
  const size_t cpos = bytes.find(open_block);
  const size_t d = bytes.find(close_block);
  const bool ranges = a != std::string::npos && b != std::string::npos &&
                      cpos != std::string::npos && d != std::string::npos && a < b && b < cpos &&
                      cpos < d;
  if (!ranges) c.problems.push_back("被签名对象 or 电子签名块 is missing or out of order");
  // The signatures are checked over byte ranges found by searching the text, and the content
  // is read from the parsed tree: both must be the same bytes. Our packages hold no markup but
  // elements (text escapes every '<'), so a second marker, a comment, a processing instruction,
  // a CDATA section or a DOCTYPE can only be there to make the two differ.
  const size_t declaration_end = bytes.compare(0, 5, "<?xml") == 0 ? bytes.find("?>") : 0;
  if (bytes.find("<!") != std::string::npos ||
      bytes.find("<?", declaration_end == std::string::npos ? 0 : declaration_end) !=
          std::string::npos) {
    c.problems.push_back("comments, processing instructions, CDATA or DOCTYPE are not allowed");
    return c;
  }
  for (const std::string* marker : {&open_signed, &close_signed, &open_block, &close_block})
    if (bytes.find(*marker) != bytes.rfind(*marker)) {
      c.problems.push_back(*marker + " occurs more than once");
      return c;
    }

  Poco::AutoPtr<Poco::XML::Document> doc;
  try {
    Poco::XML::DOMParser parser;
    doc = parser.parseString(bytes);
  } catch (const Poco::Exception& e) {
    c.problems.push_back("not well-formed XML: " + e.displayText());
    return c;
  }
  Poco::XML::Element* root = doc->documentElement();
  if (!root || root->localName() != "电子文件封装包" || root->namespaceURI() != kEepNamespace) {
    c.problems.push_back("the root is not 电子文件封装包 in namespace " +
                         std::string(kEepNamespace));
    return c;
  }
  Poco::XML::Element* signed_object = root->getChildElement("被签名对象");
  Poco::XML::Element* data =
      signed_object ? signed_object->getChildElement("电子文件数据") : nullptr;
  Poco::XML::Element* entities = data ? data->getChildElement("文件实体块") : nullptr;
  Poco::XML::Element* entity = entities ? entities->getChildElement("文件实体") : nullptr;
  for (const char* block : {"业务实体块", "机构人员实体块"})
    if (!data || !data->getChildElement(block))
      c.problems.push_back(std::string(block) + " is missing");
  if (!entity) {
    c.problems.push_back("文件实体 is missing");
    return c;
  }
  c.reference = ChildText(entity, "档号");
  if (c.reference.empty()) c.problems.push_back("档号 is empty");
  for (const char* required : {"题名", "日期", "责任者"})
    if (ChildText(entity, required).empty())
      c.problems.push_back(std::string(required) + " is empty");

  Poco::AutoPtr<Poco::XML::NodeList> documents = entity->getElementsByTagName("文档");
  for (unsigned long i = 0; i < documents->length(); ++i) {
    auto* docu = static_cast<Poco::XML::Element*>(documents->item(i));
    Poco::AutoPtr<Poco::XML::NodeList> codes = docu->getElementsByTagName("编码");
    if (codes->length() != 1) {
      c.problems.push_back("文档 " + std::to_string(i + 1) + " has no single 编码");
      continue;
    }
    auto* code = static_cast<Poco::XML::Element*>(codes->item(0));
    Poco::XML::Element* props = code->getChildElement("电子属性");
    const std::string name = ChildText(props, "计算机文件名");
    const std::string stated_size = ChildText(props, "计算机文件大小");
    const std::string stated_sha = ChildText(code, "数字摘要");
    std::string content;
    if (!Unbase64Text(ChildText(code, "编码数据"), &content)) {
      c.problems.push_back(name + ": 编码数据 is not Base64");
      continue;
    }
    ++c.files;
    c.content_bytes += content.size();
    if (stated_size != std::to_string(content.size()))
      c.problems.push_back(name + ": " + std::to_string(content.size()) + " bytes, stated " +
                           stated_size);
    if (Digest::OfString(content) != stated_sha)
      c.problems.push_back(name + ": SHA-256 differs from its 数字摘要");
  }
  if (c.files == 0) c.problems.push_back("no 文档 with content");

  Poco::XML::Element* block = root->getChildElement("电子签名块");
  Poco::XML::Element* sig = block ? block->getChildElement("电子签名") : nullptr;
  Poco::XML::Element* lock = root->getChildElement("锁定签名");
  if (!sig || !lock) {
    c.problems.push_back("电子签名 or 锁定签名 is missing");
    return c;
  }
  c.public_pem = ChildText(sig->getChildElement("证书块"), "证书");
  if (ChildText(sig, "签名算法标识") != SigningKey::kAlgorithm)
    c.problems.push_back("unknown signature algorithm " + ChildText(sig, "签名算法标识"));
  auto key = SigningKey::FromPublicPem(c.public_pem);
  if (!key.ok()) {
    c.problems.push_back("the 证书 holds no usable public key");
    return c;
  }
  if (!ranges) return c;
  auto check = [&](const std::string& what, size_t from, size_t to, const std::string& b64) {
    std::string signature;
    auto v = key->StartVerifying();
    if (!Unbase64Text(b64, &signature) || !v.ok()) {
      c.problems.push_back(what + ": unreadable signature");
      return;
    }
    v->Update(bytes.data() + from, to - from);
    if (!v->Verify(signature)) c.problems.push_back(what + " does not verify");
  };
  check("电子签名", a, b + close_signed.size(), ChildText(sig, "签名结果"));
  check("锁定签名", a, d + close_block.size(), ChildText(lock, "签名结果"));
  if (ChildText(lock->getChildElement("证书块"), "证书") != c.public_pem)
    c.problems.push_back("锁定签名 names another key than 电子签名");
  return c;
}

}  // namespace dangan
