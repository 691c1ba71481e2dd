// make_tuner / make_assessor: NNI's built-in names and classArgs (builtin_algorithms.yml).

#include <limits>
#include <stdexcept>
#include <string>

#include "tuner/anneal_tuner.hpp"
#include "tuner/assessor.hpp"
#include "tuner/class_args.hpp"
#include "tuner/evolution_tuner.hpp"
#include "tuner/gridsearch_tuner.hpp"
#include "tuner/medianstop_assessor.hpp"
#include "tuner/random_tuner.hpp"
#include "tuner/rng.hpp"
#include "tuner/tpe_tuner.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {

namespace {

using nlohmann::json;
using Seed = std::optional<std::uint64_t>;

constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();

std::uint64_t pick_seed(Seed from_class_args, Seed from_caller) {
    if (from_class_args) {
        return *from_class_args;
    }
    return from_caller ? *from_caller : random_seed();
}

TpeArgs read_tpe_args(const ClassArgs& args) {
    const ClassArgs tpe(args.context("tpe_args"), args.object("tpe_args"),
                        {"constant_liar_type", "n_startup_jobs", "n_ei_candidates",
                         "linear_forgetting", "prior_weight", "gamma", "multivariate"});
    TpeArgs out;
    const auto liar = tpe.choice("constant_liar_type", "best", {"best", "worst", "mean", "none"},
                                 /*nullable=*/true);
    out.constant_liar_type = !liar || *liar == "none" ? LiarType::None
                             : *liar == "best"        ? LiarType::Best
                             : *liar == "worst"       ? LiarType::Worst
                                                      : LiarType::Mean;
    out.n_startup_jobs = tpe.integer("n_startup_jobs", out.n_startup_jobs, 0, kIntMax);
    // Each candidate costs a density evaluation; a million is far beyond any useful setting.
    out.n_ei_candidates = tpe.integer("n_ei_candidates", out.n_ei_candidates, 1, 1'000'000);
    out.linear_forgetting = tpe.integer("linear_forgetting", out.linear_forgetting, 1, kIntMax);
    out.prior_weight = tpe.number("prior_weight", out.prior_weight, 0, 1e300);
    out.gamma = tpe.number("gamma", out.gamma, 1e-300, 1);
    out.multivariate = tpe.boolean("multivariate", out.multivariate);
    return out;
}

std::unique_ptr<Tuner> make_tpe(const json& class_args, Seed seed) {
    const ClassArgs args("TPE classArgs", class_args, {"optimize_mode", "seed", "tpe_args"});
    return std::make_unique<TpeTuner>(args.optimize_mode(OptimizeMode::Minimize),
                                      pick_seed(args.seed(), seed), read_tpe_args(args));
}

std::unique_ptr<Tuner> make_random(const json& class_args, Seed seed) {
    const ClassArgs args("Random classArgs", class_args, {"optimize_mode", "seed"});
    args.optimize_mode(OptimizeMode::Minimize);  // accepted for NNI configs, unused
    return std::make_unique<RandomTuner>(pick_seed(args.seed(), seed));
}

std::unique_ptr<Tuner> make_grid_search(const json& class_args, Seed /*seed*/) {
    const ClassArgs args("GridSearch classArgs", class_args, {"optimize_mode"});
    args.optimize_mode(OptimizeMode::Minimize);  // accepted for NNI configs, unused
    return std::make_unique<GridSearchTuner>();
}

std::unique_ptr<Tuner> make_anneal(const json& class_args, Seed seed) {
    const ClassArgs args("Anneal classArgs", class_args,
                         {"optimize_mode", "parallel_optimize", "constant_liar_type"});
    const auto liar = *args.choice("constant_liar_type", "min", {"min", "max", "mean"});
    return std::make_unique<AnnealTuner>(args.optimize_mode(OptimizeMode::Minimize),
                                         pick_seed(std::nullopt, seed),
                                         args.boolean("parallel_optimize", false),
                                         liar == "min"   ? AnnealLiar::Min
                                         : liar == "max" ? AnnealLiar::Max
                                                         : AnnealLiar::Mean);
}

std::unique_ptr<Tuner> make_evolution(const json& class_args, Seed seed) {
    const ClassArgs args("Evolution classArgs", class_args, {"optimize_mode", "population_size"});
    return std::make_unique<EvolutionTuner>(
        args.optimize_mode(OptimizeMode::Maximize),
        static_cast<std::size_t>(args.integer("population_size", 32, 1, 99999)),
        pick_seed(std::nullopt, seed));
}

struct TunerEntry {
    std::string_view name;
    std::unique_ptr<Tuner> (*make)(const json&, Seed);
};

constexpr TunerEntry kTuners[] = {
    {"TPE", make_tpe},       {"Random", make_random},       {"GridSearch", make_grid_search},
    {"Anneal", make_anneal}, {"Evolution", make_evolution},
};

}  // namespace

std::unique_ptr<Tuner> make_tuner(std::string_view name, const nlohmann::json& class_args,
                                  std::optional<std::uint64_t> seed) {
    std::string names;
    for (const auto& entry : kTuners) {
        if (iequals(entry.name, name)) {
            return entry.make(class_args, seed);
        }
        names += (names.empty() ? "" : ", ") + std::string(entry.name);
    }
    throw std::invalid_argument("unknown tuner \"" + std::string(name) +
                                "\" (built-in tuners: " + names + ")");
}

std::unique_ptr<Assessor> make_assessor(std::string_view name, const nlohmann::json& class_args) {
    if (!iequals(name, "Medianstop")) {
        throw std::invalid_argument("unknown assessor \"" + std::string(name) +
                                    "\" (built-in assessors: Medianstop)");
    }
    const ClassArgs args("Medianstop classArgs", class_args, {"optimize_mode", "start_step"});
    return std::make_unique<MedianstopAssessor>(
        args.optimize_mode(OptimizeMode::Maximize),
        static_cast<std::size_t>(args.integer("start_step", 0, 0, 9999)));
}

}  // namespace tshost::tuner
