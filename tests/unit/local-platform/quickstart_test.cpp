// examples/quickstart/trial.py, run by the plugin exactly as the quickstart
// experiment runs it: it must read its parameters and report NNI metric records.
#include <gtest/gtest.h>

#include "local_fixture.hpp"

namespace local_test {
namespace {

class QuickstartTrialTest : public LocalPlatformTest {};

TEST_F(QuickstartTrialTest, ReportsIntermediateAndFinalResultsForItsParameters) {
    auto platform = make_platform(
        json::object(), nullptr,
        json{{"trialCommand", "python3 trial.py"}, {"trialCodeDirectory", TSHOST_QUICKSTART_DIR}});
    const TrialSpec spec{
        "qs1", 0,
        R"({"parameter_id": 5, "parameter_source": "algorithm", "parameters": )"
        R"({"lr": 0.01, "momentum": 0.9, "batch_size": 32}, "parameter_index": 0})",
        "{}"};
    platform->submit(spec);
    const auto& events = log_.wait_end("qs1");
    EXPECT_EQ(end_of(events).at("status"), "SUCCEEDED");

    const auto metrics = payloads(events, TSH_EVENT_TRIAL_METRIC);
    ASSERT_EQ(metrics.size(), 6U);
    for (size_t i = 0; i < metrics.size(); ++i) {
        const json record = json::parse(metrics[i].at("data").get<std::string>());
        EXPECT_EQ(record.at("parameter_id"), 5);
        EXPECT_EQ(record.at("trial_job_id"), "qs1");
        EXPECT_EQ(record.at("type"), i < 5 ? "PERIODICAL" : "FINAL");
        EXPECT_EQ(record.at("sequence"), i < 5 ? i : 0);
        // The value is JSON text of a number (NNI's double encoding); at the
        // optimum the toy accuracy ends close to 1.
        const double value = json::parse(record.at("value").get<std::string>()).get<double>();
        EXPECT_GT(value, i < 5 ? 0.0 : 0.85);
    }
}

}  // namespace
}  // namespace local_test
