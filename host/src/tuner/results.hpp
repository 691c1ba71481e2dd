#pragma once

// Helpers the tuners share to turn what the engine reports into something they can learn from.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/search_space.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// The metric as a loss to minimise. NaN throws std::invalid_argument; infinities become the
/// largest finite numbers, so a diverged trial still ranks as the worst (or best) one.
double loss_of(OptimizeMode mode, double value);

/// The points of trials generated but not finished, in the order they were generated.
class RunningTrials {
  public:
    /// Replaces an entry with the same id.
    void add(std::int64_t parameter_id, Point point);
    /// Removes and returns the point of `parameter_id`, if running.
    std::optional<Point> take(std::int64_t parameter_id);
    /// The point of a result: the running one, else learnt from the parameters (which throws
    /// std::invalid_argument when they do not fit the space).
    Point take_or_parse(std::int64_t parameter_id, const SearchSpace& space,
                        const nlohmann::json& parameters);

    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }
    auto begin() { return entries_.begin(); }
    auto end() { return entries_.end(); }
    auto begin() const { return entries_.begin(); }
    auto end() const { return entries_.end(); }

  private:
    std::vector<std::pair<std::int64_t, Point>> entries_;  // few: at most the concurrency
};

}  // namespace tshost::tuner
