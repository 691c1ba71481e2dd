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

namespace {

// Exact arithmetic on sizes: up to 1 PiB (2^50 bytes) times 10^20 for the decimal fraction.
__extension__ using Wide = unsigned __int128;

constexpr Wide kMaxBytes = Wide{1} << 50;  // 1 PiB
constexpr std::string_view kBinarySuffix[] = {"", "Ki", "Mi", "Gi", "Ti"};

// The power of 1024 an NNI unit (lower-cased) stands for; nullopt when it is not one.
std::optional<int> nni_unit_power(const std::string& unit) {
    static const std::pair<std::string_view, int> kUnits[] = {
        {"", 2},   {"b", 0},   {"k", 1},  {"kb", 1},  {"ki", 1}, {"kib", 1},
        {"m", 2},  {"mb", 2},  {"mi", 2}, {"mib", 2}, {"g", 3},  {"gb", 3},
        {"gi", 3}, {"gib", 3}, {"t", 4},  {"tb", 4},  {"ti", 4}, {"tib", 4},
    };
    for (const auto& [name, power] : kUnits) {
        if (unit == name) {
            return power;
        }
    }
    return std::nullopt;
}

std::string to_string(Wide v) {
    std::string out;
    do {
        out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    } while (v != 0);
    return out;
}

}  // namespace

std::string memory_quantity(std::string_view text) {
    constexpr std::string_view kExample = "\"512m\", \"4g\", \"4Gi\", \"8192mb\" or 8192 (MB)";
    const std::string_view s = trim(text);
    auto fail = [&](const std::string& why) {
        throw std::invalid_argument("invalid memory size \"" + std::string(text) + "\": " + why +
                                    "; write e.g. " + std::string(kExample));
    };
    if (s.empty()) {
        fail("it is empty");
    }
    if (s.front() == '-') {
        fail("it must not be negative");
    }
    // digits[.digits], read exactly: the value is mantissa / 10^decimals of the unit.
    std::size_t end = 0;
    std::string integer_digits, fraction_digits;
    bool point = false;
    for (; end < s.size(); ++end) {
        const char c = s[end];
        if (c == '.' && !point) {
            point = true;
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            (point ? fraction_digits : integer_digits).push_back(c);
        } else {
            break;
        }
    }
    if (integer_digits.empty() && fraction_digits.empty()) {
        fail("expected a number followed by an optional unit");
    }
    if (end < s.size() && (s[end] == '.' || std::isdigit(static_cast<unsigned char>(s[end])))) {
        fail("expected a number followed by an optional unit");
    }
    const std::string_view written_unit = trim(s.substr(end));
    const std::optional<int> power = nni_unit_power(lower(written_unit));
    if (!power) {
        throw std::invalid_argument("invalid memory size \"" + std::string(text) +
                                    "\": unknown unit \"" + lower(written_unit) +
                                    "\" (use b, k, m, g or t, optionally followed by b, or Ki, "
                                    "Mi, Gi, Ti); write e.g. " +
                                    std::string(kExample));
    }
    // Kubernetes' own number syntax: digits, and digits after a point when there is one.
    const bool kubernetes_number = !integer_digits.empty() && (!point || !fraction_digits.empty());
    while (!fraction_digits.empty() && fraction_digits.back() == '0') {
        fraction_digits.pop_back();
    }
    integer_digits.erase(0, integer_digits.find_first_not_of('0'));
    const Wide unit_bytes = Wide{1} << (10 * *power);
    auto too_large = [&] { fail("larger than 1 PiB"); };
    // More than 16 digits is more than 1 PiB in any unit; checking before multiplying keeps
    // every product below within 128 bits.
    if (integer_digits.size() > 16) {
        too_large();
    }
    Wide whole = 0;
    for (char c : integer_digits) {
        whole = whole * 10 + static_cast<unsigned>(c - '0');
    }
    if (whole * unit_bytes > kMaxBytes) {
        too_large();
    }
    if (fraction_digits.size() > 20) {
        fail("it has more than 20 decimals");
    }
    Wide scale = 1, fraction = 0;
    for (char c : fraction_digits) {
        scale *= 10;
        fraction = fraction * 10 + static_cast<unsigned>(c - '0');
    }
    const Wide scaled = (whole * scale + fraction) * unit_bytes;  // bytes × scale
    if (scaled == 0) {
        fail("it must be greater than 0");
    }
    if (scaled % scale != 0) {
        fail(
            "it is not a whole number of bytes; Kubernetes needs one (write it in a smaller "
            "unit, e.g. m instead of g)");
    }
    const Wide bytes = scaled / scale;
    if (bytes > kMaxBytes) {
        too_large();
    }
    // A Kubernetes binary quantity written as Kubernetes reads it stays as written.
    if (*power > 0 && kubernetes_number && written_unit == kBinarySuffix[*power] &&
        end + written_unit.size() == s.size()) {
        return std::string(s);
    }
    // Otherwise the user's unit, or the largest smaller one that keeps the size exact.
    for (int p = *power; p > 0; --p) {
        const Wide factor = Wide{1} << (10 * p);
        if (bytes % factor == 0) {
            return to_string(bytes / factor) + std::string(kBinarySuffix[p]);
        }
    }
    return to_string(bytes);
}

}  // namespace tshost::config
