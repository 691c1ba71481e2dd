// Runs tests/azure-files-emulator as a child process for a test suite: waits for
// the port it prints (poll with a deadline, no sleeping), talks to its control
// endpoints, and stops it when the suite ends.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace azure_test {

struct EmulatorOptions {
    std::string account = "devaccount";
    std::string key_b64;  // the account key the emulator accepts
    int page_size = 5000;
};

class Emulator {
  public:
    explicit Emulator(EmulatorOptions options);
    ~Emulator();
    Emulator(const Emulator&) = delete;
    Emulator& operator=(const Emulator&) = delete;

    /// http://127.0.0.1:PORT/<account>: the plugin's `endpoint`.
    std::string endpoint() const;
    /// Where share `share` keeps its files on disk.
    std::filesystem::path share_dir(const std::string& share) const;
    /// The next `count` requests get `status` (0 = connection dropped).
    void inject(int status, int count, int retry_after_s = 1) const;
    /// {"requests", "authFailures", "faultsInjected", "faultsPending"}.
    nlohmann::json stats() const;

  private:
    std::string control(const std::string& method, const std::string& path) const;

    EmulatorOptions options_;
    std::filesystem::path root_;
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace azure_test
