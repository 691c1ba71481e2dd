#include "config/diagnostic.hpp"

namespace tshost::config {

std::string Diagnostic::to_string() const {
    std::string out;
    if (!where.file.empty()) {
        out += where.file;
        if (where.known()) {
            out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column);
        }
        out += ": ";
    }
    if (!key_path.empty()) {
        out += key_path + ": ";
    }
    out += message;
    if (!hint.empty()) {
        out += " — " + hint;
    }
    return out;
}

namespace {
std::string join(const std::vector<Diagnostic>& diagnostics) {
    std::string out;
    for (const Diagnostic& d : diagnostics) {
        out += (out.empty() ? "" : "\n") + d.to_string();
    }
    return out;
}
}  // namespace

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace tshost::config
