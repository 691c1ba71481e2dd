// Sets environment variables for one test and restores them afterwards.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace azure_test {

class EnvGuard {
  public:
    EnvGuard() = default;
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;
    ~EnvGuard() {
        for (const auto& [name, old] : saved_) {
            if (old) {
                setenv(name.c_str(), old->c_str(), 1);
            } else {
                unsetenv(name.c_str());
            }
        }
    }
    void set(const std::string& name, const std::string& value) {
        if (!saved_.contains(name)) {
            const char* old = std::getenv(name.c_str());
            saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
        }
        setenv(name.c_str(), value.c_str(), 1);
    }
    /// Puts the stand-in az first on PATH, answering `vault`/`secret` with `value`.
    void fake_az(const std::string& vault, const std::string& secret, const std::string& value) {
        const char* path = std::getenv("PATH");
        set("PATH", std::string(FAKE_AZ_DIR) + ":" + (path != nullptr ? path : "/usr/bin:/bin"));
        set("FAKE_AZ_VAULT", vault);
        set("FAKE_AZ_SECRET", secret);
        set("FAKE_AZ_VALUE", value);
    }

  private:
    std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace azure_test
