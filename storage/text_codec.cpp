#include "storage/text_codec.h"

#include <zdict.h>
#include <zlib.h>
#include <zstd.h>

namespace dangan {
namespace {

// Format byte 1: raw DEFLATE (no zlib header), window 32 KiB, primed with kDictionaryV1, then the
// CRC-32 of the text (4 bytes, little-endian): a damaged value is an error, never other text.
constexpr unsigned char kFormatV1 = 1;

// Format byte 2: the dictionary's id (4 bytes, little-endian), then one zstd frame made with that
// dictionary, carrying its content size and zstd's own checksum (the frame omits the dictionary
// id: it is already in front).
constexpr unsigned char kFormatV2 = 2;
constexpr int kZstdLevel = 9;
constexpr size_t kMaxTextBytes = size_t{1} << 30;

// Never edit: every value written with format 1 needs exactly these bytes to be read back. A
// better dictionary is a new format byte. Words a catalogue repeats in every record (the details'
// keys, agency and form vocabulary, handling steps, date-time shapes); DEFLATE finds matches
// against the end of the dictionary most cheaply, so the most common material comes last.
constexpr char kDictionaryV1[] =
    "省市区县镇乡街道社区村 人民政府 有限责任公司 股份有限公司 集团 分公司 "
    "劳动合同 劳动关系 用人单位 解除 终止 退休 离休 死亡 遗属 丧葬补助金 抚恤金 "
    "个人账户 转移接续 关系转移 补缴 欠费 稽核 缴费基数 缴费工资 缴费年限 视同缴费 "
    "基本养老保险 职工基本养老保险 城乡居民基本养老保险 机关事业单位养老保险 "
    "失业保险金 失业保险 工伤保险 工伤认定 劳动能力鉴定 伤残津贴 医疗保险 生育保险 生育津贴 "
    "待遇核定 待遇领取资格认证 基本养老金 养老金 参保登记 增员 减员 参保人员 参保单位 "
    "申请表 申报表 审批表 核定表 登记表 审核表 决定书 通知书 证明 告知书 "
    "附件：身份证复印件 户口簿 银行账户 "
    "人力资源和社会保障局 社会保险事业管理中心 社会保险经办机构 "
    "公民身份号码： 统一社会信用代码： 单位名称： 姓名： 经办机构： 经办人： 日期： "
    "{\"category\":\"SB\",\"doc_number\":\"\",\"responsible\":\"\",\"closed_at\":\"\","
    "\"security\":\"非密\",\"language\":\"汉语\",\"agency\":\"\",\"handler\":\"\",\"serial\":\"\","
    "\"person\":{\"name\":\"\"},\"unit\":{\"name\":\"\"},\"steps\":[{\"action\":\"受理\",\"at\":\""
    "T09:00:00+08:00\",\"by\":\"窗口受理岗 \"},{\"action\":\"审核\",\"at\":\"T14:00:00+08:00\","
    "\"by\":\"业务审核岗 \"},{\"action\":\"办结\",\"at\":\"T16:30:00+08:00\",\"by\":\"经办岗 \"}]}";

// Below this, DEFLATE's block overhead eats the gain.
constexpr size_t kMinBytes = 48;

}  // namespace

struct TextDictionaryAccess {
  static ZSTD_CDict* cdict(const TextDictionary& d) { return d.cdict_; }
  static ZSTD_DDict* ddict(const TextDictionary& d) { return d.ddict_; }
  static std::shared_ptr<TextDictionary> Make() {
    return std::shared_ptr<TextDictionary>(new TextDictionary());
  }
  static void Set(TextDictionary& d, uint32_t id, std::string bytes, ZSTD_CDict* c,
                  ZSTD_DDict* dd) {
    d.id_ = id;
    d.bytes_ = std::move(bytes);
    d.cdict_ = c;
    d.ddict_ = dd;
  }
};

namespace {

// Contexts are reused per thread: making one costs more than compressing a record.
struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
ZstdContexts& Contexts() {
  thread_local ZstdContexts contexts;
  return contexts;
}

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) *out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
uint32_t GetU32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

}  // namespace

Result<std::string> TextDictionary::Train(const std::vector<std::string>& samples,
                                          size_t max_bytes) {
  std::string all;
  std::vector<size_t> sizes;
  for (const auto& s : samples) {
    if (s.empty()) continue;
    all += s;
    sizes.push_back(s.size());
  }
  if (sizes.size() < 100) return Status::InvalidArgument("too few texts to train a dictionary");
  std::string dict(max_bytes, '\0');
  size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                   static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n))
    return Status::InvalidArgument(std::string("training a text dictionary: ") +
                                   ZDICT_getErrorName(n));
  dict.resize(n);
  return dict;
}

Result<std::shared_ptr<const TextDictionary>> TextDictionary::Load(std::string bytes) {
  uint32_t id = ZDICT_getDictID(bytes.data(), bytes.size());
  if (id == 0) return Status::Corruption("not a zstd dictionary");
  ZSTD_CDict* c = ZSTD_createCDict(bytes.data(), bytes.size(), kZstdLevel);
  ZSTD_DDict* d = ZSTD_createDDict(bytes.data(), bytes.size());
  auto dict = TextDictionaryAccess::Make();
  TextDictionaryAccess::Set(*dict, id, std::move(bytes), c, d);
  if (c == nullptr || d == nullptr) return Status::Corruption("zstd cannot load the dictionary");
  return std::shared_ptr<const TextDictionary>(std::move(dict));
}

TextDictionary::~TextDictionary() {
  ZSTD_freeCDict(cdict_);
  ZSTD_freeDDict(ddict_);
}

namespace {

StoredText EncodeV2(std::string_view text, const TextDictionary& dict) {
  StoredText out;
  ZSTD_CCtx* cctx = Contexts().c;
  if (cctx == nullptr) {  // out of memory making the context: store the text plain
    out.bytes.assign(text);
    return out;
  }
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_refCDict(cctx, TextDictionaryAccess::cdict(dict));
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  std::string buf(1, static_cast<char>(kFormatV2));
  PutU32(&buf, dict.id());
  buf.resize(5 + ZSTD_compressBound(text.size()));
  size_t n = ZSTD_compress2(cctx, buf.data() + 5, buf.size() - 5, text.data(), text.size());
  ZSTD_CCtx_refCDict(cctx, nullptr);
  if (ZSTD_isError(n) || 5 + n >= text.size()) {
    out.bytes.assign(text);
    return out;
  }
  buf.resize(5 + n);
  out.compressed = true;
  out.bytes = std::move(buf);
  return out;
}

Result<std::string> DecodeV2(std::string_view blob, const TextDictionary* dict) {
  if (blob.size() < 5) return Status::Corruption("stored text is truncated");
  uint32_t id = GetU32(blob, 1);
  if (dict == nullptr || dict->id() != id)
    return Status::Corruption("stored text needs text dictionary " + std::to_string(id));
  blob.remove_prefix(5);
  unsigned long long size = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxTextBytes)
    return Status::Corruption("stored text has a damaged header");
  if (Contexts().d == nullptr) return Status::Internal("zstd cannot make a decompression context");
  std::string out(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompress_usingDDict(Contexts().d, out.data(), out.size(), blob.data(),
                                        blob.size(), TextDictionaryAccess::ddict(*dict));
  if (ZSTD_isError(n) || n != out.size())
    return Status::Corruption(std::string("stored text does not decompress: ") +
                              (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  return out;
}

}  // namespace

uint32_t StoredTextDictionaryId(std::string_view blob) {
  if (blob.size() < 5 || static_cast<unsigned char>(blob[0]) != kFormatV2) return 0;
  return GetU32(blob, 1);
}

StoredText EncodeStoredText(std::string_view text, const TextDictionary* dict) {
  StoredText out;
  if (text.size() < kMinBytes || text.size() > kMaxTextBytes) {
    out.bytes.assign(text);
    return out;
  }
  if (dict != nullptr) return EncodeV2(text, *dict);
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    out.bytes.assign(text);
    return out;
  }
  deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(kDictionaryV1), sizeof kDictionaryV1 - 1);
  std::string buf(1 + deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  buf[0] = static_cast<char>(kFormatV1);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(buf.data() + 1);
  z.avail_out = static_cast<uInt>(buf.size() - 1);
  int rc = deflate(&z, Z_FINISH);
  size_t n = 1 + z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END || n >= text.size()) {
    out.bytes.assign(text);
    return out;
  }
  if (n + 4 >= text.size()) {
    out.bytes.assign(text);
    return out;
  }
  buf.resize(n);
  uint32_t crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
  PutU32(&buf, crc);
  out.compressed = true;
  out.bytes = std::move(buf);
  return out;
}

Result<std::string> DecodeStoredText(std::string_view blob, const TextDictionary* dict) {
  if (!blob.empty() && static_cast<unsigned char>(blob[0]) == kFormatV2)
    return DecodeV2(blob, dict);
  if (blob.size() < 5 || static_cast<unsigned char>(blob[0]) != kFormatV1)
    return Status::Corruption("stored text has an unknown format");
  uint32_t want = GetU32(blob, blob.size() - 4);
  blob.remove_suffix(4);
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return Status::Internal("zlib inflateInit failed");
  inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(kDictionaryV1), sizeof kDictionaryV1 - 1);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data() + 1));
  z.avail_in = static_cast<uInt>(blob.size() - 1);
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_OK || rc == Z_STREAM_END) out.append(chunk, sizeof chunk - z.avail_out);
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_DATA_ERROR;  // truncated
    if (out.size() > (1u << 30)) rc = Z_DATA_ERROR;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Corruption("stored text does not decompress");
  if (z.avail_in != 0 || static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(out.data()),
                                                     static_cast<uInt>(out.size()))) != want)
    return Status::Corruption("stored text fails its checksum");
  return out;
}

}  // namespace dangan
