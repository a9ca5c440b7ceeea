#define BOOST_TEST_MODULE text_codec
#include <boost/test/unit_test.hpp>

#include <random>

#include "storage/record_texts.h"
#include "storage/text_codec.h"

using namespace dangan;

namespace {
const std::string kRecordText =
    "失业保险金申领审核表\n姓名：夏卫文  公民身份号码：440305198006114903\n"
    "单位名称：深圳安泰机械制造有限公司  统一社会信用代码：91440305704267694W\n"
    "夏卫文因用人单位提出解除劳动合同与深圳安泰机械制造有限公司解除劳动关系，累计缴纳失业保险费79个"
    "月，核定领取失业保险金20个月。\n经办机构：杭州市西湖区社会保险事业管理中心  经办人：袁磊平";
}

BOOST_AUTO_TEST_CASE(record_text_round_trips_and_shrinks) {
  StoredText s = EncodeStoredText(kRecordText);
  BOOST_TEST(s.compressed);
  BOOST_TEST(s.bytes.size() * 2 < kRecordText.size(), s.bytes.size()
                                                          << " of " << kRecordText.size());
  auto back = DecodeStoredText(s.bytes);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST(*back == kRecordText);
}

BOOST_AUTO_TEST_CASE(short_and_incompressible_text_is_stored_plain) {
  for (std::string t : {std::string(), std::string("短"), std::string("{\"category\":\"SB\"}")}) {
    StoredText s = EncodeStoredText(t);
    BOOST_TEST(!s.compressed);
    BOOST_TEST(s.bytes == t);
  }
  std::string noise(4096, '\0');
  std::mt19937 rng(7);
  for (auto& c : noise) c = static_cast<char>(rng());
  StoredText s = EncodeStoredText(noise);
  BOOST_TEST(!s.compressed);
  BOOST_TEST(s.bytes == noise);
}

BOOST_AUTO_TEST_CASE(large_text_round_trips) {
  std::string big;
  while (big.size() < (3u << 20)) big += kRecordText + std::to_string(big.size());
  StoredText s = EncodeStoredText(big);
  BOOST_REQUIRE(s.compressed);
  auto back = DecodeStoredText(s.bytes);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == big));
}

BOOST_AUTO_TEST_CASE(damaged_blobs_are_corruption_not_garbage) {
  StoredText s = EncodeStoredText(kRecordText);
  BOOST_REQUIRE(s.compressed);
  BOOST_TEST(!DecodeStoredText("").ok());
  BOOST_TEST(!DecodeStoredText(std::string("\x02") + s.bytes.substr(1)).ok());  // unknown format
  BOOST_TEST(!DecodeStoredText(s.bytes.substr(0, s.bytes.size() / 2)).ok());    // truncated
  std::string flipped = s.bytes;
  flipped[flipped.size() / 2] ^= 0x55;
  BOOST_TEST(!DecodeStoredText(flipped).ok());  // the CRC catches what DEFLATE lets through
  std::string last = s.bytes;
  last.back() ^= 0x01;
  BOOST_TEST(!DecodeStoredText(last).ok());
}

namespace {

// Texts of one archive: the same forms with different people, units and figures.
std::vector<std::string> ArchiveTexts(int n, uint32_t seed) {
  static const char* const kNames[] = {"夏卫文", "袁磊平", "李建国", "王秀英", "张伟", "陈静"};
  static const char* const kUnits[] = {"深圳安泰机械制造有限公司", "杭州西湖软件股份有限公司",
                                       "成都天府物流有限公司"};
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string name = kNames[rng() % 6], unit = kUnits[rng() % 3];
    out.push_back(
        "失业保险金申领审核表\n姓名：" + name + "  公民身份号码：44030519" +
        std::to_string(10000000 + rng() % 89999999) + "\n单位名称：" + unit + "\n" + name +
        "因用人单位提出解除劳动合同与" + unit + "解除劳动关系，累计缴纳失业保险费" +
        std::to_string(rng() % 200) + "个月，核定领取失业保险金" + std::to_string(rng() % 24) +
        "个月。\n经办机构：杭州市西湖区社会保险事业管理中心" + "  经办人：" + kNames[rng() % 6]);
  }
  return out;
}

std::shared_ptr<const TextDictionary> Trained(uint32_t seed) {
  auto bytes = TextDictionary::Train(ArchiveTexts(600, seed), 16 * 1024);
  BOOST_REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
  auto dict = TextDictionary::Load(*bytes);
  BOOST_REQUIRE_MESSAGE(dict.ok(), dict.status().ToString());
  return *dict;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_dictionary_learned_from_the_archive_beats_the_fixed_one) {
  auto dict = Trained(1);
  BOOST_TEST(dict->id() != 0u);
  size_t v1 = 0, v2 = 0;
  for (const auto& text : ArchiveTexts(50, 99)) {  // texts the training never saw
    StoredText a = EncodeStoredText(text), b = EncodeStoredText(text, dict.get());
    BOOST_REQUIRE(a.compressed);
    BOOST_REQUIRE(b.compressed);
    BOOST_TEST(StoredTextDictionaryId(a.bytes) == 0u);
    BOOST_TEST(StoredTextDictionaryId(b.bytes) == dict->id());
    auto back = DecodeStoredText(b.bytes, dict.get());
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(*back == text);
    v1 += a.bytes.size();
    v2 += b.bytes.size();
  }
  BOOST_TEST(v2 * 2 < v1, "format 2 " << v2 << " bytes, format 1 " << v1);
}

BOOST_AUTO_TEST_CASE(format_2_needs_its_own_dictionary_and_detects_damage) {
  auto dict = Trained(1), other = Trained(2);
  BOOST_REQUIRE(dict->id() != other->id());
  StoredText s = EncodeStoredText(kRecordText, dict.get());
  BOOST_REQUIRE(s.compressed);
  BOOST_TEST(!DecodeStoredText(s.bytes).ok());               // no dictionary
  BOOST_TEST(!DecodeStoredText(s.bytes, other.get()).ok());  // the wrong one
  BOOST_TEST(!DecodeStoredText(s.bytes.substr(0, s.bytes.size() - 3), dict.get()).ok());
  for (size_t at : {size_t{7}, s.bytes.size() / 2, s.bytes.size() - 1}) {
    std::string flipped = s.bytes;
    flipped[at] ^= 0x20;
    auto back = DecodeStoredText(flipped, dict.get());
    BOOST_TEST((!back.ok() || *back == kRecordText), "byte " << at);
    BOOST_TEST(!back.ok(), "byte " << at);  // zstd's checksum catches a changed byte
  }
  BOOST_TEST(!TextDictionary::Load("not a dictionary").ok());
  BOOST_TEST(!TextDictionary::Train(ArchiveTexts(20, 3), 16 * 1024).ok());  // too few to learn
}

BOOST_AUTO_TEST_CASE(record_texts_pack_and_unpack) {
  for (const RecordTexts& t :
       {RecordTexts{"", "", ""}, RecordTexts{"12:3", "{\"a\":\"4:5\"}", "6:7\n甲乙"},
        RecordTexts{"赵六 基本养老金待遇核定表", "{}", kRecordText}}) {
    std::string packed = PackRecordTexts(t);
    auto back = UnpackRecordTexts(packed);
    BOOST_REQUIRE(back.ok());
    BOOST_TEST(back->title == t.title);
    BOOST_TEST(back->details == t.details);
    BOOST_TEST(back->text == t.text);
  }
  for (const char* bad : {"", "x:", "5:abc", "3:abc", ":abc0:", "99999999999:a"})
    BOOST_TEST(!UnpackRecordTexts(bad).ok(), bad);
}
