// The S3 response documents the client reads (ListParts, ListMultipartUploads,
// InitiateMultipartUpload, CompleteMultipartUpload, Error), parsed with libexpat instead of by
// hand: every XML escape a server may use is decoded (the five named entities, numeric references
// such as `&#34;` and
// `&#x22;` that Ceph and others put in ETags, CDATA sections), namespace prefixes and the default
// S3 namespace are ignored, and elements we do not know are skipped wherever they appear. A
// document type declaration is refused (S3 never sends one; it is how entity expansion attacks
// start), and so are documents deeper, larger or with more elements than the limits below.
//
// A field's value is its element's text with leading and trailing XML white space removed. Known
// fields with a value out of bounds (a PartNumber of "abc" or 0) fail with kCorruption naming the
// field, the value and the bound, so a broken server cannot make the uploader adopt a wrong part.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::uploader {

inline constexpr size_t kMaxS3XmlBytes = 16 << 20;     // a ListParts page of 1000 parts is ~250 KiB
inline constexpr int kMaxS3XmlDepth = 16;              // S3's documents are 3 deep
inline constexpr size_t kMaxS3XmlElements = 100'000;   // 1000 parts of 6 elements, and room
inline constexpr int kMaxS3PartNumber = 10'000;        // S3's limit on parts per upload
inline constexpr int64_t kMaxS3PartBytes = 5LL << 30;  // S3's limit on one part's size

struct S3Part {
  int part_number = 0;
  int64_t bytes = 0;
  std::string etag;  // hex, no quotes
};

// An upload begun and neither completed nor aborted (ListMultipartUploads).
struct S3OpenUpload {
  std::string key;
  std::string upload_id;
};

// An <Error> document's code and message.
struct S3ErrorDocument {
  std::string code;     // "NoSuchUpload", "SignatureDoesNotMatch", …
  std::string message;  // the server's sentence
};

// One ListParts page.
struct S3PartsPage {
  std::vector<S3Part> parts;  // as listed; part numbers 1..kMaxS3PartNumber
  bool truncated = false;     // <IsTruncated>true</IsTruncated>
  int next_marker = 0;        // <NextPartNumberMarker>, 0 when absent
};

// The <Error> document in `body`, or nullopt when `body` is anything else (empty, not XML, or
// another document): only a well-formed document whose root is <Error> counts.
std::optional<S3ErrorDocument> ParseS3Error(std::string_view body);

// <ListPartsResult>: the parts, IsTruncated and NextPartNumberMarker.
Result<S3PartsPage> ParseListParts(std::string_view body);

// <ListMultipartUploadsResult>: each <Upload>'s Key and UploadId (both non-empty), in order.
Result<std::vector<S3OpenUpload>> ParseListMultipartUploads(std::string_view body);

// <InitiateMultipartUploadResult>: its non-empty UploadId.
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

// <CompleteMultipartUploadResult>: its ETag without quotes ("" when the server sends none, as
// radosgw 16 does).
Result<std::string> ParseCompleteMultipartUpload(std::string_view body);

}  // namespace fleetclip::uploader
