#include "kube/redact.hpp"

#include <algorithm>

namespace tshost::kube {
namespace {

// Short values (e.g. a password "x") would turn every message into noise and reveal nothing.
constexpr std::size_t kMinSecretLength = 4;
constexpr std::string_view kMask = "<redacted>";

void replaceAll(std::string& text, std::string_view needle) {
    std::size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
        text.replace(pos, needle.size(), kMask);
        pos += kMask.size();
    }
}

// Whatever follows "Bearer " or "Basic " up to whitespace or a quote, in case a header line is
// echoed back by a proxy.
void maskAuthSchemes(std::string& text) {
    for (std::string_view scheme : {"Bearer ", "Basic "}) {
        std::size_t pos = 0;
        while ((pos = text.find(scheme, pos)) != std::string::npos) {
            std::size_t start = pos + scheme.size();
            std::size_t end = text.find_first_of(" \t\r\n\"',", start);
            if (end == std::string::npos) {
                end = text.size();
            }
            if (end > start && text.compare(start, end - start, kMask) != 0) {
                text.replace(start, end - start, kMask);
            }
            pos = start + kMask.size();
        }
    }
}

}  // namespace

void Redactor::add(std::string_view secret) {
    std::lock_guard lock(mutex_);
    if (secret.size() < kMinSecretLength ||
        std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) {
        return;
    }
    secrets_.emplace_back(secret);
    // Longest first, so a secret containing another is masked whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Redactor::apply(std::string_view text) const {
    std::string out(text);
    {
        std::lock_guard lock(mutex_);
        for (const auto& secret : secrets_) {
            replaceAll(out, secret);
        }
    }
    maskAuthSchemes(out);
    return out;
}

void Logger::log(LogLevel level, std::string_view message) const {
    if (fn_) {
        fn_(level, redactor_ ? redactor_->apply(message) : std::string(message));
    }
}

}  // namespace tshost::kube
