#include "engine/trial_status.hpp"

#include "engine/engine.hpp"

namespace tshost::engine {

bool is_terminal(std::string_view s) noexcept {
    return s == "SUCCEEDED" || s == "FAILED" || s == "USER_CANCELED" || s == "SYS_CANCELED" ||
           s == "EARLY_STOPPED";
}

bool is_known_status(std::string_view s) noexcept {
    return is_terminal(s) || s == "WAITING" || s == "RUNNING" || s == "UNKNOWN";
}

void tally(Progress& progress, std::string_view s, int delta) noexcept {
    if (s == "SUCCEEDED") {
        progress.succeeded += delta;
    } else if (s == "FAILED") {
        progress.failed += delta;
    } else if (is_terminal(s)) {
        progress.stopped += delta;
    }
}

}  // namespace tshost::engine
