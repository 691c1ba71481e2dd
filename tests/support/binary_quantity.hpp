// Tests compare memory sizes written differently ("4096Mi" from v1's memoryMB, "4Gi" from v2's
// "4g") as the number of bytes they mean. Binary suffixes only: what the host hands plugins.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tshost::test {

inline int64_t binary_quantity_bytes(std::string_view quantity) {
    const size_t unit = quantity.find_first_not_of("0123456789");
    const std::string_view suffix = unit == std::string_view::npos ? "" : quantity.substr(unit);
    const int power = suffix.empty()   ? 0
                      : suffix == "Ki" ? 1
                      : suffix == "Mi" ? 2
                      : suffix == "Gi" ? 3
                      : suffix == "Ti" ? 4
                                       : -1;
    if (power < 0 || unit == 0) {
        throw std::invalid_argument("not a whole binary quantity: " + std::string(quantity));
    }
    return std::stoll(std::string(quantity.substr(0, unit))) << (10 * power);
}

}  // namespace tshost::test
