// Every variant of the run script passes `shellcheck -s sh` with no finding at all
// (info and style included). Skips only when shellcheck is not installed
// (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "script_fixture.hpp"
#include "tshost/trial/run_script.hpp"

namespace trial_test {
namespace {

using tshost::trial::RunScriptSpec;

std::string find_shellcheck() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t colon = std::min(dirs.find(':', start), dirs.size());
        const fs::path candidate = fs::path(dirs.substr(start, colon - start)) / "shellcheck";
        if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        start = colon + 1;
    }
    return {};
}

std::vector<std::pair<std::string, RunScriptSpec>> variants() {
    RunScriptSpec base;
    base.platform = "kubeflow";
    base.experiment_id = "exp1";
    base.trial_id = "tr1";
    base.sequence_id = 12;
    base.mount_root = "/tmp/mount";
    base.trial_dir = "nni/exp1/tr1.attempt-2";
    base.kit_dir = "nni/exp1/.tshost/kit";
    base.code_manifest = "nni/exp1/code.manifest";
    base.cas_dir = "nni/.cas";
    base.role = "worker";
    base.primary_replica = "worker-0";
    base.command = "python3 train.py --lr 0.1";

    std::vector<std::pair<std::string, RunScriptSpec>> out;
    out.emplace_back("kubeflow-worker", base);

    RunScriptSpec gpus = base;
    gpus.role = "ps";
    gpus.gpu_number = 2;
    out.emplace_back("kubeflow-ps-gpus", gpus);

    RunScriptSpec fc = base;
    fc.platform = "frameworkcontroller";
    fc.role = "trainer";
    fc.primary_replica = "trainer-0";
    fc.env = {{"FB_TRAINER_PORT", "4000"}, {"FB_PS_PORT", "4001"}};
    fc.before_command = ". /mnt/frameworkbarrier/injector.sh";
    out.emplace_back("frameworkcontroller-barrier", fc);

    RunScriptSpec local = base;
    local.platform = "local";
    local.role = "local";
    local.primary_replica = "local-0";
    local.mount_root = "/srv/share/";
    local.code_dir = "/var/lib/tshost/trials/tr1/code";
    local.gpu_number = 1;
    local.env = {{"CUDA_VISIBLE_DEVICES", "3"}};
    out.emplace_back("local-gpu", local);

    RunScriptSpec hostile = fc;
    hostile.experiment_id = "e'x $(id) `id` \"q\" \\";
    hostile.trial_id = hostile.experiment_id;
    hostile.trial_dir = "nni/e'x $(id)/t `id`";
    hostile.mount_root = "/mnt/it's $HOME";
    hostile.command = "echo \"$FB_PS_ADDRESSES\" '; rm -rf /;' $(date) `date`\nexit 1\n";
    hostile.env = {{"X", "a'b\n$(id)"}, {"EMPTY", ""}};
    out.emplace_back("hostile", hostile);
    return out;
}

TEST(Shellcheck, EveryVariantIsClean) {
    const std::string shellcheck = find_shellcheck();
    if (shellcheck.empty()) {
        GTEST_SKIP() << "shellcheck is not installed (scripts/install-deps.sh installs it)";
    }
    std::string pattern = (fs::temp_directory_path() / "tshost-shellcheck-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    const fs::path dir = pattern;
    for (const auto& [name, spec] : variants()) {
        const fs::path file = dir / (name + ".sh");
        write_file(file, tshost::trial::render_run_script(spec));
        const RunResult result =
            run_process({shellcheck, "-s", "sh", file.string()}, {{"PATH", "/usr/bin:/bin"}}, dir);
        EXPECT_EQ(result.exit_code, 0) << name << ":\n"
                                       << result.stdout_text << result.stderr_text << "\n"
                                       << read_file(file);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace trial_test
