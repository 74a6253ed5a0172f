// The file:// transport and the HTTP PUT transport (bearer token; a presigned URL source) against
// a small in-test HTTP server on 127.0.0.1; the object key layout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/curl_init.h"
#include "tests/support/memory_upload_journal.h"
#include "tests/support/temp_dir.h"
#include "uploader/digest.h"
#include "uploader/file_transport.h"
#include "uploader/http_put_transport.h"
#include "uploader/uploader.h"

namespace fleetclip::uploader {
namespace {

// Answers each request with the next status of `statuses` (then 200), one connection per request,
// and keeps what it received. Serves at most statuses.size() + 4 requests, each wait bounded.
class TinyHttpServer {
 public:
  explicit TinyHttpServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  size_t Count() {
    std::lock_guard lock(mu_);
    return heads_.size();
  }
  std::string Head(size_t i) {
    std::lock_guard lock(mu_);
    return heads_.at(i);
  }
  std::string Body(size_t i) {
    std::lock_guard lock(mu_);
    return bodies_.at(i);
  }

 private:
  void Serve() {
    for (size_t served = 0; served < statuses_.size() + 4 && !stop_;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      std::string data;
      char buf[65536];
      size_t body_at = std::string::npos, length = 0;
      for (int i = 0; i < 2000; ++i) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (body_at == std::string::npos &&
            (body_at = data.find("\r\n\r\n")) != std::string::npos) {
          body_at += 4;
          const size_t cl = data.find("Content-Length: ");
          length = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
        }
        if (body_at != std::string::npos && data.size() >= body_at + length) break;
      }
      {
        std::lock_guard lock(mu_);
        heads_.push_back(data.substr(0, body_at));
        bodies_.push_back(data.substr(body_at));
      }
      const int status = served < statuses_.size() ? statuses_[served] : 200;
      const std::string resp = "HTTP/1.1 " + std::to_string(status) +
                               " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
      ++served;
    }
  }
  std::vector<int> statuses_;
  std::mutex mu_;
  std::vector<std::string> heads_;   // guarded by mu_
  std::vector<std::string> bodies_;  // guarded by mu_
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

LocalFile WriteFile(const TempDir& dir, const std::string& name, const std::string& bytes) {
  LocalFile f{name, dir.path() / name, static_cast<int64_t>(bytes.size()), queue::Sha256Hex(bytes),
              false};
  std::ofstream(f.path, std::ios::binary) << bytes;
  return f;
}

TEST_CASE("Object keys follow prefix/vehicle/yyyy/mm/dd/clip/file in UTC") {
  const WallTime t(std::chrono::seconds(1'767'225'599));  // 2025-12-31 23:59:59 UTC
  CHECK(ObjectKey("fleet/", "veh-7", t, "0190-abc", "front.mp4") ==
        "fleet/veh-7/2025/12/31/0190-abc/front.mp4");
  CHECK(ObjectKey("", "veh-7", t + std::chrono::seconds(1), "c", "manifest.pb") ==
        "veh-7/2026/01/01/c/manifest.pb");
}

TEST_CASE("The file transport writes the object durably under the target directory") {
  TempDir src, dst;
  MemoryUploadJournal journal;
  LocalFile f = WriteFile(src, "front.mp4", std::string(3 << 20, 'v'));
  FileTransport t(dst.path());
  REQUIRE(t.PutFile("c1", f, "fleet/veh/2026/01/01/c1/front.mp4", journal, {}).ok());
  CHECK(queue::Sha256FileHex(dst.path() / "fleet/veh/2026/01/01/c1/front.mp4").value() ==
        f.sha256_hex);
  CHECK(journal.IsUploaded("c1", "front.mp4"));
  CHECK_FALSE(t.PutFile("c1", f, "../escape", journal, {}).ok());
}

TEST_CASE("The bearer PUT sends the token and Content-MD5, and reloads the token after a 401") {
  InitCurlForTests();
  TempDir dir;
  MemoryUploadJournal journal;
  MemoryLogSink sink;
  const std::string bytes(100'000, 'b');
  LocalFile f = WriteFile(dir, "front.mp4", bytes);
  TinyHttpServer server({401});
  int token_loads = 0;
  auto t = HttpPutTransport::Bearer(
      server.url() + "/up/",
      [&] { return Result<std::string>("tok" + std::to_string(++token_loads)); }, {}, Logger(sink));
  REQUIRE(t.ok());
  Status first = (*t)->PutFile("c1", f, "veh/c1/front.mp4", journal, {});
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().retryable());  // expired token: refresh and retry
  REQUIRE((*t)->PutFile("c1", f, "veh/c1/front.mp4", journal, {}).ok());
  REQUIRE(server.Count() == 2);
  CHECK_THAT(server.Head(0), Catch::Contains("PUT /up/veh/c1/front.mp4 ") &&
                                 Catch::Contains("Authorization: Bearer tok1"));
  const Md5Digest md5 = Md5(bytes);
  CHECK_THAT(server.Head(1), Catch::Contains("Authorization: Bearer tok2") &&
                                 Catch::Contains("Content-MD5: " + Base64(md5.data(), md5.size())));
  CHECK(server.Body(1) == bytes);
  CHECK(journal.IsUploaded("c1", "front.mp4"));
}

TEST_CASE("The presigned PUT asks for a URL per attempt and treats 403 as permanent") {
  InitCurlForTests();
  TempDir dir;
  MemoryUploadJournal journal;
  MemoryLogSink sink;
  LocalFile f = WriteFile(dir, "front.mp4", "abc");
  TinyHttpServer server({403});
  std::vector<std::string> asked;
  auto t = HttpPutTransport::Presigned(
      [&](const std::string& key) {
        asked.push_back(key);
        return Result<std::string>(server.url() + "/signed?k=" + std::to_string(asked.size()));
      },
      {}, Logger(sink));
  REQUIRE(t.ok());
  Status s = (*t)->PutFile("c1", f, "veh/c1/front.mp4", journal, {});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kPermissionDenied);
  REQUIRE((*t)->PutFile("c1", f, "veh/c1/front.mp4", journal, {}).ok());
  CHECK(asked.size() == 2);
  CHECK_THAT(server.Head(1), Catch::StartsWith("PUT /signed?k=2 "));
}

}  // namespace
}  // namespace fleetclip::uploader
