// Behaviour every tuner shares (valid parameters, determinism, optimize_mode, resuming, odd
// results) and what is particular to each.

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "benchmark_functions.hpp"
#include "tuner/rng.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;

const char* const kLearningTuners[] = {"TPE", "Random", "Anneal", "Evolution"};

json every_type_space() {
    return json::parse(R"({
        "c": {"_type": "choice", "_value": ["a", 2, true]},
        "r": {"_type": "randint", "_value": [-2, 3]},
        "u": {"_type": "uniform", "_value": [-1, 1]},
        "qu": {"_type": "quniform", "_value": [0, 10, 2.5]},
        "lu": {"_type": "loguniform", "_value": [1e-4, 1]},
        "qlu": {"_type": "qloguniform", "_value": [1, 100, 3]},
        "n": {"_type": "normal", "_value": [0, 2]},
        "qn": {"_type": "qnormal", "_value": [5, 2, 0.5]},
        "ln": {"_type": "lognormal", "_value": [0, 1]},
        "qln": {"_type": "qlognormal", "_value": [1, 1, 2]},
        "opt": {"_type": "choice", "_value": [
            {"_name": "sgd", "lr": {"_type": "loguniform", "_value": [0.001, 0.1]},
             "sched": {"_type": "choice", "_value": [
                 {"_name": "step", "gamma": {"_type": "uniform", "_value": [0.1, 0.9]}},
                 {"_name": "none"}]}},
            {"_name": "adam", "beta": {"_type": "quniform", "_value": [0.8, 0.99, 0.01]}}]}
    })");
}

// A metric that depends on every parameter, so that tuners have something to learn.
double noisy_metric(const json& p, Rng& rng) {
    double v = rng.uniform(0, 0.1);
    for (const auto& [key, value] : p.items()) {
        v += value.is_number() ? std::abs(std::sin(value.get<double>())) : 0.3;
    }
    return v;
}

void expect_valid(const SearchSpace& space, const json& p) {
    ASSERT_NO_THROW(space.from_parameters(p)) << p;  // keys, options and bounds
    EXPECT_TRUE(p["r"].is_number_integer());
    for (const auto& [key, q] : {std::pair{"qu", 2.5}, {"qlu", 3.0}, {"qn", 0.5}, {"qln", 2.0}}) {
        const double v = p[key].get<double>();
        const bool at_bound = (key == std::string("qlu")) && (v == 1 || v == 100);
        EXPECT_TRUE(at_bound || std::abs(v / q - std::round(v / q)) < 1e-9) << key << "=" << v;
    }
    EXPECT_GE(p["ln"].get<double>(), 0);
    if (p["opt"]["_name"] == "adam") {
        EXPECT_EQ(p["opt"].size(), 2u) << p;  // only the chosen option's parameters
    }
}

TEST(Tuners, EmitValidParametersForEveryTypeAndNesting) {
    const auto space = SearchSpace::parse(every_type_space());
    for (const char* name : {"TPE", "Random", "Anneal", "Evolution", "GridSearch"}) {
        auto tuner = make_tuner(name, {{"optimize_mode", "minimize"}}, 3);
        tuner->update_search_space(space);
        Rng rng(1);
        for (std::int64_t id = 0; id < 120; ++id) {
            const auto p = tuner->generate_parameters(id);
            ASSERT_TRUE(p) << name;
            expect_valid(space, *p);
            tuner->receive_trial_result(id, *p, noisy_metric(*p, rng));
            tuner->trial_end(id, true);
        }
    }
}

TEST(Tuners, TpeIndependentModeAlsoEmitsValidParameters) {
    const auto space = SearchSpace::parse(every_type_space());
    auto tuner = make_tuner("TPE", {{"tpe_args", {{"multivariate", false}}}}, 3);
    tuner->update_search_space(space);
    Rng rng(2);
    for (std::int64_t id = 0; id < 80; ++id) {
        const auto p = tuner->generate_parameters(id);
        ASSERT_TRUE(p);
        expect_valid(space, *p);
        tuner->receive_trial_result(id, *p, noisy_metric(*p, rng));
    }
}

std::vector<json> run_branin(const char* name, std::uint64_t seed, int trials = 40) {
    auto tuner = make_tuner(name, {{"optimize_mode", "minimize"}}, seed);
    const auto problem = testing::branin();
    tuner->update_search_space(SearchSpace::parse(problem.space));
    std::vector<json> out;
    for (std::int64_t id = 0; id < trials; ++id) {
        out.push_back(*tuner->generate_parameters(id));
        tuner->receive_trial_result(id, out.back(), problem.f(out.back()));
        tuner->trial_end(id, true);
    }
    return out;
}

TEST(Tuners, AreDeterministicGivenASeed) {
    for (const char* name : kLearningTuners) {
        EXPECT_EQ(run_branin(name, 3), run_branin(name, 3)) << name;
        EXPECT_NE(run_branin(name, 3), run_branin(name, 4)) << name;
    }
}

TEST(Tuners, TheReportedSeedReplaysARun) {
    auto first = make_tuner("TPE", json::object());
    const auto replay = run_branin("TPE", *first->seed());
    auto again = make_tuner("TPE", json::object(), *first->seed());
    EXPECT_EQ(again->seed(), first->seed());
    EXPECT_EQ(run_branin("TPE", *again->seed()), replay);
}

// Best x found on [0, 1] for `metric`, optimised in `mode`.
template <class Metric>
double best_x(const char* name, const char* mode, Metric metric) {
    auto tuner = make_tuner(name, {{"optimize_mode", mode}}, 11);
    tuner->update_search_space(
        SearchSpace::parse({{"x", {{"_type", "uniform"}, {"_value", {0, 1}}}}}));
    const bool maximize = std::string(mode) == "maximize";
    double best = 0, best_value = 0;
    for (std::int64_t id = 0; id < 80; ++id) {
        const double x = (*tuner->generate_parameters(id))["x"].get<double>();
        const double v = metric(x);
        if (id == 0 || (maximize ? v > best_value : v < best_value)) {
            best = x;
            best_value = v;
        }
        tuner->receive_trial_result(id, {{"x", x}}, v);
        tuner->trial_end(id, true);
    }
    return best;
}

TEST(Tuners, FollowOptimizeMode) {
    const auto peak = [](double x) { return -(x - 0.3) * (x - 0.3); };
    const auto valley = [](double x) { return (x - 0.3) * (x - 0.3); };
    const auto slope = [](double x) { return x; };
    for (const char* name : {"TPE", "Anneal", "Evolution"}) {
        EXPECT_NEAR(best_x(name, "maximize", peak), 0.3, 0.02) << name;
        EXPECT_NEAR(best_x(name, "minimize", valley), 0.3, 0.02) << name;
        EXPECT_GT(best_x(name, "maximize", slope), 0.97) << name;
        EXPECT_LT(best_x(name, "minimize", slope), 0.03) << name;
    }
}

TEST(Tuners, TpeLearnsFromImportedTrials) {
    const json space = {{"x", {{"_type", "uniform"}, {"_value", {0, 1}}}}};
    auto tuner = make_tuner("TPE", json::object(), 5);
    tuner->update_search_space(SearchSpace::parse(space));
    std::vector<ImportedTrial> done;
    Rng rng(6);
    for (int k = 0; k < 60; ++k) {
        const double x = rng.uniform01();
        done.push_back({{{"x", x}}, (x - 0.8) * (x - 0.8)});
    }
    done.push_back({{{"y", 0.5}}, 1.0});  // another space
    done.push_back({{{"x", 0.5}}, NAN});  // no usable metric
    done.push_back({{{"x", 1.5}}, 1.0});  // out of range
    EXPECT_EQ(tuner->import_data(done), 60u);
    // Past the startup phase at once: suggestions concentrate around 0.8.
    std::vector<double> distance;
    for (std::int64_t id = 0; id < 15; ++id) {
        distance.push_back(std::abs((*tuner->generate_parameters(id))["x"].get<double>() - 0.8));
        tuner->trial_end(id, false);
    }
    std::sort(distance.begin(), distance.end());
    EXPECT_LT(distance[distance.size() / 2], 0.1);  // uniform draws: median distance ~0.27
}

TEST(Tuners, LearnFromResultsOfIdsTheyDidNotGenerate) {
    const auto space = SearchSpace::parse(every_type_space());
    for (const char* name : {"TPE", "Anneal", "Evolution"}) {  // Random ignores results
        auto tuner = make_tuner(name, json::object(), 1);
        tuner->update_search_space(space);
        Rng rng(2);
        const json p = space.to_parameters(space.sample(rng));
        EXPECT_NO_THROW(tuner->receive_trial_result(1000, p, 1.0)) << name;  // customised
        // The EN-before-FINAL race of NNI's dispatcher: the result still counts.
        const json q = *tuner->generate_parameters(1);
        tuner->trial_end(1, true);
        EXPECT_NO_THROW(tuner->receive_trial_result(1, q, 2.0)) << name;
        EXPECT_THROW(tuner->receive_trial_result(1001, {{"c", "zzz"}}, 1.0), std::invalid_argument)
            << name;
        EXPECT_THROW(tuner->receive_trial_result(2, q, NAN), std::invalid_argument) << name;
        EXPECT_NO_THROW(tuner->receive_trial_result(3, q, INFINITY)) << name;  // diverged: worst
        EXPECT_TRUE(tuner->generate_parameters(4)) << name;
    }
}

TEST(Tuners, ConcurrentTpeSuggestionsDiffer) {
    for (const char* liar : {"best", "worst", "mean"}) {
        auto tuner = make_tuner("TPE", {{"tpe_args", {{"constant_liar_type", liar}}}}, 2);
        const auto problem = testing::branin();
        tuner->update_search_space(SearchSpace::parse(problem.space));
        for (std::int64_t id = 0; id < 30; ++id) {
            const auto p = *tuner->generate_parameters(id);
            tuner->receive_trial_result(id, p, problem.f(p));
        }
        std::set<std::string> running;
        for (std::int64_t id = 30; id < 38; ++id) {
            running.insert(tuner->generate_parameters(id)->dump());
        }
        EXPECT_EQ(running.size(), 8u) << liar;
    }
}

TEST(Tuners, TpeKeepsLearningAcrossAnEditedSpace) {
    auto tuner = make_tuner("TPE", json::object(), 4);
    tuner->update_search_space(
        SearchSpace::parse({{"x", {{"_type", "uniform"}, {"_value", {0, 1}}}}}));
    for (std::int64_t id = 0; id < 30; ++id) {
        const auto p = *tuner->generate_parameters(id);
        tuner->receive_trial_result(id, p, std::abs(p["x"].get<double>() - 0.2));
    }
    tuner->generate_parameters(30);  // still running when the space changes
    const auto edited = SearchSpace::parse(json::parse(R"({
        "x": {"_type": "uniform", "_value": [0, 1]},
        "y": {"_type": "choice", "_value": ["a", "b"]}})"));
    tuner->update_search_space(edited);
    for (std::int64_t id = 31; id < 60; ++id) {
        const auto p = tuner->generate_parameters(id);
        ASSERT_TRUE(p);
        ASSERT_NO_THROW(edited.from_parameters(*p));
        tuner->receive_trial_result(id, *p, std::abs((*p)["x"].get<double>() - 0.2));
    }
}

TEST(Tuners, TpeHandlesHugeRandintRanges) {
    auto tuner = make_tuner("TPE", json::object(), 4);
    tuner->update_search_space(SearchSpace::parse(
        {{"n", {{"_type", "randint"}, {"_value", {0, std::int64_t{1} << 53}}}}}));
    for (std::int64_t id = 0; id < 40; ++id) {
        const auto p = *tuner->generate_parameters(id);
        ASSERT_TRUE(p["n"].is_number_integer());
        tuner->receive_trial_result(id, p, static_cast<double>(p["n"].get<std::int64_t>() % 97));
    }
}

TEST(Tuners, EvolutionAnswersMoreRequestsThanItsPopulation) {
    auto tuner = make_tuner("Evolution", {{"population_size", 2}}, 1);
    tuner->update_search_space(SearchSpace::parse(testing::branin().space));
    for (std::int64_t id = 0; id < 6; ++id) {
        EXPECT_TRUE(tuner->generate_parameters(id));
    }
    for (std::int64_t id = 0; id < 6; ++id) {
        tuner->trial_end(id, false);  // failures bring in new random individuals
    }
    EXPECT_TRUE(tuner->generate_parameters(6));
}

TEST(Tuners, AnnealLiesForRunningTrialsWhenParallel) {
    auto tuner = make_tuner("Anneal", {{"parallel_optimize", true}}, 1);
    const auto problem = testing::branin();
    tuner->update_search_space(SearchSpace::parse(problem.space));
    for (std::int64_t id = 0; id < 25; ++id) {
        const auto p = *tuner->generate_parameters(id);
        tuner->receive_trial_result(id, p, problem.f(p));
    }
    std::set<std::string> running;
    for (std::int64_t id = 25; id < 30; ++id) {
        running.insert(tuner->generate_parameters(id)->dump());
    }
    EXPECT_EQ(running.size(), 5u);
}

TEST(Tuners, RandomAndGridIgnoreResults) {
    const auto problem = testing::branin();
    for (const char* name : {"Random", "GridSearch"}) {
        auto a = make_tuner(name, json::object(), 8);
        auto b = make_tuner(name, json::object(), 8);
        a->update_search_space(SearchSpace::parse(problem.space));
        b->update_search_space(SearchSpace::parse(problem.space));
        for (std::int64_t id = 0; id < 20; ++id) {
            const auto p = *a->generate_parameters(id);
            EXPECT_EQ(p, *b->generate_parameters(id));
            a->receive_trial_result(id, p, problem.f(p));
        }
    }
}

}  // namespace
}  // namespace tshost::tuner
