#include "tuner/gridsearch_tuner.hpp"

#include <stdexcept>

namespace tshost::tuner {

GridSearchTuner::GridSearchTuner() : grid_(space_) {}

void GridSearchTuner::update_search_space(const SearchSpace& space) {
    if (space.empty()) {
        throw std::invalid_argument("GridSearch: the search space is empty");
    }
    space_ = space;
    grid_.change_space(space_);
}

std::optional<nlohmann::json> GridSearchTuner::generate_parameters(std::int64_t /*parameter_id*/) {
    const auto point = grid_.next_grid_point();
    if (!point) {
        return std::nullopt;
    }
    return space_.to_parameters(*point);
}

void GridSearchTuner::receive_trial_result(std::int64_t /*parameter_id*/,
                                           const nlohmann::json& /*parameters*/, double /*value*/) {
}

std::size_t GridSearchTuner::import_data(std::span<const ImportedTrial> trials) {
    std::size_t used = 0;
    for (const auto& trial : trials) {
        try {
            grid_.add_history(space_.from_parameters(trial.parameters));
            ++used;
        } catch (const SearchSpaceError&) {
        }
    }
    return used;
}

}  // namespace tshost::tuner
