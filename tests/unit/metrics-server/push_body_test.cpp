// The push body readers: the hand-written scanner must give exactly what the reference
// (nlohmann) gives for every body it recognises, recognise the agent's bodies, and give up
// on everything else so that the reference decides.
#include "metrics/push_body.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "same_as_reference.hpp"
#include "text/json_scanner.hpp"

using ::testing::HasSubstr;
using tshost::metrics::kMaxRecordBytes;
using tshost::metrics::parse_push_body;
using tshost::metrics::parse_push_body_json;
using tshost::metrics::ParsedPushBody;
using tshost::metrics::scan_push_body;

namespace {

// A JSON string as Python's json.dumps(text, ensure_ascii=False) writes it: bytes from
// 0x80 up as they are (so invalid UTF-8 stays invalid), \b and \f as short escapes, the rest
// as the host's canonical form does.
std::string python_json_string(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        if (ch == '\b') {
            out += "\\b";
        } else if (ch == '\f') {
            out += "\\f";
        } else {
            tshost::text::append_escaped_byte(out, static_cast<unsigned char>(ch));
        }
    }
    return out + "\"";
}

// What the trial agent sends (tshost_agent.py: json.dumps separators, ensure_ascii=False).
std::string agent_body(const std::vector<std::pair<int64_t, std::string>>& records, int attempt = 0,
                       const std::string& replica = "worker-0", bool primary = true) {
    std::string body = "{\"attempt\": " + std::to_string(attempt) + ", \"replica\": \"" + replica +
                       "\", \"primary\": " + (primary ? "true" : "false") + ", \"records\": [";
    for (size_t i = 0; i < records.size(); ++i) {
        if (i != 0) {
            body += ", ";
        }
        body += "{\"seq\": " + std::to_string(records[i].first) +
                ", \"data\": " + python_json_string(records[i].second) + "}";
    }
    return body + "]}";
}

std::string nni_record(const std::string& trial, int sequence, const std::string& value) {
    return nlohmann::json{{"parameter_id", 0},
                          {"trial_job_id", trial},
                          {"type", "PERIODICAL"},
                          {"sequence", sequence},
                          {"value", value}}
        .dump();
}

// The scanner and the reference agree: when the scanner recognises the body, its result
// is the reference's; parse_push_body() always gives the reference's.
void expect_same(const std::string& body, bool scanner_must_recognise) {
    SCOPED_TRACE("body: " + body.substr(0, 300));
    const ParsedPushBody reference = parse_push_body_json(body);
    tshost::test::expect_same_as_reference(reference, scan_push_body(body), parse_push_body(body),
                                           scanner_must_recognise, reference.error.empty());
}

}  // namespace

TEST(PushBody, TheAgentsBodyIsScannedIntoTheEventPayloads) {
    const std::string data = nni_record("trial-1", 3, "0.8125");
    const auto body = agent_body({{7, data}}, 2, "worker-0", false);
    const auto scanned = scan_push_body(body);
    ASSERT_TRUE(scanned.has_value());
    EXPECT_EQ(scanned->attempt, 2);
    EXPECT_EQ(scanned->error, "");
    ASSERT_EQ(scanned->event_payloads.size(), 1u);
    const auto payload = nlohmann::json::parse(scanned->event_payloads[0]);
    EXPECT_EQ(payload, (nlohmann::json{{"replica", "worker-0"},
                                       {"seq", 7},
                                       {"data", data},
                                       {"primary", false},
                                       {"attempt", 2}}));
    expect_same(body, true);
}

TEST(PushBody, CompactAndBatchedBodiesAreScannedTheSame) {
    std::string compact = R"({"attempt":0,"replica":"w","primary":true,"records":[)";
    for (int i = 0; i < 100; ++i) {
        compact += (i ? "," : "") + std::string(R"({"seq":)") + std::to_string(i) + R"(,"data":)" +
                   nlohmann::json(nni_record("t", i, "0.5")).dump() + "}";
    }
    compact += "]}";
    expect_same(compact, true);
    EXPECT_EQ(scan_push_body(compact)->event_payloads.size(), 100u);
    expect_same(R"({"attempt":0,"replica":"w","primary":true,"records":[]})", true);
    expect_same(
        " \t\r\n{ \"attempt\" :0 , \"replica\":\"w\",\"primary\" : false,\"records\" :"
        " [ { \"seq\" : 1 , \"data\" : \"x\" } ] } \n",
        true);
}

TEST(PushBody, StringsWithEscapesQuotesAndUnicodeAreScannedTheSame) {
    // Escapes the agent writes (\" \\ \n \r \t \u00XX), ones it does not but JSON allows
    // (\/ \b \f, uppercase hex, escaped printable ASCII), and raw UTF-8 of 2, 3 and 4 bytes.
    const std::vector<std::string> data = {
        nni_record("trial-1", 0, "{\"default\": 0.5, \"note\": \"it's \\\"quoted\\\"\"}"),
        std::string("a\\b\nc\rd\te\x01\x1f\x7f"),
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xf4\x8f\xbf\xbf",
        "",
        "'single' and \"double\"",
    };
    for (const auto& text : data) {
        expect_same(agent_body({{0, text}}), true);
    }
    for (const std::string escaped :
         {R"(\/)", R"(\b)", R"(\f)", R"(\u001F)", R"(\u0041)", R"(\u0022)", R"(\u005c)",
          R"(\u007f)", R"(\u0000)", R"(x\u000ay)"}) {
        expect_same(R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":")" +
                        escaped + R"("}]})",
                    true);
    }
    // Escapes for non-ASCII are left to the reference, which still accepts them.
    for (const std::string escaped : {R"(\u00e9)", R"(\u20ac)", R"(\ud83d\ude00)"}) {
        const std::string body =
            R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":")" + escaped +
            R"("}]})";
        EXPECT_FALSE(scan_push_body(body).has_value()) << body;
        EXPECT_EQ(parse_push_body(body).error, "") << body;
        expect_same(body, false);
    }
}

TEST(PushBody, ReorderedOrExtraKeysAndLongNumbersAreLeftToTheReference) {
    const std::vector<std::string> bodies = {
        R"({"replica":"w","attempt":0,"primary":true,"records":[]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[{"data":"x","seq":0}]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[],"extra":1})",
        R"({"attempt":0,"attempt":1,"replica":"w","primary":true,"records":[]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x","more":2}]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[]}  )"
        "\xef\xbb\xbf",
        "\xef\xbb\xbf"
        R"({"attempt":0,"replica":"w","primary":true,"records":[]})",
        R"({"\u0061ttempt":0,"replica":"w","primary":true,"records":[]})",
        R"({"attempt":0,"replica":"w\u0030","primary":true,"records":[]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":9223372036854775807,"data":"x"}]})",
        R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x"}]})"
        R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x"}]})",
    };
    for (const auto& body : bodies) {
        EXPECT_FALSE(scan_push_body(body).has_value()) << body;
        expect_same(body, false);
    }
    // The reference accepts a reordered body and gives the same payloads as the agent's order.
    EXPECT_EQ(
        parse_push_body(
            R"({"records":[{"data":"x","seq":4}],"primary":true,"replica":"w","attempt":1})"),
        parse_push_body(
            R"({"attempt":1,"replica":"w","primary":true,"records":[{"seq":4,"data":"x"}]})"));
}

TEST(PushBody, MalformedBodiesGetTheReferencesErrors) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "not valid JSON"},
        {"{", "not valid JSON"},
        {"[1]", "must be a JSON object"},
        {R"({"attempt":-1,"replica":"w","primary":true,"records":[]})", "\"attempt\""},
        {R"({"attempt":1.0,"replica":"w","primary":true,"records":[]})", "\"attempt\""},
        {R"({"attempt":01,"replica":"w","primary":true,"records":[]})", "not valid JSON"},
        {R"({"attempt":2147483648,"replica":"w","primary":true,"records":[]})", "\"attempt\""},
        {R"({"attempt":1e2,"replica":"w","primary":true,"records":[]})", "\"attempt\""},
        {R"({"attempt":0,"replica":"w/0","primary":true,"records":[]})", "\"replica\""},
        {R"({"attempt":0,"replica":"","primary":true,"records":[]})", "\"replica\""},
        {R"({"attempt":0,"replica":"w","primary":1,"records":[]})", "\"primary\""},
        {R"({"attempt":0,"replica":"w","primary":true,"records":{}})", "\"records\""},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[1]})", "records[0] must be"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":-1,"data":"x"}]})",
         "records[0].seq"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":9223372036854775808,"data":"x"}]})",
         "records[0].seq"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":1}]})",
         "records[0].data"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x"},{"seq":1}]})",
         "records[1].data"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x"}]} x)",
         "not valid JSON"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"x"},]})",
         "not valid JSON"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"\x"}]})",
         "not valid JSON"},
        {R"({"attempt":0,"replica":"w","primary":true,"records":[{"seq":0,"data":"\u12"}]})",
         "not valid JSON"},
        {"{\"attempt\":0,\"replica\":\"w\",\"primary\":true,\"records\":[{\"seq\":0,\"data\":"
         "\"a\nb\"}]}",
         "not valid JSON"},
        {"{\"attempt\":0,\"replica\":\"w\",\"primary\":true,\"records\":[{\"seq\":0,\"data\":"
         "\"\xc3\"}]}",
         "not valid JSON"},
        {"{\"attempt\":0,\"replica\":\"w\",\"primary\":true,\"records\":[{\"seq\":0,\"data\":"
         "\"\xc0\xaf\"}]}",
         "not valid JSON"},
        {"{\"attempt\":0,\"replica\":\"w\",\"primary\":true,\"records\":[{\"seq\":0,\"data\":"
         "\"\xed\xa0\x80\"}]}",
         "not valid JSON"},
        {"{\"attempt\":0,\"replica\":\"w\",\"primary\":true,\"records\":[{\"seq\":0,\"data\":"
         "\"\xf4\x90\x80\x80\"}]}",
         "not valid JSON"},
    };
    for (const auto& [body, error] : cases) {
        EXPECT_FALSE(scan_push_body(body).has_value()) << body;
        const auto parsed = parse_push_body(body);
        EXPECT_THAT(parsed.error, HasSubstr(error)) << body;
        expect_same(body, false);
    }
}

TEST(PushBody, HugeRecordsStopAtNnisLimitInDecodedBytes) {
    // At the limit: scanned. One byte over: the reference refuses. Escapes count once.
    expect_same(agent_body({{0, std::string(kMaxRecordBytes, 'x')}}), true);
    const auto over = agent_body({{0, std::string(kMaxRecordBytes + 1, 'x')}});
    EXPECT_FALSE(scan_push_body(over).has_value());
    EXPECT_THAT(parse_push_body(over).error, HasSubstr("over NNI's limit"));
    // 1,000,000 quotes are 2,000,000 bytes escaped but within the limit decoded.
    expect_same(agent_body({{0, std::string(kMaxRecordBytes, '"')}}), true);
    expect_same(agent_body({{0, std::string(kMaxRecordBytes / 6 + 1, '\x01')}}), true);
}

TEST(PushBody, HostileBodiesAreDecidedWithoutCrashing) {
    // Deep nesting, long numbers, truncations of a valid body at every byte.
    expect_same(std::string(100'000, '[') + std::string(100'000, ']'), false);
    expect_same(R"({"attempt":)" + std::string(5000, '9') + "}", false);
    const auto valid = agent_body({{0, nni_record("t", 0, "1")}, {1, "caf\xc3\xa9 \\ \""}});
    for (size_t cut = 0; cut < valid.size(); ++cut) {
        const auto truncated = valid.substr(0, cut);
        EXPECT_FALSE(scan_push_body(truncated).has_value()) << truncated;
        EXPECT_FALSE(parse_push_body(truncated).error.empty()) << truncated;
    }
}

// Random bodies near the agent's shape: random records (bytes of every kind, escapes, long
// numbers) and random single-byte mutations of them. Each is decided by both readers.
TEST(PushBody, RandomisedBodiesGetTheSameResultFromBothReaders) {
    std::mt19937_64 random(20261125);  // fixed: a failure reproduces
    const auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
    const std::vector<std::string> pieces = {"a",
                                             "Z",
                                             "0",
                                             " ",
                                             "'",
                                             "\"",
                                             "\\",
                                             "/",
                                             "\n",
                                             "\t",
                                             "\x01",
                                             "\x7f",
                                             "\xc3\xa9",
                                             "\xe2\x82\xac",
                                             "\xf0\x9f\x98\x80",
                                             "\xff",
                                             "\xc3",
                                             "\xed\xa0\x80",
                                             "{\"v\": 1}"};
    const std::vector<std::string> mutations = {
        "\"", "\\", "\\u", "\\u00", "\\uD800", "x",    "0",    "-",    ".",    "e",  "}",
        "]",  ",",  ":",   " ",     "\n",      "\x00", "\x80", "\xc3", "true", "nul"};
    int agent_shaped_valid = 0;
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::pair<int64_t, std::string>> records;
        const size_t count = pick(4);
        for (size_t r = 0; r < count; ++r) {
            std::string text;
            for (size_t n = pick(12); n > 0; --n) {
                text += pieces[pick(pieces.size())];
            }
            // Up to 18 digits: longer ones are left to the reference (see ReorderedOrExtraKeys...).
            const auto seq = static_cast<int64_t>(
                pick(3) == 0 ? random() % 1'000'000'000'000'000'000 : pick(1000));
            records.emplace_back(seq, text);
        }
        std::string body = agent_body(records, static_cast<int>(pick(3)),
                                      pick(2) ? "worker-0" : "chief_1.x", pick(2) == 0);
        if (round % 2 == 1) {
            const size_t at = pick(body.size() + 1);
            const auto& piece = mutations[pick(mutations.size())];
            switch (pick(3)) {
                case 0:
                    body.insert(at, piece);
                    break;
                case 1:
                    body.erase(at, 1 + pick(3));
                    break;
                default:
                    body.replace(at, std::min<size_t>(piece.size(), body.size() - at), piece);
            }
        }
        // The agent's own bodies, when valid (random bytes may be invalid UTF-8), must all be
        // recognised: otherwise the fast path would not be the common path.
        const bool agent_shaped = round % 2 == 0 && parse_push_body_json(body).error.empty();
        agent_shaped_valid += agent_shaped ? 1 : 0;
        expect_same(body, agent_shaped);
        if (HasFailure()) {
            break;
        }
    }
    EXPECT_GE(agent_shaped_valid, 500);  // the generator produces enough valid bodies
}
