// Durations and memory sizes as NNI configs write them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tshost::config {

/// "45s", "30m", "3h", "1d", "1.5h"; a bare number is seconds. Units are case-insensitive;
/// fractions round up to whole seconds (as NNI's manager does). Throws std::invalid_argument
/// with a message that says what is accepted.
std::chrono::seconds parse_duration(std::string_view text);

/// A memory size as NNI configs write it, as the exact Kubernetes quantity plugins put in a
/// manifest, reading like what the user wrote: "4g", "4gb", "4G" → "4Gi"; "512m", "512mb" →
/// "512Mi"; a bare number is MB (NNI's memorySize and v1's memoryMB): "8192" → "8192Mi".
/// NNI's units are case-insensitive and binary (powers of 1024): b, k/kb/ki/kib, m/mb/mi/mib,
/// g/gb/gi/gib, t/tb/ti/tib. A Kubernetes binary quantity ("4Gi", "1.5Gi") is kept as written.
/// A fraction that is not a whole number of its unit takes the largest binary unit that keeps
/// it exact ("1.5g" → "1536Mi"); a size that is not a whole number of bytes is an error, never
/// rounded. Throws std::invalid_argument with a message that says what is accepted, for zero,
/// negative and over 1 PiB sizes too.
std::string memory_quantity(std::string_view text);

}  // namespace tshost::config
