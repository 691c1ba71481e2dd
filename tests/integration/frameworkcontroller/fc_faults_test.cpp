// Kubernetes API faults during a real experiment: bursts of 429, 500 and 503 on create, get,
// list, watch and deletecollection, with latency added to every request. The experiment still ends DONE
// with every trial's metrics, nothing is created twice, and nothing is left in the cluster. A
// permanent refusal (403 on create) fails the trials with a message that names the cause.
#include <gmock/gmock.h>

#include <algorithm>
#include <cctype>

#include "fc_e2e_fixture.hpp"

namespace fc_e2e {
namespace {

constexpr int kBurst = 2;  // failures in a row per verb
// The plugin deletes Frameworks one by one only to cancel; at the experiment's end it deletes
// them all with one deletecollection, which is what a normal run meets.
const std::vector<std::string> kVerbs = {"create", "get", "list", "watch", "deletecollection"};

class ApiFaults : public FrameworkControllerE2E, public testing::WithParamInterface<int> {};

TEST_P(ApiFaults, TheExperimentRidesOutBurstsOnEveryVerbAndCreatesNothingTwice) {
    const int code = GetParam();
    json rules = json::array();
    for (const auto& verb : kVerbs) {
        // get is the one verb the informer never needs for Frameworks: fault any resource.
        json rule = {{"verb", verb},
                     {"resource", verb == "get" ? "*" : "frameworks"},
                     {"code", code},
                     {"count", kBurst}};
        if (code == 429) {
            rule["retryAfterSeconds"] = 1;
        }
        rules.push_back(rule);
    }
    rules.push_back({{"verb", "*"}, {"latencyMs", 40}});
    const auto set =
        emulator_->request("POST", "/emulator/v1/faults", json{{"rules", rules}}.dump());
    ASSERT_EQ(set.code, 200) << set.body;

    const TshostRun result = run(config(role("worker", 1), 3));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    expect_done_with_every_metric(3);
    // The host met every burst it could: a rule is dropped once its count is spent. (A get
    // burst stays when nothing was read by name.)
    const json left = emulator_->request("GET", "/emulator/v1/faults").json_body();
    for (const auto& rule : left["rules"]) {
        EXPECT_TRUE(rule["code"] == 0 || rule["verb"] == "get") << "never met: " << rule.dump();
    }
    // Three trials: three Frameworks created, plus the requests the bursts refused.
    EXPECT_EQ(requests("frameworks", "create"), 3 + kBurst);
    expect_cluster_empty();
}

INSTANTIATE_TEST_SUITE_P(Codes, ApiFaults, testing::Values(429, 500, 503),
                         [](const testing::TestParamInfo<int>& param) {
                             return "Http" + std::to_string(param.param);
                         });

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

TEST_F(FrameworkControllerE2E, AForbiddenCreateFailsTheTrialsNamingTheCause) {
    const auto set = emulator_->request(
        "POST", "/emulator/v1/faults",
        R"({"rules": [{"verb": "create", "resource": "frameworks", "code": 403}]})");
    ASSERT_EQ(set.code, 200) << set.body;
    const TshostRun result = run(config(role("worker", 1), 2));
    auto d = db();
    const auto trials = d.trials();
    ASSERT_EQ(trials.size(), 2U) << result.output;
    for (const auto& t : trials) {
        EXPECT_EQ(t.status, "FAILED") << t.id;
        EXPECT_THAT(lower(t.message), testing::HasSubstr("forbidden")) << t.id << ": " << t.message;
    }
    EXPECT_THAT(lower(result.output), testing::HasSubstr("forbidden")) << result.output;
    // Permanent: each trial's create was tried once, not retried as if transient.
    EXPECT_EQ(requests("frameworks", "create"), 2);
    expect_cluster_empty();
}

}  // namespace
}  // namespace fc_e2e
