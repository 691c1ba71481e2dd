// RFC 1123 dates as the File service sends and expects them (x-ms-date,
// Last-Modified, <LastModified>).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace tshost::azure {

/// e.g. "Sun, 11 Oct 2009 21:49:13 GMT".
std::string format_http_date(std::time_t when);
/// Milliseconds since the epoch, or 0 when `text` is empty or malformed.
int64_t parse_http_date_ms(const std::string& text);

}  // namespace tshost::azure
