// Journals as the agent writes them, read through a real storage plugin.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "local_store.hpp"
#include "trialkit/journal.hpp"

using namespace tshost::trialkit;
using nlohmann::json;

namespace {

std::string line(int64_t seq, const std::string& data, bool primary = true) {
    return json{{"seq", seq}, {"primary", primary}, {"data", data}}.dump() + "\n";
}

json payload(const tshost::plugin::HostEvent& event) {
    return json::parse(event.payload_json);
}

class Journals : public trialkit_test::LocalStore {};

}  // namespace

TEST(ParseJournal, LeavesATornLastLineForLater) {
    const std::string text = line(0, "a") + line(1, "b") + R"({"seq":2,"da)";
    const auto chunk = parse_journal(text);
    ASSERT_EQ(chunk.records.size(), 2U);
    EXPECT_EQ(chunk.records[1].seq, 1);
    EXPECT_EQ(chunk.records[1].data, "b");
    EXPECT_EQ(chunk.consumed, text.size() - std::string(R"({"seq":2,"da)").size());
    EXPECT_EQ(chunk.bad_lines, 0U);
}

TEST(ParseJournal, SkipsAndCountsCompleteLinesThatAreNotRecords) {
    const std::string text = "garbage\n" + line(0, "a") +
                             R"({"seq":-1,"data":"x"})"
                             "\n" +
                             R"({"seq":1,"data":5})"
                             "\n" +
                             R"({"seq":2,"data":"c"})"
                             "\n";
    const auto chunk = parse_journal(text);
    ASSERT_EQ(chunk.records.size(), 2U);
    EXPECT_EQ(chunk.bad_lines, 3U);
    EXPECT_TRUE(chunk.records[1].primary);  // absent means primary (single-replica agents)
    EXPECT_EQ(chunk.consumed, text.size());
}

TEST(ParseJournal, KeepsTheRecordTextByteForByte) {
    const std::string record =
        R"({"parameter_id": 0, "trial_job_id": "ab3xz", "type": "FINAL", "sequence": 0, )"
        R"("value": "{\"default\": 0.5, \"note\": \"it's \u00e9t\u00e9\"}"})";
    const auto chunk = parse_journal(line(0, record, false));
    ASSERT_EQ(chunk.records.size(), 1U);
    EXPECT_EQ(chunk.records[0].data, record);
    EXPECT_FALSE(chunk.records[0].primary);
}

TEST_F(Journals, ReadsEachReplicaOnceAndThenOnlyWhatIsNew) {
    write("nni/exp1/ab3xz/.tshost/metrics/worker-0.jsonl", line(0, "w0a") + line(1, "w0b"));
    write("nni/exp1/ab3xz/.tshost/metrics/worker-1.jsonl", line(0, "w1a", false));
    JournalReader reader(*store_, "exp1");

    auto events = reader.read_trial({"ab3xz", 0});
    ASSERT_EQ(events.size(), 3U);
    for (const auto& event : events) {
        EXPECT_EQ(event.trial_id, "ab3xz");
        EXPECT_EQ(event.type, "trial.metric");
        EXPECT_EQ(payload(event)["attempt"], 0);
    }
    EXPECT_TRUE(reader.read_trial({"ab3xz", 0}).empty());

    write("nni/exp1/ab3xz/.tshost/metrics/worker-0.jsonl", line(2, "w0c") + R"({"seq":3)", true);
    events = reader.read_trial({"ab3xz", 0});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(payload(events[0])["seq"], 2);
    EXPECT_EQ(payload(events[0])["replica"], "worker-0");

    write("nni/exp1/ab3xz/.tshost/metrics/worker-0.jsonl",
          R"(,"data":"w0d"})"
          "\n",
          true);
    events = reader.read_trial({"ab3xz", 0});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(payload(events[0])["data"], "w0d");

    reader.forget({"ab3xz", 0});
    EXPECT_EQ(reader.read_trial({"ab3xz", 0}).size(), 5U);  // from the start again
}

TEST_F(Journals, ATrialWithoutJournalHasNoMetrics) {
    JournalReader reader(*store_, "exp1");
    EXPECT_TRUE(reader.read_trial({"nomet", 0}).empty());
    EXPECT_TRUE(reader.read_changed().empty());
}

TEST_F(Journals, AttemptsHaveTheirOwnJournals) {
    write("nni/exp1/ab3xz/.tshost/metrics/local-0.jsonl", line(0, "first"));
    write("nni/exp1/ab3xz.attempt-1/.tshost/metrics/local-0.jsonl", line(0, "second"));
    JournalReader reader(*store_, "exp1");
    const auto events = reader.read_trial({"ab3xz", 1});
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(payload(events[0])["data"], "second");
    EXPECT_EQ(payload(events[0])["attempt"], 1);
}

TEST_F(Journals, ChangedMarkersLeadToTheNewRecordsAndAreConsumed) {
    write("nni/exp1/ab3xz/.tshost/metrics/worker-0.jsonl", line(0, "a"));
    write("nni/exp1/cd4yw.attempt-2/.tshost/metrics/master-0.jsonl", line(0, "b") + line(1, "c"));
    write("nni/exp1/ef5zv/.tshost/metrics/worker-0.jsonl", line(0, "not announced"));
    write("nni/exp1/.tshost/changed/ab3xz.worker-0", "");
    write("nni/exp1/.tshost/changed/cd4yw.attempt-2.master-0", "");
    write("nni/exp1/.tshost/changed/not-a-marker", "");
    JournalReader reader(*store_, "exp1");

    const auto events = reader.read_changed();
    ASSERT_EQ(events.size(), 3U);
    std::multiset<std::string> seen;
    for (const auto& event : events) {
        seen.insert(event.trial_id + "/" + payload(event)["data"].get<std::string>());
    }
    EXPECT_EQ(seen, (std::multiset<std::string>{"ab3xz/a", "cd4yw/b", "cd4yw/c"}));
    EXPECT_FALSE(std::filesystem::exists(root_ / "nni/exp1/.tshost/changed/ab3xz.worker-0"));
    EXPECT_TRUE(reader.read_changed().empty());

    // News after the marker was consumed comes with a fresh marker.
    write("nni/exp1/ab3xz/.tshost/metrics/worker-0.jsonl", line(1, "d"), true);
    write("nni/exp1/.tshost/changed/ab3xz.worker-0", "");
    const auto more = reader.read_changed();
    ASSERT_EQ(more.size(), 1U);
    EXPECT_EQ(payload(more[0])["data"], "d");
    EXPECT_EQ(reader.stats().records, 4U);
}
