#include "file_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace local_platform {

uint64_t FileFollower::size() const {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string FileFollower::read_new(uint64_t max_bytes) {
    const uint64_t available = size();
    if (available <= offset_ || max_bytes == 0) {
        return {};
    }
    // Opened per read rather than held open: following hundreds of trials then
    // costs no descriptors, and the size check above skips idle files cheaply.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return {};
    }
    std::string bytes(static_cast<size_t>(std::min(available - offset_, max_bytes)), '\0');
    size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = ::pread(fd, bytes.data() + filled, bytes.size() - filled,
                                  static_cast<off_t>(offset_ + filled));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;  // truncated meanwhile, or an I/O error: return what was read
        }
        filled += static_cast<size_t>(n);
    }
    ::close(fd);
    bytes.resize(filled);
    offset_ += filled;
    return bytes;
}

}  // namespace local_platform
