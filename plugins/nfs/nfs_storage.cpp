// The NFS storage plugin: NNI's `storage: {storageType: nfs, server, path}`
// without a kernel mount or sudo. Files go through libnfs (NFSv3 by default) on a
// pool of connections, or through POSIX calls when the export is already mounted
// locally (localMountPath).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <tshost/plugin.hpp>

#include "config.hpp"
#include "config_schema.hpp"
#include "errors.hpp"
#include "fs_pool.hpp"
#include "libnfs_fs.hpp"
#include "posix_fs.hpp"
#include "retry.hpp"
#include "tree_ops.hpp"

namespace nfsplugin {
namespace {

// Enough for the host's parallel uploads and the platforms' small writes; each
// libnfs context is one TCP connection to the server.
constexpr size_t kMaxConnections = 8;

int file_mode(uint32_t flags) {
    return (flags & TSH_WRITE_EXECUTABLE) != 0 ? 0755 : 0644;
}

// Characters kept as they are in a URL path (RFC 3986 unreserved, plus '/').
std::string percent_encode_path(std::string_view path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : path) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

class LocalFile {
  public:
    explicit LocalFile(std::string_view path) : path_(path) {
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
            const int err = errno;
            throw tshost::Error(err == ENOENT ? TSH_ERR_NOT_FOUND : TSH_ERR_INVALID_ARGUMENT,
                                "cannot read local file '" + path_ + "': " + std::strerror(err));
        }
        size_ = static_cast<uint64_t>(st.st_size);
    }
    ~LocalFile() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    LocalFile(const LocalFile&) = delete;
    LocalFile& operator=(const LocalFile&) = delete;

    uint64_t size() const noexcept { return size_; }
    size_t read(uint64_t offset, size_t size, char* buf) const {
        for (int attempt = 0; attempt < 100; ++attempt) {
            const ssize_t n = ::pread(fd_, buf, size, static_cast<off_t>(offset));
            if (n >= 0)
                return static_cast<size_t>(n);
            if (errno != EINTR)
                break;
        }
        throw tshost::Error(TSH_ERR_GENERIC,
                            "reading local file '" + path_ + "': " + std::strerror(errno));
    }

  private:
    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;
};

}  // namespace

class NfsStorage {
  public:
    static constexpr tshost::Meta meta{
        .name = "nfs",
        .version = "1.0.0",
        .description = "NFS export through libnfs (v3/v4, no kernel mount) or a local mount",
        .config_schema = kConfigSchema};

  private:
    // Defined before the storage functions: they use run()'s deduced type.
    static FsPool::Factory make_factory(const Config& config) {
        if (!config.local_mount_path.empty()) {
            return [root = config.local_mount_path]() -> std::unique_ptr<Fs> {
                return std::make_unique<PosixFs>(root);
            };
        }
        return
            [config]() -> std::unique_ptr<Fs> { return std::make_unique<NfsConnection>(config); };
    }

    template <class Body>
    auto run(Body&& body) {
        try {
            return with_retry(pool_, policy_, body);
        } catch (const FsError& e) {
            throw to_error(e, config_, e.transient() ? config_.retries + 1 : 1);
        }
    }

    void run_write(AtomicWrite& write) {
        try {
            run([&](Fs& fs) { write.run(fs); });
        } catch (const tshost::Error& e) {
            if (e.status() != TSH_ERR_TRANSIENT && e.status() != TSH_ERR_CANCELLED) {
                // The server is reachable: clean up the partial temp file.
                try {
                    FsPool::Lease lease = pool_.acquire();
                    write.abandon(lease.fs());
                } catch (const FsError&) {
                    // Best effort; listings hide temp files anyway.
                }
            }
            throw;
        }
    }

  public:
    explicit NfsStorage(const tshost::CreateArgs& args)
        : config_(parse_config(args.config_json)),
          host_(args.host),
          pool_(make_factory(config_), kMaxConnections) {
        policy_.retries = config_.retries;
        policy_.stopping = [host = host_] { return host.stopping(); };
        policy_.on_retry = [host = host_](const FsError& e, int attempt) {
            host.warn("retrying (attempt " + std::to_string(attempt + 1) + ") after: " + e.what());
        };
    }

    void make_dir(std::string_view path) {
        run([&](Fs& fs) { make_dirs(fs, export_path(path)); });
    }

    void write_file(std::string_view path, std::string_view data, uint32_t flags) {
        AtomicWrite write(export_path(path), file_mode(flags), data.size(),
                          [data](uint64_t offset, size_t size, char* buf) {
                              const auto part = data.substr(offset, size);
                              std::memcpy(buf, part.data(), part.size());
                              return part.size();
                          });
        run_write(write);
    }

    void upload_file(std::string_view local_path, std::string_view path, uint32_t flags) {
        const LocalFile local(local_path);
        AtomicWrite write(export_path(path), file_mode(flags), local.size(),
                          [&local](uint64_t offset, size_t size, char* buf) {
                              return local.read(offset, size, buf);
                          });
        run_write(write);
    }

    void read_file(std::string_view path, uint64_t offset, uint64_t length, tshost::Sink& out) {
        RangeRead read(export_path(path), offset, length,
                       [&out](std::string_view bytes) { out.write(bytes); });
        run([&](Fs& fs) { read.run(fs); });
    }

    tshost::FileInfo stat(std::string_view path) {
        const Attr a = run([&](Fs& fs) { return fs.stat(export_path(path)); });
        return tshost::FileInfo{a.type, a.size, a.mtime_ms};
    }

    std::string list_dir(std::string_view path) {
        return run([&](Fs& fs) { return list_json(fs, export_path(path)); });
    }

    void remove(std::string_view path, uint32_t flags) {
        run([&](Fs& fs) {
            remove_path(fs, export_path(path), (flags & TSH_REMOVE_RECURSIVE) != 0);
        });
    }

    void rename(std::string_view from, std::string_view to) {
        run([&](Fs& fs) {
            make_dirs(fs, parent_of(export_path(to)));
            fs.rename(export_path(from), export_path(to));
        });
    }

    std::string pod_volume() {
        // NNI's shape (reference §3.5): the export root is mounted, not a subdir.
        const nlohmann::json v = {
            {"volume",
             {{"name", "nni-vol"}, {"nfs", {{"server", config_.server}, {"path", config_.path}}}}},
            {"volumeMount", {{"mountPath", config_.mount_path}}},
            {"secret", nullptr}};
        return v.dump();
    }

    /// nfs://server/<export path>/<path>: unlike NNI's "nfs://server:nni/..." it
    /// keeps the export path, so libnfs tools (nfs-ls, nfs-cat) open it as is.
    std::string browse_url(std::string_view path) {
        std::string url = "nfs://" + config_.server + percent_encode_path(config_.path);
        if (!path.empty()) {
            url += (config_.path == "/" ? "" : "/") + percent_encode_path(path);
        }
        std::string query;
        if (config_.port)
            query += "&nfsport=" + std::to_string(*config_.port);
        if (config_.mount_port)
            query += "&mountport=" + std::to_string(*config_.mount_port);
        if (config_.version == 4)
            query += "&version=4";
        if (!query.empty())
            url += "?" + query.substr(1);
        return url;
    }

  private:
    Config config_;
    tshost::Host host_;
    FsPool pool_;
    RetryPolicy policy_;
};

}  // namespace nfsplugin

TSHOST_STORAGE_PLUGIN(nfsplugin::NfsStorage)
