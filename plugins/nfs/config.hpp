// The plugin's config: NNI's `storage: {storageType: nfs, server, path}` (the host
// strips storageType) plus optional client settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nfsplugin {

struct Config {
    std::string server;                     // host name or IP of the NFS server
    std::string path;                       // exported path, e.g. "/export"
    int version = 3;                        // 3 (default) or 4
    std::string local_mount_path;           // non-empty: the export is mounted here already
    std::string mount_path = "/tmp/mount";  // where pods see the export's root
    std::optional<int> port;                // NFS port: skips the portmapper
    std::optional<int> mount_port;          // MOUNT port (NFSv3): skips the portmapper
    std::optional<int> uid;                 // AUTH_SYS identity presented to the server
    std::optional<int> gid;
    int retries = 5;         // attempts after the first for transient failures
    int timeout_ms = 15000;  // per RPC

    /// "server:path" as people write it (and as error messages name it).
    std::string address() const { return server + ":" + path; }
};

/// Parses config JSON already validated against kConfigSchema (config_schema.hpp); checks what the
/// schema cannot (e.g. that path is absolute). Throws tshost::Error.
Config parse_config(std::string_view json);

}  // namespace nfsplugin
