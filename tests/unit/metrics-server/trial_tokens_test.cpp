// Per-trial tokens and the experiment key file.
#include "metrics/trial_tokens.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using tshost::metrics::TrialTokens;

namespace {

std::string experiment_key() {
    std::string key;
    for (int i = 0; i < 32; ++i) {
        key += static_cast<char>(i);
    }
    return key;
}

fs::path fresh_dir(const std::string& name) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const auto dir = fs::temp_directory_path() / ("tshost-tokens-" + std::string(info->name()) +
                                                  "-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
}

}  // namespace

// Golden values from Python's hmac module (an independent implementation):
//   hmac.new(bytes(range(32)), b"trial-1\n0", hashlib.sha256).hexdigest()
TEST(TrialTokens, MatchesHmacSha256OfTrialAndAttempt) {
    const auto tokens = TrialTokens::from_key(experiment_key());
    EXPECT_EQ(tokens.token("trial-1", 0),
              "7ec27546c64aa58afd5a1985ac1d2b621cf7b63d64fd36ee648e193f23b1b1e3");
    EXPECT_EQ(tokens.token("AbC_9.x-", 12),
              "7154421fc9c8f3dc2d0c4fa7cf6c1efe5ae576f4f2835520ac47ead87f5461e5");
}

TEST(TrialTokens, VerifyAcceptsOnlyTheTokenOfThatTrialAndAttempt) {
    const auto tokens = TrialTokens::from_key(experiment_key());
    const auto token = tokens.token("trial-1", 3);
    EXPECT_TRUE(tokens.verify("trial-1", 3, token));
    EXPECT_FALSE(tokens.verify("trial-2", 3, token));
    EXPECT_FALSE(tokens.verify("trial-1", 2, token));
    EXPECT_FALSE(tokens.verify("trial-1", 3, ""));
    EXPECT_FALSE(tokens.verify("trial-1", 3, token.substr(0, 63)));
    EXPECT_FALSE(tokens.verify("trial-1", 3, token + "0"));
    std::string flipped = token;
    flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(tokens.verify("trial-1", 3, flipped));
    // The separator matters: ("t1", 23) and ("t1\n2", 3) must not collide.
    EXPECT_NE(tokens.token("t1", 23), tokens.token("t12", 3));
}

TEST(TrialTokens, DifferentKeysGiveDifferentTokens) {
    std::string other = experiment_key();
    other[0] = 'x';
    EXPECT_NE(TrialTokens::from_key(experiment_key()).token("t", 0),
              TrialTokens::from_key(other).token("t", 0));
    EXPECT_THROW(TrialTokens::from_key("short"), std::invalid_argument);
}

TEST(TrialTokensKeyFile, CreatedPrivateAndReloadedUnchanged) {
    const auto dir = fresh_dir("a");
    const auto path = dir / "metrics.key";
    std::string first;
    {
        const auto tokens = TrialTokens::load_or_create(path);
        first = tokens.token("t", 0);
    }
    ASSERT_TRUE(fs::exists(path));
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(fs::file_size(path), TrialTokens::kKeyBytes);
    // Only the key remains: the temporary file was removed.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
    EXPECT_EQ(TrialTokens::load_or_create(path).token("t", 0), first);
    // A second experiment gets a different random key.
    EXPECT_NE(TrialTokens::load_or_create(fresh_dir("b") / "metrics.key").token("t", 0), first);
    fs::remove_all(dir);
}

TEST(TrialTokensKeyFile, CreatedWithMode0600EvenUnderAPermissiveUmask) {
    const auto dir = fresh_dir("a");
    const mode_t old = ::umask(0);
    TrialTokens::load_or_create(dir / "metrics.key");
    ::umask(old);
    EXPECT_EQ(mode_of(dir / "metrics.key"), 0600u);
    fs::remove_all(dir);
}

TEST(TrialTokensKeyFile, RefusesAKeyReadableByGroupOrOthers) {
    const auto dir = fresh_dir("a");
    const auto path = dir / "metrics.key";
    TrialTokens::load_or_create(path);
    for (const mode_t mode : {0644u, 0640u, 0604u, 0620u}) {
        ASSERT_EQ(::chmod(path.c_str(), mode), 0);
        try {
            TrialTokens::load_or_create(path);
            ADD_FAILURE() << "accepted a key with mode " << std::oct << mode;
        } catch (const std::runtime_error& e) {
            EXPECT_THAT(e.what(), HasSubstr(path.string()));
            EXPECT_THAT(e.what(), HasSubstr("chmod 600"));
        }
    }
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    EXPECT_NO_THROW(TrialTokens::load_or_create(path));
    fs::remove_all(dir);
}

TEST(TrialTokensKeyFile, RefusesAKeyOfTheWrongSize) {
    const auto dir = fresh_dir("a");
    const auto path = dir / "metrics.key";
    std::ofstream(path) << "too short";
    ::chmod(path.c_str(), 0600);
    try {
        TrialTokens::load_or_create(path);
        ADD_FAILURE() << "accepted a 9-byte key";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("expected 32"));
    }
    fs::remove_all(dir);
}

TEST(TrialTokensKeyFile, AnUncreatableKeyIsAClearError) {
    try {
        TrialTokens::load_or_create("/nonexistent-dir-for-tshost/metrics.key");
        ADD_FAILURE() << "created a key in a missing directory";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent-dir-for-tshost/metrics.key"));
    }
}

// Two hosts (or threads) creating the key at once must end up with one key: link()
// never replaces, so the loser reads the winner's key.
TEST(TrialTokensKeyFile, ConcurrentCreatorsAgreeOnOneKey) {
    for (int round = 0; round < 20; ++round) {
        const auto dir = fresh_dir("race" + std::to_string(round));
        const auto path = dir / "metrics.key";
        std::vector<std::string> seen(4);
        std::vector<std::thread> threads;
        for (size_t i = 0; i < seen.size(); ++i) {
            threads.emplace_back(
                [&, i] { seen[i] = TrialTokens::load_or_create(path).token("t", 0); });
        }
        for (auto& t : threads) {
            t.join();
        }
        for (const auto& s : seen) {
            EXPECT_EQ(s, seen[0]);
        }
        EXPECT_EQ(TrialTokens::load_or_create(path).token("t", 0), seen[0]);
        EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
        fs::remove_all(dir);
    }
}
