// Removes secrets from text that may reach a log or an error message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tshost::azure {

/// Every occurrence of each non-empty secret becomes "<redacted>".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace tshost::azure
