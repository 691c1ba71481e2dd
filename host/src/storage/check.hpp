// `tshost storage check`: exercises a configured storage end to end (connect,
// write, read back, stat, list, throughput, remove) and explains any failure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugin/instance.hpp"

namespace tshost::storage {

struct CheckOptions {
    std::string dir = "nni/.tshost-check";  // probes go in a fresh folder under it
    uint64_t throughput_bytes = uint64_t{8} << 20;
};

struct CheckStep {
    std::string name;  // "write", "read back", ...
    bool ok = false;
    bool ran = false;    // false: skipped because an earlier step failed
    std::string detail;  // what happened (the plugin's message on failure)
    std::string fix;     // on failure: what to do about it
    double seconds = 0;
};

struct CheckReport {
    bool ok = false;
    std::vector<CheckStep> steps;
    double upload_mb_per_s = 0;  // 1 MB = 10^6 bytes
    double read_mb_per_s = 0;
    /// {"ok", "uploadMBps", "readMBps", "steps": [{"name","ok","ran","detail","fix","seconds"}]}
    std::string to_json() const;
};

/// Never throws for storage failures: they become failed steps.
CheckReport check_storage(plugin::StorageInstance& storage, const CheckOptions& options = {});

/// The report for a store that could not even be opened (a plugin that connects
/// in create(), like azure-file): "connect" failed with `message` and the fix for
/// `status`; every later step skipped.
CheckReport open_failed_report(tsh_status status, const std::string& message);

}  // namespace tshost::storage
