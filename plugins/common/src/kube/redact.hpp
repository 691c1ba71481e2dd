#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tshost/kube/log.hpp"

namespace tshost::kube {

// Remembers every secret the client handles (tokens, key material, passwords, exec plugin
// output) and scrubs them from any text before it is logged or put in an error message.
// Belt and braces: the code never formats secrets on purpose, but API servers and exec plugins
// may echo them back.
class Redactor {
  public:
    void add(std::string_view secret);
    std::string apply(std::string_view text) const;

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> secrets_;
};

// The plugin's log callback behind a redactor.
class Logger {
  public:
    Logger(LogFn fn, std::shared_ptr<const Redactor> redactor)
        : fn_(std::move(fn)), redactor_(std::move(redactor)) {}
    void log(LogLevel level, std::string_view message) const;
    const Redactor& redactor() const { return *redactor_; }

  private:
    LogFn fn_;
    std::shared_ptr<const Redactor> redactor_;
};

}  // namespace tshost::kube
