#include <gtest/gtest.h>

#include "kube/base64.hpp"
#include "kube/query.hpp"
#include "kube/rate_limiter.hpp"
#include "kube/redact.hpp"
#include "kube/retry.hpp"
#include "kube/watch_parser.hpp"
#include "tshost/kube/error.hpp"

namespace tk = tshost::kube;
using namespace std::chrono_literals;

TEST(Query, EncodesSelectorsAsOneValue) {
    std::string sel = tk::labelSelector({{"app", "nni-kubernetes-trial"}, {"expId", "Ab1"}});
    EXPECT_EQ(sel, "app=nni-kubernetes-trial,expId=Ab1");
    tk::Query q;
    q.add("labelSelector", sel).add("fieldSelector", "").add("limit", "500");
    EXPECT_EQ(q.str(), "?labelSelector=app%3Dnni-kubernetes-trial%2CexpId%3DAb1&limit=500");
    EXPECT_EQ(tk::percentEncode("env in (a b),!x&y=z/~"),
              "env%20in%20%28a%20b%29%2C%21x%26y%3Dz%2F~");
    EXPECT_EQ(tk::Query().str(), "");
}

TEST(Query, BuildsCoreAndGroupPaths) {
    tk::ResourceRef tf{"kubeflow.org", "v1", "tfjobs", ""};
    tk::ResourceRef secrets{"", "v1", "secrets", ""};
    EXPECT_EQ(tk::collectionPath(tf, "ns1"), "/apis/kubeflow.org/v1/namespaces/ns1/tfjobs");
    EXPECT_EQ(tk::objectPath(secrets, "ns1", "s"), "/api/v1/namespaces/ns1/secrets/s");
    EXPECT_EQ(tf.displayName(), "tfjobs.kubeflow.org");
    EXPECT_EQ(secrets.displayName(), "secrets");
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        EXPECT_EQ(tk::base64Decode(tk::base64Encode(s)), s);
    }
    EXPECT_EQ(tk::base64Decode("aGVs\nbG8="), "hello");  // wrapped, as in kubeconfigs
    EXPECT_FALSE(tk::base64Decode("aGVs*bG8"));
    EXPECT_FALSE(tk::base64Decode("aG==Vs"));
}

TEST(WatchParser, SplitsEventsAtEveryChunkBoundary) {
    std::string stream =
        R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}})"
        "\n"
        R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}})"
        "\r\n\n"
        R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"8"},"s":"x\ny"}})"
        "\n";
    for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
        for (std::size_t cut2 : {cut1, (cut1 + stream.size()) / 2, stream.size()}) {
            tk::WatchStreamParser parser;
            std::vector<tk::WatchEvent> events;
            auto sink = [&](tk::WatchEvent&& e) { events.push_back(std::move(e)); };
            parser.feed(std::string_view(stream).substr(0, cut1), sink);
            parser.feed(std::string_view(stream).substr(cut1, cut2 - cut1), sink);
            parser.feed(std::string_view(stream).substr(cut2), sink);
            ASSERT_EQ(events.size(), 3u) << "cuts " << cut1 << "," << cut2;
            EXPECT_EQ(events[0].type, tk::WatchEvent::Type::kAdded);
            EXPECT_EQ(events[1].type, tk::WatchEvent::Type::kBookmark);
            EXPECT_EQ(events[2].type, tk::WatchEvent::Type::kDeleted);
            EXPECT_EQ(events[2].object["s"], "x\ny");  // escaped newline is not a delimiter
            EXPECT_EQ(parser.pending(), 0u);
        }
    }
}

TEST(WatchParser, HoldsIncompleteEventsAndRejectsGarbage) {
    tk::WatchStreamParser parser(64);
    int n = 0;
    auto sink = [&](tk::WatchEvent&&) { ++n; };
    parser.feed(R"({"type":"ADDED","obj)", sink);
    EXPECT_EQ(n, 0);
    EXPECT_GT(parser.pending(), 0u);
    EXPECT_THROW(parser.feed("oops\n", sink), tk::KubeError);
    tk::WatchStreamParser small(16);
    EXPECT_THROW(small.feed(std::string(100, 'x'), sink), tk::KubeError);
    EXPECT_THROW(tk::parseWatchEvent(R"({"type":"WHAT","object":{}})"), tk::KubeError);
    auto err = tk::parseWatchEvent(R"({"type":"ERROR","object":{"kind":"Status","code":410}})");
    EXPECT_EQ(err.type, tk::WatchEvent::Type::kError);
}

TEST(Backoff, GrowsWithJitterCapsAndHonoursRetryAfter) {
    tk::Backoff b(100ms, 1s, 42);
    std::chrono::nanoseconds prev_max = 0ns;
    for (int i = 0; i < 8; ++i) {
        auto expected_max = std::min<std::chrono::nanoseconds>(100ms * (1 << i), 1s);
        auto d = b.next();
        EXPECT_GE(d, expected_max / 2) << i;
        EXPECT_LE(d, expected_max) << i;
        EXPECT_GE(expected_max, prev_max);
        prev_max = expected_max;
    }
    tk::Backoff r(100ms, 10s, 1);
    EXPECT_GE(r.next(3s), 3s);   // the server's Retry-After is a floor
    EXPECT_EQ(r.next(1h), 10s);  // ...but never beyond the cap
    r.reset();
    EXPECT_LE(r.next(), 100ms);
}

TEST(RetryAfter, ParsesSecondsAndHttpDates) {
    auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00
    EXPECT_EQ(tk::parseRetryAfter("3", now), 3s);
    EXPECT_EQ(tk::parseRetryAfter(" 0 ", now), 0s);
    EXPECT_EQ(tk::parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now), 10s);
    EXPECT_EQ(tk::parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0s);
    EXPECT_FALSE(tk::parseRetryAfter("", now));
    EXPECT_FALSE(tk::parseRetryAfter("-1", now));
    EXPECT_FALSE(tk::parseRetryAfter("soon", now));
}

TEST(RateLimiter, BurstThenSteadyRateOnAFakeClock) {
    auto t = std::chrono::steady_clock::time_point{} + 1h;
    tk::TokenBucket bucket(5.0, 10, [&] { return t; });
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(bucket.reserve(), 0ns) << i;
    }
    EXPECT_EQ(bucket.reserve(), 200ms);  // 11th: one token at 5 QPS
    EXPECT_EQ(bucket.reserve(), 400ms);  // 12th waits behind it
    t += 400ms;                          // both promised tokens are now paid for
    EXPECT_EQ(bucket.reserve(), 200ms);
    t += 10s;  // refills, but only up to the burst
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(bucket.reserve(), 0ns) << i;
    }
    EXPECT_GT(bucket.reserve(), 0ns);

    tk::TokenBucket unlimited(0.0, 1, [&] { return t; });
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(unlimited.reserve(), 0ns);
    }
}

TEST(Redactor, MasksRegisteredSecretsAndAuthHeaders) {
    tk::Redactor r;
    r.add("s3cr3t-token-value");
    r.add("x");  // too short to mask usefully
    EXPECT_EQ(r.apply("token s3cr3t-token-value here"), "token <redacted> here");
    EXPECT_EQ(r.apply("Authorization: Bearer anything.else \"q\""),
              "Authorization: Bearer <redacted> \"q\"");
    EXPECT_EQ(r.apply("Basic dXNlcjpwYXNz"), "Basic <redacted>");
    EXPECT_EQ(r.apply("x marks"), "x marks");
}
