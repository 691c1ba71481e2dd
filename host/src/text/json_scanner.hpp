// A strict one-pass reader for JSON texts whose shape the caller knows (the agent's metrics
// push, the host's own metric events). It recognises a subset of JSON exactly and gives up
// on everything else: each member returns false or nullopt when the input is not what it
// expects, and the caller then falls back to a full JSON parser, which decides. So it must
// never accept what a JSON parser would refuse, and it never reports errors itself.
//
// Strings must be valid UTF-8 (RFC 3629, as nlohmann's lexer checks); escapes that decode
// to non-ASCII (\u0080 and up, surrogate pairs) are left to the full parser. Header-only,
// no dependencies: used on hot paths of the metrics server and the engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::text {

/// A byte of a JSON string written the canonical way: the quote, the backslash, \n, \r and
/// \t as short escapes, other control characters as \u00xx (lowercase), the rest as is.
inline void append_escaped_byte(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c >= 0x20) {
                out += static_cast<char>(c);
                return;
            }
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
    }
}

/// [A-Za-z0-9_.-]: the characters of trial ids and replica names.
inline bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

class JsonScanner {
  public:
    explicit JsonScanner(std::string_view text)
        : p_(text.data()), end_(text.data() + text.size()) {}

    /// Only whitespace is left.
    bool at_end() {
        skip_space();
        return p_ == end_;
    }

    bool punct(char c) {
        skip_space();
        if (p_ == end_ || *p_ != c) {
            return false;
        }
        ++p_;
        return true;
    }

    /// "name" followed by a colon; keys with escapes are not recognised.
    bool key(std::string_view name) {
        skip_space();
        if (static_cast<size_t>(end_ - p_) < name.size() + 2 || *p_ != '"' ||
            std::string_view(p_ + 1, name.size()) != name || p_[name.size() + 1] != '"') {
            return false;
        }
        p_ += name.size() + 2;
        return punct(':');
    }

    /// Plain digits without a leading zero, at most `max_digits` (18 always fit an int64_t)
    /// and at most `max`. A fraction or exponent after them fails the caller's next check.
    std::optional<int64_t> number(int max_digits, int64_t max) {
        skip_space();
        if (p_ == end_ || *p_ < '0' || *p_ > '9') {
            return std::nullopt;
        }
        if (*p_ == '0') {
            ++p_;  // "01" is not JSON: the next token check fails on the '1'
            return 0;
        }
        int64_t value = 0;
        int digits = 0;
        for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
            if (++digits > max_digits) {
                return std::nullopt;
            }
            value = value * 10 + (*p_ - '0');
        }
        if (value > max) {
            return std::nullopt;
        }
        return value;
    }

    bool null() {
        skip_space();
        return take("null");
    }

    std::optional<bool> boolean() {
        skip_space();
        if (take("true")) {
            return true;
        }
        if (take("false")) {
            return false;
        }
        return std::nullopt;
    }

    /// A string of 1-`max_chars` name characters, without escapes.
    std::optional<std::string_view> name(size_t max_chars) {
        skip_space();
        if (p_ == end_ || *p_ != '"') {
            return std::nullopt;
        }
        const char* start = ++p_;
        while (p_ != end_ && is_name_char(*p_)) {
            ++p_;
        }
        const std::string_view text(start, static_cast<size_t>(p_ - start));
        if (p_ == end_ || *p_ != '"' || text.empty() || text.size() > max_chars) {
            return std::nullopt;
        }
        ++p_;
        return text;
    }

    /// The bytes of the string that comes next as it stands in the input, to size a copy of
    /// it; 0 when no string comes next.
    size_t next_string_bytes() {
        skip_space();
        if (p_ == end_ || *p_ != '"') {
            return 0;
        }
        const char* q = p_ + 1;
        while (q < end_ && *q != '"') {
            q += *q == '\\' ? 2 : 1;
        }
        return static_cast<size_t>((q < end_ ? q : end_) - p_);
    }

    /// A string of at most `max_bytes` decoded bytes, appended to `out` as a JSON string
    /// literal written the canonical way (append_escaped_byte()). Text and escapes already
    /// in that form are copied as they are.
    bool string_canonical(std::string& out, size_t max_bytes) {
        return string<true>(out, max_bytes);
    }

    /// A string of at most `max_bytes` decoded bytes, its decoded bytes appended to `out`.
    bool string_decoded(std::string& out, size_t max_bytes) {
        return string<false>(out, max_bytes);
    }

  private:
    // Printable ASCII but the quote and the backslash: the same in every form.
    static constexpr auto kPlainAscii = [] {
        std::array<bool, 256> plain{};
        for (int c = 0x20; c < 0x80; ++c) {
            plain[static_cast<size_t>(c)] = c != '"' && c != '\\';
        }
        return plain;
    }();

    static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

    // Escapes that append_escaped_byte() writes the same way.
    static bool is_canonical_short_escape(char kind) {
        return kind == '"' || kind == '\\' || kind == 'n' || kind == 'r' || kind == 't';
    }

    template <bool kCanonical>
    bool string(std::string& out, size_t max_bytes) {
        skip_space();
        if (p_ == end_ || *p_ != '"') {
            return false;
        }
        const char* const start = ++p_;
        const char* plain = p_;   // start of the run copied as it is
        size_t escape_bytes = 0;  // input bytes that escapes take beyond what they decode to
        if constexpr (kCanonical) {
            out += '"';
        }
        for (;;) {
            while (p_ != end_ && kPlainAscii[static_cast<unsigned char>(*p_)]) {
                ++p_;
            }
            if (p_ == end_) {
                return false;
            }
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                break;
            }
            if (c >= 0x80) {
                const size_t length = utf8_length();
                if (length == 0) {
                    return false;
                }
                p_ += length;
                continue;
            }
            if (c != '\\') {
                return false;  // a raw control character: not JSON
            }
            if (kCanonical && end_ - p_ >= 2 && is_canonical_short_escape(p_[1])) {
                p_ += 2;
                ++escape_bytes;
                continue;
            }
            out.append(plain, p_);
            const char* const escape_start = p_;
            const auto byte = escape();
            if (!byte) {
                return false;
            }
            escape_bytes += static_cast<size_t>(p_ - escape_start) - 1;
            if constexpr (kCanonical) {
                append_escaped_byte(out, *byte);
            } else {
                out += static_cast<char>(*byte);
            }
            plain = p_;
        }
        out.append(plain, p_);
        const size_t decoded = static_cast<size_t>(p_ - start) - escape_bytes;
        ++p_;
        if constexpr (kCanonical) {
            out += '"';
        }
        return decoded <= max_bytes;
    }

    void skip_space() {
        while (p_ != end_ && is_space(*p_)) {
            ++p_;
        }
    }

    bool take(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word) {
            return false;
        }
        p_ += word.size();
        return true;
    }

    // The length of the well-formed UTF-8 sequence at p_ (RFC 3629: no overlong forms, no
    // surrogates, nothing above U+10FFFF; the ranges nlohmann's lexer accepts), or 0.
    size_t utf8_length() const {
        const auto at = [this](size_t i) -> unsigned {
            return p_ + i < end_ ? static_cast<unsigned char>(p_[i]) : 0u;
        };
        const auto in = [](unsigned c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
        const unsigned c0 = at(0);
        if (in(c0, 0xC2, 0xDF)) {
            return in(at(1), 0x80, 0xBF) ? 2 : 0;
        }
        if (in(c0, 0xE0, 0xEF)) {
            const unsigned lo = c0 == 0xE0 ? 0xA0 : 0x80;
            const unsigned hi = c0 == 0xED ? 0x9F : 0xBF;
            return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
        }
        if (in(c0, 0xF0, 0xF4)) {
            const unsigned lo = c0 == 0xF0 ? 0x90 : 0x80;
            const unsigned hi = c0 == 0xF4 ? 0x8F : 0xBF;
            return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
        }
        return 0;
    }

    // The byte an escape at p_ (the backslash) stands for, when it is ASCII.
    std::optional<unsigned char> escape() {
        if (end_ - p_ < 2) {
            return std::nullopt;
        }
        const char kind = p_[1];
        p_ += 2;
        switch (kind) {
            case '"':
            case '\\':
            case '/':
                return static_cast<unsigned char>(kind);
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                break;
            default:
                return std::nullopt;
        }
        if (end_ - p_ < 4) {
            return std::nullopt;
        }
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            const int digit = h >= '0' && h <= '9'   ? h - '0'
                              : h >= 'a' && h <= 'f' ? h - 'a' + 10
                              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                     : -1;
            if (digit < 0) {
                return std::nullopt;
            }
            value = value * 16 + static_cast<unsigned>(digit);
        }
        if (value >= 0x80) {
            return std::nullopt;
        }
        return static_cast<unsigned char>(value);
    }

    const char* p_;
    const char* end_;
};

}  // namespace tshost::text
