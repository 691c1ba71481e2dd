#include "kube/credentials.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "kube/base64.hpp"
#include "tshost/kube/error.hpp"

namespace tshost::kube {

CredentialProvider::CredentialProvider(ResolvedConfig config, std::shared_ptr<Redactor> redactor,
                                       Logger logger, std::chrono::milliseconds exec_timeout,
                                       SystemClock clock)
    : config_(std::move(config)),
      redactor_(std::move(redactor)),
      logger_(std::move(logger)),
      exec_timeout_(exec_timeout),
      clock_(clock ? std::move(clock)
                   : SystemClock([] { return std::chrono::system_clock::now(); })) {
    redactor_->add(config_.token);
    redactor_->add(config_.client_key_pem);
    redactor_->add(config_.password);
    if (!config_.username.empty() || !config_.password.empty()) {
        redactor_->add(base64Encode(config_.username + ":" + config_.password));
    }
}

void CredentialProvider::refreshTokenFile() {
    struct stat st {};
    if (::stat(config_.token_file.c_str(), &st) != 0) {
        if (file_token_.empty()) {
            throw KubeError(0, "InvalidConfig", "token file " + config_.token_file + " is missing");
        }
        return;  // keep the last token: the file may be mid-rotation (atomic symlink swap)
    }
    FileStamp stamp{
        static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec,
        static_cast<long long>(st.st_size), static_cast<unsigned long long>(st.st_ino)};
    if (file_stamp_ && *file_stamp_ == stamp) {
        return;
    }
    std::ifstream in(config_.token_file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string token = ss.str();
    while (!token.empty() &&
           (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
        token.pop_back();
    }
    if (!in || token.empty()) {
        if (file_token_.empty()) {
            throw KubeError(0, "InvalidConfig",
                            "token file " + config_.token_file + " is empty or unreadable");
        }
        return;
    }
    redactor_->add(token);
    if (file_stamp_) {
        logger_.log(LogLevel::kDebug, "token file " + config_.token_file + " changed; re-read it");
    }
    file_token_ = std::move(token);
    file_stamp_ = stamp;
}

AuthMaterial CredentialProvider::current() {
    std::lock_guard lock(mutex_);
    AuthMaterial auth{"", config_.client_cert_pem, config_.client_key_pem};
    std::string bearer = config_.token;
    if (config_.exec) {
        bool expired = exec_cache_ && exec_cache_->expiry && clock_() >= *exec_cache_->expiry;
        if (!exec_cache_ || expired) {
            // Serialised by mutex_: concurrent requests wait for one run instead of each
            // starting the plugin.
            ExecCredential cred = runExecPlugin(*config_.exec, config_, exec_timeout_);
            ++exec_runs_;
            redactor_->add(cred.token);
            redactor_->add(cred.client_key_pem);
            logger_.log(LogLevel::kDebug, "exec credential plugin " + config_.exec->command +
                                              " ran (" + std::to_string(exec_runs_) + " runs)");
            exec_cache_ = std::move(cred);
        }
        if (!exec_cache_->token.empty()) {
            bearer = exec_cache_->token;
        }
        if (!exec_cache_->client_cert_pem.empty()) {
            auth.client_cert_pem = exec_cache_->client_cert_pem;
            auth.client_key_pem = exec_cache_->client_key_pem;
        }
    } else if (!config_.token_file.empty()) {
        refreshTokenFile();
        bearer = file_token_;
    }
    if (!bearer.empty()) {
        auth.authorization = "Authorization: Bearer " + bearer;
    } else if (!config_.username.empty()) {
        auth.authorization =
            "Authorization: Basic " + base64Encode(config_.username + ":" + config_.password);
    }
    return auth;
}

bool CredentialProvider::invalidate() {
    std::lock_guard lock(mutex_);
    if (config_.exec) {
        exec_cache_.reset();
        return true;
    }
    if (!config_.token_file.empty()) {
        auto before = file_token_;
        file_stamp_.reset();
        try {
            refreshTokenFile();
        } catch (const KubeError&) {
            return false;
        }
        return file_token_ != before;
    }
    return false;
}

int CredentialProvider::execRuns() const {
    std::lock_guard lock(mutex_);
    return exec_runs_;
}

}  // namespace tshost::kube
