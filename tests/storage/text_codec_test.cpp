#define BOOST_TEST_MODULE text_codec
#include <boost/test/unit_test.hpp>

#include <random>

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
