#include "redact.hpp"

namespace tshost::azure {

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    static constexpr std::string_view kMask = "<redacted>";
    for (const std::string& secret : secrets) {
        if (secret.empty()) {
            continue;
        }
        for (size_t at = text.find(secret); at != std::string::npos;
             at = text.find(secret, at + kMask.size())) {
            text.replace(at, secret.size(), kMask);
        }
    }
    return text;
}

}  // namespace tshost::azure
