#include "tshost_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

pid_t start_tshost(const std::vector<std::string>& args, const std::string& log_file) {
    std::vector<std::string> full{TSHOST_BINARY, "--plugin-dir", TSHOST_PLUGIN_DIR};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

int wait_process(pid_t pid, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return -SIGKILL;
        }
        // No event exists for "a child exited" that we could block on with a
        // deadline, so poll at a short interval.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TshostRun run_tshost(const std::vector<std::string>& args, int timeout_s) {
    char path[] = "/tmp/tshost-run-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    TshostRun run;
    run.exit_code = wait_process(start_tshost(args, path), timeout_s);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    run.output = text.str();
    std::remove(path);
    return run;
}

uint16_t wait_for_portal_port(const std::string& log_file, int timeout_s) {
    const std::regex url(R"(Web portal: http://127\.0\.0\.1:([0-9]+)/)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (true) {
        std::ifstream in(log_file);
        std::stringstream text;
        text << in.rdbuf();
        const std::string log = text.str();
        std::smatch match;
        if (std::regex_search(log, match, url)) {
            return static_cast<uint16_t>(std::stoi(match[1]));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return 0;
        }
        // The log is a plain file: nothing to block on, so poll it at a short interval.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}
