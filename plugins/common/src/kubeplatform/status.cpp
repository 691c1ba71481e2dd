#include "tshost/kubeplatform/status.hpp"

#include <cstdio>
#include <ctime>

namespace tshost::kubeplatform {

std::optional<int64_t> parse_rfc3339_ms(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (text.size() < 20 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    int64_t ms = 0;
    size_t pos = static_cast<size_t>(consumed);
    if (pos < text.size() && text[pos] == '.') {
        int64_t scale = 100;
        for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            ms += (text[pos] - '0') * scale;
            scale /= 10;
        }
    }
    if (pos >= text.size() || text[pos] != 'Z') {
        return std::nullopt;  // the API server always writes UTC
    }
    return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace tshost::kubeplatform
