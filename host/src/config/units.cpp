#include "config/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace tshost::config {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
        s.remove_suffix(1);
    }
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// A non-negative decimal number followed by an optional unit (spaces allowed in between).
struct Quantity {
    double value = 0;
    std::string unit;  // lower-cased
};

Quantity split_quantity(std::string_view text, std::string_view what, std::string_view example) {
    std::string_view s = trim(text);
    auto fail = [&](const std::string& why) {
        throw std::invalid_argument("invalid " + std::string(what) + " \"" + std::string(text) +
                                    "\": " + why + "; write e.g. " + std::string(example));
    };
    if (s.empty()) {
        fail("it is empty");
    }
    if (s.front() == '-') {
        fail("it must not be negative");
    }
    // from_chars also takes "inf", "nan" and exponents; the unit letters come after.
    std::size_t end = 0;
    while (end < s.size() &&
           (std::isdigit(static_cast<unsigned char>(s[end])) != 0 || s[end] == '.')) {
        ++end;
    }
    Quantity q;
    const char* last = s.data() + end;
    auto [ptr, ec] = std::from_chars(s.data(), last, q.value);
    if (end == 0 || ec != std::errc() || ptr != last || !std::isfinite(q.value)) {
        fail("expected a number followed by an optional unit");
    }
    q.unit = lower(trim(s.substr(end)));
    return q;
}

}  // namespace

std::chrono::seconds parse_duration(std::string_view text) {
    constexpr std::string_view kWhat = "duration";
    constexpr std::string_view kExample =
        "\"45s\", \"30m\", \"1.5h\", \"2d\" or a number of seconds";
    Quantity q = split_quantity(text, kWhat, kExample);
    double factor = 0;
    if (q.unit.empty() || q.unit == "s") {
        factor = 1;
    } else if (q.unit == "m") {
        factor = 60;
    } else if (q.unit == "h") {
        factor = 3600;
    } else if (q.unit == "d") {
        factor = 86400;
    } else {
        throw std::invalid_argument("invalid duration \"" + std::string(text) +
                                    "\": unknown unit \"" + q.unit +
                                    "\" (use s, m, h or d); write e.g. " + std::string(kExample));
    }
    double seconds = std::ceil(q.value * factor);
    // A century is more than any experiment needs and keeps arithmetic on it far from overflow.
    constexpr double kMax = 100.0 * 365 * 86400;
    if (seconds > kMax) {
        throw std::invalid_argument("invalid duration \"" + std::string(text) +
                                    "\": longer than 100 years");
    }
    return std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

std::int64_t parse_memory_mb(std::string_view text) {
    constexpr std::string_view kWhat = "memory size";
    constexpr std::string_view kExample = "\"512m\", \"4g\", \"4Gi\", \"8192mb\" or 8192 (MB)";
    Quantity q = split_quantity(text, kWhat, kExample);
    static const std::pair<std::string_view, double> kUnits[] = {
        {"", 1},
        {"b", 1.0 / 1048576},
        {"k", 1.0 / 1024},
        {"kb", 1.0 / 1024},
        {"ki", 1.0 / 1024},
        {"kib", 1.0 / 1024},
        {"m", 1},
        {"mb", 1},
        {"mi", 1},
        {"mib", 1},
        {"g", 1024},
        {"gb", 1024},
        {"gi", 1024},
        {"gib", 1024},
        {"t", 1048576},
        {"tb", 1048576},
        {"ti", 1048576},
        {"tib", 1048576},
    };
    std::optional<double> factor;
    for (const auto& [unit, f] : kUnits) {
        if (q.unit == unit) {
            factor = f;
        }
    }
    if (!factor) {
        throw std::invalid_argument("invalid memory size \"" + std::string(text) +
                                    "\": unknown unit \"" + q.unit +
                                    "\" (use b, k, m, g or t, optionally followed by b, or Ki, Mi, "
                                    "Gi, Ti); write e.g. " +
                                    std::string(kExample));
    }
    double mb = std::ceil(q.value * *factor);
    if (mb <= 0) {
        throw std::invalid_argument("invalid memory size \"" + std::string(text) +
                                    "\": it must be greater than 0");
    }
    constexpr double kMax = 1024.0 * 1048576;  // 1 PiB in MB
    if (mb > kMax) {
        throw std::invalid_argument("invalid memory size \"" + std::string(text) +
                                    "\": larger than 1 PiB");
    }
    return static_cast<std::int64_t>(mb);
}

}  // namespace tshost::config
