#include "jsonschema/formats.hpp"

#include <array>
#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "jsonschema/regex.hpp"

namespace tshost::jsonschema::detail {
namespace {

using Text = std::string_view;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Reads exactly `width` digits at `pos` into `out`.
bool read_digits(Text s, std::size_t pos, std::size_t width, int& out) {
    if (pos + width > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (!is_digit(s[i])) {
            return false;
        }
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// ---- RFC 3339 dates and times ----

bool full_date(Text s) {
    int year = 0;
    int month = 0;
    int day = 0;
    if (s.size() != 10 || !read_digits(s, 0, 4, year) || s[4] != '-' ||
        !read_digits(s, 5, 2, month) || s[7] != '-' || !read_digits(s, 8, 2, day)) {
        return false;
    }
    constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month >= 1 && month <= 12 && day >= 1 &&
           day <= kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
}

bool full_time(Text s) {
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!read_digits(s, 0, 2, hour) || s.size() < 9 || s[2] != ':' ||
        !read_digits(s, 3, 2, minute) || s[5] != ':' || !read_digits(s, 6, 2, second)) {
        return false;
    }
    std::size_t pos = 8;
    if (pos < s.size() && s[pos] == '.') {
        std::size_t start = ++pos;
        while (pos < s.size() && is_digit(s[pos])) {
            ++pos;
        }
        if (pos == start) {
            return false;
        }
    }
    int offset = 0;  // minutes east of UTC
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int off_hour = 0;
        int off_minute = 0;
        if (!read_digits(s, pos + 1, 2, off_hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_digits(s, pos + 4, 2, off_minute) || off_hour > 23 || off_minute > 59) {
            return false;
        }
        offset = (s[pos] == '+' ? 1 : -1) * (off_hour * 60 + off_minute);
        pos += 6;
    } else {
        return false;
    }
    if (pos != s.size() || hour > 23 || minute > 59 || second > 60) {
        return false;
    }
    // A leap second exists only at 23:59:60 UTC.
    int utc = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440;
    return second < 60 || utc == 23 * 60 + 59;
}

bool date_time(Text s) {
    return s.size() > 11 && (s[10] == 'T' || s[10] == 't') && full_date(s.substr(0, 10)) &&
           full_time(s.substr(11));
}

// ISO 8601 durations as RFC 3339 appendix A writes them: P1Y2M3DT4H5M6S, P4W.
bool duration(Text s) {
    if (s.size() < 3 || s[0] != 'P') {
        return false;
    }
    std::size_t pos = 1;
    auto component = [&](Text units, std::size_t& unit_index) {
        std::size_t start = pos;
        while (pos < s.size() && is_digit(s[pos])) {
            ++pos;
        }
        if (pos == start || pos >= s.size()) {
            return false;
        }
        auto found = units.find(s[pos], unit_index);
        if (found == Text::npos) {
            return false;
        }
        unit_index = found + 1;
        ++pos;
        return true;
    };
    if (s.back() == 'W') {
        std::size_t unit = 0;
        return component("W", unit) && pos == s.size();
    }
    std::size_t date_unit = 0;
    while (pos < s.size() && s[pos] != 'T') {
        if (!component("YMD", date_unit)) {
            return false;
        }
    }
    if (pos < s.size()) {
        ++pos;  // 'T' needs at least one time component
        std::size_t time_unit = 0;
        if (pos == s.size()) {
            return false;
        }
        while (pos < s.size()) {
            if (!component("HMS", time_unit)) {
                return false;
            }
        }
    }
    return true;
}

// ---- Internet names and addresses ----

bool ipv4(Text s) {
    int parts = 0;
    std::size_t pos = 0;
    while (parts < 4) {
        std::size_t start = pos;
        int value = 0;
        while (pos < s.size() && is_digit(s[pos]) && pos - start < 3) {
            value = value * 10 + (s[pos++] - '0');
        }
        std::size_t length = pos - start;
        if (length == 0 || value > 255 || (length > 1 && s[start] == '0')) {
            return false;
        }
        if (++parts < 4) {
            if (pos >= s.size() || s[pos] != '.') {
                return false;
            }
            ++pos;
        }
    }
    return pos == s.size();
}

bool ipv6(Text s) {
    int groups = 0;
    bool compressed = false;
    std::size_t pos = 0;
    if (s.starts_with("::")) {
        compressed = true;
        pos = 2;
    } else if (s.starts_with(":")) {
        return false;
    }
    while (pos < s.size()) {
        std::size_t start = pos;
        while (pos < s.size() && is_hex(s[pos]) && pos - start < 5) {
            ++pos;
        }
        if (pos < s.size() && s[pos] == '.') {
            // An embedded IPv4 address ends the address and stands for two groups.
            if (!ipv4(s.substr(start))) {
                return false;
            }
            groups += 2;
            pos = s.size();
            break;
        }
        if (pos == start || pos - start > 4) {
            return false;
        }
        ++groups;
        if (pos == s.size()) {
            break;
        }
        if (s[pos] != ':') {
            return false;
        }
        ++pos;
        if (pos < s.size() && s[pos] == ':') {
            if (compressed) {
                return false;
            }
            compressed = true;
            ++pos;
        } else if (pos == s.size()) {
            return false;
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

bool hostname_label_char(char c, bool international) {
    return is_alpha(c) || is_digit(c) || c == '-' ||
           (international && static_cast<unsigned char>(c) >= 0x80);
}

bool hostname_of(Text s, bool international) {
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t pos = 0;
    while (true) {
        auto dot = s.find('.', pos);
        Text label = s.substr(pos, dot == Text::npos ? Text::npos : dot - pos);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (!hostname_label_char(c, international)) {
                return false;
            }
        }
        // "ab--" labels are reserved for encodings; only punycode ("xn--") is in use.
        if (label.size() >= 4 && label.substr(2, 2) == "--" && !label.starts_with("xn--") &&
            !label.starts_with("XN--")) {
            return false;
        }
        if (dot == Text::npos) {
            return true;
        }
        pos = dot + 1;
    }
}

bool hostname(Text s) {
    return hostname_of(s, false);
}
bool idn_hostname(Text s) {
    return hostname_of(s, true);
}

bool email_of(Text s, bool international) {
    auto at = s.rfind('@');
    if (at == Text::npos || at == 0 || at + 1 == s.size()) {
        return false;
    }
    Text local = s.substr(0, at);
    Text domain = s.substr(at + 1);
    if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
        for (std::size_t i = 1; i + 1 < local.size(); ++i) {
            if (local[i] == '\\') {
                ++i;
            } else if (local[i] == '"') {
                return false;
            }
        }
    } else {
        constexpr Text kSpecials = "!#$%&'*+/=?^_`{|}~-.";
        if (local.front() == '.' || local.back() == '.' || local.find("..") != Text::npos) {
            return false;
        }
        for (char c : local) {
            if (!is_alpha(c) && !is_digit(c) && kSpecials.find(c) == Text::npos &&
                !(international && static_cast<unsigned char>(c) >= 0x80)) {
                return false;
            }
        }
    }
    if (domain.front() == '[' && domain.back() == ']') {
        Text literal = domain.substr(1, domain.size() - 2);
        return literal.starts_with("IPv6:") ? ipv6(literal.substr(5)) : ipv4(literal);
    }
    return hostname_of(domain, international);
}

bool email(Text s) {
    return email_of(s, false);
}
bool idn_email(Text s) {
    return email_of(s, true);
}

// ---- URIs (RFC 3986) and IRIs (RFC 3987) ----

bool unreserved_or_sub_delim(char c) {
    constexpr Text kOthers = "-._~!$&'()*+,;=";
    return is_alpha(c) || is_digit(c) || kOthers.find(c) != Text::npos;
}

// Every character is allowed by `extra`, unreserved, a sub-delimiter, percent-encoded, or
// (for IRIs) non-ASCII.
bool uri_chars(Text s, Text extra, bool international) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                return false;
            }
            i += 2;
        } else if (!unreserved_or_sub_delim(c) && extra.find(c) == Text::npos &&
                   !(international && static_cast<unsigned char>(c) >= 0x80)) {
            return false;
        }
    }
    return true;
}

bool authority(Text s, bool international) {
    auto at = s.rfind('@');
    if (at != Text::npos) {
        if (!uri_chars(s.substr(0, at), ":", international)) {
            return false;
        }
        s = s.substr(at + 1);
    }
    if (s.starts_with('[')) {
        auto close = s.find(']');
        if (close == Text::npos || !ipv6(s.substr(1, close - 1))) {
            return false;
        }
        s = s.substr(close + 1);
        if (!s.empty() && s.front() != ':') {
            return false;
        }
    }
    auto colon = s.rfind(':');
    if (colon != Text::npos) {
        for (char c : s.substr(colon + 1)) {
            if (!is_digit(c)) {
                return false;
            }
        }
        s = s.substr(0, colon);
    }
    return uri_chars(s, "", international);
}

// The part after "scheme:" or a whole relative reference.
bool uri_rest(Text s, bool international, bool relative) {
    auto hash = s.find('#');
    if (hash != Text::npos && !uri_chars(s.substr(hash + 1), ":@/?", international)) {
        return false;
    }
    s = s.substr(0, hash);
    auto question = s.find('?');
    if (question != Text::npos && !uri_chars(s.substr(question + 1), ":@/?", international)) {
        return false;
    }
    s = s.substr(0, question);
    if (s.starts_with("//")) {
        auto slash = s.find('/', 2);
        if (!authority(s.substr(2, slash == Text::npos ? Text::npos : slash - 2), international)) {
            return false;
        }
        s = slash == Text::npos ? Text{} : s.substr(slash);
    }
    // In a relative reference the first segment cannot hold ':' (it would read as a scheme).
    if (relative && s.substr(0, s.find('/')).find(':') != Text::npos) {
        return false;
    }
    return uri_chars(s, ":@/", international);
}

// Splits off a valid scheme; false when there is none.
bool split_scheme(Text s, Text& rest) {
    auto colon = s.find(':');
    if (colon == Text::npos || colon == 0 || !is_alpha(s[0])) {
        return false;
    }
    for (char c : s.substr(0, colon)) {
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    rest = s.substr(colon + 1);
    return true;
}

bool uri_of(Text s, bool international) {
    Text rest;
    return split_scheme(s, rest) && uri_rest(rest, international, false);
}

bool uri_reference_of(Text s, bool international) {
    Text rest;
    return split_scheme(s, rest) ? uri_rest(rest, international, false)
                                 : uri_rest(s, international, true);
}

bool uri(Text s) {
    return uri_of(s, false);
}
bool uri_reference(Text s) {
    return uri_reference_of(s, false);
}
bool iri(Text s) {
    return uri_of(s, true);
}
bool iri_reference(Text s) {
    return uri_reference_of(s, true);
}

// RFC 6570: literals, and expressions in balanced, non-nested braces.
bool uri_template(Text s) {
    bool in_expression = false;
    for (char c : s) {
        if (c == '{') {
            if (in_expression) {
                return false;
            }
            in_expression = true;
        } else if (c == '}') {
            if (!in_expression) {
                return false;
            }
            in_expression = false;
        } else if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
                   c == '`' || c == '|') {
            return false;
        }
    }
    return !in_expression;
}

// ---- Pointers and the rest ----

bool json_pointer(Text s) {
    if (!s.empty() && s.front() != '/') {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '~' && (i + 1 == s.size() || (s[i + 1] != '0' && s[i + 1] != '1'))) {
            return false;
        }
    }
    return true;
}

bool relative_json_pointer(Text s) {
    std::size_t pos = 0;
    while (pos < s.size() && is_digit(s[pos])) {
        ++pos;
    }
    if (pos == 0 || (pos > 1 && s[0] == '0')) {
        return false;
    }
    Text rest = s.substr(pos);
    return rest == "#" || json_pointer(rest);
}

bool uuid(Text s) {
    if (s.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

bool regex(Text s) {
    try {
        Regex compiled{std::string(s)};
        return true;
    } catch (const std::regex_error&) {
        return false;
    }
}

bool base64(Text s) {
    if (s.size() % 4 != 0) {
        return false;
    }
    std::size_t padding = 0;
    for (char c : s) {
        if (c == '=') {
            ++padding;
        } else if (padding > 0 || !(is_alpha(c) || is_digit(c) || c == '+' || c == '/')) {
            return false;
        }
    }
    return padding <= 2;
}

// ---- Adapters to JSON values ----

template <bool (*Check)(Text)>
bool on_string(const nlohmann::json& value) {
    return !value.is_string() || Check(value.get_ref<const std::string&>());
}

template <std::int64_t Min, std::int64_t Max>
bool integer_in(const nlohmann::json& value) {
    if (!value.is_number()) {
        return true;
    }
    return is_integral(value) && compare_numbers(value, nlohmann::json(Min)) >= 0 &&
           compare_numbers(value, nlohmann::json(Max)) <= 0;
}

struct NamedFormat {
    std::string_view name;
    FormatChecker checker;
};

constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

const std::array<NamedFormat, 22> kFormats{{
    {"date-time", {on_string<date_time>, Kind::String}},
    {"date", {on_string<full_date>, Kind::String}},
    {"time", {on_string<full_time>, Kind::String}},
    {"duration", {on_string<duration>, Kind::String}},
    {"email", {on_string<email>, Kind::String}},
    {"idn-email", {on_string<idn_email>, Kind::String}},
    {"hostname", {on_string<hostname>, Kind::String}},
    {"idn-hostname", {on_string<idn_hostname>, Kind::String}},
    {"ipv4", {on_string<ipv4>, Kind::String}},
    {"ipv6", {on_string<ipv6>, Kind::String}},
    {"uri", {on_string<uri>, Kind::String}},
    {"uri-reference", {on_string<uri_reference>, Kind::String}},
    {"iri", {on_string<iri>, Kind::String}},
    {"iri-reference", {on_string<iri_reference>, Kind::String}},
    {"uri-template", {on_string<uri_template>, Kind::String}},
    {"json-pointer", {on_string<json_pointer>, Kind::String}},
    {"relative-json-pointer", {on_string<relative_json_pointer>, Kind::String}},
    {"uuid", {on_string<uuid>, Kind::String}},
    {"regex", {on_string<regex>, Kind::String}},
    // OpenAPI 3.0 data types.
    {"byte", {on_string<base64>, Kind::String}},
    {"int32", {integer_in<kInt32Min, kInt32Max>, Kind::Number}},
    {"int64", {integer_in<kInt64Min, kInt64Max>, Kind::Number}},
}};

}  // namespace

const FormatChecker* find_format(std::string_view name) {
    for (const NamedFormat& format : kFormats) {
        if (format.name == name) {
            return &format.checker;
        }
    }
    return nullptr;
}

}  // namespace tshost::jsonschema::detail
