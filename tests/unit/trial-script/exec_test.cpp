// Rendered scripts run by /bin/sh (dash) against a scratch share: NNI's environment
// arrives exactly, the code is materialized, the command reaches the agent (and
// then `sh -c`) byte for byte, and no config value runs anything.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "script_fixture.hpp"
#include "tshost/trial/run_script.hpp"

namespace trial_test {
namespace {

using tshost::trial::RunScriptSpec;

std::string strip_one_newline(std::string text) {
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

// Ids cannot hold line breaks (they are printed in logs); everything else goes.
const std::string kHostileId =
    "ex'p \"1\" $(touch PWNED-id) `touch PWNED-id2` '; touch PWNED-semi; ' \\ $HOME";
const std::string kHostileValue =
    "v'al\n$(touch PWNED-env)\n`touch PWNED-env2`\n'; rm -rf \"$TSH_TEST_OUT/canary\"; '\n";

// The user's command: quotes, substitutions, a comment with a quote in it, a
// multi-line body and the positional parameters, all of which must behave exactly
// as in `sh -c 'COMMAND'`.
const std::string kCommand =
    "printf '%s\\n' \"it's\" \"$(echo sub)\" \"`echo bt`\" \"$NNI_EXP_ID\" \"$HOSTILE\" \"$#\" "
    "\"$0\" > \"$TSH_TEST_OUT/cmd-out\" # a comment with ' in it\n"
    "pwd > \"$TSH_TEST_OUT/cmd-cwd\"\n"
    "echo '; rm -rf \"$TSH_TEST_OUT/canary\";' >> \"$TSH_TEST_OUT/cmd-out\"";

const std::string kCommandOutput = "it's\nsub\nbt\n" + kHostileId + "\n" + kHostileValue + "\n" +
                                   "0\nsh\n; rm -rf \"$TSH_TEST_OUT/canary\";\n";

TEST_F(ScriptTest, HostileValuesArriveByteForByteAndRunNothing) {
    write_file(out_ / "canary", "still here");
    trial_dir_rel_ = "nni/exp1/T'r $(touch PWNED-dir) `touch PWNED-dir2`";
    fs::create_directories(mount_ / trial_dir_rel_);

    RunScriptSpec spec = base_spec();
    spec.experiment_id = kHostileId;
    spec.trial_id = kHostileId;
    spec.trial_dir = trial_dir_rel_;
    spec.command = kCommand;
    spec.env = {{"FB_WORKER_PORT", "4000"}, {"HOSTILE", kHostileValue}};

    const RunResult result = run(spec);
    ASSERT_EQ(result.exit_code, 0) << result.stderr_text;

    const std::string kit = (mount_ / "nni/exp1/.tshost/kit").string();
    const std::vector<std::string> expected_argv{kit + "/tshost_agent.py",
                                                 "--role",
                                                 "local",
                                                 "--primary-replica",
                                                 "local-0",
                                                 "--",
                                                 "sh",
                                                 "-c",
                                                 kCommand};
    EXPECT_EQ(agent_argv(), expected_argv);

    const auto env = agent_env();
    const std::string code_dir =
        (tmp_ / "tshost-code" / ("T'r $(touch PWNED-dir) `touch PWNED-dir2`-local")).string();
    EXPECT_EQ(env.at("NNI_PLATFORM"), "local");
    EXPECT_EQ(env.at("NNI_SYS_DIR"), mount_.string() + "/" + trial_dir_rel_);
    EXPECT_EQ(env.at("NNI_TRIAL_JOB_ID"), kHostileId);
    EXPECT_EQ(env.at("NNI_EXP_ID"), kHostileId);
    EXPECT_EQ(env.at("NNI_CODE_DIR"), code_dir);
    EXPECT_EQ(env.at("NNI_TRIAL_SEQ_ID"), "7");
    EXPECT_EQ(env.at("MULTI_PHASE"), "false");
    EXPECT_EQ(env.at("CUDA_VISIBLE_DEVICES"), "");
    EXPECT_EQ(env.at("REUSE_MODE"), "true");
    EXPECT_EQ(env.at("FB_WORKER_PORT"), "4000");
    EXPECT_EQ(env.at("HOSTILE"), kHostileValue);
    EXPECT_EQ(env.count("NNI_OUTPUT_DIR"), 0U) << "the agent sets it per replica";
    // The script's own helper variables stay in the script.
    EXPECT_EQ(env.count("tsh_kit"), 0U);

    // The agent (and so the command) starts in the materialized code.
    EXPECT_EQ(strip_one_newline(read_file(out_ / "cwd")), code_dir);
    EXPECT_EQ(strip_one_newline(read_file(out_ / "cmd-cwd")), code_dir);
    EXPECT_EQ(read_file(fs::path(code_dir) / "train.py"), "print('train')\n");
    EXPECT_EQ(read_file(fs::path(code_dir) / "pkg/util.py"), "x = 1\n");

    EXPECT_EQ(read_file(out_ / "cmd-out"), kCommandOutput);
    EXPECT_TRUE(fs::exists(out_ / "canary"));
    EXPECT_EQ(pwned_files(), std::vector<std::string>{});
}

// The same command run directly by `sh -c` gives the same output: the script adds
// nothing to and takes nothing from it.
TEST_F(ScriptTest, CommandBehavesAsUnderPlainShDashC) {
    RunScriptSpec spec = base_spec();
    spec.command = kCommand;
    spec.experiment_id = kHostileId;
    spec.env = {{"HOSTILE", kHostileValue}};
    ASSERT_EQ(run(spec).exit_code, 0);
    const std::string via_script = read_file(out_ / "cmd-out");

    const fs::path direct_out = root_ / "direct";
    fs::create_directories(direct_out);
    const RunResult direct = run_process({"sh", "-c", kCommand},
                                         {{"PATH", "/usr/bin:/bin"},
                                          {"NNI_EXP_ID", kHostileId},
                                          {"HOSTILE", kHostileValue},
                                          {"TSH_TEST_OUT", direct_out.string()}},
                                         root_, "/bin/sh");
    ASSERT_EQ(direct.exit_code, 0) << direct.stderr_text;
    EXPECT_EQ(via_script, read_file(direct_out / "cmd-out"));
}

// FrameworkController: the barrier's injector is sourced in the command's own shell,
// so even variables it does not export are visible, and the command still sees no
// positional parameters and $0 = sh.
TEST_F(ScriptTest, BeforeCommandRunsInTheCommandsShell) {
    write_file(root_ / "injector.sh", "FB_WORKER_ADDRESSES=\"10.0.0.1:$FB_WORKER_PORT\"\n");
    RunScriptSpec spec = base_spec();
    spec.platform = "frameworkcontroller";
    spec.role = "worker";
    spec.primary_replica = "worker-0";
    spec.gpu_number = 1;
    spec.code_dir = (root_ / "code 'dir' $(touch PWNED-code)").string();
    spec.env = {{"FB_WORKER_PORT", "4000"}};
    spec.before_command = ". \"$TSH_TEST_INJECTOR\" # the barrier's variables";
    spec.command =
        "printf '%s|' \"$FB_WORKER_ADDRESSES\" \"$#\" \"$0\" \"it's $(echo ok)\" > "
        "\"$TSH_TEST_OUT/cmd-out\"";

    const RunResult result = run(spec, {{"TSH_TEST_INJECTOR", (root_ / "injector.sh").string()}});
    ASSERT_EQ(result.exit_code, 0) << result.stderr_text;
    EXPECT_EQ(read_file(out_ / "cmd-out"), "10.0.0.1:4000|0|sh|it's ok|");

    const std::vector<std::string> argv = agent_argv();
    ASSERT_GE(argv.size(), 9U);
    EXPECT_EQ(argv[2], "worker");
    EXPECT_EQ(argv[4], "worker-0");
    EXPECT_EQ(argv[5], "--");
    EXPECT_EQ(argv[6], "sh");
    EXPECT_EQ(argv[7], "-c");
    EXPECT_EQ(argv.back(), spec.command) << "the user's command is its own argument";

    const auto env = agent_env();
    EXPECT_EQ(env.at("NNI_PLATFORM"), "frameworkcontroller");
    EXPECT_EQ(env.at("NNI_CODE_DIR"), spec.code_dir);
    EXPECT_EQ(env.count("CUDA_VISIBLE_DEVICES"), 0U) << "a role with GPUs sees its devices";
    EXPECT_EQ(env.count("REUSE_MODE"), 0U);
    EXPECT_TRUE(fs::exists(fs::path(spec.code_dir) / "train.py"));
    EXPECT_EQ(pwned_files(), std::vector<std::string>{});
}

TEST_F(ScriptTest, ExitCodeOfTheCommandIsTheScripts) {
    RunScriptSpec spec = base_spec();
    spec.command = "exit 3";
    EXPECT_EQ(run(spec).exit_code, 3);
}

TEST_F(ScriptTest, MissingKitFailsWithItsOwnCode) {
    fs::remove(mount_ / "nni/exp1/.tshost/kit/tshost_agent.py");
    const RunResult result = run(base_spec());
    EXPECT_EQ(result.exit_code, tshost::trial::kExitKitMissing);
    EXPECT_NE(result.stderr_text.find("trial kit is missing"), std::string::npos)
        << result.stderr_text;
    EXPECT_FALSE(fs::exists(out_ / "argc")) << "the agent must not start";
}

TEST_F(ScriptTest, MissingBlobFailsWithItsOwnCode) {
    fs::remove_all(mount_ / "nni/.cas/bb");
    const RunResult result = run(base_spec());
    EXPECT_EQ(result.exit_code, tshost::trial::kExitCodeMaterializeFailed);
    EXPECT_NE(result.stderr_text.find("missing blob"), std::string::npos) << result.stderr_text;
    EXPECT_NE(result.stderr_text.find("cannot materialize"), std::string::npos)
        << result.stderr_text;
    EXPECT_FALSE(fs::exists(out_ / "argc"));
}

TEST_F(ScriptTest, MissingManifestFailsWithItsOwnCode) {
    fs::remove(mount_ / "nni/exp1/code.manifest");
    const RunResult result = run(base_spec());
    EXPECT_EQ(result.exit_code, tshost::trial::kExitCodeMaterializeFailed);
    EXPECT_NE(result.stderr_text.find("cannot read manifest"), std::string::npos)
        << result.stderr_text;
}

TEST_F(ScriptTest, MissingPythonFailsWithItsOwnCode) {
    // A PATH with what materialize_code.sh needs, and no python3.
    const fs::path tools = root_ / "tools";
    fs::create_directories(tools);
    for (const char* tool : {"cp", "mkdir", "wc", "chmod"}) {
        fs::path target = fs::path("/usr/bin") / tool;
        if (!fs::exists(target)) {
            target = fs::path("/bin") / tool;
        }
        fs::create_symlink(target, tools / tool);
    }
    const fs::path script = mount_ / trial_dir_rel_ / "run_local.sh";
    write_file(script, tshost::trial::render_run_script(base_spec()));
    const RunResult result = run_process(
        {"/bin/sh", script.string()},
        {{"PATH", tools.string()}, {"TMPDIR", tmp_.string()}, {"TSH_TEST_OUT", out_.string()}},
        root_);
    EXPECT_EQ(result.exit_code, tshost::trial::kExitNoPython);
    EXPECT_NE(result.stderr_text.find("python3"), std::string::npos) << result.stderr_text;
}

}  // namespace
}  // namespace trial_test
