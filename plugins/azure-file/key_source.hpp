// Where the storage account key comes from: Key Vault through the az CLI (as NNI
// does, but without a shell and without treating az's warnings as failures), an
// environment variable, or a file.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config.hpp"

namespace tshost::azure {

struct AccountKey {
    std::string text;      // base64, as Azure shows it: goes into the pod Secret
    std::string decoded;   // the HMAC key
    std::string source;    // "Key Vault 'v' secret 'k'": safe to log
    std::string warnings;  // what az printed on stderr although it succeeded (redacted)
};

/// Throws tshost::Error with a message that never contains the key.
AccountKey load_account_key(const Config& config, std::chrono::milliseconds timeout);

/// Runs argv (argv[0] looked up on PATH) without a shell; returns its exit status,
/// stdout and stderr. Throws tshost::Error when it cannot start or overruns `timeout`
/// (the child is then killed).
struct ProcessResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace tshost::azure
