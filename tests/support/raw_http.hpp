// A minimal HTTP/1.1 client over plain blocking sockets, for tests and benchmarks that
// need full control of the bytes sent (half headers, garbage, stalls, keep-alive floods)
// and cheap requests. Header-only; 127.0.0.1 only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tshost::test {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;

    /// The value of a header (name in lowercase), or "" when absent.
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One client connection. Reads use poll() with a deadline, so a test never hangs.
class RawConnection {
  public:
    explicit RawConnection(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        }
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            const int err = errno;
            ::close(fd_);
            throw std::runtime_error(std::string("connect: ") + std::strerror(err));
        }
    }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    RawConnection(RawConnection&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}
    ~RawConnection() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    int fd() const { return fd_; }

    /// Sends everything; false when the peer closed or reset.
    bool send_all(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    /// The next response, or nullopt when the connection closed (or the deadline passed)
    /// before a complete one arrived. Bodies need Content-Length (the server always sends it).
    std::optional<HttpResponse> read_response(
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        size_t header_end;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill(deadline)) {
                return std::nullopt;
            }
        }
        HttpResponse response;
        const std::string_view head(buffer_.data(), header_end);
        const auto line_end = head.find("\r\n");
        const std::string_view status_line = head.substr(0, line_end);
        if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
            return std::nullopt;
        }
        response.status = std::stoi(std::string(status_line.substr(9, 3)));
        size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
            auto next = head.find("\r\n", pos);
            if (next == std::string_view::npos) {
                next = head.size();
            }
            const auto line = head.substr(pos, next - pos);
            const auto colon = line.find(':');
            if (colon != std::string_view::npos) {
                std::string name(line.substr(0, colon));
                for (auto& c : name) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                auto value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') {
                    value.remove_prefix(1);
                }
                response.headers[name] = std::string(value);
            }
            pos = next + 2;
        }
        size_t length = 0;
        if (const auto it = response.headers.find("content-length"); it != response.headers.end()) {
            length = std::stoul(it->second);
        }
        const size_t total = header_end + 4 + length;
        while (buffer_.size() < total) {
            if (!fill(deadline)) {
                return std::nullopt;
            }
        }
        response.body = buffer_.substr(header_end + 4, length);
        buffer_.erase(0, total);
        return response;
    }

    /// Reads until `done(everything received so far)` holds (for streamed responses such as
    /// Server-Sent Events); false at EOF or the deadline.
    template <class Done>
    bool read_until(Done done, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done(std::string_view(buffer_))) {
            if (!fill(deadline)) {
                return false;
            }
        }
        return true;
    }

    /// Everything received and not yet consumed by read_response().
    const std::string& received() const { return buffer_; }

    /// Waits until the server closes the connection (EOF or reset), discarding what it
    /// sends; false when it is still open at the deadline.
    bool wait_closed(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (!readable(deadline)) {
                return false;
            }
            char scratch[4096];
            const ssize_t n = ::recv(fd_, scratch, sizeof scratch, 0);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                return true;
            }
        }
    }

  private:
    // Waits until the socket has something to read (or EOF); false at the deadline.
    bool readable(std::chrono::steady_clock::time_point deadline) const {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return false;
            }
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) {
                continue;
            }
            return ready > 0;
        }
    }

    // Appends what arrives before the deadline; false on EOF, error or timeout.
    bool fill(std::chrono::steady_clock::time_point deadline) {
        for (;;) {
            if (!readable(deadline)) {
                return false;
            }
            char chunk[65536];
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return false;
            }
            buffer_.append(chunk, static_cast<size_t>(n));
            return true;
        }
    }

    int fd_ = -1;
    std::string buffer_;
};

/// One request on a new connection ("Connection: close"); `headers` are extra header lines,
/// each ending in "\r\n". nullopt when no complete response arrived within 30 s.
inline std::optional<HttpResponse> http_request(uint16_t port, std::string_view method,
                                                std::string_view target, std::string_view body = {},
                                                std::string_view headers = {}) {
    RawConnection connection(port);
    std::string request;
    request += method;
    request += ' ';
    request += target;
    request += " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    request += headers;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request +=
            "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
    }
    request += "\r\n";
    request += body;
    if (!connection.send_all(request)) {
        return std::nullopt;
    }
    return connection.read_response(std::chrono::seconds(30));
}

/// A metrics POST as the agent sends it.
inline std::string metrics_post(std::string_view trial_id, std::string_view token,
                                std::string_view body, bool keep_alive = true) {
    std::string request;
    request.reserve(body.size() + 256);
    request += "POST /tshost/v1/trials/";
    request += trial_id;
    request += "/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (!token.empty()) {
        request += "Authorization: Bearer ";
        request += token;
        request += "\r\n";
    }
    if (!keep_alive) {
        request += "Connection: close\r\n";
    }
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    request += body;
    return request;
}

}  // namespace tshost::test
