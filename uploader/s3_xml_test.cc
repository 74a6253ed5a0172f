// The S3 response readers of uploader/s3_xml.h on documents as servers other than ours write them:
// numeric character references and CDATA in ETags, namespace prefixes, elements we do not know,
// and broken or hostile documents (out-of-bound values, a DTD, a cut-off body, deep nesting).
#include "uploader/s3_xml.h"

#include <catch2/catch.hpp>

namespace fleetclip::uploader {
namespace {

constexpr std::string_view kHex = "0123456789abcdef0123456789abcdef";

std::string PartsDocument(std::string_view parts, std::string_view tail = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
         "<Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>" +
         std::string(parts) + std::string(tail) + "</ListPartsResult>";
}

std::string Part(std::string_view number, std::string_view etag, std::string_view size = "4") {
  return "<Part><PartNumber>" + std::string(number) + "</PartNumber><ETag>" + std::string(etag) +
         "</ETag><Size>" + std::string(size) + "</Size></Part>";
}

TEST_CASE("Decimal and hexadecimal character references around a ListParts ETag decode to quotes") {
  const std::string hex(kHex);
  Result<S3PartsPage> page = ParseListParts(PartsDocument(Part("1", "&#34;" + hex + "&#34;") +
                                                          Part("2", "&#x22;" + hex + "&#x22;") +
                                                          Part("3", "&quot;" + hex + "&quot;")));
  REQUIRE(page.ok());
  REQUIRE(page->parts.size() == 3);
  for (const S3Part& p : page->parts) CHECK(p.etag == hex);
  CHECK(page->parts[1].part_number == 2);
  CHECK(page->parts[2].bytes == 4);
  CHECK_FALSE(page->truncated);
}

TEST_CASE("CDATA, namespace prefixes, white space and unknown elements leave ListParts unchanged") {
  const std::string doc =
      "<s3:ListPartsResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<s3:Owner><s3:ID>x</s3:ID><s3:Part><s3:PartNumber>9</s3:PartNumber></s3:Part></s3:Owner>"
      "<!-- a comment --><s3:Part>\n  <s3:LastModified>2026-12-01</s3:LastModified>"
      "<s3:PartNumber> 7 </s3:PartNumber><s3:ETag><![CDATA[\"" +
      std::string(kHex) +
      "\"]]></s3:ETag><s3:Size>\n12\n</s3:Size><s3:Checksum><a><b/></a></s3:Checksum>"
      "</s3:Part><s3:IsTruncated>true</s3:IsTruncated>"
      "<s3:NextPartNumberMarker>7</s3:NextPartNumberMarker></s3:ListPartsResult>";
  Result<S3PartsPage> page = ParseListParts(doc);
  INFO((page.ok() ? "" : page.error().ToString()));
  REQUIRE(page.ok());
  REQUIRE(page->parts.size() == 1);  // the Part inside Owner is not a part of the upload
  CHECK(page->parts[0].part_number == 7);
  CHECK(page->parts[0].bytes == 12);
  CHECK(page->parts[0].etag == kHex);
  CHECK(page->truncated);
  CHECK(page->next_marker == 7);
}

TEST_CASE(
    "A ListParts PartNumber outside 1..10000 fails naming the field, the value and the bound") {
  Result<S3PartsPage> page = ParseListParts(PartsDocument(Part("1", "e") + Part("0", "e")));
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code() == ErrorCode::kCorruption);
  CHECK(page.error().message() ==
        "ListParts response: Part[1].PartNumber \"0\" is not an integer in 1..10000");
  Result<S3PartsPage> size = ParseListParts(PartsDocument(Part("1", "e", "12abc")));
  REQUIRE_FALSE(size.ok());
  CHECK(size.error().message() ==
        "ListParts response: Part[0].Size \"12abc\" is not an integer in 0..5368709120");
}

TEST_CASE("An IsTruncated that is neither true nor false is corrupt") {
  Result<S3PartsPage> page = ParseListParts(PartsDocument("", "<IsTruncated>yes</IsTruncated>"));
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().message() ==
        "ListParts response: IsTruncated \"yes\" is neither true nor false");
}

TEST_CASE("A document type declaration is refused, so no entity is ever expanded") {
  const std::string doc =
      "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>&b;</ETag><Size>1</Size></Part>"
      "</ListPartsResult>";
  Result<S3PartsPage> page = ParseListParts(doc);
  REQUIRE_FALSE(page.ok());
  CHECK_THAT(page.error().message(), Catch::Contains("a document type declaration (not allowed)"));
  CHECK_FALSE(ParseS3Error("<!DOCTYPE Error><Error><Code>X</Code></Error>").has_value());
}

TEST_CASE("A body cut off in a tag is corrupt and names the byte where that tag starts") {
  const std::string doc = PartsDocument(Part("1", "e"));
  Result<S3PartsPage> page = ParseListParts(std::string_view(doc).substr(0, 140));
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code() == ErrorCode::kCorruption);
  REQUIRE(doc.substr(134, 6) == "<Uploa");  // the cut falls inside <UploadId>
  CHECK(page.error().message() ==
        "ListParts response: not well-formed XML at byte 134: unclosed token");
}

TEST_CASE("Elements nested deeper than the limit are refused") {
  std::string doc = "<ListPartsResult>";
  for (int i = 0; i < kMaxS3XmlDepth; ++i) doc += "<a>";
  Result<S3PartsPage> page = ParseListParts(doc);
  REQUIRE_FALSE(page.ok());
  CHECK_THAT(page.error().message(), Catch::Contains("nested deeper than 16"));
}

TEST_CASE("An Error document gives its code and message; any other body is not an error") {
  std::optional<S3ErrorDocument> e = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchUpload</Code><Message>The upload "
      "&#x201C;u&#x201D; "
      "does not exist</Message><RequestId>r</RequestId></Error>");
  REQUIRE(e.has_value());
  CHECK(e->code == "NoSuchUpload");
  CHECK(e->message == "The upload \u201Cu\u201D does not exist");
  CHECK_FALSE(ParseS3Error("").has_value());
  CHECK_FALSE(ParseS3Error("<html><body>Bad gateway</body></html>").has_value());
  CHECK_FALSE(ParseS3Error("<Result><Error><Code>X</Code></Error></Result>").has_value());
  CHECK_FALSE(ParseS3Error("<Error><Code>X</Code>").has_value());  // cut off
}

TEST_CASE("ListMultipartUploads gives each open upload's key and id, decoded, in order") {
  Result<std::vector<S3OpenUpload>> uploads = ParseListMultipartUploads(
      "<?xml version=\"1.0\"?><ListMultipartUploadsResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
      "<KeyMarker></KeyMarker><IsTruncated>false</IsTruncated>"
      "<Upload><Key>fleet/car-7/a&amp;b.mp4</Key><UploadId>2~x</UploadId>"
      "<Initiator><ID>i</ID></Initiator></Upload>"
      "<Upload><UploadId>&#50;~y</UploadId><Key><![CDATA[fleet/car-7/c.mp4]]></Key></Upload>"
      "</ListMultipartUploadsResult>");
  REQUIRE(uploads.ok());
  REQUIRE(uploads->size() == 2);
  CHECK((*uploads)[0].key == "fleet/car-7/a&b.mp4");
  CHECK((*uploads)[0].upload_id == "2~x");
  CHECK((*uploads)[1].key == "fleet/car-7/c.mp4");
  CHECK((*uploads)[1].upload_id == "2~y");
  Result<std::vector<S3OpenUpload>> none =
      ParseListMultipartUploads("<ListMultipartUploadsResult/>");
  REQUIRE(none.ok());
  CHECK(none->empty());
  Result<std::vector<S3OpenUpload>> broken = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message() ==
        "ListMultipartUploads response: Upload[0] without a Key or an UploadId");
}

TEST_CASE("Initiate and Complete results are read by their root; a wrong root is corrupt") {
  Result<std::string> id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>2~a&amp;b</UploadId>"
      "</InitiateMultipartUploadResult>");
  REQUIRE(id.ok());
  CHECK(*id == "2~a&b");
  Result<std::string> none = ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message() == "CreateMultipartUpload response: no UploadId");
  const std::string multipart = "0123456789abcdef0123456789abcdef-3";
  Result<std::string> etag =
      ParseCompleteMultipartUpload("<CompleteMultipartUploadResult><ETag>&#34;" + multipart +
                                   "&#34;</ETag></CompleteMultipartUploadResult>");
  REQUIRE(etag.ok());
  CHECK(*etag == multipart);
  Result<std::string> wrong =
      ParseCompleteMultipartUpload("<Error><Code>InternalError</Code></Error>");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message() ==
        "CompleteMultipartUpload response: root element <Error>, expected "
        "<CompleteMultipartUploadResult>");
}

}  // namespace
}  // namespace fleetclip::uploader
