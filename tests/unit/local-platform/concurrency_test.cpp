// Many trials at once: one monitor thread follows all of them, and each trial's
// events stay complete and in order.
#include <gtest/gtest.h>

#include <set>

#include "local_fixture.hpp"

namespace local_test {
namespace {

class LocalConcurrencyTest : public LocalPlatformTest {};

TEST_F(LocalConcurrencyTest, TwentyTrialsAtOnce) {
    constexpr int kTrials = 20;
    auto platform = make_platform();
    for (int i = 0; i < kTrials; ++i) {
        const std::string id = "c" + std::to_string(i);
        write_trial(id,
                    "for n in 1 2 3; do printf 'ME000009{\"n\": %s}\\n' $n >> "
                    "\"$NNI_SYS_DIR/.nni/metrics\"; done\n"
                    "echo \"NNISDK_MEb'{\\\"n\\\": 4}'\"\n"
                    "exit " +
                        std::to_string(i % 3 == 0 ? 1 : 0) + "\n");
    }
    for (int i = 0; i < kTrials; ++i) {
        submit(*platform, "c" + std::to_string(i), 0, i);
    }
    for (int i = 0; i < kTrials; ++i) {
        const std::string id = "c" + std::to_string(i);
        const auto& events = log_.wait_end(id);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(payload(events.front()).at("status"), "RUNNING") << id;
        const auto metrics = payloads(events, TSH_EVENT_TRIAL_METRIC);
        ASSERT_EQ(metrics.size(), 4U) << id;
        std::set<uint64_t> seqs;
        for (const json& m : metrics) {
            seqs.insert(m.at("seq").get<uint64_t>());
        }
        EXPECT_EQ(seqs, (std::set<uint64_t>{1'000'000'000'000, 1'000'000'000'017, 1'000'000'000'034,
                                            2'000'000'000'000}))
            << id;
        EXPECT_EQ(events.size(), 6U) << id;  // RUNNING, 4 metrics, end
        EXPECT_EQ(end_of(events).at("status"), i % 3 == 0 ? "FAILED" : "SUCCEEDED") << id;
    }
}

}  // namespace
}  // namespace local_test
