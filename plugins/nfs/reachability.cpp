#include "reachability.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nfsplugin {
namespace {

std::string connect_one(const addrinfo& ai, int timeout_ms) {
    const int fd =
        ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
    if (fd < 0) {
        return std::strerror(errno);
    }
    std::string reason;
    if (::connect(fd, ai.ai_addr, ai.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            reason = std::strerror(errno);
        } else {
            pollfd p{fd, POLLOUT, 0};
            const int ready = ::poll(&p, 1, timeout_ms);
            int err = 0;
            socklen_t len = sizeof err;
            if (ready == 0) {
                reason = "no answer within " + std::to_string(timeout_ms) + " ms";
            } else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
                reason = std::strerror(errno);
            } else if (err != 0) {
                reason = std::strerror(err);
            }
        }
    }
    ::close(fd);
    return reason;
}

}  // namespace

std::string probe_tcp(const std::string& host, int port, int timeout_ms) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
    if (rc != 0) {
        return std::string("cannot resolve the name: ") + ::gai_strerror(rc);
    }
    std::string reason = "no address";
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        reason = connect_one(*ai, timeout_ms);
        if (reason.empty()) {
            break;
        }
    }
    ::freeaddrinfo(list);
    return reason;
}

}  // namespace nfsplugin
