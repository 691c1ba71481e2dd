// The real shared storages of the metrics end-to-end tests and the latency benchmark:
// the NFS plugin over a test nfs-ganesha, and the Azure File plugin over the local
// Azure Files endpoint. Includers link tshost_test_nfs_server,
// tshost_test_azure_emulator and OpenSSL::Crypto.
#pragma once

#include <openssl/evp.h>
#include <stdlib.h>

#include <array>
#include <memory>
#include <random>
#include <string>

#include "emulator.hpp"
#include "metrics_experiment.hpp"
#include "nfs_server.hpp"

namespace metrics_e2e {

/// A ganesha for trials that write into its export directory directly (where a pod
/// would write through its NFS mount): it must revalidate its metadata cache on every
/// access, or it serves a stale listing of changed/ for up to a minute.
inline std::unique_ptr<tshost::test::NfsServer> start_ganesha() {
    tshost::test::NfsServerOptions options;
    options.revalidate_attributes = true;
    return std::make_unique<tshost::test::NfsServer>(options);
}

/// The NFS plugin speaking NFSv3 (libnfs) to `server`; trials use its export directory.
inline SharedStorage ganesha_storage(const tshost::test::NfsServer& server) {
    return {server.storage_yaml("    "), server.export_dir()};
}

/// 64 random bytes, base64: the shape of a storage account key.
inline std::string random_account_key() {
    std::random_device rd;
    std::array<unsigned char, 64> bytes{};
    for (auto& b : bytes) {
        b = static_cast<unsigned char>(rd() & 0xFF);
    }
    std::array<unsigned char, 4 * ((64 + 2) / 3) + 1> text{};
    const int n = EVP_EncodeBlock(text.data(), bytes.data(), static_cast<int>(bytes.size()));
    return std::string(reinterpret_cast<const char*>(text.data()), static_cast<size_t>(n));
}

/// An emulator holding the key it exports in `key_env` (the host reads the key from
/// its environment, as from a secret; the config names only the variable).
inline std::unique_ptr<azure_test::Emulator> start_azure_endpoint(const char* key_env) {
    const std::string key = random_account_key();
    ::setenv(key_env, key.c_str(), 1);
    return std::make_unique<azure_test::Emulator>(
        azure_test::EmulatorOptions{"devaccount", key, 5000});
}

/// The Azure File plugin over `emulator`'s share `share`. The emulator keeps a share
/// as a directory (<root>/<share>/<path>); that directory is the trials' view. It is
/// created here because the local platform checks its shareDirectory before the
/// plugin would create the share.
inline SharedStorage azure_storage(const azure_test::Emulator& emulator, const std::string& share,
                                   const char* key_env) {
    std::filesystem::create_directories(emulator.share_dir(share));
    return {
        "    storageType: azureStorage\n    azureAccount: devaccount\n    azureShare: " + share +
            "\n    accountKeyEnv: " + key_env + "\n    endpoint: " + emulator.endpoint() + "\n",
        emulator.share_dir(share)};
}

}  // namespace metrics_e2e
