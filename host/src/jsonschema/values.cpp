#include "jsonschema/values.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

namespace tshost::jsonschema::detail {
namespace {

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

// The magnitude of a number as digits * 10^exponent, from the shortest decimal representation
// that round-trips.
struct Decimal {
    std::uint64_t digits = 0;
    int exponent = 0;
};

Decimal to_decimal(const json& number) {
    Decimal result;
    if (number.is_number_unsigned()) {
        result.digits = number.get<std::uint64_t>();
    } else if (number.is_number_integer()) {
        auto value = number.get<std::int64_t>();
        result.digits =
            value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    } else {
        char buffer[64];
        auto [end, ec] =
            std::to_chars(buffer, buffer + sizeof buffer, std::fabs(number.get<double>()),
                          std::chars_format::scientific);
        // d.ddddde[+-]xx: at most 17 significant digits, which fit in 64 bits.
        const char* p = buffer;
        int fraction_digits = 0;
        bool after_point = false;
        for (; p != end && *p != 'e'; ++p) {
            if (*p == '.') {
                after_point = true;
                continue;
            }
            result.digits = result.digits * 10 + static_cast<std::uint64_t>(*p - '0');
            fraction_digits += after_point ? 1 : 0;
        }
        int exponent = 0;
        if (p != end) {
            ++p;
            if (*p == '+') {
                ++p;
            }
            std::from_chars(p, end, exponent);
        }
        result.exponent = exponent - fraction_digits;
    }
    while (result.digits != 0 && result.digits % 10 == 0) {
        result.digits /= 10;
        ++result.exponent;
    }
    return result;
}

// base^exponent mod modulus, with 128-bit intermediates.
std::uint64_t power_mod(std::uint64_t base, int exponent, std::uint64_t modulus) {
    UInt128 result = 1 % modulus;
    UInt128 factor = base % modulus;
    while (exponent > 0) {
        if (exponent & 1) {
            result = result * factor % modulus;
        }
        factor = factor * factor % modulus;
        exponent >>= 1;
    }
    return static_cast<std::uint64_t>(result);
}

void mix(std::size_t& seed, std::size_t value) {
    seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

std::size_t number_hash(const json& number) {
    if (number.is_number_unsigned()) {
        return std::hash<std::uint64_t>{}(number.get<std::uint64_t>());
    }
    if (number.is_number_integer()) {
        auto value = number.get<std::int64_t>();
        return value >= 0 ? std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(value))
                          : std::hash<std::int64_t>{}(value);
    }
    // Integral doubles must hash like the integer they equal.
    double value = number.get<double>();
    if (value >= 0 && value < 18446744073709551616.0 && std::trunc(value) == value) {
        return std::hash<std::uint64_t>{}(static_cast<std::uint64_t>(value));
    }
    if (value < 0 && value >= -9223372036854775808.0 && std::trunc(value) == value) {
        return std::hash<std::int64_t>{}(static_cast<std::int64_t>(value));
    }
    return std::hash<double>{}(value);
}

}  // namespace

Kind kind_of(const json& value) noexcept {
    switch (value.type()) {
        case json::value_t::boolean:
            return Kind::Boolean;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return Kind::Number;
        case json::value_t::string:
            return Kind::String;
        case json::value_t::array:
            return Kind::Array;
        case json::value_t::object:
            return Kind::Object;
        default:
            return Kind::Null;
    }
}

bool is_integral(const json& number) noexcept {
    if (number.is_number_integer()) {
        return true;
    }
    if (!number.is_number_float()) {
        return false;
    }
    double value = number.get<double>();
    return std::isfinite(value) && std::trunc(value) == value;
}

int compare_numbers(const json& a, const json& b) noexcept {
    auto as_int = [](const json& n) -> Int128 {
        return n.is_number_unsigned() ? static_cast<Int128>(n.get<std::uint64_t>())
                                      : static_cast<Int128>(n.get<std::int64_t>());
    };
    auto sign = [](auto x) { return x < 0 ? -1 : (x > 0 ? 1 : 0); };
    bool a_int = a.is_number_integer();
    bool b_int = b.is_number_integer();
    if (a_int && b_int) {
        return sign(as_int(a) - as_int(b));
    }
    if (!a_int && !b_int) {
        double x = a.get<double>();
        double y = b.get<double>();
        return x < y ? -1 : (x > y ? 1 : (x == y ? 0 : kUnordered));
    }
    // One integer i, one double d: compare i with floor(d), then with the fraction.
    Int128 i = as_int(a_int ? a : b);
    double d = (a_int ? b : a).get<double>();
    if (std::isnan(d)) {
        return kUnordered;
    }
    int i_vs_d;
    if (d >= 1.7e38) {
        i_vs_d = -1;
    } else if (d <= -1.7e38) {
        i_vs_d = 1;
    } else {
        double whole = std::floor(d);
        Int128 w = static_cast<Int128>(whole);
        i_vs_d = i != w ? sign(i - w) : (d > whole ? -1 : 0);
    }
    return a_int ? i_vs_d : -i_vs_d;
}

bool is_multiple_of(const json& value, const json& divisor) noexcept {
    for (const json* number : {&value, &divisor}) {
        if (number->is_number_float() && !std::isfinite(number->get<double>())) {
            return false;
        }
    }
    Decimal x = to_decimal(value);
    Decimal m = to_decimal(divisor);
    if (x.digits == 0) {
        return true;
    }
    if (m.digits == 0) {
        return false;
    }
    if (x.exponent >= m.exponent) {
        // x.digits * 10^(gap) mod m.digits, which stays exact for any gap.
        UInt128 reduced = static_cast<UInt128>(x.digits % m.digits) *
                          power_mod(10, x.exponent - m.exponent, m.digits);
        return reduced % m.digits == 0;
    }
    // The divisor scaled to x's exponent: once it exceeds x, x cannot be a multiple.
    UInt128 scaled = m.digits;
    for (int gap = m.exponent - x.exponent; gap > 0; --gap) {
        scaled *= 10;
        if (scaled > x.digits) {
            return false;
        }
    }
    return x.digits % scaled == 0;
}

bool json_equal(const json& a, const json& b) {
    std::vector<std::pair<const json*, const json*>> pending{{&a, &b}};
    while (!pending.empty()) {
        auto [x, y] = pending.back();
        pending.pop_back();
        Kind kind = kind_of(*x);
        if (kind != kind_of(*y)) {
            return false;
        }
        switch (kind) {
            case Kind::Null:
                break;
            case Kind::Boolean:
            case Kind::String:
                if (*x != *y) {
                    return false;
                }
                break;
            case Kind::Number:
                if (compare_numbers(*x, *y) != 0) {
                    return false;
                }
                break;
            case Kind::Array:
                if (x->size() != y->size()) {
                    return false;
                }
                for (std::size_t i = 0; i < x->size(); ++i) {
                    pending.emplace_back(&(*x)[i], &(*y)[i]);
                }
                break;
            case Kind::Object: {
                if (x->size() != y->size()) {
                    return false;
                }
                // Objects iterate in key order, so equal objects line up.
                for (auto i = x->begin(), j = y->begin(); i != x->end(); ++i, ++j) {
                    if (i.key() != j.key()) {
                        return false;
                    }
                    pending.emplace_back(&i.value(), &j.value());
                }
                break;
            }
        }
    }
    return true;
}

std::size_t json_hash(const json& value) {
    std::size_t seed = 0;
    std::vector<const json*> pending{&value};
    while (!pending.empty()) {
        const json* v = pending.back();
        pending.pop_back();
        Kind kind = kind_of(*v);
        mix(seed, static_cast<std::size_t>(kind));
        switch (kind) {
            case Kind::Null:
                break;
            case Kind::Boolean:
                mix(seed, v->get<bool>() ? 1 : 0);
                break;
            case Kind::Number:
                mix(seed, number_hash(*v));
                break;
            case Kind::String:
                mix(seed, std::hash<std::string>{}(v->get_ref<const std::string&>()));
                break;
            case Kind::Array:
            case Kind::Object:
                mix(seed, v->size());
                for (auto it = v->begin(); it != v->end(); ++it) {
                    if (kind == Kind::Object) {
                        mix(seed, std::hash<std::string>{}(it.key()));
                    }
                    pending.push_back(&it.value());
                }
                break;
        }
    }
    return seed;
}

bool deeper_than(const json& value, std::size_t limit) {
    std::vector<std::pair<const json*, std::size_t>> pending{{&value, 0}};
    while (!pending.empty()) {
        auto [v, depth] = pending.back();
        pending.pop_back();
        if (!v->is_structured()) {
            continue;
        }
        if (depth >= limit) {
            return true;
        }
        for (const json& child : *v) {
            pending.emplace_back(&child, depth + 1);
        }
    }
    return false;
}

std::size_t utf8_length(std::string_view text) noexcept {
    std::size_t count = 0;
    for (char c : text) {
        count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    return count;
}

}  // namespace tshost::jsonschema::detail
