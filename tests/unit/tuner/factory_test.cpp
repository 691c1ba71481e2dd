// make_tuner / make_assessor accept NNI's names and classArgs and explain everything else.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tuner/tuner.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;

std::string error_of(std::string_view name, const json& args) {
    try {
        make_tuner(name, args, 1);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(Factory, KnowsNnisBuiltinNamesCaseInsensitively) {
    for (const char* name : {"TPE", "tpe", "Random", "RANDOM", "GridSearch", "gridsearch", "Anneal",
                             "Evolution", "evolution"}) {
        EXPECT_NE(make_tuner(name, json::object(), 1), nullptr) << name;
    }
    EXPECT_EQ(error_of("SMAC", json::object()),
              "unknown tuner \"SMAC\" (built-in tuners: TPE, Random, GridSearch, Anneal, "
              "Evolution)");
}

TEST(Factory, AcceptsNniDocumentedClassArgs) {
    // From the docstrings and builtin_algorithms.yml of NNI 3.0.
    EXPECT_NO_THROW(make_tuner("TPE", json::parse(R"({"optimize_mode": "maximize",
        "seed": 12345, "tpe_args": {"constant_liar_type": "mean", "n_startup_jobs": 10,
        "n_ei_candidates": 20, "linear_forgetting": 100, "prior_weight": 0, "gamma": 0.5}})")));
    EXPECT_NO_THROW(make_tuner("TPE", {{"tpe_args", {{"constant_liar_type", nullptr}}}}));
    EXPECT_NO_THROW(make_tuner("Random", {{"seed", 7}, {"optimize_mode", "minimize"}}));
    EXPECT_NO_THROW(make_tuner("GridSearch", {{"optimize_mode", "maximize"}}));
    EXPECT_NO_THROW(make_tuner("Anneal", json::parse(R"({"optimize_mode": "maximize",
        "parallel_optimize": true, "constant_liar_type": "mean"})")));
    EXPECT_NO_THROW(
        make_tuner("Evolution", {{"optimize_mode", "minimize"}, {"population_size", 100}}));
    EXPECT_NO_THROW(make_tuner("TPE", nullptr));  // no classArgs at all
}

TEST(Factory, ListsTheValidKeysOfAnUnknownOne) {
    EXPECT_EQ(error_of("TPE", {{"seeed", 1}}),
              "TPE classArgs: unknown key \"seeed\" (valid: optimize_mode, seed, tpe_args)");
    EXPECT_EQ(error_of("TPE", {{"tpe_args", {{"gama", 0.3}}}}),
              "TPE classArgs.tpe_args: unknown key \"gama\" (valid: constant_liar_type, "
              "n_startup_jobs, n_ei_candidates, linear_forgetting, prior_weight, gamma, "
              "multivariate)");
    EXPECT_EQ(error_of("GridSearch", {{"seed", 1}}),
              "GridSearch classArgs: unknown key \"seed\" (valid: optimize_mode)");
    EXPECT_EQ(error_of("Evolution", {{"seed", 1}}),
              "Evolution classArgs: unknown key \"seed\" (valid: optimize_mode, "
              "population_size)");
}

TEST(Factory, ExplainsBadValues) {
    EXPECT_EQ(error_of("TPE", {{"optimize_mode", "max"}}),
              "TPE classArgs.optimize_mode: must be one of maximize, minimize, got \"max\"");
    EXPECT_EQ(error_of("TPE", {{"seed", -1}}),
              "TPE classArgs.seed: must be a non-negative integer, got -1");
    EXPECT_EQ(error_of("TPE", "fast"), "TPE classArgs: expected an object, got \"fast\"");
    EXPECT_EQ(error_of("TPE", {{"tpe_args", {{"constant_liar_type", "max"}}}}),
              "TPE classArgs.tpe_args.constant_liar_type: must be one of best, worst, mean, "
              "none, null, got \"max\"");
    EXPECT_EQ(error_of("TPE", {{"tpe_args", {{"n_ei_candidates", 0}}}}),
              "TPE classArgs.tpe_args.n_ei_candidates: must be an integer in [1, 1000000], "
              "got 0");
    EXPECT_EQ(error_of("TPE", {{"tpe_args", 3}}),
              "TPE classArgs.tpe_args: must be an object, got 3");
    EXPECT_NE(error_of("TPE", {{"tpe_args", {{"gamma", 0}}}}), "no error");
    EXPECT_NE(error_of("TPE", {{"tpe_args", {{"linear_forgetting", 0}}}}), "no error");
    EXPECT_NE(error_of("TPE", {{"tpe_args", {{"prior_weight", -1}}}}), "no error");
    EXPECT_NE(error_of("TPE", {{"tpe_args", {{"n_startup_jobs", 2.5}}}}), "no error");
    EXPECT_EQ(error_of("Anneal", {{"parallel_optimize", "yes"}}),
              "Anneal classArgs.parallel_optimize: must be true or false, got \"yes\"");
    EXPECT_EQ(error_of("Evolution", {{"population_size", 0}}),
              "Evolution classArgs.population_size: must be an integer in [1, 99999], got 0");
}

TEST(Factory, ReportsTheSeedInUse) {
    EXPECT_EQ(make_tuner("TPE", {{"seed", 123}}, 5)->seed(), 123u);  // classArg wins
    EXPECT_EQ(make_tuner("TPE", json::object(), 5)->seed(), 5u);
    EXPECT_EQ(make_tuner("Anneal", json::object(), 5)->seed(), 5u);
    EXPECT_EQ(make_tuner("Evolution", json::object(), 6)->seed(), 6u);
    EXPECT_FALSE(make_tuner("GridSearch", json::object())->seed());
    const auto drawn = make_tuner("Random", json::object())->seed();
    ASSERT_TRUE(drawn);
    EXPECT_LT(*drawn, 1u << 31);  // short enough to copy from a log, like NNI's
}

}  // namespace
}  // namespace tshost::tuner
