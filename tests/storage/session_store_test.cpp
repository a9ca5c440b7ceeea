// The people of the archive and their web workbench sessions (storage/user_registry.h,
// storage/session_store.h) on both catalogue backends: the same rules on the embedded SQLite
// file and on a PostgreSQL server (CTest's `postgresql` fixture), where a session begun through
// one server is known to another.
#define BOOST_TEST_MODULE session_store
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "archive/access_policy.h"
#include "storage/password_hash.h"
#include "storage/session_store.h"
#include "storage/user_registry.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

namespace session_store_test {

const char* const kNow = "2026-11-24T10:00:00+08:00";

AccessPolicy Policy() { return AccessPolicy::LoadBuiltin().value(); }

// A session store whose clock the test moves.
struct Clock {
  int64_t now = 1'800'000'000;
  SessionStore::Options Options() {
    SessionStore::Options o;
    o.now_unix = [this] { return now; };
    o.now_iso = [] { return std::string(kNow); };
    return o;
  }
};

BOOST_DATA_TEST_CASE(users_are_registered_once_the_first_an_administrator,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  UserRegistry users(backend.catalogue());
  const AccessPolicy policy = Policy();
  Status first = users.Add("王五", "archivist", policy, "init", kNow);
  BOOST_TEST((first.code() == ErrorCode::kInvalidArgument), first.ToString());
  BOOST_REQUIRE(users.Add("admin", "admin", policy, "init", kNow).ok());
  BOOST_TEST(users.Add("李四", "archivist", policy, "admin", kNow).ok());
  BOOST_TEST((users.Add("李四", "reader", policy, "admin", kNow).code() == ErrorCode::kConflict));
  BOOST_TEST(
      (users.Add("赵六", "nobody", policy, "admin", kNow).code() == ErrorCode::kInvalidArgument));
  auto list = users.List();
  BOOST_REQUIRE(list.ok());
  BOOST_REQUIRE_EQUAL(list->size(), 2u);
  BOOST_TEST((*list)[0].name == "admin");
  BOOST_TEST((*list)[1].name == "李四");
  BOOST_TEST((*list)[1].role == "archivist");
  BOOST_TEST((*list)[1].created_by == "admin");
  BOOST_TEST(CountEvents(backend.catalogue(), "user-add") == 2);
  BOOST_TEST(
      (users.SetPassword("nobody", HashPassword("secret-123").value(), "admin", kNow).code() ==
       ErrorCode::kNotFound));
}

BOOST_DATA_TEST_CASE(a_session_lives_from_sign_in_to_sign_out_or_expiry,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  UserRegistry users(backend.catalogue());
  const AccessPolicy policy = Policy();
  BOOST_REQUIRE(users.Add("admin", "admin", policy, "init", kNow).ok());
  BOOST_REQUIRE(
      users.Add("李四", "archivist", policy, "admin", kNow, HashPassword("correct horse").value())
          .ok());
  Clock clock;
  SessionStore sessions(backend.catalogue(), clock.Options());

  // Wrong password, unknown name and a user without a password are refused alike.
  for (auto [name, password] : {std::pair{"李四", "wrong horse"}, std::pair{"nobody", "x"},
                                std::pair{"admin", "anything"}}) {
    auto refused = sessions.SignIn(name, password);
    BOOST_TEST((refused.status().code() == ErrorCode::kUnauthorized), name);
  }
  auto signed_in = sessions.SignIn("李四", "correct horse");
  BOOST_REQUIRE_MESSAGE(signed_in.ok(), signed_in.status().ToString());
  BOOST_TEST(signed_in->token.size() == 64u);
  auto found = sessions.Find(signed_in->token);
  BOOST_REQUIRE(found.ok() && found->has_value());
  BOOST_TEST((*found)->name == "李四");
  BOOST_TEST((*found)->role == "archivist");
  BOOST_TEST((*found)->csrf == signed_in->user.csrf);
  BOOST_TEST(!sessions.Find(std::string(64, 'a')).value().has_value());

  // Used within the idle time it stays; left idle past it, it ends.
  clock.now += 3600;
  BOOST_TEST(sessions.Find(signed_in->token).value().has_value());
  clock.now += 3600 + 1800;
  BOOST_TEST(sessions.Find(signed_in->token).value().has_value());  // 1.5 h since the last use
  clock.now += 2 * 3600 + 1;
  BOOST_TEST(!sessions.Find(signed_in->token).value().has_value());

  // Signing out ends it at once; a new password ends every session of the user.
  auto second = sessions.SignIn("李四", "correct horse").value();
  auto third = sessions.SignIn("李四", "correct horse").value();
  BOOST_TEST(sessions.SignOut(second.token).ok());
  BOOST_TEST(!sessions.Find(second.token).value().has_value());
  BOOST_TEST(sessions.SignOut(second.token).ok());  // again: nothing to end, no error
  BOOST_TEST(sessions.Find(third.token).value().has_value());
  BOOST_REQUIRE(
      users.SetPassword("李四", HashPassword("battery staple").value(), "admin", kNow).ok());
  BOOST_TEST(!sessions.Find(third.token).value().has_value());
  BOOST_TEST(
      (sessions.SignIn("李四", "correct horse").status().code() == ErrorCode::kUnauthorized));
  BOOST_TEST(sessions.SignIn("李四", "battery staple").ok());

  // Every step is in the audit chain, which still holds.
  auto& c = backend.catalogue();
  BOOST_TEST(CountEvents(c, "sign-in") == 4);
  BOOST_TEST(CountEvents(c, "sign-out") == 1);
  BOOST_TEST(CountEvents(c, "user-password") == 1);
  auto events = c.Events("", 0, RecordCatalogue::EventKinds::kAll).value();
  std::string why;
  BOOST_TEST(!FindBrokenLink(events, kGenesisHash, 1, &why).has_value(), why);
}

BOOST_AUTO_TEST_CASE(a_session_begun_through_one_server_is_known_to_another) {
  CatalogueBackend backend("postgresql");
  auto other = backend.SecondServer();
  BOOST_REQUIRE(other);
  UserRegistry users(backend.catalogue());
  BOOST_REQUIRE(
      users.Add("admin", "admin", Policy(), "init", kNow, HashPassword("admin pass").value()).ok());
  Clock clock;
  SessionStore here(backend.catalogue(), clock.Options());
  SessionStore there(*other, clock.Options());
  auto session = here.SignIn("admin", "admin pass").value();
  auto found = there.Find(session.token);
  BOOST_REQUIRE(found.ok() && found->has_value());
  BOOST_TEST((*found)->csrf == session.user.csrf);
  BOOST_TEST(there.SignOut(session.token).ok());
  BOOST_TEST(!here.Find(session.token).value().has_value());
}

}  // namespace session_store_test
