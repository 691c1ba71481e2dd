// One libnfs context: a TCP connection to the server with the export mounted.
// A context is not thread-safe, so each concurrent caller leases its own from
// the pool (fs_pool.hpp).
#pragma once

#include "config.hpp"
#include "fs.hpp"

struct nfs_context;

namespace nfsplugin {

class NfsConnection final : public Fs {
  public:
    /// Connects and mounts; throws FsError (transient when the server could not
    /// be reached or dropped the connection).
    explicit NfsConnection(const Config& config);
    ~NfsConnection() override;
    NfsConnection(const NfsConnection&) = delete;
    NfsConnection& operator=(const NfsConnection&) = delete;

    Attr stat(const std::string& path) override;
    void mkdir(const std::string& path, int mode) override;
    std::unique_ptr<File> create_new(const std::string& path, int mode) override;
    std::unique_ptr<File> open_write(const std::string& path) override;
    std::unique_ptr<File> open_read(const std::string& path) override;
    std::vector<DirEntry> list(const std::string& path) override;
    void unlink(const std::string& path) override;
    void rmdir(const std::string& path) override;
    void rename(const std::string& from, const std::string& to) override;
    size_t write_chunk() const override { return write_chunk_; }

    /// Throws FsError for a negative libnfs result; `rc` is -errno.
    void check(int rc, const char* op, const std::string& path) const;

  private:
    nfs_context* ctx_ = nullptr;
    int version_;
    size_t write_chunk_ = 0;
};

/// Whether a libnfs failure (-errno) is about the connection rather than the file.
bool is_connection_errno(int err) noexcept;

}  // namespace nfsplugin
