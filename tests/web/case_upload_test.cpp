#define BOOST_TEST_MODULE case_upload
#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPRequest.h>

#include <filesystem>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "web/case_upload.h"

using namespace dangan;
using dangan::testing::ReadFile;
using dangan::testing::TempDir;

namespace {

const std::string kBoundary = "----case-upload-test";

Result<std::string> Receive(const TempDir& dir, const std::string& type, const std::string& body,
                            web::ServerOptions opt = {}) {
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/cases",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType(type);
  req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  std::istringstream in(body);
  return web::ReceiveCaseBody(req, in, dir.path(), opt);
}

std::string Part(const std::string& disposition, const std::string& content) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; " + disposition + "\r\n\r\n" +
         content + "\r\n";
}

bool NamesField(const Status& st, const std::string& field) {
  for (const auto& f : st.fields())
    if (f.field == field) return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(multipart_parts_are_staged_under_neutral_names) {
  TempDir dir;
  std::string body = Part("name=\"case\"", R"({"case_id":"M-1","files":[{"name":"申请表.txt"}]})") +
                     Part("name=\"file\"; filename=\"申请表.txt\"", "申请内容") + "--" + kBoundary +
                     "--\r\n";
  auto json = Receive(dir, "multipart/form-data; boundary=" + kBoundary, body);
  BOOST_REQUIRE_MESSAGE(json.ok(), json.status().ToString());
  BOOST_TEST(json->find("\"path\":\"p0\"") != std::string::npos);
  BOOST_TEST(ReadFile(dir / "p0") == "申请内容");
}

BOOST_AUTO_TEST_CASE(json_content_is_decoded_and_bad_base64_is_refused) {
  TempDir dir;
  auto good =
      Receive(dir, "application/json", R"({"files":[{"name":"a.txt","content":"5YaF5a65"}]})");
  BOOST_REQUIRE_MESSAGE(good.ok(), good.status().ToString());
  BOOST_TEST(ReadFile(dir / "p0") == "内容");
  BOOST_TEST(good->find("content") == std::string::npos);

  // Found by the multipart fuzz target: Poco's decoder throws inside the istream, which swallows
  // the exception, so bad content used to be staged (truncated) and accepted.
  for (const char* content : {"!!not base64", "5YaF!5a65", "5YaF5a65\\u0001"}) {
    TempDir d;
    auto bad =
        Receive(d, "application/json",
                std::string(R"({"files":[{"name":"a.txt","content":")") + content + R"("}]})");
    BOOST_REQUIRE(!bad.ok());
    BOOST_TEST((bad.status().code() == ErrorCode::kInvalidArgument), content);
    BOOST_TEST(NamesField(bad.status(), "files[0].content"), content);
  }
}

BOOST_AUTO_TEST_CASE(malformed_bodies_are_client_errors) {
  TempDir dir;
  auto type = Receive(dir, "text/plain", "x");
  BOOST_TEST((type.status().code() == ErrorCode::kUnsupportedMediaType));
  auto no_boundary = Receive(dir, "multipart/form-data; boundary=" + kBoundary, "junk");
  BOOST_TEST((no_boundary.status().code() == ErrorCode::kMalformed));
  auto no_case = Receive(dir, "multipart/form-data; boundary=" + kBoundary,
                         Part("name=\"other\"", "1") + "--" + kBoundary + "--\r\n");
  BOOST_TEST(NamesField(no_case.status(), "case"));
  auto unnamed = Receive(dir, "multipart/form-data; boundary=" + kBoundary,
                         "--" + kBoundary + "\r\nContent-Disposition: form-data\r\n\r\n1\r\n--" +
                             kBoundary + "--\r\n");
  BOOST_TEST((unnamed.status().code() == ErrorCode::kMalformed));
  web::ServerOptions small;
  small.max_json_bytes = 8;
  auto big = Receive(dir, "application/json", R"({"files":[]})", small);
  BOOST_TEST((big.status().code() == ErrorCode::kTooLarge));
}

BOOST_AUTO_TEST_CASE(a_json_case_with_too_many_files_is_refused_before_staging_any) {
  TempDir dir;
  std::string files;
  for (int i = 0; i < 1001; ++i) files += std::string(i ? "," : "") + R"({"content":""})";
  auto many = Receive(dir, "application/json", R"({"files":[)" + files + "]}");
  BOOST_REQUIRE(!many.ok());
  BOOST_TEST(NamesField(many.status(), "files"));
  BOOST_TEST(std::filesystem::is_empty(dir.path()));
}
