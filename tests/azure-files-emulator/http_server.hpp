// HTTP/1.1 with keep-alive on Boost.Beast. The acceptor runs on the calling
// thread; each connection gets its own thread (clients keep a few connections
// alive), and the service serialises requests itself.
#pragma once

#include <functional>
#include <optional>

#include "request.hpp"

namespace azemu {

using Handler = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

class HttpServer {
  public:
    /// Binds 127.0.0.1:`port` (0 = any free port).
    explicit HttpServer(unsigned short port);
    ~HttpServer();
    unsigned short port() const;
    /// Accepts connections until the process ends.
    [[noreturn]] void run(const Handler& handler);

  private:
    struct Impl;
    Impl* impl_;
};

}  // namespace azemu
