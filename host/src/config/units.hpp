// Durations and memory sizes as NNI configs write them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace tshost::config {

/// "45s", "30m", "3h", "1d", "1.5h"; a bare number is seconds. Units are case-insensitive;
/// fractions round up to whole seconds (as NNI's manager does). Throws std::invalid_argument
/// with a message that says what is accepted.
std::chrono::seconds parse_duration(std::string_view text);

/// Megabytes, rounded up. A bare number is MB (NNI's legacy memoryMB). Units are
/// case-insensitive and all binary (powers of 1024, as NNI): b, k/kb/ki/kib, m/mb/mi/mib,
/// g/gb/gi/gib, t/tb/ti/tib. Unlike NNI, "4g" is accepted (NNI's own docs use it). Throws
/// std::invalid_argument for anything else, zero or negative sizes included.
std::int64_t parse_memory_mb(std::string_view text);

}  // namespace tshost::config
