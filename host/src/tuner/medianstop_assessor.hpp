#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tuner/assessor.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// NNI's Medianstop: from start_step reported results on, stop a trial at step S when its best
/// result so far is strictly worse than the median of the running averages, at step S, of the
/// trials that completed successfully. (With an even count NNI takes the lower middle value
/// when maximising and the upper one when minimising, i.e. the one that stops fewer trials.)
class MedianstopAssessor final : public Assessor {
  public:
    MedianstopAssessor(OptimizeMode mode, std::size_t start_step);

    AssessResult assess_trial(std::string_view trial_id,
                              const std::vector<double>& intermediate_history) override;
    void trial_end(std::string_view trial_id, bool succeeded) override;

  private:
    bool maximize_;
    std::size_t start_step_;
    std::map<std::string, std::vector<double>, std::less<>> running_;
    std::map<std::string, std::vector<double>, std::less<>> completed_averages_;
};

}  // namespace tshost::tuner
