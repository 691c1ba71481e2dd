// The engine's one-pass readers of metric events and NNI records: for every input they
// recognise, exactly the reference's (nlohmann's) result; the forms they are for (what the
// metrics server writes, what NNI's SDK writes) recognised; everything else left to the
// reference, which decides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "engine/metric_event.hpp"
#include "engine/metric_record.hpp"
#include "same_as_reference.hpp"

using tshost::engine::decode_metric_event;
using tshost::engine::decode_metric_event_json;
using tshost::engine::parse_metric_record;
using tshost::engine::parse_metric_record_json;
using tshost::engine::scan_metric_event;
using tshost::engine::scan_metric_record;

namespace {

// A record as NNI's SDK writes it (json_tricks: that key order, ", " and ": ").
std::string sdk_record(const std::string& parameter_id, const std::string& trial,
                       const std::string& type, const std::string& sequence,
                       const std::string& value_text) {
    return R"({"parameter_id": )" + parameter_id + R"(, "trial_job_id": )" +
           nlohmann::json(trial).dump() + R"(, "type": ")" + type + R"(", "sequence": )" +
           sequence + R"(, "value": )" + nlohmann::json(value_text).dump() + "}";
}

// An event payload as the metrics server writes it.
std::string server_event(const std::string& replica, const std::string& seq,
                         const std::string& data, const std::string& primary,
                         const std::string& attempt) {
    return R"({"replica":")" + replica + R"(","seq":)" + seq + R"(,"data":)" +
           nlohmann::json(data).dump() + R"(,"primary":)" + primary + R"(,"attempt":)" + attempt +
           "}";
}

void expect_same_record(const std::string& data, const std::string& trial, bool must_scan) {
    SCOPED_TRACE("record: " + data.substr(0, 200));
    const auto reference = parse_metric_record_json(data, trial);
    tshost::test::expect_same_as_reference(reference, scan_metric_record(data, trial),
                                           parse_metric_record(data, trial), must_scan,
                                           reference.record.has_value());
}

// Every payload is "accepted": fields of the wrong type just count as absent.
void expect_same_event(const std::string& payload, bool must_scan) {
    SCOPED_TRACE("payload: " + payload.substr(0, 200));
    tshost::test::expect_same_as_reference(decode_metric_event_json(payload),
                                           scan_metric_event(payload), decode_metric_event(payload),
                                           must_scan, true);
}

}  // namespace

TEST(MetricRecordScanner, ReadsTheSdksRecordsAsTheReferenceDoes) {
    for (const std::string value :
         {"0.8125", "0.93", "1", "-2.5e-3", "1e300", "12345678901234567890",
          R"({"default": 0.5, "loss": 1.25})", R"({"default": 1, "note": "it's \"π\" ✓\n"})",
          R"({"other": 2, "default": 3.0})"}) {
        for (const std::string type : {"PERIODICAL", "FINAL"}) {
            expect_same_record(sdk_record("0", "Ab3xZ", type, "7", value), "Ab3xZ", true);
            expect_same_record(sdk_record("null", "Ab3xZ", type, "0", value), "Ab3xZ", true);
        }
    }
    const auto compact = R"({"parameter_id":3,"trial_job_id":"t-1","type":"FINAL","sequence":0,)"
                         R"("value":"0.5"})";
    expect_same_record(compact, "t-1", true);
    EXPECT_DOUBLE_EQ(parse_metric_record(compact, "t-1").record->default_value, 0.5);
}

TEST(MetricRecordScanner, LeavesEverythingElseToTheReference) {
    const std::vector<std::string> records = {
        sdk_record("0", "other", "FINAL", "0", "1"),  // another trial: a rejection
        sdk_record("0", "Ab3xZ", "REQUEST_PARAMETER", "0", "1"),
        sdk_record("0", "Ab3xZ", "BOGUS", "0", "1"),
        sdk_record("0", "Ab3xZ", "FINAL", "-1", "1"),     // negative sequence: accepted
        sdk_record("0", "Ab3xZ", "FINAL", "1.5", "1"),    // not an integer: sequence 0
        sdk_record("\"x\"", "Ab3xZ", "FINAL", "0", "1"),  // an unusual parameter_id
        sdk_record("-1", "Ab3xZ", "FINAL", "0", "1"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", "NaN"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", "Infinity"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", "{broken"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", R"({"loss": 1})"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", R"("a string")"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", "1e999"),
        sdk_record("0", "Ab3xZ", "FINAL", "0", "\u00e9"),
        R"({"trial_job_id": "Ab3xZ", "parameter_id": 0, "type": "FINAL", "sequence": 0, "value": "1"})",
        R"({"parameter_id": 0, "trial_job_id": "Ab3xZ", "type": "FINAL", "sequence": 0, "value": 1})",
        R"({"parameter_id": 0, "trial_job_id": "Ab3xZ", "type": "FINAL", "sequence": 0, "value": "1", "x": 1})",
        R"({"parameter_id": 0, "trial_job_id": "Ab3xZ", "type": "FINAL", "sequence": 0, "value": "1"} x)",
        R"({"parameter_id": 0, "trial_job_id": "Ab\u0033xZ", "type": "FINAL", "sequence": 0, "value": "1"})",
        R"({"parameter_id": 0, "trial_job_id": "Ab3xZ", "type": "FINAL", "sequence": 0, "value": "1)",
        "not json",
        std::string(1'000'001, ' '),
    };
    for (const auto& data : records) {
        expect_same_record(data, "Ab3xZ", false);
    }
    EXPECT_FALSE(scan_metric_record(records[0], "Ab3xZ").has_value());
    EXPECT_FALSE(scan_metric_record(records[14], "Ab3xZ").has_value());
}

TEST(MetricEventScanner, ReadsTheServersPayloadsAsTheReferenceDoes) {
    const std::string data = sdk_record("0", "Ab3xZ", "PERIODICAL", "3", "0.5");
    expect_same_event(server_event("worker-0", "12", data, "true", "0"), true);
    expect_same_event(server_event("chief_1.x", "0", "caf\xc3\xa9 \\ \" \x01\n", "false", "7"),
                      true);
    expect_same_event(server_event("w", "999999999999999999", "", "true", "2147483647"), true);
    const auto event = decode_metric_event(server_event("worker-0", "12", data, "false", "1"));
    EXPECT_EQ(event.replica, "worker-0");
    EXPECT_EQ(event.seq, 12);
    EXPECT_EQ(event.data, data);
    EXPECT_EQ(event.primary, false);
    EXPECT_EQ(event.attempt, 1);
}

TEST(MetricEventScanner, LeavesOtherPayloadsToTheReference) {
    const std::vector<std::string> payloads = {
        // The journal's events (nlohmann's key order), and a plugin's minimal one.
        nlohmann::json{
            {"replica", "0"}, {"seq", 1}, {"data", "x"}, {"primary", true}, {"attempt", 0}}
            .dump(),
        R"({"replica":"worker-0","seq":0,"data":"x"})",
        R"({"replica":"a b","seq":0,"data":"x","primary":true,"attempt":0})",
        R"({"replica":"w","seq":-1,"data":"x","primary":true,"attempt":0})",
        R"({"replica":"w","seq":1.5,"data":"x","primary":true,"attempt":0})",
        R"({"replica":"w","seq":0,"data":1,"primary":true,"attempt":0})",
        R"({"replica":"w","seq":0,"data":"x","primary":"yes","attempt":0})",
        R"({"replica":"w","seq":0,"data":"\u00e9","primary":true,"attempt":0})",
        R"({"replica":"w","seq":0,"data":"x","primary":true,"attempt":0}])",
        R"({"replica":"w","seq":0,"data":"x","primary":true,"attempt":0,"replica":"v"})",
        "[]",
        "",
    };
    for (const auto& payload : payloads) {
        EXPECT_FALSE(scan_metric_event(payload).has_value()) << payload;
        expect_same_event(payload, false);
    }
}

// Random records and payloads in the scanned forms, and random byte mutations of them.
TEST(MetricScanners, RandomisedInputsGetTheSameResultFromBothReaders) {
    std::mt19937_64 random(1125);  // fixed: a failure reproduces
    const auto pick = [&](size_t n) { return static_cast<size_t>(random() % n); };
    const std::vector<std::string> values = {"0.5",
                                             "1",
                                             "-3",
                                             "1e5",
                                             "2.5E-7",
                                             "NaN",
                                             "[1]",
                                             "\"s\"",
                                             "true",
                                             "null",
                                             "{\"default\": 0.25, \"a\": [1, {}]}",
                                             "{\"default\": \"x\"}"};
    const std::vector<std::string> mutations = {"\"", "\\", "\\u00", "x", "0", "-",    ".",   "e",
                                                "}",  "]",  ",",     ":", " ", "\x80", "\xc3"};
    int scanned_records = 0;
    int scanned_events = 0;
    for (int round = 0; round < 2000; ++round) {
        std::string record = sdk_record(pick(2) ? std::to_string(pick(100)) : "null",
                                        pick(4) ? "Ab3xZ" : "Zz", pick(2) ? "FINAL" : "PERIODICAL",
                                        std::to_string(pick(1000)), values[pick(values.size())]);
        std::string event =
            server_event(pick(2) ? "worker-0" : "chief", std::to_string(pick(50)), record,
                         pick(2) ? "true" : "false", std::to_string(pick(3)));
        if (round % 2 == 1) {
            for (std::string* text : {&record, &event}) {
                const size_t at = pick(text->size() + 1);
                const auto& piece = mutations[pick(mutations.size())];
                if (pick(2) != 0) {
                    text->insert(at, piece);
                } else {
                    text->erase(at, 1 + pick(2));
                }
            }
        }
        scanned_records += scan_metric_record(record, "Ab3xZ").has_value() ? 1 : 0;
        scanned_events += scan_metric_event(event).has_value() ? 1 : 0;
        expect_same_record(record, "Ab3xZ", false);
        expect_same_event(event, round % 2 == 0);
        if (HasFailure()) {
            break;
        }
    }
    EXPECT_GE(scanned_records, 300);  // the generator does exercise the scanner
    EXPECT_GE(scanned_events, 1000);
}
