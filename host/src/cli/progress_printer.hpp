// Live progress of `tshost run` in the terminal: one line rewritten in place on
// a terminal, a line per change otherwise (CI logs, pipes).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace tshost::engine {
struct Progress;
}

namespace tshost::cli {

/// "hh:mm:ss"
std::string clock_text(std::chrono::milliseconds duration);

class ProgressPrinter {
public:
    explicit ProgressPrinter(std::FILE* out);
    void update(const engine::Progress& progress);
    /// Ends the in-place line so later output starts on a fresh line.
    void finish();

    /// The line for `progress` (without terminal control characters).
    static std::string line(const engine::Progress& progress);

private:
    std::FILE* out_;
    bool tty_;
    std::string last_;
};

}  // namespace tshost::cli
