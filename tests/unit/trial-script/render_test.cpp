// shell_quote and the renderer's checks, without running the script (exec_test.cpp
// does that).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "script_fixture.hpp"
#include "tshost/trial/run_script.hpp"

namespace trial_test {
namespace {

using tshost::trial::render_run_script;
using tshost::trial::RunScriptSpec;
using tshost::trial::shell_quote;

// Values a config could hold that would break out of naive quoting.
const std::vector<std::string>& hostile_values() {
    static const std::vector<std::string> values{"",
                                                 "plain",
                                                 "it's",
                                                 "''",
                                                 "'; touch PWNED-semi; '",
                                                 "$(touch PWNED-sub)",
                                                 "`touch PWNED-bt`",
                                                 "${HOME:-x} $HOME \\$HOME",
                                                 "line1\nline2\n",
                                                 "\"double\" \\ back\\slash",
                                                 "*?[a] ~ & | ; < > ( ) { } # !",
                                                 "-n",
                                                 "tab\there",
                                                 "unicod\xc3\xa9 \xe2\x9c\x93",
                                                 "\x01\x7f\xff raw bytes"};
    return values;
}

TEST(ShellQuote, WrapsInSingleQuotesAndEscapesQuotes) {
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("abc"), "'abc'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote("$(x)`y`\n"), "'$(x)`y`\n'");
}

// What dash makes of each quoted word is the value itself, byte for byte.
TEST(ShellQuote, DashReadsBackEveryValueExactly) {
    const fs::path dir = fs::temp_directory_path();
    for (const std::string& value : hostile_values()) {
        const RunResult result = run_process({"/bin/sh", "-c", "printf '%s' " + shell_quote(value)},
                                             {{"PATH", "/usr/bin:/bin"}}, dir);
        EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
        EXPECT_EQ(result.stdout_text, value);
    }
}

RunScriptSpec valid_spec() {
    RunScriptSpec spec;
    spec.platform = "frameworkcontroller";
    spec.experiment_id = "exp1";
    spec.trial_id = "tr1";
    spec.sequence_id = 3;
    spec.mount_root = "/tmp/mount";
    spec.trial_dir = "nni/exp1/tr1";
    spec.kit_dir = "nni/exp1/.tshost/kit";
    spec.code_manifest = "nni/exp1/code.manifest";
    spec.cas_dir = "nni/.cas";
    spec.role = "worker";
    spec.primary_replica = "worker-0";
    spec.command = "python3 train.py";
    return spec;
}

void expect_refused(const RunScriptSpec& spec, const std::string& mentions) {
    try {
        render_run_script(spec);
        ADD_FAILURE() << "rendered although " << mentions << " is bad";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
    }
}

TEST(RenderRunScript, AcceptsAValidSpec) {
    const std::string script = render_run_script(valid_spec());
    EXPECT_TRUE(script.starts_with("#!/bin/sh\n"));
    EXPECT_NE(script.find("\nset -eu\n"), std::string::npos);
}

TEST(RenderRunScript, RefusesBadNamesAndPaths) {
    auto with = [](auto change) {
        RunScriptSpec spec = valid_spec();
        change(spec);
        return spec;
    };
    expect_refused(with([](RunScriptSpec& s) { s.role = "wor ker"; }), "role");
    expect_refused(with([](RunScriptSpec& s) { s.role = "../x"; }), "role");
    expect_refused(with([](RunScriptSpec& s) { s.role = ""; }), "role");
    expect_refused(with([](RunScriptSpec& s) { s.primary_replica = "w'0"; }), "primary_replica");
    expect_refused(with([](RunScriptSpec& s) { s.platform = "local;x"; }), "platform");
    expect_refused(with([](RunScriptSpec& s) { s.trial_id = ""; }), "trial_id");
    expect_refused(with([](RunScriptSpec& s) { s.trial_id = "a\nb"; }), "trial_id");
    expect_refused(with([](RunScriptSpec& s) { s.experiment_id = ""; }), "experiment_id");
    expect_refused(with([](RunScriptSpec& s) { s.mount_root = "tmp/mount"; }), "mount_root");
    expect_refused(with([](RunScriptSpec& s) { s.trial_dir = "/nni/exp1/tr1"; }), "trial_dir");
    expect_refused(with([](RunScriptSpec& s) { s.trial_dir = "nni/../../etc"; }), "trial_dir");
    expect_refused(with([](RunScriptSpec& s) { s.kit_dir = "nni//kit"; }), "kit_dir");
    expect_refused(with([](RunScriptSpec& s) { s.cas_dir = "nni/.cas/"; }), "cas_dir");
    expect_refused(with([](RunScriptSpec& s) { s.code_manifest = ""; }), "code_manifest");
    expect_refused(with([](RunScriptSpec& s) { s.code_dir = "relative/dir"; }), "code_dir");
    expect_refused(with([](RunScriptSpec& s) { s.command = ""; }), "command");
    expect_refused(with([](RunScriptSpec& s) { s.command = std::string("a\0b", 3); }), "command");
    expect_refused(with([](RunScriptSpec& s) { s.sequence_id = -1; }), "sequence_id");
    expect_refused(with([](RunScriptSpec& s) { s.gpu_number = -1; }), "gpu_number");
}

TEST(RenderRunScript, RefusesBadOrReservedEnvironmentNames) {
    auto with_env = [](std::string name, bool local = false, int64_t gpus = 0) {
        RunScriptSpec spec = valid_spec();
        spec.env = {{std::move(name), "v"}};
        spec.gpu_number = gpus;
        if (local) {
            spec.platform = "local";
        }
        return spec;
    };
    expect_refused(with_env("fb_port"), "env");
    expect_refused(with_env("1X"), "env");
    expect_refused(with_env("A-B"), "env");
    expect_refused(with_env("X=Y"), "env");
    expect_refused(with_env("A;touch PWNED"), "env");
    expect_refused(with_env(""), "env");
    expect_refused(with_env("NNI_SYS_DIR"), "NNI_SYS_DIR");
    expect_refused(with_env("NNI_OUTPUT_DIR"), "NNI_OUTPUT_DIR");
    expect_refused(with_env("CUDA_VISIBLE_DEVICES"), "CUDA_VISIBLE_DEVICES");
    expect_refused(with_env("REUSE_MODE", /*local=*/true), "REUSE_MODE");
    expect_refused(with_env("TSHOST_METRICS_TOKEN"), "secret");
    expect_refused(with_env("TSHOST_METRICS_URL"), "secret");
    // With GPUs the platform chooses the devices (the local plugin does).
    EXPECT_NO_THROW(render_run_script(with_env("CUDA_VISIBLE_DEVICES", false, 2)));
    EXPECT_NO_THROW(render_run_script(with_env("FB_WORKER_PORT")));
    EXPECT_NO_THROW(render_run_script(with_env("_X9")));
}

TEST(RenderRunScript, HidesGpusOnlyWhenTheRoleHasNone) {
    RunScriptSpec spec = valid_spec();
    EXPECT_NE(render_run_script(spec).find("export CUDA_VISIBLE_DEVICES=''\n"), std::string::npos);
    spec.gpu_number = 1;
    EXPECT_EQ(render_run_script(spec).find("CUDA_VISIBLE_DEVICES"), std::string::npos);
}

TEST(RenderRunScript, SelectsNnisStdoutChannelOnlyForLocal) {
    RunScriptSpec spec = valid_spec();
    EXPECT_EQ(render_run_script(spec).find("REUSE_MODE"), std::string::npos);
    spec.platform = "local";
    EXPECT_NE(render_run_script(spec).find("export REUSE_MODE='true'\n"), std::string::npos);
}

TEST(RenderRunScript, ScriptNameFollowsTheRole) {
    EXPECT_EQ(tshost::trial::run_script_name("worker"), "run_worker.sh");
    EXPECT_THROW(tshost::trial::run_script_name("a/b"), std::invalid_argument);
}

}  // namespace
}  // namespace trial_test
