#include "tuner/evolution_tuner.hpp"

#include <algorithm>

namespace tshost::tuner {

EvolutionTuner::EvolutionTuner(OptimizeMode mode, std::size_t population_size, std::uint64_t seed)
    : mode_(mode), population_size_(population_size), seed_(seed), rng_(seed) {}

void EvolutionTuner::update_search_space(const SearchSpace& space) {
    // NNI starts a new random population; running trials of the old space are forgotten (their
    // results still join if their parameters fit the new space).
    space_ = space;
    population_.clear();
    running_.clear();
    for (std::size_t k = 0; k < population_size_; ++k) {
        population_.push_back({space_.sample(rng_), std::nullopt});
    }
}

Point EvolutionTuner::mutate(const Point& parent) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (parent[i]) {
            active.push_back(i);
        }
    }
    if (active.empty()) {
        return parent;
    }
    const std::size_t mutated = active[rng_.below(active.size())];
    Point child(space_.size());
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (!space_.is_active(i, child)) {
            continue;
        }
        const bool redraw = i == mutated || space_.is_inside(i, mutated) || !parent[i];
        child[i] = redraw ? space_.specs()[i].sample(rng_) : parent[i];
    }
    return child;
}

std::optional<nlohmann::json> EvolutionTuner::generate_parameters(std::int64_t parameter_id) {
    Point point;
    const auto untried = std::find_if(population_.begin(), population_.end(),
                                      [](const Individual& i) { return !i.fitness; });
    if (untried != population_.end()) {
        point = std::move(untried->point);
        population_.erase(untried);
    } else if (population_.empty()) {
        point = space_.sample(rng_);
    } else {
        // Tournament of two: the better one is mutated, the worse one leaves.
        rng_.shuffle(population_.begin(), population_.end());
        if (population_.size() > 1 && *population_[0].fitness < *population_[1].fitness) {
            population_[0] = population_[1];
        }
        point = mutate(population_[0].point);
        if (population_.size() > 1) {
            population_.erase(population_.begin() + 1);
        }
    }
    nlohmann::json parameters = space_.to_parameters(point);
    running_.add(parameter_id, std::move(point));
    return parameters;
}

void EvolutionTuner::receive_trial_result(std::int64_t parameter_id,
                                          const nlohmann::json& parameters, double value) {
    const double fitness = -loss_of(mode_, value);
    population_.push_back({running_.take_or_parse(parameter_id, space_, parameters), fitness});
}

void EvolutionTuner::trial_end(std::int64_t parameter_id, bool succeeded) {
    // A failed trial's slot goes to a new random individual, as in NNI.
    if (!succeeded) {
        running_.take(parameter_id);
        population_.push_back({space_.sample(rng_), std::nullopt});
    }
}

std::size_t EvolutionTuner::import_data(std::span<const ImportedTrial> trials) {
    // NNI's Evolution ignores imported trials; letting them compete is what a resume expects.
    std::size_t used = 0;
    for (const auto& trial : trials) {
        try {
            const double fitness = -loss_of(mode_, trial.value);
            population_.push_back({space_.from_parameters(trial.parameters), fitness});
            ++used;
        } catch (const std::exception&) {
        }
    }
    return used;
}

}  // namespace tshost::tuner
