#pragma once

// A scripted HTTP/1.1 server on 127.0.0.1 (ephemeral port) for request-level client tests:
// keep-alive, chunked streaming, dropped connections and held-open watch streams.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kubetest {

struct TestRequest {
    std::string method;
    std::string target;  // path + query
    std::string path;
    std::string query;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    int connection = 0;  // which TCP connection carried it (1-based)

    // Decoded value of one query parameter, or "" if absent.
    std::string param(const std::string& name) const;
};

struct TestResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Streaming: chunked transfer encoding, one HTTP chunk per element.
    bool stream = false;
    std::vector<std::string> chunks;
    bool hold_open = false;    // after the chunks, keep the stream open until the client leaves
    bool drop = false;         // close the connection without answering
    bool close_after = false;  // end a stream by closing the socket mid-response (no final chunk)

    static TestResponse json(int status, const std::string& body) {
        TestResponse r;
        r.status = status;
        r.body = body;
        r.headers.emplace_back("Content-Type", "application/json");
        return r;
    }
};

class TestServer {
  public:
    using Handler = std::function<TestResponse(const TestRequest&)>;

    explicit TestServer(Handler handler);
    ~TestServer();

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<TestRequest> requests() const;
    int connections() const { return connections_.load(); }
    // Waits (bounded) until at least n requests arrived.
    bool waitForRequests(std::size_t n, std::chrono::milliseconds timeout) const;

  private:
    void acceptLoop();
    void serve(int fd, int connection);

    Handler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::thread acceptor_;
    std::mutex threads_mutex_;
    std::vector<std::thread> workers_;
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    std::vector<TestRequest> requests_;
};

// Writes a file (creating parents); returns its path.
std::string writeFile(const std::string& path, const std::string& content);
// A fresh temporary directory, removed with the object.
struct TempDir {
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
    std::string path;
};

}  // namespace kubetest
