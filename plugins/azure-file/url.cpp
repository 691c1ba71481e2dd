#include "url.hpp"

namespace tshost::azure {

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string encode_path(std::string_view path) {
    std::string out;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = std::min(path.find('/', start), path.size());
        out += (start == 0 ? "" : "/") + percent_encode(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

std::string encode_query(const NameValues& query) {
    std::string out;
    for (const auto& [name, value] : query) {
        out += (out.empty() ? "?" : "&") + percent_encode(name) + "=" + percent_encode(value);
    }
    return out;
}

}  // namespace tshost::azure
