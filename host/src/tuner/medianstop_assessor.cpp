#include "tuner/medianstop_assessor.hpp"

#include <algorithm>
#include <cmath>

namespace tshost::tuner {

MedianstopAssessor::MedianstopAssessor(OptimizeMode mode, std::size_t start_step)
    : maximize_(mode == OptimizeMode::Maximize), start_step_(start_step) {}

AssessResult MedianstopAssessor::assess_trial(std::string_view trial_id,
                                              const std::vector<double>& history) {
    const std::size_t step = history.size();
    if (step < start_step_) {
        return AssessResult::Good;
    }
    auto it = running_.find(trial_id);
    if (it == running_.end()) {
        it = running_.emplace(std::string(trial_id), std::vector<double>{}).first;
    }
    auto& recorded = it->second;
    if (recorded.size() < step) {
        recorded.insert(recorded.end(),
                        history.begin() + static_cast<std::ptrdiff_t>(recorded.size()),
                        history.end());
    }
    // NaN results are skipped: they would make every comparison false.
    std::optional<double> best;
    for (double v : history) {
        if (!std::isnan(v)) {
            best = !best ? v : (maximize_ ? std::max(*best, v) : std::min(*best, v));
        }
    }
    if (!best) {
        return AssessResult::Good;
    }
    std::vector<double> averages;
    for (const auto& [id, completed] : completed_averages_) {
        if (completed.size() >= step && !std::isnan(completed[step - 1])) {
            averages.push_back(completed[step - 1]);
        }
    }
    if (averages.empty()) {
        return AssessResult::Good;
    }
    std::sort(averages.begin(), averages.end());
    const std::size_t n = averages.size();
    if (maximize_) {
        return *best < averages[(n - 1) / 2] ? AssessResult::Bad : AssessResult::Good;
    }
    return *best > averages[n / 2] ? AssessResult::Bad : AssessResult::Good;
}

void MedianstopAssessor::trial_end(std::string_view trial_id, bool succeeded) {
    // Only trials that were assessed (reached start_step) have a history to learn from.
    const auto it = running_.find(trial_id);
    if (it == running_.end()) {
        return;
    }
    if (succeeded) {
        std::vector<double> averages;
        double sum = 0;
        for (double v : it->second) {
            sum += v;
            averages.push_back(sum / static_cast<double>(averages.size() + 1));
        }
        completed_averages_[it->first] = std::move(averages);
    }
    running_.erase(it);
}

}  // namespace tshost::tuner
