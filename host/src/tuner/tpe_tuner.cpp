#include "tuner/tpe_tuner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace tshost::tuner {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNotObserved = std::numeric_limits<std::size_t>::max();

// Option weights of a categorical parameter: a plain array for the usual small option sets, a
// hash map for huge randint ranges (whose array would not fit in memory).
class WeightedCounts {
  public:
    explicit WeightedCounts(std::uint64_t size) : dense_(size <= kDenseLimit ? size : 0) {}

    void add(std::uint64_t option, double weight) {
        if (dense_.empty()) {
            sparse_[option] += weight;
        } else {
            dense_[option] += weight;
        }
    }

    double at(std::uint64_t option) const {
        if (!dense_.empty()) {
            return dense_[option];
        }
        const auto it = sparse_.find(option);
        return it == sparse_.end() ? 0.0 : it->second;
    }

  private:
    static constexpr std::uint64_t kDenseLimit = 1 << 16;
    std::vector<double> dense_;
    std::unordered_map<std::uint64_t, double> sparse_;
};

// TPE has no uniform kernel: a range becomes N(middle, width), truncated to the range.
struct Prior {
    double mu, sigma, low, high;
};

Prior prior_of(const ParameterSpec& spec) {
    if (spec.normal_distributed) {
        return {spec.mu, spec.sigma, -kInf, kInf};
    }
    return {(spec.low + spec.high) * 0.5, spec.high - spec.low, spec.low, spec.high};
}

}  // namespace

// Adds the last of `trials` to the value orders (after equal values: it is the newest).
void TpeTuner::insert_by_value(const std::vector<Trial>& trials, ValueOrders& by_value) {
    const std::size_t t = trials.size() - 1;
    const Point& point = trials[t].point;
    for (std::size_t i = 0; i < point.size(); ++i) {
        if (point[i]) {
            auto& order = by_value[i];
            const auto at = std::upper_bound(
                order.begin(), order.end(), *point[i],
                [&](double v, std::size_t other) { return v < *trials[other].point[i]; });
            order.insert(at, t);
        }
    }
}

void TpeTuner::Liar::update(double loss) {
    best_ = best_ ? std::min(*best_, loss) : loss;
    worst_ = worst_ ? std::max(*worst_, loss) : loss;
    sum_ += loss;
    ++count_;
}

double TpeTuner::Liar::lie() const {
    // Before any result every record carries the same lie, so its value does not matter.
    switch (type_) {
        case LiarType::Best:
            return best_.value_or(0.0);
        case LiarType::Worst:
            return worst_.value_or(0.0);
        case LiarType::Mean:
            return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
        case LiarType::None:
            break;
    }
    return 0.0;
}

TpeTuner::TpeTuner(OptimizeMode mode, std::uint64_t seed, TpeArgs args)
    : mode_(mode),
      seed_(seed),
      args_(args),
      rng_(seed),
      dedup_(space_),
      liar_(args.constant_liar_type) {}

void TpeTuner::update_search_space(const SearchSpace& space) {
    // Like NNI, keep learning from parameters that did not change.
    const auto mapping = space.map_from(space_);
    const auto remap = [&](Point& point) {
        Point remapped(space.size());
        for (std::size_t j = 0; j < space.size(); ++j) {
            if (mapping[j]) {
                remapped[j] = point[*mapping[j]];
            }
        }
        point = std::move(remapped);
    };
    for (auto& trial : trials_) {
        remap(trial.point);
    }
    space_ = space;
    rebuild_value_orders();
    for (auto& [id, point] : running_) {
        remap(point);
    }
    dedup_ = Deduplicator(space_);
    joint_.clear();
    for (std::size_t i = 0; args_.multivariate && i < space_.size(); ++i) {
        if (!space_.specs()[i].parent && !space_.specs()[i].categorical) {
            joint_.push_back(i);
        }
    }
    if (joint_.size() < 2) {  // one parameter alone is the univariate case
        joint_.clear();
    }
}

std::optional<nlohmann::json> TpeTuner::generate_parameters(std::int64_t parameter_id) {
    // Concurrent requests would all see the same history and suggest alike; the liar gives the
    // running ones a made-up loss so that the next suggestion moves away from them.
    std::vector<Trial> with_lies;
    ValueOrders by_value_with_lies;
    if (liar_.enabled() && !running_.empty()) {
        with_lies = trials_;
        by_value_with_lies = by_value_;
        for (const auto& [id, point] : running_) {
            with_lies.push_back({point, liar_.lie()});
            insert_by_value(with_lies, by_value_with_lies);
        }
    }
    const std::vector<Trial>& trials = with_lies.empty() ? trials_ : with_lies;
    const ValueOrders& by_value = with_lies.empty() ? by_value_ : by_value_with_lies;
    // Every parameter's split needs its observations in loss order: sort the trials once.
    std::vector<std::pair<double, std::size_t>> ranked(trials.size());
    for (std::size_t t = 0; t < trials.size(); ++t) {
        ranked[t] = {trials[t].loss, t};  // ties: the older trial first
    }
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::size_t> by_loss(trials.size());
    for (std::size_t r = 0; r < ranked.size(); ++r) {
        by_loss[r] = ranked[r].second;
    }

    Point point(space_.size());
    if (!joint_.empty()) {
        suggest_joint(trials, by_loss, by_value, point);
    }
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (!point[i] && space_.is_active(i, point)) {
            point[i] = suggest_one(i, trials, by_loss, by_value[i]);
        }
    }
    auto unique = dedup_(std::move(point));
    if (!unique) {
        return std::nullopt;
    }
    running_.add(parameter_id, *unique);
    return space_.to_parameters(*unique);
}

void TpeTuner::record(Point point, double loss) {
    liar_.update(loss);
    trials_.push_back({std::move(point), loss});
    insert_by_value(trials_, by_value_);
}

void TpeTuner::rebuild_value_orders() {
    by_value_.assign(space_.size(), {});
    for (std::size_t i = 0; i < space_.size(); ++i) {
        for (std::size_t t = 0; t < trials_.size(); ++t) {
            if (trials_[t].point[i]) {
                by_value_[i].push_back(t);
            }
        }
        std::stable_sort(by_value_[i].begin(), by_value_[i].end(),
                         [&](std::size_t a, std::size_t b) {
                             return *trials_[a].point[i] < *trials_[b].point[i];
                         });
    }
}

void TpeTuner::receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                                    double value) {
    const double loss = loss_of(mode_, value);
    record(running_.take_or_parse(parameter_id, space_, parameters), loss);
}

void TpeTuner::trial_end(std::int64_t parameter_id, bool /*succeeded*/) {
    running_.take(parameter_id);
}

std::size_t TpeTuner::import_data(std::span<const ImportedTrial> trials) {
    std::size_t used = 0;
    for (const auto& trial : trials) {
        try {
            Point point = space_.from_parameters(trial.parameters);
            const double loss = loss_of(mode_, trial.value);
            dedup_.add_history(point);
            record(std::move(point), loss);
            ++used;
        } catch (const std::exception&) {
            // Trials from an older search space, or with a NaN metric, teach nothing.
        }
    }
    return used;
}

bool TpeTuner::warming_up(std::size_t observations) const {
    return observations == 0 || observations < static_cast<std::size_t>(args_.n_startup_jobs);
}

HistorySplit TpeTuner::split(const std::vector<std::size_t>& by_loss,
                             const std::vector<std::size_t>& observation_of) const {
    std::vector<std::size_t> observations;
    for (std::size_t t : by_loss) {
        if (observation_of[t] != kNotObserved) {
            observations.push_back(observation_of[t]);
        }
    }
    return split_history(observations, args_.gamma,
                         static_cast<std::size_t>(args_.linear_forgetting));
}

double TpeTuner::suggest_one(std::size_t i, const std::vector<Trial>& trials,
                             const std::vector<std::size_t>& by_loss,
                             const std::vector<std::size_t>& by_value) {
    const ParameterSpec& spec = space_.specs()[i];
    std::vector<double> values;
    std::vector<std::size_t> observation_of(trials.size(), kNotObserved);
    for (std::size_t t = 0; t < trials.size(); ++t) {
        if (trials[t].point[i]) {
            observation_of[t] = values.size();
            values.push_back(*trials[t].point[i]);
        }
    }
    if (warming_up(values.size())) {
        return spec.sample(rng_);  // like the Random tuner
    }
    const HistorySplit split = this->split(by_loss, observation_of);
    if (spec.categorical) {
        return suggest_categorical(spec, values, split);
    }
    std::vector<double> good, bad, bad_weights;
    for (std::size_t t : by_value) {
        const std::size_t k = observation_of[t];
        if (split.good[k]) {
            good.push_back(values[k]);
        } else {
            bad.push_back(values[k]);
            bad_weights.push_back(split.weight[k]);
        }
    }
    return suggest_numerical(spec, good, bad, bad_weights);
}

double TpeTuner::suggest_categorical(const ParameterSpec& spec, std::span<const double> values,
                                     const HistorySplit& split) {
    std::vector<std::uint64_t> good;
    WeightedCounts good_counts(spec.size), bad_counts(spec.size);
    for (std::size_t k = 0; k < values.size(); ++k) {
        const auto option = static_cast<std::uint64_t>(values[k]);
        if (split.good[k]) {
            good.push_back(option);  // good observations all weigh 1
            good_counts.add(option, 1.0);
        } else {
            bad_counts.add(option, split.weight[k]);
        }
    }
    // Draw from the good distribution (counts + prior_weight per option) and keep the draw
    // that is most likely good relative to bad. The two normalisers are the same for every
    // draw, so they cancel in the comparison.
    const double prior = args_.prior_weight;
    const double good_mass = static_cast<double>(good.size());
    const double total = good_mass + static_cast<double>(spec.size) * prior;
    double best = 0, best_score = -kInf;
    for (std::int64_t c = 0; c < args_.n_ei_candidates; ++c) {
        const double u = rng_.uniform01() * total;
        const std::uint64_t option =
            u < good_mass ? good[std::min(static_cast<std::size_t>(u), good.size() - 1)]
                          : rng_.below(spec.size);
        const double score =
            std::log(good_counts.at(option) + prior) - std::log(bad_counts.at(option) + prior);
        if (score > best_score || c == 0) {
            best_score = score;
            best = static_cast<double>(option);
        }
    }
    return best;
}

double TpeTuner::suggest_numerical(const ParameterSpec& spec, std::span<const double> good,
                                   std::span<const double> bad,
                                   std::span<const double> bad_weights) {
    const Prior prior = prior_of(spec);
    const std::vector<double> good_weights(good.size(), 1.0);
    const ParzenEstimator good_estimator(good, good_weights, prior.mu, prior.sigma,
                                         args_.prior_weight);
    const ParzenEstimator bad_estimator(bad, bad_weights, prior.mu, prior.sigma,
                                        args_.prior_weight);

    const auto candidates = static_cast<std::size_t>(args_.n_ei_candidates);
    double best = 0, best_score = -kInf;
    std::size_t accepted = 0;
    // Draws outside a range are rejected (a truncated mixture). The mixture keeps most of its
    // mass inside, but bound the attempts anyway and finish with uniform draws.
    for (std::size_t attempt = 0; accepted < candidates; ++attempt) {
        const double x = attempt < 100 * candidates ? good_estimator.sample(rng_)
                                                    : rng_.uniform(spec.low, spec.high);
        if (!(prior.low <= x && x <= prior.high)) {
            continue;
        }
        ++accepted;
        const double score = good_estimator.log_density(x) - bad_estimator.log_density(x);
        if (score > best_score || accepted == 1) {  // the first draw wins even with a NaN score
            best_score = score;
            best = x;
        }
    }
    return best;
}

void TpeTuner::suggest_joint(const std::vector<Trial>& trials,
                             const std::vector<std::size_t>& by_loss, const ValueOrders& by_value,
                             Point& point) {
    const std::size_t dims = joint_.size();
    std::vector<double> values;
    std::vector<std::size_t> observation_of(trials.size(), kNotObserved);
    std::size_t observations = 0;
    for (std::size_t t = 0; t < trials.size(); ++t) {
        const Point& p = trials[t].point;
        if (std::all_of(joint_.begin(), joint_.end(), [&](std::size_t i) { return p[i]; })) {
            observation_of[t] = observations++;
            for (std::size_t i : joint_) {
                values.push_back(*p[i]);
            }
        }
    }
    if (warming_up(observations)) {
        for (std::size_t i : joint_) {
            point[i] = space_.specs()[i].sample(rng_);
        }
        return;
    }
    const HistorySplit split = this->split(by_loss, observation_of);
    std::vector<double> good, bad, bad_weights;
    std::vector<std::size_t> row(observations);  // row of each observation in its estimator
    for (std::size_t k = 0; k < observations; ++k) {
        auto& rows = split.good[k] ? good : bad;
        row[k] = rows.size() / dims;
        rows.insert(rows.end(), values.begin() + static_cast<std::ptrdiff_t>(k * dims),
                    values.begin() + static_cast<std::ptrdiff_t>((k + 1) * dims));
        if (!split.good[k]) {
            bad_weights.push_back(split.weight[k]);
        }
    }
    std::vector<std::vector<std::size_t>> good_orders(dims), bad_orders(dims);
    for (std::size_t d = 0; d < dims; ++d) {
        for (std::size_t t : by_value[joint_[d]]) {
            const std::size_t k = observation_of[t];
            if (k != kNotObserved) {
                (split.good[k] ? good_orders : bad_orders)[d].push_back(row[k]);
            }
        }
    }
    std::vector<double> mu(dims), sigma(dims), low(dims), high(dims);
    for (std::size_t d = 0; d < dims; ++d) {
        const Prior prior = prior_of(space_.specs()[joint_[d]]);
        mu[d] = prior.mu;
        sigma[d] = prior.sigma;
        low[d] = prior.low;
        high[d] = prior.high;
    }
    const std::vector<double> good_weights(good.size() / dims, 1.0);
    const JointParzenEstimator good_estimator(good, dims, good_weights, mu, sigma,
                                              args_.prior_weight, good_orders);
    const JointParzenEstimator bad_estimator(bad, dims, bad_weights, mu, sigma, args_.prior_weight,
                                             bad_orders);
    std::vector<double> x(dims), best(dims);
    double best_score = -kInf;
    for (std::int64_t c = 0; c < args_.n_ei_candidates; ++c) {
        good_estimator.sample(rng_, low, high, x);
        const double score = good_estimator.log_density(x) - bad_estimator.log_density(x);
        if (score > best_score || c == 0) {
            best_score = score;
            best = x;
        }
    }
    for (std::size_t d = 0; d < dims; ++d) {
        point[joint_[d]] = best[d];
    }
}

}  // namespace tshost::tuner
