#include "http_date.hpp"

namespace tshost::azure {

std::string format_http_date(std::time_t when) {
    std::tm tm{};
    gmtime_r(&when, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

int64_t parse_http_date_ms(const std::string& text) {
    std::tm tm{};
    if (text.empty() || strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
        return 0;
    }
    return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace tshost::azure
