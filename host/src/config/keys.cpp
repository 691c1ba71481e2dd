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

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Damerau-style distance (with transpositions), two rows plus the one before.
    std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                cur[j] = std::min(cur[j], before[j - 2] + 1);
            }
        }
        before.swap(prev);
        prev.swap(cur);
    }
    return prev[b.size()];
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
