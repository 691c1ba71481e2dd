// NNI metric records: what is accepted, and that every bad record is rejected
// with a reason instead of failing the experiment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/metric_record.hpp"

using tshost::engine::parse_metric_record;
using testing::HasSubstr;

namespace {
// A record exactly as NNI's trial SDK builds it: the metric double-encoded.
std::string record(const std::string& trial, const std::string& type, const nlohmann::json& metric,
                   int sequence = 0) {
    return nlohmann::json{{"parameter_id", 3},
                          {"trial_job_id", trial},
                          {"type", type},
                          {"sequence", sequence},
                          {"value", metric.dump()}}
        .dump();
}
}  // namespace

TEST(MetricRecord, AcceptsANumberAndADictWithDefault) {
    const auto number = parse_metric_record(record("abcde", "FINAL", 0.93), "abcde");
    ASSERT_TRUE(number.record) << number.rejection;
    EXPECT_EQ(number.record->type, "FINAL");
    EXPECT_DOUBLE_EQ(number.record->default_value, 0.93);

    const auto dict = parse_metric_record(
        record("abcde", "PERIODICAL", {{"default", 0.5}, {"loss", 1.2}}, 4), "abcde");
    ASSERT_TRUE(dict.record) << dict.rejection;
    EXPECT_EQ(dict.record->sequence, 4);
    EXPECT_DOUBLE_EQ(dict.record->default_value, 0.5);
    EXPECT_EQ(nlohmann::json::parse(dict.record->value_json)["loss"], 1.2);
}

TEST(MetricRecord, KeepsQuotesAndUnicodeInsideTheValue) {
    const auto parsed = parse_metric_record(
        record("abcde", "FINAL", {{"default", 1}, {"note", "it's \"π\" ✓"}}), "abcde");
    ASSERT_TRUE(parsed.record) << parsed.rejection;
    EXPECT_EQ(nlohmann::json::parse(parsed.record->value_json)["note"], "it's \"π\" ✓");
}

TEST(MetricRecord, RejectsEveryMalformedRecordWithAReason) {
    struct Case {
        std::string data;
        std::string reason;
    };
    const std::vector<Case> cases{
        {"not json", "not a JSON object"},
        {"[1,2]", "not a JSON object"},
        {record("other", "FINAL", 1), "does not match trial abcde"},
        {R"({"trial_job_id":"abcde","value":"1"})", "no \"type\""},
        {R"({"trial_job_id":"abcde","type":"BOGUS","value":"1"})", "unknown type"},
        {R"({"trial_job_id":"abcde","type":"FINAL"})", "no \"value\""},
        {record("abcde", "FINAL", "high"), "no finite numeric"},
        {record("abcde", "FINAL", {{"loss", 1}}), "no finite numeric"},
        {R"({"trial_job_id":"abcde","type":"FINAL","value":"NaN"})", "not a finite number"},
        {R"({"trial_job_id":"abcde","type":"FINAL","value":"{broken"})", "value is not JSON"},
        {std::string(1'000'001, ' '), "exceeds NNI's limit"},
    };
    for (const auto& c : cases) {
        const auto parsed = parse_metric_record(c.data, "abcde");
        EXPECT_FALSE(parsed.record) << c.data.substr(0, 60);
        EXPECT_THAT(parsed.rejection, HasSubstr(c.reason)) << c.data.substr(0, 60);
    }
}

TEST(MetricRecord, AcceptsARecordJustUnderTheLimit) {
    const std::string padding(999'000 - 100, 'x');
    const auto data = record("abcde", "FINAL", {{"default", 2}, {"pad", padding}});
    ASSERT_LT(data.size(), 1'000'000U);
    const auto parsed = parse_metric_record(data, "abcde");
    ASSERT_TRUE(parsed.record) << parsed.rejection;
    EXPECT_DOUBLE_EQ(parsed.record->default_value, 2);
}
