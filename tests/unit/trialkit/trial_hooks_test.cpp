#include "trialkit/trial_hooks.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "local_store.hpp"
#include "trialkit/kit.hpp"

using namespace tshost::trialkit;
using nlohmann::json;

namespace {

class Hooks : public trialkit_test::LocalStore {
  protected:
    MetricsChannel channel(std::string url) {
        return {std::move(url), [this](std::string_view trial, int64_t attempt) {
                    ++tokens_issued_;
                    return "tok-" + std::string(trial) + "-" + std::to_string(attempt);
                }};
    }
    tshost::db::TrialRow row(int attempt = 0) {
        tshost::db::TrialRow r;
        r.id = "ab3xz";
        r.attempt = attempt;
        r.parameters_json = R"({"parameter_id": 3, "parameters": {"lr": 0.1}})";
        return r;
    }
    int tokens_issued_ = 0;
};

}  // namespace

TEST_F(Hooks, SubmittingPutsParametersOnTheShareAndDescribesTheTrial) {
    JournalReader journals(*store_, "exp1");
    StorageTrialHooks hooks(*store_, "exp1", journals, channel("http://10.0.0.5:8081"));
    const json spec = json::parse(hooks.prepare(row(1), true));
    EXPECT_EQ(read("nni/exp1/ab3xz.attempt-1/parameter.cfg"), row().parameters_json);
    EXPECT_EQ(spec["trialDir"], "nni/exp1/ab3xz.attempt-1");
    EXPECT_EQ(spec["kitDir"], "nni/exp1/.tshost/kit");
    EXPECT_EQ(spec["codeManifest"], "nni/exp1/code.manifest");
    EXPECT_EQ(spec["casDir"], "nni/.cas");
    EXPECT_EQ(spec["metrics"]["url"], "http://10.0.0.5:8081");
    EXPECT_EQ(spec["metrics"]["token"], "tok-ab3xz-1");
}

TEST_F(Hooks, AdoptingWritesNothing) {
    JournalReader journals(*store_, "exp1");
    StorageTrialHooks hooks(*store_, "exp1", journals, channel(""));
    const json spec = json::parse(hooks.prepare(row(), false));
    EXPECT_FALSE(std::filesystem::exists(root_ / "nni/exp1/ab3xz/parameter.cfg"));
    EXPECT_FALSE(spec["metrics"].contains("url"));  // storage-only: the agent only journals
    EXPECT_EQ(tokens_issued_, 1);
}

TEST_F(Hooks, CollectReadsTheAttemptsJournal) {
    write("nni/exp1/ab3xz/.tshost/metrics/local-0.jsonl",
          json{{"seq", 0}, {"data", "r0"}}.dump() + "\n");
    JournalReader journals(*store_, "exp1");
    StorageTrialHooks hooks(*store_, "exp1", journals, channel(""));
    const auto events = hooks.collect(row());
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(json::parse(events[0].payload_json)["data"], "r0");
}

TEST_F(Hooks, TheKitLandsWhereRunScriptsLookForIt) {
    install_kit(*store_, "exp1");
    EXPECT_EQ(read("nni/exp1/.tshost/kit/tshost_agent.py"), std::string(agent_script()));
    EXPECT_EQ(read("nni/exp1/.tshost/kit/nni_shim/nni/__init__.py"),
              std::string(nni_shim_module()));
    EXPECT_NE(read("nni/exp1/.tshost/kit/materialize_code.sh").find("tsh_materialize_code()"),
              std::string::npos);
    EXPECT_TRUE(std::filesystem::is_directory(root_ / "nni/exp1/.tshost/changed"));
    EXPECT_NE(agent_script().find("NNISDK_MEb"), std::string_view::npos);
}
