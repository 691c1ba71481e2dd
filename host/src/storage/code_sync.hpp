// Uploads a trial code directory once: each distinct file content goes to the
// content-addressed store unless it is already there, then the experiment's
// manifest is written (layout in code_manifest.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "plugin/instance.hpp"

namespace tshost::storage {

struct SyncOptions {
    /// Concurrent uploads: storage plugins are thread-safe (ABI), and on NFS a
    /// few requests in flight hide the round trip of small files.
    int parallelism = 4;
};

/// What a sync did. bytes_sent counts every byte handed to the storage plugin
/// (blob uploads and the manifest), so tests and benchmarks can assert on it.
struct SyncResult {
    std::string manifest_path;
    uint64_t files = 0;           // files in the code directory after .nniignore
    uint64_t total_bytes = 0;     // their total size
    uint64_t blobs_uploaded = 0;  // distinct contents that were missing
    uint64_t blobs_present = 0;   // distinct contents found on the store already
    uint64_t bytes_sent = 0;
};

/// Throws plugin::PluginError (storage failures) or std::runtime_error (local).
SyncResult sync_code(plugin::StorageInstance& storage, const std::filesystem::path& code_dir,
                     const std::string& experiment_id, const SyncOptions& options = {});

}  // namespace tshost::storage
