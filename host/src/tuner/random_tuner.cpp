#include "tuner/random_tuner.hpp"

namespace tshost::tuner {

RandomTuner::RandomTuner(std::uint64_t seed) : seed_(seed), rng_(seed), dedup_(space_) {}

void RandomTuner::update_search_space(const SearchSpace& space) {
    space_ = space;
    dedup_ = Deduplicator(space_);
}

std::optional<nlohmann::json> RandomTuner::generate_parameters(std::int64_t /*parameter_id*/) {
    const auto point = dedup_(space_.sample(rng_));
    if (!point) {
        return std::nullopt;
    }
    return space_.to_parameters(*point);
}

void RandomTuner::receive_trial_result(std::int64_t /*parameter_id*/,
                                       const nlohmann::json& /*parameters*/, double /*value*/) {}

std::size_t RandomTuner::import_data(std::span<const ImportedTrial> trials) {
    // Results teach Random nothing, but tried points are not handed out again.
    std::size_t used = 0;
    for (const auto& trial : trials) {
        try {
            dedup_.add_history(space_.from_parameters(trial.parameters));
            ++used;
        } catch (const SearchSpaceError&) {
        }
    }
    return used;
}

}  // namespace tshost::tuner
