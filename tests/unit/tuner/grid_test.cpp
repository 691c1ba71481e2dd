// GridSearch and the deduplicator follow NNI's gridsearch_tuner.py / dedup.py exactly.

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tuner/grid.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;

// Everything a tuner hands out until it says there is no more (bounded, in case it never does).
std::vector<json> drain(Tuner& tuner, const json& space, int limit = 10000) {
    tuner.update_search_space(SearchSpace::parse(space));
    std::vector<json> out;
    for (int id = 0; id < limit; ++id) {
        auto p = tuner.generate_parameters(id);
        if (!p) {
            EXPECT_FALSE(tuner.generate_parameters(id + 1)) << "exhaustion must be final";
            return out;
        }
        out.push_back(*p);
    }
    ADD_FAILURE() << "never exhausted";
    return out;
}

std::set<std::string> dumps(const std::vector<json>& params) {
    std::set<std::string> out;
    for (const auto& p : params) {
        out.insert(p.dump());
    }
    return out;
}

json finite_nested_space() {
    return json::parse(R"({
        "act": {"_type": "choice", "_value": ["relu", "tanh", "gelu"]},
        "depth": {"_type": "randint", "_value": [2, 4]},
        "opt": {"_type": "choice", "_value": [
            {"_name": "sgd", "momentum": {"_type": "choice", "_value": [0.0, 0.9]}},
            {"_name": "adam"}]}})");
}

std::set<std::string> finite_nested_product() {
    std::set<std::string> out;
    for (const char* act : {"relu", "tanh", "gelu"}) {
        for (int depth : {2, 3}) {
            for (const json& opt :
                 {json{{"_name", "sgd"}, {"momentum", 0.0}},
                  json{{"_name", "sgd"}, {"momentum", 0.9}}, json{{"_name", "adam"}}}) {
                out.insert(json{{"act", act}, {"depth", depth}, {"opt", opt}}.dump());
            }
        }
    }
    return out;
}

TEST(GridSearch, EnumeratesAFiniteNestedSpaceExactlyOnce) {
    auto tuner = make_tuner("GridSearch", json::object());
    const auto params = drain(*tuner, finite_nested_space());
    EXPECT_EQ(params.size(), 18u);  // 3 × 2 × (2 + 1)
    EXPECT_EQ(dumps(params), finite_nested_product());
}

TEST(GridSearch, OrdersLikeNniOdometer) {
    // The last parameter turns fastest; unchosen nested options are skipped.
    auto tuner = make_tuner("GridSearch", json::object());
    const auto params = drain(*tuner, finite_nested_space());
    ASSERT_GE(params.size(), 4u);
    EXPECT_EQ(params[0], json::parse(R"({"act": "relu", "depth": 2,
                                         "opt": {"_name": "sgd", "momentum": 0.0}})"));
    EXPECT_EQ(params[1], json::parse(R"({"act": "relu", "depth": 2,
                                         "opt": {"_name": "sgd", "momentum": 0.9}})"));
    EXPECT_EQ(params[2], json::parse(R"({"act": "relu", "depth": 2, "opt": {"_name": "adam"}})"));
    EXPECT_EQ(params[3], json::parse(R"({"act": "relu", "depth": 3,
                                         "opt": {"_name": "sgd", "momentum": 0.0}})"));
}

std::vector<double> grid_values(const json& spec) {
    auto tuner = make_tuner("GridSearch", json::object());
    std::vector<double> out;
    for (const auto& p : drain(*tuner, json{{"x", spec}})) {
        out.push_back(p["x"].get<double>());
    }
    return out;
}

TEST(GridSearch, RefinesQRangesLikeNni) {
    // NNI starts at the median and adds CDF midpoints only while a midpoint's value differs
    // from both ends of its interval. The value at CDF 0 (and 1) is only an interval end, so
    // the range's end values are never produced unless the median rounds onto them: NNI's
    // GridSearch yields exactly these.
    EXPECT_EQ(grid_values({{"_type", "quniform"}, {"_value", {1, 5, 1}}}),
              (std::vector<double>{3, 2, 4}));
    EXPECT_EQ(grid_values({{"_type", "quniform"}, {"_value", {0, 10, 2.5}}}),
              (std::vector<double>{5, 2.5, 7.5}));
    EXPECT_EQ(grid_values({{"_type", "quniform"}, {"_value", {0, 8, 1}}}),
              (std::vector<double>{4, 2, 6, 1, 3, 5, 7}));
    // The median 2.5 rounds (half to even) onto the low end.
    EXPECT_EQ(grid_values({{"_type", "quniform"}, {"_value", {2, 3, 1}}}),
              (std::vector<double>{2}));
    // In log space for qloguniform: exp(ln 1 + ln 16 · 0.5) = 4.
    EXPECT_EQ(grid_values({{"_type", "qloguniform"}, {"_value", {1, 16, 1}}})[0], 4.0);
}

TEST(GridSearch, FollowsNniDocumentedExampleWithANormalParameter) {
    // gridsearch_tuner.py: x choice(5, 7), y normal(0, 1), z quniform(2, 3, 1).
    auto tuner = make_tuner("GridSearch", json::object());
    tuner->update_search_space(SearchSpace::parse(json::parse(R"({
        "x": {"_type": "choice", "_value": [5, 7]},
        "y": {"_type": "normal", "_value": [0, 1]},
        "z": {"_type": "quniform", "_value": [2, 3, 1]}})")));
    const double q = 0.6744897501960817;  // normal quartile
    const std::vector<std::vector<double>> expected = {
        {5, 0, 2},  {7, 0, 2},                         // epoch 1: medians (2.5 rounds to 2)
        {5, -q, 2}, {5, q, 2}, {7, -q, 2}, {7, q, 2},  // epoch 2: quartiles of y
    };
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const auto p = tuner->generate_parameters(static_cast<std::int64_t>(k));
        ASSERT_TRUE(p);
        EXPECT_EQ((*p)["x"], expected[k][0]) << k;
        EXPECT_NEAR((*p)["y"].get<double>(), expected[k][1], 1e-12) << k;
        EXPECT_EQ((*p)["z"], expected[k][2]) << k;
    }
    // Epoch 3 adds the octiles of y; a continuous parameter never runs out.
    const auto p = tuner->generate_parameters(6);
    ASSERT_TRUE(p);
    EXPECT_NEAR((*p)["y"].get<double>(), -1.1503493803760079, 1e-12);
}

TEST(GridSearch, SkipsImportedParameters) {
    auto tuner = make_tuner("GridSearch", json::object());
    tuner->update_search_space(SearchSpace::parse(finite_nested_space()));
    const std::vector<ImportedTrial> done = {
        {json::parse(R"({"act": "relu", "depth": 2, "opt": {"_name": "adam"}})"), 1.0},
        {json::parse(R"({"act": "nope"})"), 1.0}};
    EXPECT_EQ(tuner->import_data(done), 1u);
    std::set<std::string> seen;
    for (int id = 0;; ++id) {
        const auto p = tuner->generate_parameters(id);
        if (!p) {
            break;
        }
        seen.insert(p->dump());
    }
    EXPECT_EQ(seen.size(), 17u);
    EXPECT_EQ(seen.count(done[0].parameters.dump()), 0u);
}

TEST(GridSearch, RejectsAnEmptySpaceLikeNni) {
    auto tuner = make_tuner("GridSearch", json::object());
    EXPECT_THROW(tuner->update_search_space(SearchSpace::parse(json::object())),
                 std::invalid_argument);
}

TEST(Deduplicator, RandomAndTpeExhaustAFiniteSpaceWithoutRepeats) {
    for (const char* name : {"Random", "TPE"}) {
        auto tuner = make_tuner(name, {{"seed", 9}});
        const auto params = drain(*tuner, finite_nested_space());
        EXPECT_EQ(params.size(), 18u) << name;
        EXPECT_EQ(dumps(params), finite_nested_product()) << name;
    }
}

TEST(Deduplicator, LeavesContinuousSpacesAlone) {
    // A continuous top-level parameter cannot repeat: no exhaustion, no grid points.
    auto tuner = make_tuner("Random", {{"seed", 2}});
    tuner->update_search_space(SearchSpace::parse(json::parse(R"({
        "a": {"_type": "choice", "_value": [1, 2]},
        "u": {"_type": "uniform", "_value": [0, 1]}})")));
    for (int id = 0; id < 200; ++id) {
        const auto p = tuner->generate_parameters(id);
        ASSERT_TRUE(p);
        EXPECT_NE((*p)["u"], 0.5);  // 0.5 would be the grid's first point
    }
}

TEST(NormalQuantile, InvertsTheCdf) {
    EXPECT_EQ(normal_quantile(0.5), 0.0);
    EXPECT_TRUE(std::isinf(normal_quantile(0)) && normal_quantile(0) < 0);
    EXPECT_TRUE(std::isinf(normal_quantile(1)) && normal_quantile(1) > 0);
    for (double p : {1e-12, 1e-6, 0.01, 0.02425, 0.1, 0.3, 0.7, 0.9, 0.97575, 0.999, 1 - 1e-9}) {
        const double x = normal_quantile(p);
        EXPECT_NEAR(0.5 * std::erfc(-x / std::sqrt(2.0)), p, 1e-15 + p * 1e-13) << p;
    }
}

}  // namespace
}  // namespace tshost::tuner
