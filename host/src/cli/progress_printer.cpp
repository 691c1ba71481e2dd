#include "cli/progress_printer.hpp"

#include <unistd.h>

#include <algorithm>

#include "engine/engine.hpp"

namespace tshost::cli {

std::string clock_text(std::chrono::milliseconds d) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return text;
}

namespace {

// Remaining time, from whichever limit ends the experiment first: the trials
// left at the pace so far, or the duration left.
std::optional<std::chrono::milliseconds> eta(const engine::Progress& p) {
    std::optional<std::chrono::milliseconds> by_trials;
    const int64_t finished = p.succeeded + p.failed + p.stopped;
    if (p.max_trial_number && finished > 0) {
        const int64_t left = std::max<int64_t>(0, *p.max_trial_number - finished);
        by_trials = p.elapsed * left / finished;
    }
    std::optional<std::chrono::milliseconds> by_duration;
    if (p.max_experiment_duration) {
        by_duration = std::max(std::chrono::milliseconds(0), *p.max_experiment_duration - p.elapsed);
    }
    if (by_trials && by_duration) {
        return std::min(*by_trials, *by_duration);
    }
    return by_trials ? by_trials : by_duration;
}

}  // namespace

ProgressPrinter::ProgressPrinter(std::FILE* out) : out_(out), tty_(::isatty(::fileno(out)) != 0) {}

std::string ProgressPrinter::line(const engine::Progress& p) {
    std::string text = "[" + clock_text(p.elapsed) + "] " + p.status + " trials " +
                       std::to_string(p.submitted);
    if (p.max_trial_number) {
        text += "/" + std::to_string(*p.max_trial_number);
    }
    text += ": " + std::to_string(p.running) + " running, " + std::to_string(p.succeeded) +
            " succeeded, " + std::to_string(p.failed) + " failed, " + std::to_string(p.stopped) +
            " stopped";
    if (p.best_metric) {
        char best[64];
        std::snprintf(best, sizeof best, "%.6g", *p.best_metric);
        text += " | best " + std::string(best) + " (" + p.best_trial + ")";
    }
    if (const auto left = eta(p); left && p.status != "DONE" && p.status != "STOPPED") {
        text += " | ETA " + clock_text(*left);
    }
    return text;
}

void ProgressPrinter::update(const engine::Progress& progress) {
    std::string text = line(progress);
    // Without a terminal, print only changes: the clock alone is not news.
    const std::string key = text.substr(text.find(']') + 1);
    if (!tty_ && key == last_) {
        return;
    }
    last_ = tty_ ? text : key;
    if (tty_) {
        std::fprintf(out_, "\r\033[K%s", text.c_str());
    } else {
        std::fprintf(out_, "%s\n", text.c_str());
    }
    std::fflush(out_);
}

void ProgressPrinter::finish() {
    if (tty_ && !last_.empty()) {
        std::fputc('\n', out_);
        std::fflush(out_);
    }
}

}  // namespace tshost::cli
