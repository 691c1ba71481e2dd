#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tuner/dedup.hpp"
#include "tuner/parzen.hpp"
#include "tuner/results.hpp"
#include "tuner/rng.hpp"
#include "tuner/search_space.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

/// What TPE assumes about trials still running when it is asked for more (NNI's constant liar).
enum class LiarType { None, Best, Worst, Mean };

/// NNI's TpeArguments (classArg "tpe_args"), with NNI's defaults, plus `multivariate`.
struct TpeArgs {
    LiarType constant_liar_type = LiarType::Best;
    std::int64_t n_startup_jobs = 20;
    std::int64_t n_ei_candidates = 24;
    std::int64_t linear_forgetting = 25;
    double prior_weight = 1.0;
    double gamma = 0.25;
    /// Model the always-active numerical parameters jointly (see TpeTuner); false is exactly
    /// NNI's algorithm.
    bool multivariate = true;
};

/// Tree-structured Parzen Estimator, as NNI's tpe_tuner.py. After n_startup_jobs random
/// observations, the history of a parameter is split into the best ceil(gamma·sqrt(N)) (at most
/// linear_forgetting) and the rest (split_history); each part becomes a Parzen estimator that
/// includes the prior with weight prior_weight (weighted option counts for choice/randint, a
/// Gaussian mixture otherwise), and of n_ei_candidates draws from the good one the draw with
/// the highest good/bad likelihood ratio wins.
///
/// NNI suggests every parameter on its own. With `multivariate` (the default) the numerical
/// parameters that every trial has (those outside nested choices) are instead suggested
/// together: the same per-parameter kernels, multiplied per observation (JointParzenEstimator),
/// so that candidates are drawn and ranked as whole combinations. Categorical and nested
/// parameters are always suggested one by one, as NNI does.
class TpeTuner final : public Tuner {
  public:
    TpeTuner(OptimizeMode mode, std::uint64_t seed, TpeArgs args = {});

    void update_search_space(const SearchSpace& space) override;
    std::optional<nlohmann::json> generate_parameters(std::int64_t parameter_id) override;
    void receive_trial_result(std::int64_t parameter_id, const nlohmann::json& parameters,
                              double value) override;
    void trial_end(std::int64_t parameter_id, bool succeeded) override;
    std::size_t import_data(std::span<const ImportedTrial> trials) override;
    std::optional<std::uint64_t> seed() const override { return seed_; }

  private:
    struct Trial {
        Point point;
        double loss;
    };

    class Liar {
      public:
        explicit Liar(LiarType type) : type_(type) {}
        bool enabled() const { return type_ != LiarType::None; }
        void update(double loss);
        double lie() const;

      private:
        LiarType type_;
        std::optional<double> best_, worst_;
        double sum_ = 0;
        std::size_t count_ = 0;
    };

    // Per parameter, the indices of the trials that have it, sorted by its value (ties: older
    // first). Kept up to date as results arrive, so that suggestions never sort the history.
    using ValueOrders = std::vector<std::vector<std::size_t>>;

    void record(Point point, double loss);
    static void insert_by_value(const std::vector<Trial>& trials, ValueOrders& by_value);
    void rebuild_value_orders();
    void suggest_joint(const std::vector<Trial>& trials, const std::vector<std::size_t>& by_loss,
                       const ValueOrders& by_value, Point& point);
    double suggest_one(std::size_t i, const std::vector<Trial>& trials,
                       const std::vector<std::size_t>& by_loss,
                       const std::vector<std::size_t>& by_value);
    /// The split of the observations `observation_of` maps trials to (kNotObserved: none).
    HistorySplit split(const std::vector<std::size_t>& by_loss,
                       const std::vector<std::size_t>& observation_of) const;
    double suggest_categorical(const ParameterSpec& spec, std::span<const double> values,
                               const HistorySplit& split);
    /// good and bad values sorted ascending.
    double suggest_numerical(const ParameterSpec& spec, std::span<const double> good,
                             std::span<const double> bad, std::span<const double> bad_weights);
    bool warming_up(std::size_t observations) const;

    OptimizeMode mode_;
    std::uint64_t seed_;
    TpeArgs args_;
    Rng rng_;
    SearchSpace space_;
    std::vector<std::size_t> joint_;  // parameters suggested together
    Deduplicator dedup_;
    std::vector<Trial> trials_;  // finished, in the order results arrived
    ValueOrders by_value_;
    RunningTrials running_;
    Liar liar_;
};

}  // namespace tshost::tuner
