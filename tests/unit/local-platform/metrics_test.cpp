// Metrics from both NNI channels a local trial may use: NNISDK_MEb'...' lines on
// stdout and the legacy .nni/metrics file. Each trial script writes its output
// and the records (with their byte offsets) the platform must find.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "local_fixture.hpp"

namespace local_test {
namespace {

using testing::HasSubstr;

constexpr uint64_t kMetricsFileSeq = 1'000'000'000'000;
constexpr uint64_t kStdoutSeq = 2'000'000'000'000;

class LocalMetricsTest : public LocalPlatformTest {
  protected:
    // The trial's python code gets `emit_stdout(text)` / `emit_file(record)`, which
    // write and remember (source, offset, record) in expected.json for the test.
    static std::string python_trial(const std::string& body) {
        return R"(python3 - <<'PY'
import json, os, sys
sysdir = os.environ["NNI_SYS_DIR"]
expected, out_bytes = [], 0
metrics = open(os.path.join(sysdir, ".nni", "metrics"), "ab")

def record(seq, value, kind="PERIODICAL", ensure_ascii=True):
    return json.dumps({"parameter_id": 0, "trial_job_id": os.environ["NNI_TRIAL_JOB_ID"],
                       "type": kind, "sequence": seq,
                       "value": json.dumps(value, ensure_ascii=ensure_ascii)},
                      ensure_ascii=ensure_ascii)

def emit_stdout(line, rec=None, end="\n"):
    global out_bytes
    if rec is not None:
        expected.append(["stdout", out_bytes, rec])
    data = (line + end).encode("utf8")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    out_bytes += len(data)

def metric_line(rec, prefix=""):
    emit_stdout(prefix + "NNISDK_MEb'" + rec + "'", rec)

def emit_file(rec, raw=None, expect=True):
    data = (rec + "\n").encode("utf8")
    if expect:
        expected.append(["file", metrics.tell(), rec])
    metrics.write(raw if raw is not None else b"ME%06d" % len(data) + data)
    metrics.flush()

)" + body + R"(
json.dump(expected, open(os.path.join(sysdir, "expected.json"), "w"))
PY
)";
    }

    struct Expected {
        uint64_t seq;
        std::string record;
    };
    std::vector<Expected> expected(const std::string& trial_id) {
        std::vector<Expected> out;
        for (const json& e : json::parse(read_file(trial_dir(trial_id) / "expected.json"))) {
            const uint64_t base = e.at(0) == "file" ? kMetricsFileSeq : kStdoutSeq;
            out.push_back({base + e.at(1).get<uint64_t>(), e.at(2).get<std::string>()});
        }
        return out;
    }

    // Every expected record arrived exactly once with its seq, and nothing else did.
    void expect_metrics(const std::string& trial_id, const EventLog::Events& events) {
        std::map<uint64_t, std::string> got;
        for (const json& m : payloads(events, TSH_EVENT_TRIAL_METRIC)) {
            EXPECT_EQ(m.at("replica"), "0");
            EXPECT_TRUE(got.emplace(m.at("seq").get<uint64_t>(), m.at("data")).second)
                << "duplicate seq " << m.at("seq");
        }
        const auto want = expected(trial_id);
        EXPECT_EQ(got.size(), want.size());
        for (const Expected& e : want) {
            ASSERT_TRUE(got.count(e.seq)) << "no metric with seq " << e.seq;
            EXPECT_EQ(got[e.seq], e.record);
        }
    }

    static std::vector<std::string> warnings(const EventLog::Events& events) {
        std::vector<std::string> out;
        for (const json& log : payloads(events, TSH_EVENT_TRIAL_LOG)) {
            EXPECT_EQ(log.at("level"), "warn");
            out.push_back(log.at("message"));
        }
        return out;
    }
};

TEST_F(LocalMetricsTest, StdoutMetricLines) {
    auto platform = make_platform();
    write_trial("out", python_trial(R"(
emit_stdout("ordinary output with NNISDK but no marker")
metric_line(record(0, 0.5))
metric_line(record(1, {"default": 1.5, "note": "it's 'quoted'"}))
metric_line(record(2, {"default": 2, "name": "naïve ✓ 日本語"}, ensure_ascii=False))
emit_stdout("NNISDK_MEb'not json at all'")
emit_stdout("NNISDK_MEb'{\"no\": \"closing quote\"}")
metric_line(record(3, 3), prefix="[2024-01-01 00:00:00] INFO ")
emit_stdout("NNISDK_MEb'" + record(4, 4.0, "FINAL") + "'", record(4, 4.0, "FINAL"), end="")
)"));
    submit(*platform, "out");
    const auto& events = log_.wait_end("out");
    EXPECT_EQ(end_of(events).at("status"), "SUCCEEDED");
    expect_metrics("out", events);
    const auto warned = warnings(events);
    ASSERT_EQ(warned.size(), 2U);
    EXPECT_THAT(warned[0], HasSubstr("not a JSON object"));
    EXPECT_THAT(warned[0], HasSubstr("not json at all"));
    EXPECT_THAT(warned[1], HasSubstr("no closing quote"));
}

TEST_F(LocalMetricsTest, MetricsFileRecords) {
    auto platform = make_platform();
    write_trial("file", python_trial(R"(
# What NNI's SDK appends when parameter.cfg is missing: never a metric.
emit_file(json.dumps({"trial_job_id": "file", "type": "REQUEST_PARAMETER", "sequence": 0,
                      "parameter_index": 0}), expect=False)
emit_file(record(0, 0.25))
emit_file(record(1, {"default": 0.5, "label": "l'été ✓"}, ensure_ascii=False))
emit_file("", raw=b"garbage without a header\n", expect=False)
emit_file(record(2, 0.75))
emit_file("[1, 2, 3]", expect=False)
emit_file(record(0, 1.0, "FINAL"))
)"));
    submit(*platform, "file");
    const auto& events = log_.wait_end("file");
    EXPECT_EQ(end_of(events).at("status"), "SUCCEEDED");
    expect_metrics("file", events);
    const auto warned = warnings(events);
    ASSERT_EQ(warned.size(), 2U);
    EXPECT_THAT(warned[0], HasSubstr("not a record header"));
    EXPECT_THAT(warned[1], HasSubstr("[1, 2, 3]"));
}

TEST_F(LocalMetricsTest, RecordsUpToTheSizeLimit) {
    auto platform = make_platform();
    write_trial("big", python_trial(R"(
def padded(size, seq):
    base = record(seq, "")
    rec = record(seq, "x" * (size - len(base)))
    assert len(rec.encode()) == size
    return rec
metric_line(padded(999_999, 0))
emit_file(padded(999_998, 1))  # + "\n" = 999,999 bytes: the largest 6-digit length
emit_stdout("NNISDK_MEb'" + padded(1_000_001, 2) + "'")  # too long: skipped
metric_line(record(3, 3))
)"));
    submit(*platform, "big");
    const auto& events = log_.wait_end("big");
    EXPECT_EQ(end_of(events).at("status"), "SUCCEEDED");
    expect_metrics("big", events);
    const auto warned = warnings(events);
    ASSERT_EQ(warned.size(), 1U);
    EXPECT_THAT(warned[0], HasSubstr("exceeds the limit"));
}

TEST_F(LocalMetricsTest, EveryMetricPrecedesTheEndStatus) {
    auto platform = make_platform();
    write_trial("burst", python_trial(R"(
for i in range(200):
    emit_file(record(i, i))
    metric_line(record(i, -i))
)") + "exit 3\n");
    submit(*platform, "burst");
    const auto& events = log_.wait_end("burst");
    const json end = end_of(events);
    EXPECT_EQ(end.at("status"), "FAILED");
    EXPECT_EQ(end.at("exitCode"), 3);
    EXPECT_EQ(events.front().type, TSH_EVENT_TRIAL_STATUS);
    EXPECT_EQ(payload(events.front()).at("status"), "RUNNING");
    EXPECT_EQ(payloads(events, TSH_EVENT_TRIAL_STATUS).size(), 2U);  // RUNNING, FAILED
    EXPECT_EQ(payloads(events, TSH_EVENT_TRIAL_METRIC).size(), 400U);
    expect_metrics("burst", events);
}

}  // namespace
}  // namespace local_test
