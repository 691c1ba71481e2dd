#include "emulator_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <curl/curl.h>

extern char** environ;

namespace kemu::test {
namespace {

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

void apply_tls(CURL* c, const TlsFiles& tls) {
    if (!tls.ca.empty()) {
        curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca.c_str());
    }
    if (!tls.cert.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key.c_str());
    }
}

std::string make_temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kemu-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return tmpl;
}

struct WatchState {
    std::string buffer;
    std::vector<json> events;
    const std::function<bool(const std::vector<json>&)>* done;
    bool finished = false;
};

std::size_t on_watch_data(char* data, std::size_t size, std::size_t n, void* p) {
    auto* st = static_cast<WatchState*>(p);
    st->buffer.append(data, size * n);
    std::size_t nl = 0;
    while ((nl = st->buffer.find('\n')) != std::string::npos) {
        st->events.push_back(json::parse(st->buffer.substr(0, nl), nullptr, false));
        st->buffer.erase(0, nl + 1);
        if ((*st->done)(st->events)) {
            st->finished = true;
            return 0;  // abort the transfer: we have what we waited for
        }
    }
    return size * n;
}

}  // namespace

Emulator::Emulator(std::vector<std::string> extra_args) {
    dir_ = make_temp_dir();
    kubeconfig_ = dir_ + "/kubeconfig";
    const int ino = inotify_init1(IN_CLOEXEC);
    inotify_add_watch(ino, dir_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
    std::vector<std::string> args = {KEMU_BINARY, "--listen",  "127.0.0.1:0", "--write-kubeconfig",
                                     kubeconfig_, "--workdir", dir_ + "/work"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    if (std::find(extra_args.begin(), extra_args.end(), "--tls") != extra_args.end()) {
        pki_dir_ = dir_ + "/pki";
        args.insert(args.end(), {"--write-pki", pki_dir_});
    }
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string log = dir_ + "/emulator.log";
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
        throw std::runtime_error("cannot start kube-emulator");
    }
    posix_spawn_file_actions_destroy(&fa);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!std::filesystem::exists(kubeconfig_)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            close(ino);
            throw std::runtime_error("kube-emulator did not become ready");
        }
        pollfd pfd{ino, POLLIN, 0};
        if (poll(&pfd, 1, static_cast<int>(left.count())) > 0) {
            std::array<char, 4096> buf{};
            [[maybe_unused]] const ssize_t r = read(ino, buf.data(), buf.size());
        }
    }
    close(ino);
    std::ifstream in(kubeconfig_);
    std::stringstream ss;
    ss << in.rdbuf();
    std::smatch m;
    const std::string text = ss.str();
    if (!std::regex_search(text, m, std::regex("server: (http[^\\s]+)"))) {
        throw std::runtime_error("no server in kubeconfig");
    }
    base_url_ = m[1];
}

Emulator::~Emulator() {
    if (pid_ > 0) {
        terminate();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string Emulator::log() const {
    std::ifstream in(dir_ + "/emulator.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int Emulator::terminate() {
    kill(pid_, SIGTERM);
    int status = 0;
    // Bounded wait for the exit (no event for another process's exit without pidfd).
    for (int i = 0; i < 1000; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
}

TlsFiles Emulator::client_tls() const {
    if (pki_dir_.empty()) {
        return {};
    }
    return {pki_dir_ + "/ca.crt", pki_dir_ + "/client.crt", pki_dir_ + "/client.key"};
}

HttpResult Emulator::request(const std::string& method, const std::string& path,
                             const std::string& body, const std::string& content_type) const {
    return request_with(client_tls(), method, path, body, content_type);
}

HttpResult Emulator::request_with(const TlsFiles& tls, const std::string& method,
                                  const std::string& path, const std::string& body,
                                  const std::string& content_type) const {
    return request_url(tls, method, base_url_ + path, body, content_type);
}

HttpResult request_url(const TlsFiles& tls, const std::string& method, const std::string& url,
                       const std::string& body, const std::string& content_type) {
    HttpResult r;
    CURL* c = curl_easy_init();
    apply_tls(c, tls);
    curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        r.error = curl_easy_strerror(rc);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return r;
}

std::vector<json> Emulator::watch(const std::string& path,
                                  const std::function<bool(const std::vector<json>&)>& done,
                                  std::chrono::milliseconds timeout) const {
    WatchState st;
    st.done = &done;
    CURL* c = curl_easy_init();
    apply_tls(c, client_tls());
    const std::string url = base_url_ + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_watch_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return st.events;
}

json Emulator::wait_for(const std::string& path, const std::function<bool(const json&)>& pred,
                        std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
        last = request("GET", path).json_body();
        if (!last.is_discarded() && pred(last)) {
            return last;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return last;
}

int Emulator::kubectl(const std::string& args, std::string& out) const {
    const std::string cmd =
        "KUBECONFIG=" + kubeconfig_ + " timeout 60 /usr/bin/kubectl " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return -1;
    }
    std::array<char, 4096> buf{};
    out.clear();
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
        out.append(buf.data(), n);
    }
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> nfs_root_args(const std::filesystem::path& root) {
    return {"--nfs-root", (root / "nfs").string()};
}

std::filesystem::path nfs_export_dir(const std::filesystem::path& root) {
    const std::filesystem::path share = root / "nfs" / "127.0.0.1" / "export";
    std::filesystem::create_directories(share);
    return share;
}

}  // namespace kemu::test
