#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kube/exec_plugin.hpp"
#include "kube/redact.hpp"
#include "tshost/kube/config.hpp"

namespace tshost::kube {

struct AuthMaterial {
    std::string authorization;  // full header line ("Authorization: Bearer ...") or ""
    std::string client_cert_pem;
    std::string client_key_pem;
};

// Produces the credentials for each request: static token/cert/basic auth, a token file that is
// re-read whenever it changes (projected service-account tokens rotate), or an exec plugin whose
// result is cached until its expirationTimestamp. Every secret is registered with the redactor
// before it is used. Thread-safe.
class CredentialProvider {
  public:
    using SystemClock = std::function<std::chrono::system_clock::time_point()>;

    CredentialProvider(ResolvedConfig config, std::shared_ptr<Redactor> redactor, Logger logger,
                       std::chrono::milliseconds exec_timeout, SystemClock clock = {});

    AuthMaterial current();
    // After a 401: forget cached exec output and force a token file re-read. Returns whether a
    // retry may present different credentials.
    bool invalidate();
    // How many times the exec plugin has run (for logs and tests).
    int execRuns() const;

  private:
    struct FileStamp {
        long long mtime_ns = 0;
        long long size = -1;
        unsigned long long inode = 0;
        bool operator==(const FileStamp&) const = default;
    };

    void refreshTokenFile();

    ResolvedConfig config_;
    std::shared_ptr<Redactor> redactor_;
    Logger logger_;
    std::chrono::milliseconds exec_timeout_;
    SystemClock clock_;
    mutable std::mutex mutex_;
    std::string file_token_;
    std::optional<FileStamp> file_stamp_;
    std::optional<ExecCredential> exec_cache_;
    int exec_runs_ = 0;
};

}  // namespace tshost::kube
