// NNI's trial statuses and what the engine counts them as.
#pragma once

#include <string_view>

namespace tshost::engine {

struct Progress;

/// SUCCEEDED, FAILED, USER_CANCELED, SYS_CANCELED, EARLY_STOPPED.
bool is_terminal(std::string_view status) noexcept;
/// One of NNI's eight statuses.
bool is_known_status(std::string_view status) noexcept;
/// Adds `delta` to the counter of `progress` that `status` falls under.
void tally(Progress& progress, std::string_view status, int delta) noexcept;

}  // namespace tshost::engine
