#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kubetest {
namespace {

constexpr int kPollMs = 20;
// No test conversation lasts longer than this; keeps every loop bounded.
constexpr auto kMaxConnectionLife = std::chrono::seconds(30);

std::string decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i] == '+' ? ' ' : s[i]);
        }
    }
    return out;
}

bool sendAll(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        off += static_cast<std::size_t>(n);
    }
    return true;
}

std::string reasonPhrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 404:
            return "Not Found";
        default:
            return "Status";
    }
}

}  // namespace

std::string TestRequest::param(const std::string& name) const {
    std::stringstream ss(query);
    std::string kv;
    while (std::getline(ss, kv, '&')) {
        auto eq = kv.find('=');
        if (decode(kv.substr(0, eq)) == name) {
            return eq == std::string::npos ? "" : decode(kv.substr(eq + 1));
        }
    }
    return "";
}

TestServer::TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
        throw std::runtime_error("test server: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { acceptLoop(); });
}

TestServer::~TestServer() {
    stopping_ = true;
    acceptor_.join();
    std::lock_guard lock(threads_mutex_);
    for (auto& t : workers_) {
        t.join();
    }
    ::close(listen_fd_);
}

void TestServer::acceptLoop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, kPollMs) <= 0) {
            continue;
        }
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        int id = ++connections_;
        std::lock_guard lock(threads_mutex_);
        workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
}

void TestServer::serve(int fd, int connection) {
    auto deadline = std::chrono::steady_clock::now() + kMaxConnectionLife;
    std::string buffer;
    char chunk[8192];
    // Returns false when the peer closed, the server stops or the deadline passes.
    auto readMore = [&]() {
        while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, kPollMs) <= 0) {
                continue;
            }
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                return false;
            }
            buffer.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
        return false;
    };
    bool open = true;
    while (open) {
        std::size_t header_end;
        while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
            if (!readMore()) {
                ::close(fd);
                return;
            }
        }
        TestRequest req;
        req.connection = connection;
        std::stringstream head(buffer.substr(0, header_end));
        std::string line;
        std::getline(head, line);
        std::stringstream first(line);
        first >> req.method >> req.target;
        auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
        while (std::getline(head, line)) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            auto colon = line.find(':');
            if (colon == std::string::npos) {
                continue;
            }
            std::string name = line.substr(0, colon);
            for (auto& c : name) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            std::size_t v = line.find_first_not_of(' ', colon + 1);
            req.headers[name] = v == std::string::npos ? "" : line.substr(v);
        }
        std::size_t length =
            req.headers.contains("content-length") ? std::stoul(req.headers["content-length"]) : 0;
        buffer.erase(0, header_end + 4);
        while (buffer.size() < length) {
            if (!readMore()) {
                ::close(fd);
                return;
            }
        }
        req.body = buffer.substr(0, length);
        buffer.erase(0, length);

        TestResponse resp = handler_(req);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(req);
        }
        cv_.notify_all();
        if (resp.drop) {
            break;
        }
        std::string out =
            "HTTP/1.1 " + std::to_string(resp.status) + " " + reasonPhrase(resp.status) + "\r\n";
        for (const auto& [k, v] : resp.headers) {
            out += k + ": " + v + "\r\n";
        }
        if (resp.stream) {
            out += "Transfer-Encoding: chunked\r\n\r\n";
            open = sendAll(fd, out);
            for (const auto& c : resp.chunks) {
                std::ostringstream size;
                size << std::hex << c.size();
                open = open && sendAll(fd, size.str() + "\r\n" + c + "\r\n");
            }
            if (resp.close_after) {
                break;
            }
            if (resp.hold_open) {
                // Until the client goes away (its read returns 0) or the server stops.
                while (readMore()) {
                }
                break;
            }
            open = open && sendAll(fd, "0\r\n\r\n");
        } else {
            out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n" + resp.body;
            open = sendAll(fd, out);
        }
    }
    ::close(fd);
}

std::vector<TestRequest> TestServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

bool TestServer::waitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

std::string writeFile(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kube-client-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

}  // namespace kubetest
