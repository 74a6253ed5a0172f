// A multipart resume against a server that writes its ETags with numeric character references
// (`&#34;…&#34;`, as Ceph and other S3 servers do), served by the real HTTP test server on
// 127.0.0.1: ListParts must match the journal and the file, so no part is sent again.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/curl_init.h"
#include "tests/support/http_test_server.h"
#include "tests/support/memory_upload_journal.h"
#include "tests/support/temp_dir.h"
#include "uploader/digest.h"
#include "uploader/s3_transport.h"

namespace fleetclip::uploader {
namespace {

TEST_CASE("A resume whose ListParts ETags use &#34; references sends no part again") {
  InitCurlForTests();
  testing::HttpTestServer server;
  TempDir dir;
  const std::string bytes = "0123456789";  // three parts of 4, 4 and 2 bytes
  const LocalFile file{"cam.mp4", dir.path() / "cam.mp4", 10, queue::Sha256Hex(bytes), false};
  std::ofstream(file.path, std::ios::binary) << bytes;
  const std::string key = "v/c1/cam.mp4";
  const std::string path = "/bucket/" + key;
  std::vector<std::string> etags;
  for (size_t offset : {0, 4, 8})
    etags.push_back(Hex(Md5(std::string_view(bytes).substr(offset, 4))));

  // Parts 1 and 2 are journaled; part 3 reached the server only (killed before the journal).
  MemoryUploadJournal journal;
  REQUIRE(journal.SetUploadId("c1", "cam.mp4", "upload-1", 4).ok());
  REQUIRE(journal.AddUploadedPart("c1", "cam.mp4", {1, 4, etags[0]}).ok());
  REQUIRE(journal.AddUploadedPart("c1", "cam.mp4", {2, 4, etags[1]}).ok());
  std::string list =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListPartsResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>bucket</Bucket><Key>" +
      key + "</Key><UploadId>upload-1</UploadId><IsTruncated>false</IsTruncated>";
  for (int n = 1; n <= 3; ++n) {
    list += "<Part><LastModified>2026-12-01T09:00:00.000Z</LastModified><PartNumber>" +
            std::to_string(n) + "</PartNumber><ETag>&#34;" + etags[n - 1] + "&#34;</ETag><Size>" +
            std::to_string(n < 3 ? 4 : 2) + "</Size></Part>";
  }
  list += "</ListPartsResult>";
  server.Serve(path, list);
  const std::string object_etag = MultipartEtag(etags);
  testing::ServedResource complete;
  complete.body = "<CompleteMultipartUploadResult><ETag>&#34;" + object_etag +
                  "&#34;</ETag></CompleteMultipartUploadResult>";
  complete.content_type = "application/xml";
  server.Respond("POST", path, complete);
  testing::ServedResource head;  // the object's size and ETag after Complete
  head.body = std::string(10, 'x');
  head.etag = "\"" + object_etag + "\"";
  server.Respond("HEAD", path, head);

  MemoryLogSink sink;
  S3TransportOptions options;
  options.parallel_parts = 1;
  auto transport = S3Transport::Create(
      {server.url(), "bucket", {}},
      [] {
        return Result<SigV4Key>(SigV4Key{"ak", "sk", "", "us"});
      },
      options, Logger(sink));
  REQUIRE(transport.ok());
  const Status put = (*transport)->PutFile("c1", file, key, journal, {});
  INFO((put.ok() ? std::string() : put.error().ToString()));
  REQUIRE(put.ok());
  CHECK((*transport)->stats().parts_resumed == 3);
  CHECK((*transport)->stats().parts_sent == 0);
  std::string complete_body;
  for (const testing::RecordedRequest& r : server.Requests()) {
    CHECK(r.method != "PUT");
    if (r.method == "POST") complete_body = r.body;
  }
  for (const std::string& e : etags) CHECK_THAT(complete_body, Catch::Contains("&quot;" + e));
  CHECK(journal.IsUploaded("c1", "cam.mp4"));
}

}  // namespace
}  // namespace fleetclip::uploader
