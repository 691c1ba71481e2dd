// SearchSpace: NNI's flattening, deformatting and validation (hpo_utils formatting.py and
// validation.py; fixtures from NNI's test_hpo_formatting.py).

#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_util.hpp"
#include "tuner/rng.hpp"
#include "tuner/search_space.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;
using testing::spec_index;

// NNI's test_hpo_formatting.py user_space.
json nni_formatting_space() {
    return json::parse(R"({
        "pool": {"_type": "choice", "_value": ["max", "min", "avg"]},
        "kernel": {"_type": "randint", "_value": [2, 8]},
        "D": {"_type": "choice", "_value": [
            {"_name": "UNIFORM",
             "dropout": {"_type": "uniform", "_value": [0.5, 0.9]},
             "hidden": {"_type": "quniform", "_value": [100, 1000, 3]},
             "U_lr": {"_type": "loguniform", "_value": [0.0001, 0.1]},
             "U_batch": {"_type": "qloguniform", "_value": [16.0, 128.0, 0.725]}},
            {"_name": "NORMAL",
             "dropout": {"_type": "normal", "_value": [0.7, 0.2]},
             "hidden": {"_type": "qnormal", "_value": [500, 200, 3]},
             "N_lr": {"_type": "lognormal", "_value": [-6, 3]},
             "N_batch": {"_type": "qlognormal", "_value": [3.5, 1.2, 0.725]}},
            {"_name": "EMPTY"}
        ]},
        "not_nested": {"_type": "choice", "_value": [{"x": 0, "y": 0}, {"x": 1, "y": 2}]}
    })");
}

TEST(SearchSpace, FlattensLikeNni) {
    const auto space = SearchSpace::parse(nni_formatting_space());
    ASSERT_EQ(space.size(), 12u);
    const auto& s = space.specs();
    const auto at = [&](const std::string& path) -> const ParameterSpec& {
        return s[spec_index(space, path)];
    };
    const std::size_t d = spec_index(space, "searchSpace.D");

    EXPECT_TRUE(at("searchSpace.pool").categorical);
    EXPECT_EQ(at("searchSpace.pool").size, 3u);
    EXPECT_EQ(at("searchSpace.kernel").size, 6u);  // [2, 8): upper bound excluded
    EXPECT_EQ(at("searchSpace.kernel").randint_lower, 2);
    EXPECT_TRUE(at("searchSpace.D").nested);
    EXPECT_FALSE(at("searchSpace.not_nested").nested);  // dicts without "_name" are values
    EXPECT_EQ(at("searchSpace.not_nested").size, 2u);

    const auto& hidden = at("searchSpace.D._value[0].hidden");
    EXPECT_EQ(hidden.parent, d);
    EXPECT_EQ(hidden.parent_option, 0u);
    EXPECT_EQ(hidden.q, 3.0);
    EXPECT_EQ(hidden.low, 100.0);
    EXPECT_EQ(hidden.high, 1000.0);
    EXPECT_EQ(hidden.json_path, (std::vector<std::string>{"D", "hidden"}));

    const auto& u_lr = at("searchSpace.D._value[0].U_lr");
    EXPECT_TRUE(u_lr.log_distributed);
    EXPECT_DOUBLE_EQ(u_lr.low, std::log(0.0001));  // log types work in log space
    EXPECT_DOUBLE_EQ(u_lr.high, std::log(0.1));

    const auto& n_lr = at("searchSpace.D._value[1].N_lr");
    EXPECT_EQ(n_lr.parent_option, 1u);
    EXPECT_TRUE(n_lr.normal_distributed);
    EXPECT_EQ(n_lr.mu, -6.0);
    EXPECT_EQ(n_lr.sigma, 3.0);
    EXPECT_EQ(at("searchSpace.D._value[1].N_batch").q, 0.725);
}

// NNI's test_deformatting: internal values → what the trial receives.
TEST(SearchSpace, DeformatsLikeNni) {
    const auto space = SearchSpace::parse(nni_formatting_space());
    const auto point = [&](std::initializer_list<std::pair<const char*, double>> values) {
        Point p(space.size());
        for (const auto& [path, v] : values) {
            p[spec_index(space, std::string("searchSpace.") + path)] = v;
        }
        return p;
    };
    const Point p1 = point({{"pool", 0},
                            {"kernel", 5},
                            {"D", 0},
                            {"D._value[0].dropout", 0.7},
                            {"D._value[0].hidden", 100.1},  // round to 99, then clip to 100
                            {"D._value[0].U_lr", -4.6},
                            {"D._value[0].U_batch", 4.0},
                            {"not_nested", 0}});
    json user1 = json::parse(R"({"pool": "max", "kernel": 7,
        "D": {"_name": "UNIFORM", "dropout": 0.7, "hidden": 100.0, "U_batch": 54.375},
        "not_nested": {"x": 0, "y": 0}})");
    user1["D"]["U_lr"] = std::exp(-4.6);
    EXPECT_EQ(space.to_parameters(p1), user1);

    const Point p2 = point({{"pool", 2},
                            {"kernel", 0},
                            {"D", 1},
                            {"D._value[1].dropout", 0.7},
                            {"D._value[1].hidden", 100.1},  // qnormal: rounded, not clipped
                            {"D._value[1].N_lr", -4.6},
                            {"D._value[1].N_batch", 4.0},
                            {"not_nested", 1}});
    const json user2 = space.to_parameters(p2);
    EXPECT_EQ(user2["kernel"], 2);
    EXPECT_TRUE(user2["kernel"].is_number_integer());
    EXPECT_EQ(user2["D"]["hidden"], 99.0);
    EXPECT_TRUE(user2["D"]["hidden"].is_number_float());  // q results are floats, like NNI
    EXPECT_DOUBLE_EQ(user2["D"]["N_lr"].get<double>(), std::exp(-4.6));
    EXPECT_EQ(user2["D"]["N_batch"], 54.375);
    EXPECT_EQ(user2["D"]["_name"], "NORMAL");

    const Point p3 = point({{"pool", 1}, {"kernel", 1}, {"D", 2}, {"not_nested", 1}});
    EXPECT_EQ(space.to_parameters(p3), json::parse(R"({"pool": "min", "kernel": 3,
        "D": {"_name": "EMPTY"}, "not_nested": {"x": 1, "y": 2}})"));
}

TEST(SearchSpace, ActivatesOnlyTheChosenNestedOption) {
    const auto space = SearchSpace::parse(nni_formatting_space());
    Point p(space.size());
    p[spec_index(space, "searchSpace.D")] = 0;
    EXPECT_TRUE(space.is_active(spec_index(space, "searchSpace.D._value[0].dropout"), p));
    EXPECT_FALSE(space.is_active(spec_index(space, "searchSpace.D._value[1].dropout"), p));
    p[spec_index(space, "searchSpace.D")] = 2;
    EXPECT_FALSE(space.is_active(spec_index(space, "searchSpace.D._value[0].U_lr"), p));
    EXPECT_TRUE(space.is_active(spec_index(space, "searchSpace.not_nested"), p));
}

TEST(SearchSpace, RoundsHalvesToEvenLikePython) {
    EXPECT_EQ(round_half_even(0.5), 0.0);
    EXPECT_EQ(round_half_even(1.5), 2.0);
    EXPECT_EQ(round_half_even(2.5), 2.0);
    EXPECT_EQ(round_half_even(-1.5), -2.0);
    EXPECT_EQ(round_half_even(2.4999), 2.0);
    EXPECT_EQ(round_half_even(2.5001), 3.0);
}

TEST(SearchSpace, RoundTripsParametersThroughTheInternalForm) {
    const auto space = SearchSpace::parse(nni_formatting_space());
    Rng rng(3);
    for (int k = 0; k < 500; ++k) {
        const json params = space.to_parameters(space.sample(rng));
        EXPECT_EQ(space.to_parameters(space.from_parameters(params)), params) << params;
    }
}

TEST(SearchSpace, RejectsParametersThatDoNotFit) {
    const auto space = SearchSpace::parse(json::parse(R"({
        "a": {"_type": "choice", "_value": [1, "two"]},
        "b": {"_type": "uniform", "_value": [0, 1]},
        "c": {"_type": "randint", "_value": [0, 3]}})"));
    EXPECT_NO_THROW(space.from_parameters({{"a", "two"}, {"b", 1.0}, {"c", 2}}));
    EXPECT_NO_THROW(space.from_parameters({{"a", 1.0}, {"b", 0}, {"c", 0}}));  // 1.0 == 1
    const auto message = [&](const json& p) {
        try {
            space.from_parameters(p);
        } catch (const SearchSpaceError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({{"b", 0.5}, {"c", 0}}), "parameters.a: missing");
    EXPECT_EQ(message({{"a", 3}, {"b", 0.5}, {"c", 0}}),
              "parameters.a: 3 is not one of the options of searchSpace.a");
    EXPECT_EQ(message({{"a", 1}, {"b", 1.5}, {"c", 0}}),
              "parameters.b: 1.5 does not fit searchSpace.b");
    EXPECT_EQ(message({{"a", 1}, {"b", 0.5}, {"c", 3}}),
              "parameters.c: 3 is not one of the options of searchSpace.c");
    EXPECT_EQ(message(json::array()), "parameters: expected an object");
}

TEST(SearchSpace, MapsUnchangedParametersAcrossEdits) {
    const auto old_space = SearchSpace::parse(json::parse(R"({
        "a": {"_type": "uniform", "_value": [0, 1]},
        "b": {"_type": "uniform", "_value": [0, 1]}})"));
    const auto new_space = SearchSpace::parse(json::parse(R"({
        "a": {"_type": "uniform", "_value": [0, 1]},
        "b": {"_type": "uniform", "_value": [0, 2]},
        "c": {"_type": "choice", "_value": [1]}})"));
    const auto mapping = new_space.map_from(old_space);
    EXPECT_EQ(mapping[0], 0u);
    EXPECT_FALSE(mapping[1]);  // range changed: its history would mislead
    EXPECT_FALSE(mapping[2]);
}

struct BadSpace {
    const char* space;
    const char* message;
};

class SearchSpaceErrors : public ::testing::TestWithParam<BadSpace> {};

TEST_P(SearchSpaceErrors, NameTheKeyPath) {
    try {
        SearchSpace::parse(json::parse(GetParam().space));
        FAIL() << "accepted " << GetParam().space;
    } catch (const SearchSpaceError& e) {
        EXPECT_EQ(std::string(e.what()), GetParam().message);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Validation, SearchSpaceErrors,
    ::testing::Values(
        BadSpace{R"({"lr": {"_type": "loguniform", "_value": [0, 0.1]}})",
                 "searchSpace.lr._value: loguniform needs 0 < low < high"},
        BadSpace{R"({"lr": {"_type": "qloguniform", "_value": [1, 0.5, 0.1]}})",
                 "searchSpace.lr._value: qloguniform needs 0 < low < high"},
        BadSpace{R"({"x": {"_type": "uniform", "_value": [1, 1]}})",
                 "searchSpace.x._value: uniform needs low < high"},
        BadSpace{R"({"x": {"_type": "uniform", "_value": [0, "1"]}})",
                 "searchSpace.x._value: uniform needs 2 finite numbers [low, high]"},
        BadSpace{R"({"x": {"_type": "quniform", "_value": [0, 1]}})",
                 "searchSpace.x._value: quniform needs 3 finite numbers [low, high, q]"},
        BadSpace{R"({"x": {"_type": "quniform", "_value": [0, 1, 0]}})",
                 "searchSpace.x._value: quniform needs q > 0"},
        BadSpace{R"({"x": {"_type": "normal", "_value": [0, 0]}})",
                 "searchSpace.x._value: normal needs sigma > 0"},
        BadSpace{R"({"x": {"_type": "qlognormal", "_value": [0, 1]}})",
                 "searchSpace.x._value: qlognormal needs 3 finite numbers [mu, sigma, q]"},
        BadSpace{R"({"n": {"_type": "randint", "_value": [1.5, 3]}})",
                 "searchSpace.n._value: randint needs integers [lower, upper) with lower < upper"},
        BadSpace{R"({"n": {"_type": "randint", "_value": [3, 3]}})",
                 "searchSpace.n._value: randint needs integers [lower, upper) with lower < upper"},
        BadSpace{
            R"({"n": {"_type": "randint", "_value": [-9223372036854775808, 9223372036854775807]}})",
            "searchSpace.n._value: randint range is too large (at most 2^53 values)"},
        BadSpace{R"({"x": {"_type": "gaussian", "_value": [0, 1]}})",
                 "searchSpace.x._type: unknown type \"gaussian\" (valid: choice, randint, uniform, "
                 "quniform, loguniform, qloguniform, normal, qnormal, lognormal, qlognormal)"},
        BadSpace{R"({"x": {"_type": "uniform"}})",
                 "searchSpace.x: expected an object with \"_type\" and \"_value\""},
        BadSpace{R"({"x": 3})", "searchSpace.x: expected an object with \"_type\" and \"_value\""},
        BadSpace{R"({"x": {"_type": "choice", "_value": 3}})",
                 "searchSpace.x._value: must be a list"},
        BadSpace{R"({"x": {"_type": "choice", "_value": []}})",
                 "searchSpace.x._value: choice needs at least one option"},
        BadSpace{R"({"x": {"_type": "choice", "_value": [{"_name": "a"}, 3]}})",
                 "searchSpace.x._value: a nested choice needs every option to be an object with "
                 "\"_name\""},
        BadSpace{R"({"x": {"_type": "choice", "_value": [{"_name": 1}]}})",
                 "searchSpace.x._value[0]._name: must be a string"},
        BadSpace{R"({"opt": {"_type": "choice", "_value": [{"_name": "sgd"},
                    {"_name": "adam", "lr": {"_type": "loguniform", "_value": [-1, 1]}}]}})",
                 "searchSpace.opt._value[1].lr._value: loguniform needs 0 < low < high"},
        BadSpace{R"([1, 2])", "searchSpace: expected an object of parameters"}));

TEST(SearchSpace, RefusesAbsurdNestingWithoutCrashing) {
    json spec = {{"_type", "uniform"}, {"_value", {0, 1}}};
    for (int depth = 0; depth < 100; ++depth) {
        spec = {{"_type", "choice"}, {"_value", {json{{"_name", "n"}, {"c", spec}}}}};
    }
    EXPECT_THROW(SearchSpace::parse(json{{"c", spec}}), SearchSpaceError);
}

TEST(SearchSpace, EmptySpaceHasOneEmptyConfiguration) {
    const auto space = SearchSpace::parse(json::object());
    Rng rng(1);
    EXPECT_TRUE(space.empty());
    EXPECT_EQ(space.to_parameters(space.sample(rng)), json::object());
}

}  // namespace
}  // namespace tshost::tuner
