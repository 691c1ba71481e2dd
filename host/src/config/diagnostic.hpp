// Diagnostics for experiment configs: where a problem is (file, line, column, key path),
// what is wrong, and how to fix it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tshost::config {

/// A position in a config file. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    bool known() const { return line > 0; }
    friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

struct Diagnostic {
    SourceLocation where;
    std::string key_path;  ///< as the user wrote it, e.g. trainingService.worker.replicas
    std::string message;   ///< what is wrong, e.g. "must be >= 1 (got 0)"
    std::string hint;      ///< how to fix it, e.g. "did you mean 'trialConcurrency'?"

    /// "exp.yml:12:5: trainingService.worker.replicas: must be >= 1 (got 0) — hint"
    std::string to_string() const;
};

/// A config that cannot be used. Carries every problem found, not just the first;
/// what() lists them one per line.
class ConfigError : public std::runtime_error {
  public:
    explicit ConfigError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

  private:
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace tshost::config
