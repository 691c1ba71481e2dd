// The Shared Key signer against Azure's "Authorize with Shared Key" documentation
// (canonicalized resource and header examples, the Get Container Metadata
// string-to-sign example), HMAC-SHA256 against RFC 4231 and base64 against RFC 4648.
#include <gtest/gtest.h>

#include "crypto.hpp"
#include "shared_key.hpp"
#include "xml.hpp"

using namespace tshost::azure;

namespace {

const NameValues kNone;

std::string hex(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    return out;
}

}  // namespace

// Docs: "GET https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata"
TEST(SharedKeyDocs, CanonicalizedResourceSortsQueryNames) {
    EXPECT_EQ(canonicalized_resource("myaccount", "/mycontainer",
                                     {{"restype", "container"}, {"comp", "metadata"}}),
              "/myaccount/mycontainer\ncomp:metadata\nrestype:container");
}

// Docs:
// "...?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs"
TEST(SharedKeyDocs, CanonicalizedResourceJoinsRepeatedValuesSorted) {
    EXPECT_EQ(canonicalized_resource("myaccount", "/mycontainer",
                                     {{"restype", "container"},
                                      {"comp", "list"},
                                      {"include", "snapshots"},
                                      {"include", "metadata"},
                                      {"include", "uncommittedblobs"}}),
              "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\n"
              "restype:container");
}

// Docs: "GET https://myaccount-secondary.blob.core.windows.net/mycontainer/myblob" signs
// the account name, not the secondary host name.
TEST(SharedKeyDocs, CanonicalizedResourceWithoutQuery) {
    EXPECT_EQ(canonicalized_resource("myaccount", "/mycontainer/myblob", kNone),
              "/myaccount/mycontainer/myblob");
}

TEST(SharedKeyDocs, CanonicalizedResourceLowercasesNamesButNotValues) {
    EXPECT_EQ(canonicalized_resource("acct", "/share/Dir", {{"Comp", "List"}, {"MARKER", "AbC"}}),
              "/acct/share/Dir\ncomp:List\nmarker:AbC");
}

// Docs: canonicalized headers are the x-ms- headers, lowercase, sorted, whitespace
// folded, no space around the colon, each followed by a newline.
TEST(SharedKeyDocs, CanonicalizedHeaders) {
    EXPECT_EQ(canonicalized_headers({{"x-ms-version", "2009-09-19"},
                                     {"Content-Type", "text/plain"},
                                     {"x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"}}),
              "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n");
    EXPECT_EQ(canonicalized_headers({{"X-MS-Meta-Name", "  two \t words\r\n here "}}),
              "x-ms-meta-name:two words here\n");
}

// Docs, "Blob, Queue, and File services (Shared Key authorization)": the example
// string-to-sign of Get Container Metadata, whose canonicalized resource carries the
// account name twice because the request path starts with it.
TEST(SharedKeyDocs, StringToSignOfTheDocumentedExample) {
    const NameValues headers{{"x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"},
                             {"x-ms-version", "2009-09-19"}};
    const NameValues query{{"restype", "container"}, {"comp", "metadata"}, {"timeout", "20"}};
    EXPECT_EQ(string_to_sign("myaccount", {"GET", "/myaccount/mycontainer", query, headers}),
              "GET\n\n\n\n\n\n\n\n\n\n\n\n"
              "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n"
              "/myaccount/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20");
}

// Docs: from version 2015-02-21 Content-Length is the empty string when zero.
TEST(SharedKeyDocs, ZeroContentLengthIsEmpty) {
    const NameValues zero{{"Content-Length", "0"}};
    const NameValues five{{"content-length", "5"}};
    EXPECT_EQ(string_to_sign("a", {"PUT", "/s", kNone, zero}), "PUT\n\n\n\n\n\n\n\n\n\n\n\n/a/s");
    EXPECT_EQ(string_to_sign("a", {"PUT", "/s", kNone, five}), "PUT\n\n\n5\n\n\n\n\n\n\n\n\n/a/s");
}

TEST(SharedKeyDocs, StandardHeadersInDocumentedOrder) {
    const NameValues headers{{"Range", "R"},
                             {"If-Unmodified-Since", "IUS"},
                             {"If-None-Match", "INM"},
                             {"If-Match", "IM"},
                             {"If-Modified-Since", "IMS"},
                             {"Date", "D"},
                             {"Content-Type", "CT"},
                             {"Content-MD5", "MD5"},
                             {"Content-Length", "7"},
                             {"Content-Language", "CL"},
                             {"Content-Encoding", "CE"}};
    EXPECT_EQ(string_to_sign("a", {"GET", "/s", kNone, headers}),
              "GET\nCE\nCL\n7\nMD5\nCT\nD\nIMS\nIM\nINM\nIUS\nR\n/a/s");
}

// A Put Range request; the expected signature was computed independently with
// Python's hmac module over the same string-to-sign.
TEST(SharedKeyDocs, AuthorizationHeader) {
    const NameValues headers{{"x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT"},
                             {"x-ms-version", "2021-08-06"},
                             {"x-ms-range", "bytes=0-10"},
                             {"x-ms-write", "update"},
                             {"Content-Length", "11"},
                             {"Range", "bytes=0-10"}};
    const NameValues query{{"comp", "range"}};
    const SignedRequest request{"PUT", "/myshare/dir/a%20b.txt", query, headers};
    EXPECT_EQ(string_to_sign("myaccount", request),
              "PUT\n\n\n11\n\n\n\n\n\n\n\nbytes=0-10\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\n"
              "x-ms-range:bytes=0-10\nx-ms-version:2021-08-06\nx-ms-write:update\n"
              "/myaccount/myshare/dir/a%20b.txt\ncomp:range");
    EXPECT_EQ(authorization("myaccount", "secret-key-for-tests", request),
              "SharedKey myaccount:Tms3+wyNXu3nWyMSbI0I81vNw5+9DK1s7a5yN92G2ik=");
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
    EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64MatchesRfc4648) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_decode("Zm8="), "fo");
    EXPECT_EQ(base64_decode("Zg=="), "f");
    EXPECT_FALSE(base64_decode("Zm9v YmFy"));
    EXPECT_FALSE(base64_decode("not base64!"));
}

TEST(ListXml, ParsesEntriesMarkerAndEscapes) {
    const ListPage page = parse_list_page(
        R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ShareName="s">)"
        R"(<Marker /><Entries><File><Name>a&amp;b.txt</Name><Properties>)"
        R"(<Content-Length>12</Content-Length><LastModified>Sun, 11 Oct 2009 21:49:13 GMT)"
        R"(</LastModified></Properties></File><Directory><Name>sub&#x20;dir</Name>)"
        R"(<Properties /></Directory></Entries><NextMarker>next</NextMarker></EnumerationResults>)");
    ASSERT_EQ(page.entries.size(), 2U);
    EXPECT_EQ(page.entries[0].name, "a&b.txt");
    EXPECT_FALSE(page.entries[0].directory);
    EXPECT_EQ(page.entries[0].size, 12U);
    EXPECT_EQ(page.entries[0].mtime_ms, 1255297753000);
    EXPECT_EQ(page.entries[1].name, "sub dir");
    EXPECT_TRUE(page.entries[1].directory);
    EXPECT_EQ(page.next_marker, "next");
    EXPECT_EQ(parse_list_page("<EnumerationResults><Entries /><NextMarker /></EnumerationResults>")
                  .next_marker,
              "");
}
