// The per-connection cache of the last verified token: the same answers as
// TrialTokens::verify, with one full verification per (trial, attempt, token) in a row.
#include "metrics/verified_token_cache.hpp"

#include <gtest/gtest.h>

#include <string>

using tshost::metrics::TrialTokens;
using tshost::metrics::VerifiedTokenCache;

namespace {

TrialTokens test_tokens() {
    return TrialTokens::from_key(std::string(32, 'k'));
}

}  // namespace

TEST(VerifiedTokenCache, RepeatedValidTokenIsVerifiedOnce) {
    const auto tokens = test_tokens();
    VerifiedTokenCache cache;
    const auto token = tokens.token("trial-1", 0);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(cache.verify(tokens, "trial-1", 0, token));
    }
    EXPECT_EQ(cache.full_verifications(), 1u);
}

TEST(VerifiedTokenCache, ACachedTokenDoesNotVouchForAnythingElse) {
    const auto tokens = test_tokens();
    VerifiedTokenCache cache;
    const auto token = tokens.token("trial-1", 0);
    ASSERT_TRUE(cache.verify(tokens, "trial-1", 0, token));
    // Another trial, another attempt, a token differing in one character, a prefix of it,
    // or a trial id that only starts like the cached one: all refused.
    EXPECT_FALSE(cache.verify(tokens, "trial-2", 0, token));
    EXPECT_FALSE(cache.verify(tokens, "trial-1", 1, token));
    EXPECT_FALSE(cache.verify(tokens, "trial-1x", 0, token));
    EXPECT_FALSE(cache.verify(tokens, "trial-", 0, token));
    for (size_t at : {size_t{0}, size_t{31}, size_t{63}}) {
        auto altered = token;
        altered[at] = altered[at] == '0' ? '1' : '0';
        EXPECT_FALSE(cache.verify(tokens, "trial-1", 0, altered)) << at;
    }
    EXPECT_FALSE(cache.verify(tokens, "trial-1", 0, token.substr(0, 63)));
    EXPECT_FALSE(cache.verify(tokens, "trial-1", 0, token + "0"));
    EXPECT_FALSE(cache.verify(tokens, "trial-1", 0, ""));
    // The refusals did not evict the cached token.
    const auto before = cache.full_verifications();
    EXPECT_TRUE(cache.verify(tokens, "trial-1", 0, token));
    EXPECT_EQ(cache.full_verifications(), before);
}

TEST(VerifiedTokenCache, ADifferentValidTokenIsVerifiedAfreshAndReplacesTheCachedOne) {
    const auto tokens = test_tokens();
    VerifiedTokenCache cache;
    const auto first = tokens.token("trial-1", 0);
    const auto retry = tokens.token("trial-1", 1);
    const auto other = tokens.token("trial-2", 0);
    ASSERT_TRUE(cache.verify(tokens, "trial-1", 0, first));
    EXPECT_TRUE(cache.verify(tokens, "trial-1", 1, retry));
    EXPECT_EQ(cache.full_verifications(), 2u);
    EXPECT_TRUE(cache.verify(tokens, "trial-2", 0, other));
    EXPECT_TRUE(cache.verify(tokens, "trial-2", 0, other));
    EXPECT_EQ(cache.full_verifications(), 3u);
    // The first one is still valid: verified afresh, since only the last one is cached.
    EXPECT_TRUE(cache.verify(tokens, "trial-1", 0, first));
    EXPECT_EQ(cache.full_verifications(), 4u);
}

TEST(VerifiedTokenCache, AnswersLikeTrialTokensVerifyForEveryCombination) {
    const auto tokens = test_tokens();
    const std::string trials[] = {"a", "b", "trial-1"};
    VerifiedTokenCache cache;
    // Every presented token against every (trial, attempt), in an order that keeps changing
    // what is cached.
    for (int round = 0; round < 3; ++round) {
        for (const auto& presented_trial : trials) {
            for (int presented_attempt = 0; presented_attempt < 2; ++presented_attempt) {
                const auto presented = tokens.token(presented_trial, presented_attempt);
                for (const auto& trial : trials) {
                    for (int attempt = 0; attempt < 2; ++attempt) {
                        EXPECT_EQ(cache.verify(tokens, trial, attempt, presented),
                                  tokens.verify(trial, attempt, presented))
                            << presented_trial << "/" << presented_attempt << " for " << trial
                            << "/" << attempt;
                    }
                }
            }
        }
    }
}
