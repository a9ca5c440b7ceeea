// FairGate: never more holders than places, places handed on in arrival order, and a turn may
// end on another thread (the catalogue's write gate and the server's search slots rely on all
// three).
#define BOOST_TEST_MODULE fair_gate
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/fair_gate.h"

using namespace dangan;

namespace {
void WaitUntilWaiting(FairGate& gate, size_t n) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gate.waiting() < n && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  BOOST_REQUIRE_EQUAL(gate.waiting(), n);
}
}  // namespace

BOOST_AUTO_TEST_CASE(no_more_holders_than_places) {
  FairGate gate(3);
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        FairGate::Turn turn = gate.Enter();
        int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        --inside;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(most.load() <= 3);
  BOOST_TEST(most.load() >= 2);  // places are used side by side, not one at a time
  BOOST_TEST(gate.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(places_go_to_waiters_in_arrival_order) {
  FairGate gate(2);
  FairGate::Turn a = gate.Enter(), b = gate.Enter();  // both places taken
  std::mutex mu;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      FairGate::Turn turn = gate.Enter();
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    });
    WaitUntilWaiting(gate, static_cast<size_t>(i) + 1);  // the next arrives after this one
  }
  // One place frees and passes from waiter to waiter (the other stays held, so each records its
  // entry before the next can enter).
  a.Release();
  for (auto& t : threads) t.join();
  b.Release();
  BOOST_TEST(order == (std::vector<int>{0, 1, 2, 3, 4, 5}), boost::test_tools::per_element());
  // Every place came back: both can be taken again at once.
  FairGate::Turn c = gate.Enter(), d = gate.Enter();
  BOOST_TEST(gate.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_turn_can_end_on_another_thread) {
  FairGate gate(1);
  FairGate::Turn held = gate.Enter();
  std::atomic<bool> entered{false};
  std::thread waiter([&] {
    FairGate::Turn t = gate.Enter();
    entered = true;
  });
  WaitUntilWaiting(gate, 1);
  BOOST_TEST(!entered.load());
  std::thread([turn = std::move(held)]() mutable { turn.Release(); }).join();
  waiter.join();
  BOOST_TEST(entered.load());
}
