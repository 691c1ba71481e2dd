// A real nfs-ganesha on 127.0.0.1 for tests: its own export directory under a
// temp dir, its own ports (parallel test processes do not collide), NFSv3 and v4.
// Readiness is the log line "NFS SERVER INITIALIZED", polled with a deadline.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace tshost::test {

struct NfsServerOptions {
    bool root_squash = false;           // Squash = Root_Squash instead of No_Root_Squash
    std::optional<uid_t> export_owner;  // chown the export directory (uid = gid)
    // Tests that write into export_dir() directly (bypassing ganesha, as the local
    // platform's trials do where a pod would write through its NFS mount) need ganesha
    // to revalidate its metadata cache on every access: with the default attribute
    // expiry (60 s) it keeps serving the directory listing and file size it cached.
    bool revalidate_attributes = false;  // Attr_Expiration_Time = 0 in the export
};

class NfsServer {
  public:
    /// Why tests cannot run a server here ("" when they can): ganesha missing or
    /// not root. Tests GTEST_SKIP with it.
    static std::string unavailable_reason();

    /// Starts the server; throws std::runtime_error with the log's tail on failure.
    explicit NfsServer(NfsServerOptions options = {});
    ~NfsServer();
    NfsServer(const NfsServer&) = delete;
    NfsServer& operator=(const NfsServer&) = delete;

    void start();
    void stop();
    /// Stops and starts on the same ports and export, as an admin restart would.
    void restart();

    int nfs_port() const noexcept { return nfs_port_; }
    int mount_port() const noexcept { return mount_port_; }
    /// The exported directory on the local disk (to check what clients wrote).
    const std::filesystem::path& export_dir() const noexcept { return export_dir_; }
    /// The export's path as clients name it.
    static constexpr const char* kExportPath = "/export";
    /// nfs storage plugin config for this server (server, path, port, mountPort).
    std::string plugin_config(int version = 3, const std::string& extra_json = "") const;
    /// The same as the keys of a tshost config's `storage` section (NFSv3, storageType
    /// included), one per line, each line starting with `indent`.
    std::string storage_yaml(const std::string& indent) const;

  private:
    void write_config() const;
    void wait_ready(size_t log_offset);

    NfsServerOptions options_;
    std::filesystem::path dir_;
    std::filesystem::path export_dir_;
    int nfs_port_ = 0;
    int mount_port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace tshost::test
