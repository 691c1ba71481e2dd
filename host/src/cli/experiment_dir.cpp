#include "cli/experiment_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace tshost::cli {

std::filesystem::path resolve_data_dir(const std::string& option) {
    if (!option.empty()) {
        return std::filesystem::absolute(option);
    }
    if (const char* env = std::getenv("TSHOST_DATA_DIR"); env != nullptr && *env != '\0') {
        return std::filesystem::absolute(env);
    }
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
        return std::filesystem::path(xdg) / "tshost" / "experiments";
    }
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : "/tmp") / ".local" / "share" / "tshost" /
           "experiments";
}

std::vector<std::string> list_experiments(const std::filesystem::path& data_dir) {
    std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec)) {
        if (std::filesystem::exists(entry.path() / "experiment.db")) {
            found.emplace_back(std::filesystem::last_write_time(entry.path() / "config.json", ec),
                               entry.path().filename().string());
        }
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> ids;
    for (auto& [time, id] : found) {
        ids.push_back(std::move(id));
    }
    return ids;
}

namespace {
std::optional<long> read_pid(const std::filesystem::path& lock) {
    std::ifstream in(lock);
    long pid = 0;
    if (in >> pid && pid > 0) {
        return pid;
    }
    return std::nullopt;
}
}  // namespace

std::optional<ExperimentLock> ExperimentLock::acquire(const ExperimentPaths& paths, long* holder) {
    const int fd = ::open(paths.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "open " + paths.lock().string());
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        if (holder != nullptr) {
            *holder = read_pid(paths.lock()).value_or(0);
        }
        return std::nullopt;
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        ::close(fd);
        throw std::system_error(errno, std::generic_category(), "write " + paths.lock().string());
    }
    return ExperimentLock(fd);
}

std::optional<long> ExperimentLock::holder(const ExperimentPaths& paths) {
    const int fd = ::open(paths.lock().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return std::nullopt;
    }
    // If we can take the lock, nobody holds it (the pid in the file is stale).
    const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd);
    return free ? std::nullopt : read_pid(paths.lock());
}

ExperimentLock::ExperimentLock(ExperimentLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

ExperimentLock::~ExperimentLock() {
    if (fd_ >= 0) {
        ::close(fd_);  // releases the flock
    }
}

}  // namespace tshost::cli
