#define BOOST_TEST_MODULE audit_chain
#include <boost/test/unit_test.hpp>

#include "archive/audit_chain.h"

using namespace dangan;

namespace {
std::vector<AuditEvent> MakeChain(int n) {
  std::vector<AuditEvent> out;
  for (int i = 0; i < n; ++i) {
    AuditEvent e;
    e.at = "2026-01-0" + std::to_string(1 + i % 9) + "T10:00:00+08:00";
    e.actor = "tester";
    e.action = i % 2 ? "view" : "file";
    e.reference = "J012-SB·2026-D100-0102-000" + std::to_string(i);
    e.detail = "{}";
    out.push_back(ChainEvent(e, out.empty() ? nullptr : &out.back()));
  }
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(an_untouched_chain_verifies) {
  auto chain = MakeChain(6);
  BOOST_TEST(chain[0].prev_hash == kGenesisHash);
  BOOST_TEST(chain[3].prev_hash == chain[2].hash);
  BOOST_TEST(chain[5].seq == 6);
  BOOST_TEST(!FindBrokenLink(chain, kGenesisHash, 1, nullptr).has_value());
}

BOOST_AUTO_TEST_CASE(editing_any_field_breaks_that_link) {
  for (int field = 0; field < 5; ++field) {
    auto chain = MakeChain(5);
    AuditEvent& e = chain[2];
    if (field == 0) e.at += "x";
    if (field == 1) e.actor = "mallory";
    if (field == 2) e.action = "destroy";
    if (field == 3) e.reference = "";
    if (field == 4) e.detail = "{\"x\":1}";
    std::string why;
    auto broken = FindBrokenLink(chain, kGenesisHash, 1, &why);
    BOOST_REQUIRE(broken.has_value());
    BOOST_TEST(*broken == 2u);
    BOOST_TEST(why.find("event 3") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(recomputing_an_edited_events_hash_still_breaks_the_next_link) {
  auto chain = MakeChain(5);
  chain[1].detail = "{\"forged\":true}";
  chain[1].hash = ComputeEventHash(chain[1]);
  auto broken = FindBrokenLink(chain, kGenesisHash, 1, nullptr);
  BOOST_REQUIRE(broken.has_value());
  BOOST_TEST(*broken == 2u);
}

BOOST_AUTO_TEST_CASE(deleting_or_inserting_an_event_is_detected) {
  auto chain = MakeChain(5);
  auto deleted = chain;
  deleted.erase(deleted.begin() + 2);
  std::string why;
  BOOST_TEST(FindBrokenLink(deleted, kGenesisHash, 1, &why).value() == 2u);
  BOOST_TEST(why.find("missing") != std::string::npos);
  auto inserted = chain;
  AuditEvent extra = chain[1];
  extra.action = "export";
  inserted.insert(inserted.begin() + 2, extra);
  BOOST_TEST(FindBrokenLink(inserted, kGenesisHash, 1, nullptr).has_value());
  auto first_removed = std::vector<AuditEvent>(chain.begin() + 1, chain.end());
  BOOST_TEST(FindBrokenLink(first_removed, kGenesisHash, 1, nullptr).value() == 0u);
}
