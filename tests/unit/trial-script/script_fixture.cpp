#include "script_fixture.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace trial_test {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

RunResult run_process(const std::vector<std::string>& argv,
                      const std::vector<std::pair<std::string, std::string>>& env,
                      const fs::path& cwd, const std::string& program) {
    const fs::path err_file = cwd / ".stderr-capture";
    const fs::path out_file = cwd / ".stdout-capture";
    std::vector<std::string> args = argv;
    std::vector<std::string> vars;
    for (const auto& [name, value] : env) {
        vars.push_back(name + "=" + value);
    }
    std::vector<char*> c_args;
    for (std::string& a : args) {
        c_args.push_back(a.data());
    }
    c_args.push_back(nullptr);
    std::vector<char*> c_env;
    for (std::string& v : vars) {
        c_env.push_back(v.data());
    }
    c_env.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, program.empty() ? c_args[0] : program.c_str(), &actions,
                                 nullptr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    RunResult result;
    if (rc != 0) {
        ADD_FAILURE() << "cannot start " << argv[0];
        return result;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.stdout_text = read_file(out_file);
    result.stderr_text = read_file(err_file);
    fs::remove(out_file);
    fs::remove(err_file);
    return result;
}

std::map<std::string, std::string> parse_environ(const std::string& text) {
    std::map<std::string, std::string> vars;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\0', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string entry = text.substr(start, end - start);
        const size_t eq = entry.find('=');
        if (eq != std::string::npos) {
            vars[entry.substr(0, eq)] = entry.substr(eq + 1);
        }
        start = end + 1;
    }
    return vars;
}

namespace {

// A stand-in for python3. It records each argument in its own file (byte for byte,
// trailing newlines included), its initial environment and its working directory,
// then execs what follows "--", as the real agent runs the user's command.
constexpr const char* kStubPython = R"sh(#!/bin/sh
tsh_i=0
for tsh_a in "$@"; do
    tsh_i=$((tsh_i + 1))
    printf '%s' "$tsh_a" > "$TSH_TEST_OUT/arg.$tsh_i"
done
printf '%s' "$tsh_i" > "$TSH_TEST_OUT/argc"
cat "/proc/$$/environ" > "$TSH_TEST_OUT/environ"
pwd > "$TSH_TEST_OUT/cwd"
while [ "$#" -gt 0 ]; do
    tsh_a=$1
    shift
    if [ "$tsh_a" = "--" ]; then
        break
    fi
done
exec "$@"
)sh";

// A fixed, fake content hash: materialize_code.sh uses it only as a blob name.
std::string fake_sha(char c) {
    return std::string(64, c);
}

}  // namespace

void ScriptTest::SetUp() {
    std::string pattern = (fs::temp_directory_path() / "tshost-trialscript-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    // A share root whose own name would run commands if it were ever unquoted.
    mount_ = root_ / "share 'q' \"d\" $(touch PWNED-mount) `touch PWNED-bt` \n;x";
    bin_ = root_ / "bin";
    out_ = root_ / "out";
    tmp_ = root_ / "tmp";
    fs::create_directories(mount_);
    fs::create_directories(bin_);
    fs::create_directories(out_);
    fs::create_directories(tmp_);

    write_file(bin_ / "python3", kStubPython);
    fs::permissions(bin_ / "python3", fs::perms::owner_all);

    const fs::path kit = mount_ / "nni/exp1/.tshost/kit";
    write_file(kit / "materialize_code.sh", read_file(TSHOST_MATERIALIZE_SH));
    write_file(kit / "tshost_agent.py", "# never run: python3 is a stand-in in these tests\n");

    // Two code files in the content-addressed store, and their manifest.
    const std::string train = "print('train')\n";
    const std::string util = "x = 1\n";
    write_file(mount_ / "nni/.cas" / fake_sha('a').substr(0, 2) / fake_sha('a'), train);
    write_file(mount_ / "nni/.cas" / fake_sha('b').substr(0, 2) / fake_sha('b'), util);
    write_file(mount_ / "nni/exp1/code.manifest",
               fake_sha('a') + " 644 " + std::to_string(train.size()) + " train.py\n" +
                   fake_sha('b') + " 644 " + std::to_string(util.size()) + " pkg/util.py\n");

    trial_dir_rel_ = "nni/exp1/Tr1";
    fs::create_directories(mount_ / trial_dir_rel_);
}

void ScriptTest::TearDown() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

tshost::trial::RunScriptSpec ScriptTest::base_spec() const {
    tshost::trial::RunScriptSpec spec;
    spec.platform = "local";
    spec.experiment_id = "exp1";
    spec.trial_id = "Tr1";
    spec.sequence_id = 7;
    spec.mount_root = mount_.string();
    spec.trial_dir = trial_dir_rel_;
    spec.kit_dir = "nni/exp1/.tshost/kit";
    spec.code_manifest = "nni/exp1/code.manifest";
    spec.cas_dir = "nni/.cas";
    spec.role = "local";
    spec.primary_replica = "local-0";
    spec.command = "true";
    return spec;
}

RunResult ScriptTest::run(const tshost::trial::RunScriptSpec& spec,
                          std::vector<std::pair<std::string, std::string>> extra_env) {
    const fs::path script = mount_ / trial_dir_rel_ / tshost::trial::run_script_name(spec.role);
    write_file(script, tshost::trial::render_run_script(spec));
    std::vector<std::pair<std::string, std::string>> env{{"PATH", bin_.string() + ":/usr/bin:/bin"},
                                                         {"TMPDIR", tmp_.string()},
                                                         {"TSH_TEST_OUT", out_.string()}};
    for (auto& var : extra_env) {
        env.push_back(std::move(var));
    }
    return run_process({"/bin/sh", script.string()}, env, root_);
}

std::vector<std::string> ScriptTest::agent_argv() const {
    std::vector<std::string> argv;
    const std::string count = read_file(out_ / "argc");
    const int n = count.empty() ? 0 : std::stoi(count);
    for (int i = 1; i <= n; ++i) {
        argv.push_back(read_file(out_ / ("arg." + std::to_string(i))));
    }
    return argv;
}

std::map<std::string, std::string> ScriptTest::agent_env() const {
    return parse_environ(read_file(out_ / "environ"));
}

std::vector<std::string> ScriptTest::pwned_files() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(root_)) {
        if (entry.path().filename().string().starts_with("PWNED")) {
            found.push_back(entry.path().string());
        }
    }
    return found;
}

}  // namespace trial_test
