#include "config/keys.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace tshost::config {

std::string normalize_key(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c != '_' && c != '-') {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

std::string_view canonical_key(std::string_view key, const KeySet& keys) {
    std::string normal = normalize_key(key);
    for (std::string_view name : keys.names) {
        if (normalize_key(name) == normal) {
            return name;
        }
    }
    for (const auto& [alias, name] : keys.aliases) {
        if (normalize_key(alias) == normal) {
            return name;
        }
    }
    return {};
}

std::string_view closest_key(std::string_view key, const KeySet& keys) {
    // Long keys get more slack: a typo per four characters, at least two, at most four.
    std::string normal = normalize_key(key);
    if (normal.size() > 256) {
        return {};  // not a misspelling of anything, and keeps the distance cheap
    }
    std::size_t limit = std::clamp<std::size_t>(normal.size() / 4, 2, 4);
    std::string_view best;
    std::size_t best_distance = limit + 1;
    for (std::string_view name : keys.names) {
        std::string candidate = normalize_key(name);
        std::size_t d = edit_distance(normal, candidate);
        if (d < best_distance) {
            best = name;
            best_distance = d;
        }
    }
    return best;
}

}  // namespace tshost::config
