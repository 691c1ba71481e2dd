#include "libnfs_fs.hpp"

#include <fcntl.h>
#include <nfsc/libnfs.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace nfsplugin {
namespace {

// Large writes keep the RPC count low (the throughput target needs ~1 MiB); the
// server's advertised maximum wins when it is smaller.
constexpr size_t kPreferredWrite = size_t{1} << 20;
// libnfs 4.0.0 encodes an NFSv4 COMPOUND into a ~4 KB buffer: a WRITE of more
// than 3944 bytes (measured against ganesha) fails with "Failed to encode
// COMPOUND4args", and nfs_get_writemax() says 0. Split v4 writes well below that,
// leaving room for the largest file handle (128 bytes).
constexpr size_t kNfs4WriteLimit = 3584;

std::string error_text(nfs_context* ctx, int rc) {
    const char* msg = ctx != nullptr ? nfs_get_error(ctx) : nullptr;
    std::string text = msg != nullptr && *msg != '\0' ? msg : std::strerror(-rc);
    return text;
}

int64_t to_ms(uint64_t sec, uint64_t nsec) {
    return static_cast<int64_t>(sec) * 1000 + static_cast<int64_t>(nsec / 1000000);
}

tsh_file_type type_of_mode(uint64_t mode) {
    if (S_ISREG(mode))
        return TSH_FILE_REGULAR;
    if (S_ISDIR(mode))
        return TSH_FILE_DIRECTORY;
    return TSH_FILE_OTHER;
}

// nfsdirent.type carries the protocol's file type: 1 = regular, 2 = directory
// (NF3REG/NF3DIR and NF4REG/NF4DIR share the values).
tsh_file_type type_of_dirent(uint32_t type) {
    if (type == 1)
        return TSH_FILE_REGULAR;
    if (type == 2)
        return TSH_FILE_DIRECTORY;
    return TSH_FILE_OTHER;
}

class NfsFile final : public File {
  public:
    /// chmod_after_close >= 0: set that mode once the file is closed.
    NfsFile(const NfsConnection& conn, nfs_context* ctx, nfsfh* fh, std::string path,
            int chmod_after_close = -1)
        : conn_(conn),
          ctx_(ctx),
          fh_(fh),
          path_(std::move(path)),
          chmod_after_close_(chmod_after_close) {}
    ~NfsFile() override {
        if (fh_ != nullptr) {
            nfs_close(ctx_, fh_);
        }
    }
    void pwrite(uint64_t offset, std::string_view data) override {
        size_t done = 0;
        // Bounded: every pass writes at least one byte or throws.
        while (done < data.size()) {
            const size_t n = std::min(data.size() - done, conn_.write_chunk());
            const int rc =
                nfs_pwrite(ctx_, fh_, offset + done, n, const_cast<char*>(data.data() + done));
            conn_.check(rc, "write", path_);
            if (rc == 0) {
                throw FsError(EIO, true, "write", path_, "the server accepted no bytes");
            }
            done += static_cast<size_t>(rc);
        }
    }
    size_t pread(uint64_t offset, size_t size, char* buf) override {
        const int rc = nfs_pread(ctx_, fh_, offset, size, buf);
        conn_.check(rc, "read", path_);
        return static_cast<size_t>(rc);
    }
    void close() override {
        nfsfh* fh = std::exchange(fh_, nullptr);
        conn_.check(nfs_close(ctx_, fh), "close", path_);
        if (chmod_after_close_ >= 0) {
            conn_.check(nfs_chmod(ctx_, path_.c_str(), chmod_after_close_), "chmod", path_);
        }
    }

  private:
    const NfsConnection& conn_;
    nfs_context* ctx_;
    nfsfh* fh_;
    std::string path_;
    int chmod_after_close_;
};

// Ports go through a URL because libnfs 4.0 has no setter for them: parsing
// "?nfsport=&mountport=" stores them in the context.
void apply_ports(nfs_context* ctx, const Config& c) {
    if (!c.port && !c.mount_port) {
        return;
    }
    std::string url = "nfs://" + c.server + c.path + "?";
    if (c.port)
        url += "nfsport=" + std::to_string(*c.port) + "&";
    if (c.mount_port)
        url += "mountport=" + std::to_string(*c.mount_port) + "&";
    url.pop_back();
    nfs_url* parsed = nfs_parse_url_dir(ctx, url.c_str());
    if (parsed == nullptr) {
        throw FsError(EINVAL, false, "mount", c.path,
                      "bad server/port: " + error_text(ctx, -EINVAL));
    }
    nfs_destroy_url(parsed);
}

}  // namespace

bool is_connection_errno(int err) noexcept {
    switch (err) {
        case EFAULT:  // libnfs: RPC_STATUS_ERROR (the socket failed)
        case EINTR:   // libnfs: RPC_STATUS_CANCEL
        case EIO:     // libnfs: the service loop failed
        case ETIMEDOUT:
        case ECONNRESET:
        case ECONNREFUSED:
        case ECONNABORTED:
        case EPIPE:
        case ENOTCONN:
        case EAGAIN:  // NFS3ERR_JUKEBOX: server busy or in grace
        case ESTALE:  // handles from before a server restart
        case ENETUNREACH:
        case EHOSTUNREACH:
            return true;
        default:
            return false;
    }
}

NfsConnection::NfsConnection(const Config& config) : version_(config.version) {
    ctx_ = nfs_init_context();
    if (ctx_ == nullptr) {
        throw FsError(ENOMEM, false, "mount", config.path, "cannot create a libnfs context");
    }
    try {
        // Reconnecting is the pool's job (it replaces the context): libnfs's own
        // reconnect loop would hide failures and can spin forever.
        nfs_set_autoreconnect(ctx_, 0);
        nfs_set_timeout(ctx_, config.timeout_ms);
        if (nfs_set_version(ctx_, config.version)  // NFS_V3 = 3, NFS_V4 = 4
            != 0) {
            throw FsError(EINVAL, false, "mount", config.path, error_text(ctx_, -EINVAL));
        }
        if (config.uid)
            nfs_set_uid(ctx_, *config.uid);
        if (config.gid)
            nfs_set_gid(ctx_, *config.gid);
        apply_ports(ctx_, config);
        const int rc = nfs_mount(ctx_, config.server.c_str(), config.path.c_str());
        if (rc != 0) {
            const int err = -rc;
            throw FsError(err, is_connection_errno(err), "mount", config.path,
                          error_text(ctx_, rc));
        }
    } catch (...) {
        nfs_destroy_context(ctx_);
        throw;
    }
    if (version_ == 4) {
        write_chunk_ = kNfs4WriteLimit;
    } else {
        const uint64_t max = nfs_get_writemax(ctx_);
        write_chunk_ = max == 0 ? kPreferredWrite : std::min<size_t>(kPreferredWrite, max);
    }
}

NfsConnection::~NfsConnection() {
    nfs_destroy_context(ctx_);
}

void NfsConnection::check(int rc, const char* op, const std::string& path) const {
    if (rc < 0) {
        const int err = -rc;
        throw FsError(err, is_connection_errno(err), op, path, error_text(ctx_, rc));
    }
}

Attr NfsConnection::stat(const std::string& path) {
    nfs_stat_64 st{};
    check(nfs_stat64(ctx_, path.c_str(), &st), "stat", path);
    return Attr{type_of_mode(st.nfs_mode), st.nfs_size, to_ms(st.nfs_mtime, st.nfs_mtime_nsec)};
}

void NfsConnection::mkdir(const std::string& path, int mode) {
    // (libnfs 4.0's NFSv4 chmod fails on directories with NFS4ERR_ISDIR, so the
    // mode given here is all a v4 directory gets.)
    check(nfs_mkdir2(ctx_, path.c_str(), mode), "mkdir", path);
}

std::unique_ptr<File> NfsConnection::create_new(const std::string& path, int mode) {
    nfsfh* fh = nullptr;
    if (version_ == 4) {
        // nfs_creat opens v4 files read-only and new files come out 0600: open
        // for writing with O_CREAT, and set the mode after close (a chmod while
        // the file is open invalidates libnfs's open state: NFS4ERR_BAD_STATEID).
        check(nfs_open2(ctx_, path.c_str(), O_WRONLY | O_CREAT, mode, &fh), "create", path);
        return std::make_unique<NfsFile>(*this, ctx_, fh, path, mode);
    }
    check(nfs_create(ctx_, path.c_str(), O_WRONLY | O_TRUNC, mode, &fh), "create", path);
    return std::make_unique<NfsFile>(*this, ctx_, fh, path);
}

std::unique_ptr<File> NfsConnection::open_write(const std::string& path) {
    nfsfh* fh = nullptr;
    // Never O_CREAT here: libnfs 4.0's NFSv4 fails O_CREAT on an existing file.
    check(nfs_open(ctx_, path.c_str(), O_WRONLY, &fh), "open", path);
    return std::make_unique<NfsFile>(*this, ctx_, fh, path);
}

std::unique_ptr<File> NfsConnection::open_read(const std::string& path) {
    nfsfh* fh = nullptr;
    check(nfs_open(ctx_, path.c_str(), O_RDONLY, &fh), "open", path);
    return std::make_unique<NfsFile>(*this, ctx_, fh, path);
}

std::vector<DirEntry> NfsConnection::list(const std::string& path) {
    nfsdir* dir = nullptr;
    check(nfs_opendir(ctx_, path.c_str(), &dir), "list", path);
    std::vector<DirEntry> entries;
    // Bounded by the directory's size: readdir returns NULL after the last entry.
    for (nfsdirent* e = nfs_readdir(ctx_, dir); e != nullptr; e = nfs_readdir(ctx_, dir)) {
        const std::string_view name = e->name;
        if (name == "." || name == "..") {
            continue;
        }
        entries.push_back(DirEntry{
            std::string(name), Attr{type_of_dirent(e->type), e->size,
                                    to_ms(static_cast<uint64_t>(e->mtime.tv_sec), e->mtime_nsec)}});
    }
    nfs_closedir(ctx_, dir);
    return entries;
}

void NfsConnection::unlink(const std::string& path) {
    check(nfs_unlink(ctx_, path.c_str()), "remove", path);
}

void NfsConnection::rmdir(const std::string& path) {
    check(nfs_rmdir(ctx_, path.c_str()), "remove", path);
}

void NfsConnection::rename(const std::string& from, const std::string& to) {
    check(nfs_rename(ctx_, from.c_str(), to.c_str()), "rename", from);
}

}  // namespace nfsplugin
