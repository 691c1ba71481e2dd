// What a trial process gets: NNI's environment, its working directory, its
// parameter file and where its output goes.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "local_fixture.hpp"

namespace local_test {
namespace {

class LocalEnvironmentTest : public LocalPlatformTest {};

// Dumps every NNI-related variable and the working directory to env.json.
constexpr const char* kDumpEnvironment = R"(python3 - <<'PY'
import json, os
names = ("NNI_", "MULTI_PHASE", "REUSE_MODE", "CUDA_VISIBLE_DEVICES")
env = {k: v for k, v in os.environ.items() if k.startswith(names)}
with open(os.path.join(os.environ["NNI_SYS_DIR"], "env.json"), "w") as f:
    json.dump({"env": env, "cwd": os.getcwd()}, f)
PY
)";

TEST_F(LocalEnvironmentTest, ExportsNnisEnvironmentExactly) {
    // Leftovers in the host's environment must not steer NNI's SDK off the file channel.
    ::setenv("NNI_TRIAL_COMMAND_CHANNEL", "http://localhost:1/env/x/y", 1);
    ::setenv("REUSE_MODE", "true", 1);
    ::setenv("NNI_EXP_ID", "stale", 1);
    auto platform = make_platform();
    write_trial("envt", kDumpEnvironment);
    submit(*platform, "envt", 0, 7);
    ::unsetenv("NNI_TRIAL_COMMAND_CHANNEL");
    ::unsetenv("REUSE_MODE");
    ::unsetenv("NNI_EXP_ID");
    ASSERT_EQ(end_of(log_.wait_end("envt")).at("status"), "SUCCEEDED");

    const json seen = json::parse(read_file(trial_dir("envt") / "env.json"));
    const std::string dir = trial_dir("envt").string();
    const json expected{{"NNI_PLATFORM", "local"},    {"NNI_EXP_ID", "exp1"},
                        {"NNI_TRIAL_JOB_ID", "envt"}, {"NNI_SYS_DIR", dir},
                        {"NNI_OUTPUT_DIR", dir},      {"NNI_TRIAL_SEQ_ID", "7"},
                        {"MULTI_PHASE", "false"},     {"NNI_CODE_DIR", code_dir_.string()},
                        {"CUDA_VISIBLE_DEVICES", ""}};
    EXPECT_EQ(seen.at("env"), expected);
    EXPECT_EQ(fs::canonical(seen.at("cwd").get<std::string>()), fs::canonical(code_dir_));
}

TEST_F(LocalEnvironmentTest, GpusAreHandedOutRoundRobin) {
    auto platform =
        make_platform(json{{"gpuIndices", {0, 1, 2}}}, nullptr, json{{"trialGpuNumber", 2}});
    for (const std::string id : {"g1", "g2"}) {
        write_trial(id, "printf '%s' \"$CUDA_VISIBLE_DEVICES\" > \"$NNI_SYS_DIR/gpus\"\n");
        submit(*platform, id);
        log_.wait_end(id);
    }
    EXPECT_EQ(read_file(trial_dir("g1") / "gpus"), "0,1");
    EXPECT_EQ(read_file(trial_dir("g2") / "gpus"), "2,0");
}

TEST_F(LocalEnvironmentTest, ParameterFileAndMetricsFileExistBeforeTheTrialStarts) {
    auto platform = make_platform();
    write_trial("params", R"(cp "$NNI_SYS_DIR/parameter.cfg" "$NNI_SYS_DIR/seen.cfg"
test -f "$NNI_SYS_DIR/.nni/metrics" && ! test -s "$NNI_SYS_DIR/.nni/metrics" || exit 9
echo to-stdout
echo to-stderr >&2
)");
    submit(*platform, "params");
    EXPECT_EQ(end_of(log_.wait_end("params")).at("status"), "SUCCEEDED");
    EXPECT_EQ(read_file(trial_dir("params") / "seen.cfg"), parameters_for("params"));
    EXPECT_EQ(read_file(trial_dir("params") / "parameter.cfg"), parameters_for("params"));
    EXPECT_EQ(read_file(trial_dir("params") / "stdout"), "to-stdout\n");
    EXPECT_EQ(read_file(trial_dir("params") / "stderr"), "to-stderr\n");
}

TEST_F(LocalEnvironmentTest, CommandIsNotReQuotedByThePlatform) {
    // Quotes, $ and ; in the command reach /bin/sh -c untouched.
    auto platform = make_platform(
        json{{"trialCommand", R"(printf '%s|' "a b" '$HOME' ";x" > "$NNI_SYS_DIR/args")"}});
    submit(*platform, "quoting");
    EXPECT_EQ(end_of(log_.wait_end("quoting")).at("status"), "SUCCEEDED");
    EXPECT_EQ(read_file(trial_dir("quoting") / "args"), "a b|$HOME|;x|");
}

}  // namespace
}  // namespace local_test
