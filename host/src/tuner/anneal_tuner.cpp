#include "tuner/anneal_tuner.hpp"

#include <algorithm>
#include <numeric>

namespace tshost::tuner {

namespace {

// hyperopt's AnnealingAlgo defaults (NNI does not expose them).
constexpr double kAverageBestIndex = 2.0;
constexpr double kShrinkCoefficient = 0.1;
// NNI's HyperoptTuner starts lying only after this many parameters.
constexpr std::size_t kLiarAfter = 20;

}  // namespace

AnnealTuner::AnnealTuner(OptimizeMode mode, std::uint64_t seed, bool parallel_optimize,
                         AnnealLiar liar)
    : mode_(mode), seed_(seed), parallel_(parallel_optimize), liar_(liar), rng_(seed) {}

void AnnealTuner::update_search_space(const SearchSpace& space) {
    // NNI restarts hyperopt on a new space: earlier trials are forgotten.
    space_ = space;
    finished_.clear();
    running_.clear();
}

std::vector<AnnealTuner::Finished> AnnealTuner::with_lies() const {
    std::vector<Finished> finished = finished_;
    double lie = metric_min_;
    if (liar_ == AnnealLiar::Max) {
        lie = metric_max_;
    } else if (liar_ == AnnealLiar::Mean) {
        lie = metric_sum_ / static_cast<double>(metric_count_);
    }
    for (const auto& [id, point] : running_) {
        finished.push_back({point, loss_of(mode_, lie)});
    }
    return finished;
}

std::optional<nlohmann::json> AnnealTuner::generate_parameters(std::int64_t parameter_id) {
    const bool lie =
        parallel_ && generated_count_ > kLiarAfter && !running_.empty() && metric_count_ > 0;
    Point point = suggest(lie ? with_lies() : finished_);
    // Like NNI, a repeat is replaced by a random point.
    if (generated_.count(space_.to_parameters(point).dump()) != 0) {
        point = space_.sample(rng_);
    }
    nlohmann::json parameters = space_.to_parameters(point);
    generated_.insert(parameters.dump());
    ++generated_count_;
    running_.add(parameter_id, std::move(point));
    return parameters;
}

Point AnnealTuner::suggest(const std::vector<Finished>& finished) {
    Point point(space_.size());
    std::vector<std::size_t> models;  // trials already chosen as models for this point
    std::vector<std::size_t> users;
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (!space_.is_active(i, point)) {
            continue;
        }
        const ParameterSpec& spec = space_.specs()[i];
        users.clear();
        for (std::size_t t = 0; t < finished.size(); ++t) {
            if (finished[t].point.size() > i && finished[t].point[i]) {
                users.push_back(t);
            }
        }
        if (users.empty()) {
            point[i] = spec.sample(rng_);
            continue;
        }
        // Stay with a model already chosen for this point if it used this parameter.
        auto model = std::find_if(models.begin(), models.end(), [&](std::size_t t) {
            return std::find(users.begin(), users.end(), t) != users.end();
        });
        std::size_t chosen = 0;
        if (model != models.end()) {
            chosen = *model;
        } else {
            const auto rank = static_cast<std::size_t>(
                std::clamp<std::int64_t>(rng_.geometric(1.0 / kAverageBestIndex) - 1, 0,
                                         static_cast<std::int64_t>(users.size()) - 1));
            std::nth_element(users.begin(), users.begin() + static_cast<std::ptrdiff_t>(rank),
                             users.end(), [&](std::size_t a, std::size_t b) {
                                 return finished[a].loss < finished[b].loss ||
                                        (finished[a].loss == finished[b].loss && a < b);
                             });
            chosen = users[rank];
            models.push_back(chosen);
        }
        const double shrink = 1.0 / (1.0 + static_cast<double>(users.size()) * kShrinkCoefficient);
        point[i] = perturb(spec, *finished[chosen].point[i], shrink);
    }
    return point;
}

double AnnealTuner::perturb(const ParameterSpec& spec, double value, double shrink) {
    if (spec.categorical) {
        // (1 - shrink) · [the model's option] + shrink · uniform
        return rng_.uniform01() < shrink ? static_cast<double>(rng_.below(spec.size)) : value;
    }
    if (spec.normal_distributed) {
        return rng_.normal(value, spec.sigma * shrink);
    }
    // A window of the shrunk width around the model's value, shifted to stay in range.
    const double half = 0.5 * (spec.high - spec.low) * shrink;
    const double middle = std::clamp(value, spec.low + half, spec.high - half);
    return rng_.uniform(middle - half, middle + half);
}

void AnnealTuner::learn(Point point, double value) {
    const double loss = loss_of(mode_, value);
    metric_min_ = metric_count_ == 0 ? value : std::min(metric_min_, value);
    metric_max_ = metric_count_ == 0 ? value : std::max(metric_max_, value);
    metric_sum_ += value;
    ++metric_count_;
    finished_.push_back({std::move(point), loss});
}

void AnnealTuner::receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                                       double value) {
    loss_of(mode_, value);  // reject a NaN before touching any state
    learn(running_.take_or_parse(parameter_id, space_, parameters), value);
}

void AnnealTuner::trial_end(std::int64_t parameter_id, bool /*succeeded*/) {
    running_.take(parameter_id);
}

std::size_t AnnealTuner::import_data(std::span<const ImportedTrial> trials) {
    std::size_t used = 0;
    for (const auto& trial : trials) {
        try {
            loss_of(mode_, trial.value);
            Point point = space_.from_parameters(trial.parameters);
            generated_.insert(space_.to_parameters(point).dump());
            ++generated_count_;
            learn(std::move(point), trial.value);
            ++used;
        } catch (const std::exception&) {
            // Trials from an older search space, or with a NaN metric, teach nothing.
        }
    }
    return used;
}

}  // namespace tshost::tuner
