// S3 response documents through libexpat (s3_xml.h). Expat builds a small element tree (local
// names, direct text, children) under the limits of s3_xml.h; the response readers below walk it.
#include "uploader/s3_xml.h"

#include <expat.h>

#include <charconv>
#include <memory>

#include "uploader/digest.h"

namespace fleetclip::uploader {
namespace {

constexpr char kNamespaceSeparator = '\x01';

struct XmlElement {
  std::string name;  // local name: namespace URI and prefix removed
  std::string text;  // the element's own character data, decoded
  std::vector<size_t> children;
};

// Elements in document order; [0] is the root.
struct XmlTree {
  std::vector<XmlElement> elements;
};

class ExpatParser {
 public:
  ExpatParser() : parser_(XML_ParserCreateNS(nullptr, kNamespaceSeparator)) {}
  XML_Parser get() const { return parser_.get(); }
  bool valid() const { return parser_ != nullptr; }

 private:
  struct Free {
    void operator()(XML_Parser p) const { XML_ParserFree(p); }
  };
  std::unique_ptr<XML_ParserStruct, Free> parser_;
};

// What the expat callbacks build; `error` set stops the parse.
struct Builder {
  XML_Parser parser = nullptr;
  XmlTree tree;
  std::vector<size_t> open;  // indexes of the elements not yet closed
  std::string error;

  void Stop(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

void OnStart(void* data, const XML_Char* name, const XML_Char** /*attributes*/) {
  auto& b = *static_cast<Builder*>(data);
  if (!b.error.empty()) return;
  if (b.open.empty() && !b.tree.elements.empty()) return b.Stop("a second root element");
  if (b.open.size() >= kMaxS3XmlDepth)
    return b.Stop("elements nested deeper than " + std::to_string(kMaxS3XmlDepth));
  if (b.tree.elements.size() >= kMaxS3XmlElements)
    return b.Stop("more than " + std::to_string(kMaxS3XmlElements) + " elements");
  std::string_view full(name);
  const size_t sep = full.rfind(kNamespaceSeparator);
  if (sep != std::string_view::npos) full.remove_prefix(sep + 1);
  const size_t index = b.tree.elements.size();
  b.tree.elements.push_back(XmlElement{std::string(full), {}, {}});
  if (!b.open.empty()) b.tree.elements[b.open.back()].children.push_back(index);
  b.open.push_back(index);
}

void OnEnd(void* data, const XML_Char* /*name*/) {
  auto& b = *static_cast<Builder*>(data);
  if (b.error.empty() && !b.open.empty()) b.open.pop_back();
}

void OnText(void* data, const XML_Char* s, int len) {
  auto& b = *static_cast<Builder*>(data);
  if (b.error.empty() && !b.open.empty())
    b.tree.elements[b.open.back()].text.append(s, static_cast<size_t>(len));
}

void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<Builder*>(data)->Stop("a document type declaration (not allowed)");
}

Result<XmlTree> ParseTree(std::string_view what, std::string_view xml) {
  auto fail = [&](const std::string& why) {
    return Error(ErrorCode::kCorruption, std::string(what) + ": " + why);
  };
  if (xml.size() > kMaxS3XmlBytes)
    return fail(std::to_string(xml.size()) + " bytes, over the limit of " +
                std::to_string(kMaxS3XmlBytes));
  ExpatParser parser;
  if (!parser.valid()) return Error(ErrorCode::kInternal, "XML_ParserCreateNS failed");
  Builder b;
  b.parser = parser.get();
  XML_SetUserData(parser.get(), &b);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), OnDoctype);
  const XML_Status status =
      XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE);
  if (!b.error.empty() || status != XML_STATUS_OK) {
    const std::string why =
        !b.error.empty() ? b.error : XML_ErrorString(XML_GetErrorCode(parser.get()));
    return fail("not well-formed XML at byte " +
                std::to_string(XML_GetCurrentByteIndex(parser.get())) + ": " + why);
  }
  if (b.tree.elements.empty()) return fail("no root element");
  return std::move(b.tree);
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t a = s.find_first_not_of(kSpace);
  if (a == std::string_view::npos) return {};
  return s.substr(a, s.find_last_not_of(kSpace) - a + 1);
}

// The first child of `parent` named `name`, or null.
const XmlElement* Child(const XmlTree& t, const XmlElement& parent, std::string_view name) {
  for (size_t i : parent.children) {
    if (t.elements[i].name == name) return &t.elements[i];
  }
  return nullptr;
}

std::string_view Value(const XmlTree& t, const XmlElement& parent, std::string_view name) {
  const XmlElement* e = Child(t, parent, name);
  return e == nullptr ? std::string_view() : Trim(e->text);
}

Status CheckRoot(std::string_view what, const XmlTree& t, std::string_view name) {
  if (t.elements[0].name == name) return Ok();
  return Error(ErrorCode::kCorruption, std::string(what) + ": root element <" + t.elements[0].name +
                                           ">, expected <" + std::string(name) + ">");
}

// `s` as a whole decimal integer in [lo, hi].
Result<int64_t> Integer(std::string_view field, std::string_view s, int64_t lo, int64_t hi) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) {
    return Error(ErrorCode::kCorruption, std::string(field) + " \"" + std::string(s) +
                                             "\" is not an integer in " + std::to_string(lo) +
                                             ".." + std::to_string(hi));
  }
  return v;
}

}  // namespace

std::optional<S3ErrorDocument> ParseS3Error(std::string_view body) {
  if (body.find('<') == std::string_view::npos) return std::nullopt;  // cheap: most are empty
  Result<XmlTree> t = ParseTree("Error", body);
  if (!t.ok() || t->elements[0].name != "Error") return std::nullopt;
  const XmlElement& root = t->elements[0];
  return S3ErrorDocument{std::string(Value(*t, root, "Code")),
                         std::string(Value(*t, root, "Message"))};
}

Result<S3PartsPage> ParseListParts(std::string_view body) {
  constexpr std::string_view kWhat = "ListParts response";
  Result<XmlTree> t = ParseTree(kWhat, body);
  if (!t.ok()) return t.error();
  if (Status s = CheckRoot(kWhat, *t, "ListPartsResult"); !s.ok()) return s.error();
  const XmlElement& root = t->elements[0];
  S3PartsPage page;
  for (size_t i : root.children) {
    const XmlElement& e = t->elements[i];
    if (e.name != "Part") continue;
    const std::string field =
        std::string(kWhat) + ": Part[" + std::to_string(page.parts.size()) + "]";
    if (page.parts.size() >= static_cast<size_t>(kMaxS3PartNumber))
      return Error(ErrorCode::kCorruption, std::string(kWhat) + ": more than " +
                                               std::to_string(kMaxS3PartNumber) + " parts");
    Result<int64_t> n =
        Integer(field + ".PartNumber", Value(*t, e, "PartNumber"), 1, kMaxS3PartNumber);
    if (!n.ok()) return n.error();
    Result<int64_t> bytes = Integer(field + ".Size", Value(*t, e, "Size"), 0, kMaxS3PartBytes);
    if (!bytes.ok()) return bytes.error();
    page.parts.push_back(
        S3Part{static_cast<int>(*n), *bytes, std::string(StripQuotes(Value(*t, e, "ETag")))});
  }
  const std::string_view truncated = Value(*t, root, "IsTruncated");
  if (!truncated.empty() && truncated != "true" && truncated != "false")
    return Error(ErrorCode::kCorruption, std::string(kWhat) + ": IsTruncated \"" +
                                             std::string(truncated) +
                                             "\" is neither true nor false");
  page.truncated = truncated == "true";
  if (const std::string_view next = Value(*t, root, "NextPartNumberMarker"); !next.empty()) {
    Result<int64_t> n =
        Integer(std::string(kWhat) + ": NextPartNumberMarker", next, 0, kMaxS3PartNumber);
    if (!n.ok()) return n.error();
    page.next_marker = static_cast<int>(*n);
  }
  return page;
}

Result<std::vector<S3OpenUpload>> ParseListMultipartUploads(std::string_view body) {
  constexpr std::string_view kWhat = "ListMultipartUploads response";
  Result<XmlTree> t = ParseTree(kWhat, body);
  if (!t.ok()) return t.error();
  if (Status s = CheckRoot(kWhat, *t, "ListMultipartUploadsResult"); !s.ok()) return s.error();
  std::vector<S3OpenUpload> uploads;
  for (size_t i : t->elements[0].children) {
    const XmlElement& e = t->elements[i];
    if (e.name != "Upload") continue;
    S3OpenUpload u{std::string(Value(*t, e, "Key")), std::string(Value(*t, e, "UploadId"))};
    if (u.key.empty() || u.upload_id.empty()) {
      return Error(ErrorCode::kCorruption, std::string(kWhat) + ": Upload[" +
                                               std::to_string(uploads.size()) +
                                               "] without a Key or an UploadId");
    }
    uploads.push_back(std::move(u));
  }
  return uploads;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  constexpr std::string_view kWhat = "CreateMultipartUpload response";
  Result<XmlTree> t = ParseTree(kWhat, body);
  if (!t.ok()) return t.error();
  if (Status s = CheckRoot(kWhat, *t, "InitiateMultipartUploadResult"); !s.ok()) return s.error();
  const std::string_view id = Value(*t, t->elements[0], "UploadId");
  if (id.empty()) return Error(ErrorCode::kCorruption, std::string(kWhat) + ": no UploadId");
  return std::string(id);
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  constexpr std::string_view kWhat = "CompleteMultipartUpload response";
  Result<XmlTree> t = ParseTree(kWhat, body);
  if (!t.ok()) return t.error();
  if (Status s = CheckRoot(kWhat, *t, "CompleteMultipartUploadResult"); !s.ok()) return s.error();
  return std::string(StripQuotes(Value(*t, t->elements[0], "ETag")));
}

}  // namespace fleetclip::uploader
