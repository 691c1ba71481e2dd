// useTrialAgent: the trial runs as on the Kubernetes platforms, from a run script on
// the storage (the real nfs plugin in localMountPath mode) that materializes the code
// and starts the trial agent. The agent here is a stand-in that records how it was
// started and then runs the command like the real one (in a session of its own,
// forwarding SIGTERM, exiting with the command's code); the real agent is tested on
// its own. The plugin must not scan metrics in this mode: the agent delivers them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "local_fixture.hpp"
#include "plugin/loader.hpp"

namespace local_test {
namespace {

using testing::HasSubstr;
using tshost::plugin::PluginError;

#ifdef TSHOST_NFS_PLUGIN

constexpr const char* kStubAgent = R"py(
import json, os, signal, subprocess, sys
argv = sys.argv
command = argv[argv.index('--') + 1:]
record = os.path.join(os.environ['NNI_SYS_DIR'], 'agent-record.json')
with open(record + '.tmp', 'w') as f:
    json.dump({'argv': argv, 'env': dict(os.environ), 'cwd': os.getcwd()}, f)
os.rename(record + '.tmp', record)
# The worst case for a cancel: the command leaves the agent's session entirely.
child = subprocess.Popen(command, start_new_session=True)
def forward(signum, frame):
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass
signal.signal(signal.SIGTERM, forward)
signal.signal(signal.SIGINT, forward)
code = child.wait()
sys.exit(128 - code if code < 0 else code)
)py";

class LocalAgentTest : public LocalPlatformTest {
  protected:
    void SetUp() override {
        LocalPlatformTest::SetUp();
        share_ = root_ / "share";
        fs::create_directories(share_);
        auto loaded = tshost::plugin::load_plugin(TSHOST_NFS_PLUGIN);
        ASSERT_TRUE(loaded.plugin) << loaded.refusal->message();
        storage_ = std::make_unique<tshost::plugin::StorageInstance>(
            *loaded.plugin,
            json{{"server", "nfs.example"}, {"path", "/export"}, {"localMountPath", share_}}.dump(),
            tshost::plugin::InstanceOptions{});
        // What the host writes once per experiment.
        const fs::path kit = share_ / "nni/exp1/.tshost/kit";
        fs::create_directories(kit);
        std::ofstream(kit / "materialize_code.sh") << read_file(TSHOST_MATERIALIZE_SH);
        std::ofstream(kit / "tshost_agent.py") << kStubAgent;
    }

    json agent_config(const json& extra = json::object()) const {
        json config{{"useTrialAgent", true}, {"shareDirectory", share_.string()}};
        config.update(extra);
        return config;
    }

    std::unique_ptr<Platform> make_agent_platform(const json& config, EventQueue* queue = nullptr,
                                                  bool with_storage = true) {
        tshost::plugin::InstanceOptions options;
        options.experiment_json = experiment_json().dump();
        options.events = queue != nullptr ? queue : &events_;
        options.storage = with_storage ? storage_->access() : nullptr;
        return std::make_unique<Platform>(local_plugin(), config.dump(), options);
    }

    // The experiment's code in the content-addressed store, as the host uploads it:
    // the trial command runs "./<trialId>.sh" from the materialized copy.
    void publish_trial(const std::string& trial_id, const std::string& script) {
        code_[trial_id + ".sh"] = script;
        std::string manifest;
        int n = 0;
        for (const auto& [path, content] : code_) {
            // materialize_code.sh uses the hash only as the blob's name.
            std::string hash = std::to_string(++n);
            hash = std::string(64 - hash.size(), 'c') + hash;
            const fs::path blob = share_ / "nni/.cas" / hash.substr(0, 2) / hash;
            fs::create_directories(blob.parent_path());
            std::ofstream(blob, std::ios::binary) << content;
            manifest += hash + " 644 " + std::to_string(content.size()) + " " + path + "\n";
        }
        std::ofstream(share_ / "nni/exp1/code.manifest", std::ios::binary) << manifest;
    }

    static std::string token_of(const std::string& trial_id) { return "tok-" + trial_id; }

    json agent_spec(const std::string& trial_id, const json& metrics) const {
        return json{{"attempt", 0},
                    {"trialDir", "nni/exp1/" + trial_id},
                    {"kitDir", "nni/exp1/.tshost/kit"},
                    {"codeManifest", "nni/exp1/code.manifest"},
                    {"casDir", "nni/.cas"},
                    {"primaryReplicaHint", nullptr},
                    {"metrics", metrics}};
    }

    // As the host does: parameter.cfg into the trial's directory on the share first.
    json submit_agent(Platform& platform, const std::string& trial_id,
                      json metrics = json::object()) {
        if (metrics.empty()) {
            metrics = json{{"url", "http://127.0.0.1:9"}, {"token", token_of(trial_id)}};
        }
        storage_->write_file("nni/exp1/" + trial_id + "/parameter.cfg", parameters_for(trial_id));
        const TrialSpec spec{trial_id, 5, parameters_for(trial_id),
                             agent_spec(trial_id, metrics).dump()};
        return json::parse(platform.submit(spec));
    }

    fs::path share_trial(const std::string& trial_id) const {
        return share_ / "nni/exp1" / trial_id;
    }

    // A condition on the file system, checked until `deadline`: the trial is a
    // separate process that tells us nothing else.
    static bool wait_for_file(const fs::path& path) {
        const auto deadline = std::chrono::steady_clock::now() + kTimeout;
        while (!fs::exists(path)) {
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << "timed out waiting for " << path;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return true;
    }

    json agent_record(const std::string& trial_id) {
        const fs::path path = share_trial(trial_id) / "agent-record.json";
        if (!wait_for_file(path)) {
            return json::object();
        }
        return json::parse(read_file(path));
    }

    fs::path share_;
    std::unique_ptr<tshost::plugin::StorageInstance> storage_;
    std::map<std::string, std::string> code_;
};

// A metric line the plugin would report in its ordinary mode.
constexpr const char* kMetricLine = "echo \"NNISDK_MEb'{\\\"default\\\": 0.5}'\"\n";

TEST_F(LocalAgentTest, RunsTheRunScriptFromTheShareAndLeavesMetricsToTheAgent) {
    auto platform = make_agent_platform(agent_config());
    publish_trial("t1", std::string(kMetricLine) +
                            "cat \"$NNI_SYS_DIR/parameter.cfg\" > \"$NNI_SYS_DIR/seen-parameter\"\n"
                            "pwd > \"$NNI_SYS_DIR/seen-cwd\"\n");
    const json submitted = submit_agent(*platform, "t1");
    EXPECT_EQ(submitted.at("shareTrialDir"), share_trial("t1").string());

    const auto& events = log_.wait_end("t1");
    EXPECT_EQ(end_of(events).at("status"), "SUCCEEDED");
    EXPECT_EQ(payloads(events, TSH_EVENT_TRIAL_STATUS).front().at("status"), "RUNNING");
    // The line was printed (the agent's stdout is the process's) but not scanned.
    EXPECT_THAT(read_file(trial_dir("t1") / "stdout"), HasSubstr("NNISDK_MEb'"));
    EXPECT_TRUE(payloads(events, TSH_EVENT_TRIAL_METRIC).empty());

    const std::string script = read_file(share_trial("t1") / "run_local.sh");
    EXPECT_THAT(script, HasSubstr("#!/bin/sh"));
    EXPECT_EQ(script.find(token_of("t1")), std::string::npos) << "the token stays off the share";

    const json record = agent_record("t1");
    const std::vector<std::string> argv = record.at("argv");
    const std::vector<std::string> expected{
        (share_ / "nni/exp1/.tshost/kit/tshost_agent.py").string(),
        "--role",
        "local",
        "--primary-replica",
        "local-0",
        "--",
        "sh",
        "-c",
        experiment_json().at("trialCommand")};
    EXPECT_EQ(argv, expected);

    const json& env = record.at("env");
    const fs::path code_dir = trial_dir("t1") / "code";
    EXPECT_EQ(env.at("NNI_PLATFORM"), "local");
    EXPECT_EQ(env.at("REUSE_MODE"), "true") << "NNI's SDK must print metrics, not write a file";
    EXPECT_EQ(env.at("NNI_SYS_DIR"), share_trial("t1").string());
    EXPECT_EQ(env.at("NNI_TRIAL_JOB_ID"), "t1");
    EXPECT_EQ(env.at("NNI_EXP_ID"), "exp1");
    EXPECT_EQ(env.at("NNI_TRIAL_SEQ_ID"), "5");
    EXPECT_EQ(env.at("MULTI_PHASE"), "false");
    EXPECT_EQ(env.at("CUDA_VISIBLE_DEVICES"), "");
    EXPECT_EQ(env.at("NNI_CODE_DIR"), code_dir.string());
    EXPECT_EQ(env.at("TSHOST_METRICS_URL"), "http://127.0.0.1:9");
    EXPECT_EQ(env.at("TSHOST_METRICS_TOKEN"), token_of("t1"));
    EXPECT_EQ(record.at("cwd"), code_dir.string());

    // The command ran in the materialized code and read the host's parameter.cfg.
    EXPECT_EQ(read_file(share_trial("t1") / "seen-cwd"), code_dir.string() + "\n");
    EXPECT_EQ(read_file(share_trial("t1") / "seen-parameter"), parameters_for("t1"));

    const json detail = json::parse(platform->query("t1"));
    EXPECT_EQ(detail.at("shareTrialDir"), share_trial("t1").string());
    EXPECT_EQ(detail.at("outputDir"), (share_trial("t1") / "output/local-0").string());
    EXPECT_EQ(detail.at("status"), "SUCCEEDED");
}

TEST_F(LocalAgentTest, EndStatusFollowsTheCommandsExitCode) {
    auto platform = make_agent_platform(agent_config());
    publish_trial("bad", "exit 3\n");
    submit_agent(*platform, "bad");
    const json end = end_of(log_.wait_end("bad"));
    EXPECT_EQ(end.at("status"), "FAILED");
    EXPECT_EQ(end.at("exitCode"), 3);
}

TEST_F(LocalAgentTest, GpusOfTheTrialReachTheScript) {
    auto platform =
        make_agent_platform(agent_config({{"gpuIndices", "4,5"}, {"trialGpuNumber", 1}}));
    publish_trial("g1", "");
    publish_trial("g2", "");
    submit_agent(*platform, "g1");
    submit_agent(*platform, "g2");
    EXPECT_EQ(agent_record("g1").at("env").at("CUDA_VISIBLE_DEVICES"), "4");
    EXPECT_EQ(agent_record("g2").at("env").at("CUDA_VISIBLE_DEVICES"), "5");
    log_.wait_end("g1");
    log_.wait_end("g2");
}

// Storage-only mode has no URL; and a URL or token in the host's own environment
// (an enclosing trial's, say) never reaches a trial.
TEST_F(LocalAgentTest, OnlyTheTrialsOwnMetricsSettingsReachIt) {
    ASSERT_EQ(::setenv("TSHOST_METRICS_URL", "http://leaked:1", 1), 0);
    ASSERT_EQ(::setenv("TSHOST_METRICS_TOKEN", "leaked-token", 1), 0);
    auto platform = make_agent_platform(agent_config());
    publish_trial("quiet", "");
    submit_agent(*platform, "quiet", json{{"token", token_of("quiet")}});
    ::unsetenv("TSHOST_METRICS_URL");
    ::unsetenv("TSHOST_METRICS_TOKEN");
    const json env = agent_record("quiet").at("env");
    EXPECT_FALSE(env.contains("TSHOST_METRICS_URL"));
    EXPECT_EQ(env.at("TSHOST_METRICS_TOKEN"), token_of("quiet"));
    EXPECT_EQ(end_of(log_.wait_end("quiet")).at("status"), "SUCCEEDED");
}

TEST_F(LocalAgentTest, RefusesATrialSpecWithoutStorageKeys) {
    auto platform = make_agent_platform(agent_config());
    const TrialSpec spec{"nostore", 0, parameters_for("nostore"), json{{"attempt", 0}}.dump()};
    try {
        platform->submit(spec);
        ADD_FAILURE() << "submitted without trialDir";
    } catch (const PluginError& e) {
        EXPECT_THAT(e.what(), HasSubstr("useTrialAgent needs a storage section"));
        EXPECT_THAT(e.what(), HasSubstr("trialDir"));
    }
    EXPECT_FALSE(fs::exists(trial_dir("nostore"))) << "a refused submit leaves nothing behind";
}

TEST_F(LocalAgentTest, RefusesAnExperimentWithoutStorage) {
    auto platform = make_agent_platform(agent_config(), nullptr, /*with_storage=*/false);
    publish_trial("t1", "");
    try {
        submit_agent(*platform, "t1");
        ADD_FAILURE() << "submitted without storage";
    } catch (const PluginError& e) {
        EXPECT_THAT(e.what(), HasSubstr("useTrialAgent needs a storage section"));
    }
}

TEST_F(LocalAgentTest, ConfigNeedsShareDirectory) {
    try {
        make_agent_platform(json{{"useTrialAgent", true}});
        ADD_FAILURE() << "created without shareDirectory";
    } catch (const std::exception& e) {
        EXPECT_THAT(e.what(), HasSubstr("shareDirectory"));
    }
}

TEST_F(LocalAgentTest, ShareDirectoryThatIsNotTheStorageIsReported) {
    const fs::path elsewhere = root_ / "elsewhere";
    fs::create_directories(elsewhere);
    auto platform = make_agent_platform(agent_config({{"shareDirectory", elsewhere.string()}}));
    publish_trial("t1", "");
    try {
        submit_agent(*platform, "t1");
        ADD_FAILURE() << "submitted with the wrong shareDirectory";
    } catch (const PluginError& e) {
        EXPECT_THAT(e.what(), HasSubstr("does not show the storage's files"));
    }
}

// The agent runs the command in a session of its own; a command that ignores the
// forwarded SIGTERM is still killed once the grace period is over.
TEST_F(LocalAgentTest, CancelKillsTheCommandOutsideTheAgentsGroup) {
    auto platform = make_agent_platform(agent_config({{"killGraceMs", 300}}));
    publish_trial("stubborn",
                  "trap '' TERM\necho $$ > \"$NNI_SYS_DIR/inner.pid.tmp\"\n"
                  "mv \"$NNI_SYS_DIR/inner.pid.tmp\" \"$NNI_SYS_DIR/inner.pid\"\n"
                  "while :; do sleep 0.05; done\n");
    submit_agent(*platform, "stubborn");
    ASSERT_TRUE(wait_for_file(share_trial("stubborn") / "inner.pid"));
    const pid_t inner =
        static_cast<pid_t>(std::stol(read_file(share_trial("stubborn") / "inner.pid")));
    ASSERT_FALSE(process_gone(inner));

    const auto before = std::chrono::steady_clock::now();
    platform->cancel("stubborn", TSH_CANCEL_USER);
    EXPECT_EQ(end_of(log_.wait_end("stubborn")).at("status"), "USER_CANCELED");
    // The agent exits as soon as its direct child died of the SIGTERM; the end must
    // still wait for the grace period and the SIGKILL of the orphaned command.
    EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
    EXPECT_TRUE(process_gone(inner)) << "the command outlived its cancelled trial";
}

// end_experiment after a host restart: trials no instance follows any more are
// still found on disk and killed, the agent's command included.
TEST_F(LocalAgentTest, EndExperimentKillsAnAbandonedAgentTrial) {
    auto first = make_agent_platform(agent_config({{"killGraceMs", 300}}));
    publish_trial("orphan",
                  "trap '' TERM\necho $$ > \"$NNI_SYS_DIR/inner.pid.tmp\"\n"
                  "mv \"$NNI_SYS_DIR/inner.pid.tmp\" \"$NNI_SYS_DIR/inner.pid\"\n"
                  "while :; do sleep 0.05; done\n");
    const pid_t pid = submit_agent(*first, "orphan").at("pid").get<pid_t>();
    ASSERT_TRUE(wait_for_file(share_trial("orphan") / "inner.pid"));
    const pid_t inner =
        static_cast<pid_t>(std::stol(read_file(share_trial("orphan") / "inner.pid")));
    first.reset();

    EventQueue second_queue;
    auto second = make_agent_platform(agent_config({{"killGraceMs", 300}}), &second_queue);
    ASSERT_TRUE(second->end_experiment());
    EXPECT_TRUE(process_gone(inner)) << "the command outlived the experiment";
    int status = 0;
    ::waitpid(pid, &status, 0);  // the wrapper was this process's child: reap it
    EXPECT_EQ(json::parse(second->list_trials())[0].at("status"), "SYS_CANCELED");
}

TEST_F(LocalAgentTest, NewInstanceAdoptsARunningAgentTrial) {
    auto first = make_agent_platform(agent_config());
    publish_trial("survivor",
                  "echo up > \"$NNI_SYS_DIR/up\"\n"
                  "i=0\n"
                  "while [ ! -e \"$NNI_SYS_DIR/go\" ] && [ $i -lt 1200 ]; do "
                  "sleep 0.05; i=$((i+1)); done\n"
                  "exit 4\n");
    const pid_t pid = submit_agent(*first, "survivor").at("pid").get<pid_t>();
    ASSERT_TRUE(wait_for_file(share_trial("survivor") / "up"));
    first.reset();  // the host "crashes": the trial keeps running
    EXPECT_EQ(::kill(pid, 0), 0);

    EventQueue second_queue;
    EventLog second_log(second_queue);
    auto second = make_agent_platform(agent_config(), &second_queue);
    const json listed = json::parse(second->list_trials());
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].at("status"), "RUNNING");
    second->adopt(TrialSpec{"survivor", 5, parameters_for("survivor"),
                            agent_spec("survivor", json::object()).dump()});
    std::ofstream(share_trial("survivor") / "go");
    const auto& events = second_log.wait_end("survivor");
    EXPECT_EQ(end_of(events).at("status"), "FAILED");
    EXPECT_EQ(end_of(events).at("exitCode"), 4);
    EXPECT_TRUE(payloads(events, TSH_EVENT_TRIAL_METRIC).empty());
    int status = 0;
    ::waitpid(pid, &status, 0);  // our child (the first instance spawned it): reap it
}

#else

TEST(LocalAgent, NeedsTheNfsPlugin) {
    GTEST_SKIP() << "the nfs plugin is not part of this build";
}

#endif

}  // namespace
}  // namespace local_test
