#include "emulator.hpp"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace azure_test {
namespace {

size_t append(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

// Reads the first line the child prints, waiting at most `timeout` in total.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("the Azure Files emulator did not report its port in time");
        }
        char buf[64];
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            throw std::runtime_error("the Azure Files emulator exited before reporting its port");
        }
        line.append(buf, static_cast<size_t>(n));
    }
    return line.substr(0, line.find('\n'));
}

}  // namespace

Emulator::Emulator(EmulatorOptions options) : options_(std::move(options)) {
    char dir[] = "/tmp/azure-emulator-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    root_ = dir;
    int out[2];
    if (pipe(out) != 0) {
        throw std::runtime_error("pipe failed");
    }
    std::vector<std::string> args{
        AZURE_EMULATOR_PATH, "--root",         root_.string(),
        "--account",         options_.account, "--key",
        options_.key_b64,    "--page-size",    std::to_string(options_.page_size)};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
        close(out[0]);
        throw std::runtime_error("cannot start " + args[0]);
    }
    try {
        port_ = std::stoi(read_line(out[0], std::chrono::seconds(20)));
    } catch (...) {
        close(out[0]);
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        throw;
    }
    close(out[0]);
}

Emulator::~Emulator() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
}

std::string Emulator::endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + options_.account;
}

std::filesystem::path Emulator::share_dir(const std::string& share) const {
    return root_ / share;
}

std::string Emulator::control(const std::string& method, const std::string& path) const {
    CURL* curl = curl_easy_init();
    std::string body;
    const std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) {
        throw std::runtime_error("emulator control request failed: " +
                                 std::string(curl_easy_strerror(code)));
    }
    return body;
}

void Emulator::inject(int status, int count, int retry_after_s) const {
    control("POST", "/_control/faults?status=" + std::to_string(status) + "&count=" +
                        std::to_string(count) + "&retryAfter=" + std::to_string(retry_after_s));
}

nlohmann::json Emulator::stats() const {
    return nlohmann::json::parse(control("GET", "/_control/stats"));
}

}  // namespace azure_test
