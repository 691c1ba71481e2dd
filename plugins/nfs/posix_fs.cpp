#include "posix_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nfsplugin {
namespace {

// A locally mounted export fails like a disk, except for a hard mount whose server
// went away: those calls return ETIMEDOUT/EIO/ESTALE, which a retry may fix.
[[noreturn]] void fail(const char* op, const std::string& path) {
    const int err = errno;
    const bool transient = err == ETIMEDOUT || err == EIO || err == ESTALE || err == EAGAIN;
    throw FsError(err, transient, op, path, std::strerror(err));
}

Attr to_attr(const struct stat& st) {
    const tsh_file_type type = S_ISREG(st.st_mode)   ? TSH_FILE_REGULAR
                               : S_ISDIR(st.st_mode) ? TSH_FILE_DIRECTORY
                                                     : TSH_FILE_OTHER;
    return Attr{type, static_cast<uint64_t>(st.st_size),
                static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000};
}

class PosixFile final : public File {
  public:
    PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~PosixFile() override {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    void pwrite(uint64_t offset, std::string_view data) override {
        size_t done = 0;
        // Bounded: every pass writes at least one byte or throws.
        while (done < data.size()) {
            const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                                       static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                fail("write", path_);
            done += static_cast<size_t>(n);
        }
    }
    size_t pread(uint64_t offset, size_t size, char* buf) override {
        for (int attempt = 0; attempt < 100; ++attempt) {
            const ssize_t n = ::pread(fd_, buf, size, static_cast<off_t>(offset));
            if (n >= 0)
                return static_cast<size_t>(n);
            if (errno != EINTR)
                break;
        }
        fail("read", path_);
    }
    void close() override {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0)
            fail("close", path_);
    }

  private:
    int fd_;
    std::string path_;
};

}  // namespace

Attr PosixFs::stat(const std::string& path) {
    struct stat st {};
    if (::stat(full(path).c_str(), &st) != 0)
        fail("stat", path);
    return to_attr(st);
}

void PosixFs::mkdir(const std::string& path, int mode) {
    if (::mkdir(full(path).c_str(), static_cast<mode_t>(mode)) != 0)
        fail("mkdir", path);
}

std::unique_ptr<File> PosixFs::open(const std::string& path, int flags, int mode) {
    const int fd = ::open(full(path).c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0)
        fail("open", path);
    return std::make_unique<PosixFile>(fd, path);
}

std::unique_ptr<File> PosixFs::create_new(const std::string& path, int mode) {
    auto file = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    // The umask must not decide what pods may execute.
    if (::chmod(full(path).c_str(), static_cast<mode_t>(mode)) != 0)
        fail("chmod", path);
    return file;
}

std::unique_ptr<File> PosixFs::open_write(const std::string& path) {
    return open(path, O_WRONLY, 0);
}

std::unique_ptr<File> PosixFs::open_read(const std::string& path) {
    return open(path, O_RDONLY, 0);
}

std::vector<DirEntry> PosixFs::list(const std::string& path) {
    DIR* dir = ::opendir(full(path).c_str());
    if (dir == nullptr)
        fail("list", path);
    std::vector<DirEntry> entries;
    const int fd = ::dirfd(dir);
    // Bounded by the directory's size: readdir returns NULL after the last entry.
    for (dirent* e = ::readdir(dir); e != nullptr; e = ::readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name == "." || name == "..")
            continue;
        struct stat st {};
        if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;  // raced away
        entries.push_back(DirEntry{std::string(name), to_attr(st)});
    }
    ::closedir(dir);
    return entries;
}

void PosixFs::unlink(const std::string& path) {
    if (::unlink(full(path).c_str()) != 0)
        fail("remove", path);
}

void PosixFs::rmdir(const std::string& path) {
    if (::rmdir(full(path).c_str()) != 0)
        fail("remove", path);
}

void PosixFs::rename(const std::string& from, const std::string& to) {
    if (::rename(full(from).c_str(), full(to).c_str()) != 0)
        fail("rename", from);
}

}  // namespace nfsplugin
