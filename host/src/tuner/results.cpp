#include "tuner/results.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace tshost::tuner {

double loss_of(OptimizeMode mode, double value) {
    if (std::isnan(value)) {
        throw std::invalid_argument("the final metric is NaN");
    }
    const double max = std::numeric_limits<double>::max();
    const double loss = mode == OptimizeMode::Minimize ? value : -value;
    return std::isinf(loss) ? std::copysign(max, loss) : loss;
}

void RunningTrials::add(std::int64_t parameter_id, Point point) {
    take(parameter_id);
    entries_.emplace_back(parameter_id, std::move(point));
}

std::optional<Point> RunningTrials::take(std::int64_t parameter_id) {
    const auto it = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const auto& entry) { return entry.first == parameter_id; });
    if (it == entries_.end()) {
        return std::nullopt;
    }
    Point point = std::move(it->second);
    entries_.erase(it);
    return point;
}

Point RunningTrials::take_or_parse(std::int64_t parameter_id, const SearchSpace& space,
                                   const nlohmann::json& parameters) {
    if (auto point = take(parameter_id)) {
        return std::move(*point);
    }
    try {
        return space.from_parameters(parameters);
    } catch (const SearchSpaceError& e) {
        throw std::invalid_argument("parameter id " + std::to_string(parameter_id) +
                                    " is unknown and its parameters do not fit the search "
                                    "space: " +
                                    e.what());
    }
}

}  // namespace tshost::tuner
