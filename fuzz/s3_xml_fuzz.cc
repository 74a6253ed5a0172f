// libFuzzer harness for the S3 response readers (uploader/s3_xml.h), cross-checked two ways,
// chosen by the first byte:
//  - generated documents: the rest of the input drives a writer that knows the values it puts in
//    a ListParts, ListMultipartUploads, Error, InitiateMultipartUpload or CompleteMultipartUpload
//    document and writes each character literally, as a named entity, as a decimal or hexadecimal
//    character reference or inside CDATA, under a namespace prefix or the default namespace, with
//    unknown elements, comments and processing instructions between the known ones (and a nested
//    <Part> that is not one of the upload's). Our reader must give back exactly those values: the
//    writer is the simple reference extraction.
//  - raw bytes: every reader must return without crashing; what one accepts is within the limits
//    (part numbers 1..10000, sizes 0..5 GiB, at most one reader accepts a document), and writing
//    it back out plainly and reading it again gives the same values.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/check.h"
#include "uploader/s3_xml.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::uploader;

// Printable ASCII, neither starting nor ending with white space (the readers trim it).
std::string Text(FuzzedDataProvider& fdp, size_t max, bool allow_empty = true) {
  std::string s = fdp.ConsumeBytesAsString(fdp.ConsumeIntegralInRange<size_t>(0, max));
  for (char& c : s) c = static_cast<char>(0x20 + static_cast<unsigned char>(c) % 95);
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.empty() && !allow_empty) s = "x";
  return s;
}

std::string Escape(std::string_view s, FuzzedDataProvider& fdp) {
  if (fdp.ConsumeIntegralInRange(0, 4) == 0 && s.find("]]>") == std::string_view::npos)
    return "<![CDATA[" + std::string(s) + "]]>";
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const char* named = c == '<'    ? "&lt;"
                        : c == '>'  ? "&gt;"
                        : c == '&'  ? "&amp;"
                        : c == '"'  ? "&quot;"
                        : c == '\'' ? "&apos;"
                                    : nullptr;
    switch (fdp.ConsumeIntegralInRange(0, 3)) {
      case 0:
        if (c != '<' && c != '&' && c != '>') {
          out += ch;
          break;
        }
        [[fallthrough]];
      case 1:
        if (named != nullptr) {
          out += named;
          break;
        }
        [[fallthrough]];
      case 2:
        out += "&#" + std::to_string(c) + ";";
        break;
      default:
        out += std::string("&#x") + kHex[c >> 4] + kHex[c & 15] + ";";
        break;
    }
  }
  return out;
}

// Writes one generated document; names carry the chosen namespace prefix.
class Writer {
 public:
  explicit Writer(FuzzedDataProvider& fdp) : fdp_(fdp) {
    switch (fdp.ConsumeIntegralInRange(0, 2)) {
      case 0:
        break;
      case 1:
        prefix_ = "s3:";
        xmlns_ = " xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
        break;
      default:
        xmlns_ = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
        break;
    }
    if (fdp.ConsumeBool()) out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  }
  void Open(std::string_view name, bool root = false) {
    out_ += "<" + prefix_ + std::string(name) + (root ? xmlns_ : "") + ">";
  }
  void Close(std::string_view name) { out_ += "</" + prefix_ + std::string(name) + ">"; }
  void Field(std::string_view name, std::string_view value) {
    Junk();
    Open(name);
    Space();
    out_ += Escape(value, fdp_);
    Space();
    Close(name);
    Junk();
  }
  // Something a reader must skip.
  void Junk() {
    switch (fdp_.ConsumeIntegralInRange(0, 9)) {
      case 0:
        out_ += "<!-- " + Text(fdp_, 8).substr(0, 0) + "note -->";
        break;
      case 1:
        out_ += "<?pi data?>";
        break;
      case 2:
        Open("LastModified");
        out_ += "2026-12-01T09:00:00.000Z";
        Close("LastModified");
        break;
      case 3:
        out_ += "<" + prefix_ + "Owner><" + prefix_ + "ID>" + Escape(Text(fdp_, 8), fdp_) + "</" +
                prefix_ + "ID><" + prefix_ + "Part><" + prefix_ + "PartNumber>0</" + prefix_ +
                "PartNumber></" + prefix_ + "Part></" + prefix_ + "Owner>";
        break;
      case 4:
        out_ += "<" + prefix_ + "Checksum kind=\"crc32\"/>";
        break;
      case 5:
        out_ += "\n  ";
        break;
      default:
        break;
    }
  }
  std::string& out() { return out_; }

 private:
  void Space() {
    if (fdp_.ConsumeIntegralInRange(0, 3) == 0) out_ += " \n\t";
  }
  FuzzedDataProvider& fdp_;
  std::string prefix_, xmlns_, out_;
};

bool SamePage(const S3PartsPage& a, const S3PartsPage& b) {
  if (a.truncated != b.truncated || a.next_marker != b.next_marker ||
      a.parts.size() != b.parts.size())
    return false;
  for (size_t i = 0; i < a.parts.size(); ++i) {
    if (a.parts[i].part_number != b.parts[i].part_number || a.parts[i].bytes != b.parts[i].bytes ||
        a.parts[i].etag != b.parts[i].etag)
      return false;
  }
  return true;
}

void Generated(FuzzedDataProvider& fdp) {
  Writer w(fdp);
  switch (fdp.ConsumeIntegralInRange(0, 4)) {
    case 4: {
      std::vector<S3OpenUpload> want;
      w.Open("ListMultipartUploadsResult", true);
      w.Field("Bucket", Text(fdp, 12));
      const int n = fdp.ConsumeIntegralInRange(0, 5);
      for (int i = 0; i < n; ++i) {
        S3OpenUpload u{Text(fdp, 40, false), Text(fdp, 40, false)};
        w.Open("Upload");
        const bool key_first = fdp.ConsumeBool();
        if (key_first) w.Field("Key", u.key);
        w.Field("UploadId", u.upload_id);
        if (!key_first) w.Field("Key", u.key);
        w.Close("Upload");
        want.push_back(std::move(u));
      }
      w.Close("ListMultipartUploadsResult");
      Result<std::vector<S3OpenUpload>> got = ParseListMultipartUploads(w.out());
      FUZZ_CHECK(got.ok(), got.error().ToString() + " in " + w.out());
      FUZZ_CHECK(got->size() == want.size(), w.out());
      for (size_t i = 0; i < want.size(); ++i)
        FUZZ_CHECK((*got)[i].key == want[i].key && (*got)[i].upload_id == want[i].upload_id,
                   w.out());
      break;
    }
    case 0: {
      S3PartsPage want;
      w.Open("ListPartsResult", true);
      w.Field("Bucket", Text(fdp, 12));
      const int n = fdp.ConsumeIntegralInRange(0, 6);
      for (int i = 0; i < n; ++i) {
        S3Part p{fdp.ConsumeIntegralInRange(1, kMaxS3PartNumber),
                 fdp.ConsumeIntegralInRange<int64_t>(0, kMaxS3PartBytes), Text(fdp, 40)};
        w.Junk();
        w.Open("Part");
        std::vector<int> order{0, 1, 2};
        if (fdp.ConsumeBool()) std::swap(order[0], order[fdp.ConsumeIntegralInRange(1, 2)]);
        for (int field : order) {
          if (field == 0) w.Field("PartNumber", std::to_string(p.part_number));
          if (field == 1) w.Field("ETag", "\"" + p.etag + "\"");
          if (field == 2) w.Field("Size", std::to_string(p.bytes));
        }
        w.Close("Part");
        want.parts.push_back(std::move(p));
      }
      if (fdp.ConsumeBool()) {
        want.truncated = fdp.ConsumeBool();
        w.Field("IsTruncated", want.truncated ? "true" : "false");
      }
      if (fdp.ConsumeBool()) {
        want.next_marker = fdp.ConsumeIntegralInRange(0, kMaxS3PartNumber);
        w.Field("NextPartNumberMarker", std::to_string(want.next_marker));
      }
      w.Close("ListPartsResult");
      Result<S3PartsPage> got = ParseListParts(w.out());
      FUZZ_CHECK(got.ok(), got.error().ToString() + " in " + w.out());
      FUZZ_CHECK(SamePage(*got, want), w.out());
      FUZZ_CHECK(!ParseS3Error(w.out()), w.out());
      break;
    }
    case 1: {
      const std::string code = Text(fdp, 30), message = Text(fdp, 80);
      w.Open("Error", true);
      w.Field("Code", code);
      w.Field("Message", message);
      w.Field("RequestId", Text(fdp, 20));
      w.Close("Error");
      std::optional<S3ErrorDocument> got = ParseS3Error(w.out());
      FUZZ_CHECK(got.has_value(), w.out());
      FUZZ_CHECK(got->code == code && got->message == message, w.out());
      FUZZ_CHECK(!ParseListParts(w.out()).ok(), w.out());
      FUZZ_CHECK(!ParseCompleteMultipartUpload(w.out()).ok(), w.out());
      break;
    }
    case 2: {
      const std::string id = Text(fdp, 60, false);
      w.Open("InitiateMultipartUploadResult", true);
      w.Field("Bucket", Text(fdp, 12));
      w.Field("Key", Text(fdp, 40));
      w.Field("UploadId", id);
      w.Close("InitiateMultipartUploadResult");
      Result<std::string> got = ParseInitiateMultipartUpload(w.out());
      FUZZ_CHECK(got.ok() && *got == id, w.out());
      break;
    }
    default: {
      const bool has_etag = fdp.ConsumeBool();
      const std::string etag = has_etag ? Text(fdp, 40) : "";
      w.Open("CompleteMultipartUploadResult", true);
      w.Field("Location", Text(fdp, 30));
      if (has_etag) w.Field("ETag", "\"" + etag + "\"");
      w.Close("CompleteMultipartUploadResult");
      Result<std::string> got = ParseCompleteMultipartUpload(w.out());
      FUZZ_CHECK(got.ok() && *got == etag, w.out());
      FUZZ_CHECK(!ParseS3Error(w.out()), w.out());
      break;
    }
  }
}

// A value written back plainly: the three markup characters as entities, CR as a reference (a
// literal one would be read back as LF).
std::string Plain(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '\r')
      out += "&#13;";
    else
      out += c;
  }
  return out;
}

std::string Element(std::string_view name, std::string_view value) {
  return "<" + std::string(name) + ">" + Plain(value) + "</" + std::string(name) + ">";
}

void Raw(std::string_view bytes) {
  Result<S3PartsPage> page = ParseListParts(bytes);
  std::optional<S3ErrorDocument> error = ParseS3Error(bytes);
  Result<std::string> id = ParseInitiateMultipartUpload(bytes);
  Result<std::string> etag = ParseCompleteMultipartUpload(bytes);
  Result<std::vector<S3OpenUpload>> uploads = ParseListMultipartUploads(bytes);
  FUZZ_CHECK(
      int{page.ok()} + int{error.has_value()} + int{id.ok()} + int{etag.ok()} + int{uploads.ok()} <=
          1,
      "two readers accepted one document");
  if (uploads.ok()) {
    std::string again = "<ListMultipartUploadsResult>";
    for (const S3OpenUpload& u : *uploads) {
      FUZZ_CHECK(!u.upload_id.empty(), "empty UploadId accepted");
      again += "<Upload>" + Element("Key", u.key) + Element("UploadId", u.upload_id) + "</Upload>";
    }
    again += "</ListMultipartUploadsResult>";
    Result<std::vector<S3OpenUpload>> reread = ParseListMultipartUploads(again);
    FUZZ_CHECK(reread.ok() && reread->size() == uploads->size(), again);
    for (size_t i = 0; i < uploads->size(); ++i)
      FUZZ_CHECK((*reread)[i].key == (*uploads)[i].key &&
                     (*reread)[i].upload_id == (*uploads)[i].upload_id,
                 again);
  }
  if (page.ok()) {
    FUZZ_CHECK(page->parts.size() <= static_cast<size_t>(kMaxS3PartNumber), "too many parts");
    FUZZ_CHECK(page->next_marker >= 0 && page->next_marker <= kMaxS3PartNumber, "marker");
    std::string again = "<ListPartsResult>";
    for (const S3Part& p : page->parts) {
      FUZZ_CHECK(p.part_number >= 1 && p.part_number <= kMaxS3PartNumber, "part number");
      FUZZ_CHECK(p.bytes >= 0 && p.bytes <= kMaxS3PartBytes, "part size");
      again += "<Part>" + Element("PartNumber", std::to_string(p.part_number)) +
               Element("Size", std::to_string(p.bytes)) + Element("ETag", "\"" + p.etag + "\"") +
               "</Part>";
    }
    again += Element("IsTruncated", page->truncated ? "true" : "false");
    again += Element("NextPartNumberMarker", std::to_string(page->next_marker));
    again += "</ListPartsResult>";
    Result<S3PartsPage> reread = ParseListParts(again);
    FUZZ_CHECK(reread.ok() && SamePage(*reread, *page), again);
  }
  if (error) {
    const std::string again =
        "<Error>" + Element("Code", error->code) + Element("Message", error->message) + "</Error>";
    std::optional<S3ErrorDocument> reread = ParseS3Error(again);
    FUZZ_CHECK(reread && reread->code == error->code && reread->message == error->message, again);
  }
  if (id.ok()) {
    FUZZ_CHECK(!id->empty(), "empty UploadId accepted");
    const std::string again = "<InitiateMultipartUploadResult>" + Element("UploadId", *id) +
                              "</InitiateMultipartUploadResult>";
    Result<std::string> reread = ParseInitiateMultipartUpload(again);
    FUZZ_CHECK(reread.ok() && *reread == *id, again);
  }
  if (etag.ok()) {
    const std::string again = "<CompleteMultipartUploadResult>" +
                              Element("ETag", "\"" + *etag + "\"") +
                              "</CompleteMultipartUploadResult>";
    Result<std::string> reread = ParseCompleteMultipartUpload(again);
    FUZZ_CHECK(reread.ok() && *reread == *etag, again);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) {
    FuzzedDataProvider fdp(data + 1, size - 1);
    Generated(fdp);
  } else {
    Raw(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  }
  return 0;
}
