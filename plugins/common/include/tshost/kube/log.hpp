#pragma once

#include <functional>
#include <string_view>

namespace tshost::kube {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// The plugin decides where messages go (usually the host's logging service), so this library
// depends on neither spdlog nor the host. Messages are already redacted when they reach it.
using LogFn = std::function<void(LogLevel, std::string_view)>;

}  // namespace tshost::kube
