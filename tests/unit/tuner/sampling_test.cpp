// Every _type is drawn within its bounds with NNI's distribution: Kolmogorov-Smirnov tests
// against the analytic CDF for continuous types, chi-square tests against the analytic
// probabilities of each value for discrete ones (fixed seeds, significance 0.001).

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tuner/rng.hpp"
#include "tuner/search_space.hpp"
#include "tuner/tuner.hpp"

namespace tshost::tuner {
namespace {

using nlohmann::json;

constexpr int kSamples = 20000;

double phi(double z) {
    return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// Draws the user values of parameter "x" from a one-parameter space, as every tuner's random
// (prior) draw does.
std::vector<json> draw(const json& spec, std::uint64_t seed = 11) {
    const auto space = SearchSpace::parse(json{{"x", spec}});
    Rng rng(seed);
    std::vector<json> out;
    for (int k = 0; k < kSamples; ++k) {
        out.push_back(space.to_parameters(space.sample(rng))["x"]);
    }
    return out;
}

std::vector<double> numbers(const std::vector<json>& values) {
    std::vector<double> out;
    for (const auto& v : values) {
        out.push_back(v.get<double>());
    }
    return out;
}

double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf) {
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    double d = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = cdf(x[i]);
        d = std::max({d, static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

// Critical value of the one-sample KS statistic at significance 0.001.
double ks_critical(std::size_t n) {
    return 1.949 / std::sqrt(static_cast<double>(n));
}

// Chi-square statistic and its critical value at significance 0.001 (Wilson-Hilferty), bins
// with an expected count under 5 merged into their neighbour.
struct ChiSquare {
    double statistic = 0;
    double critical = 0;
};

ChiSquare chi_square(const std::vector<double>& observed, const std::vector<double>& expected_p) {
    std::vector<double> obs, exp;
    double o = 0, e = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        o += observed[i];
        e += expected_p[i] * kSamples;
        if (e >= 5) {
            obs.push_back(o);
            exp.push_back(e);
            o = e = 0;
        }
    }
    if (!exp.empty()) {
        obs.back() += o;
        exp.back() += e;
    }
    ChiSquare result;
    for (std::size_t i = 0; i < obs.size(); ++i) {
        result.statistic += (obs[i] - exp[i]) * (obs[i] - exp[i]) / exp[i];
    }
    const double df = static_cast<double>(obs.size() - 1);
    const double z = 3.090;  // upper 0.001 quantile of N(0, 1)
    const double h = 2.0 / (9.0 * df);
    result.critical = df * std::pow(1 - h + z * std::sqrt(h), 3);
    return result;
}

// Counts of each expected value; anything else fails the test.
std::vector<double> counts(const std::vector<json>& values, const std::vector<json>& expected) {
    std::vector<double> out(expected.size(), 0);
    for (const auto& v : values) {
        const auto it = std::find(expected.begin(), expected.end(), v);
        EXPECT_NE(it, expected.end()) << "unexpected value " << v;
        if (it != expected.end()) {
            out[static_cast<std::size_t>(it - expected.begin())] += 1;
        }
    }
    return out;
}

void expect_within(const std::vector<double>& x, double low, double high) {
    const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
    EXPECT_GE(*mn, low);
    EXPECT_LE(*mx, high);
}

TEST(Sampling, Uniform) {
    const auto x = numbers(draw({{"_type", "uniform"}, {"_value", {-3, 7}}}));
    expect_within(x, -3, 7);
    EXPECT_LT(ks_statistic(x, [](double v) { return (v + 3) / 10; }), ks_critical(x.size()));
}

TEST(Sampling, Loguniform) {
    const auto x = numbers(draw({{"_type", "loguniform"}, {"_value", {1e-4, 1}}}));
    expect_within(x, 1e-4, 1);
    const auto cdf = [](double v) { return (std::log(v) - std::log(1e-4)) / -std::log(1e-4); };
    EXPECT_LT(ks_statistic(x, cdf), ks_critical(x.size()));
}

TEST(Sampling, Normal) {
    const auto x = numbers(draw({{"_type", "normal"}, {"_value", {2, 3}}}));
    EXPECT_LT(ks_statistic(x, [](double v) { return phi((v - 2) / 3); }), ks_critical(x.size()));
}

TEST(Sampling, Lognormal) {
    const auto x = numbers(draw({{"_type", "lognormal"}, {"_value", {-1, 0.5}}}));
    expect_within(x, 0, INFINITY);
    const auto cdf = [](double v) { return phi((std::log(v) + 1) / 0.5); };
    EXPECT_LT(ks_statistic(x, cdf), ks_critical(x.size()));
}

TEST(Sampling, TheKsCheckCanFail) {
    // Log-uniform draws are not uniform: the statistic must see it.
    const auto x = numbers(draw({{"_type", "loguniform"}, {"_value", {1, 10}}}));
    EXPECT_GT(ks_statistic(x, [](double v) { return (v - 1) / 9; }), ks_critical(x.size()));
}

TEST(Sampling, QuniformRoundsThenClips) {
    // round(U(0, 10) / 2.5) * 2.5: the end values get half the mass of the inner ones.
    const auto values = draw({{"_type", "quniform"}, {"_value", {0, 10, 2.5}}});
    const std::vector<json> expected = {0.0, 2.5, 5.0, 7.5, 10.0};
    const auto chi = chi_square(counts(values, expected), {0.125, 0.25, 0.25, 0.25, 0.125});
    EXPECT_LT(chi.statistic, chi.critical);
    for (const auto& v : values) {
        ASSERT_TRUE(v.is_number_float());
    }
    // Equal probabilities are rejected: the check has power.
    const auto flat = chi_square(counts(values, expected), {0.2, 0.2, 0.2, 0.2, 0.2});
    EXPECT_GT(flat.statistic, flat.critical);
}

TEST(Sampling, QloguniformRoundsThenClipsToTheRange) {
    // round(exp(U(ln 1, ln 100)) / 10) * 10, clipped to [1, 100]: 0 becomes 1.
    const auto values = draw({{"_type", "qloguniform"}, {"_value", {1, 100, 10}}});
    const auto cdf = [](double v) { return std::log(std::clamp(v, 1.0, 100.0)) / std::log(100); };
    std::vector<json> expected = {1.0};
    std::vector<double> p = {cdf(5)};
    for (int k = 1; k <= 10; ++k) {
        expected.push_back(10.0 * k);
        p.push_back(cdf(10.0 * k + 5) - cdf(10.0 * k - 5));
    }
    const auto chi = chi_square(counts(values, expected), p);
    EXPECT_LT(chi.statistic, chi.critical);
}

TEST(Sampling, QnormalRoundsWithoutClipping) {
    const auto values = draw({{"_type", "qnormal"}, {"_value", {0, 1, 0.5}}});
    std::vector<json> expected;
    std::vector<double> p;
    for (int k = -12; k <= 12; ++k) {
        expected.push_back(0.5 * k);
        p.push_back(phi(0.5 * k + 0.25) - phi(0.5 * k - 0.25));
    }
    const auto chi = chi_square(counts(values, expected), p);
    EXPECT_LT(chi.statistic, chi.critical);
}

TEST(Sampling, QlognormalRoundsTheExponential) {
    const auto values = draw({{"_type", "qlognormal"}, {"_value", {0, 0.5, 1}}});
    std::vector<json> expected = {0.0};
    std::vector<double> p = {phi(std::log(0.5) / 0.5)};
    for (int k = 1; k <= 40; ++k) {
        expected.push_back(1.0 * k);
        p.push_back(phi(std::log(k + 0.5) / 0.5) - phi(std::log(k - 0.5) / 0.5));
    }
    const auto chi = chi_square(counts(values, expected), p);
    EXPECT_LT(chi.statistic, chi.critical);
}

TEST(Sampling, RandintExcludesTheUpperBound) {
    const auto values = draw({{"_type", "randint"}, {"_value", {-3, 4}}});
    std::vector<json> expected;
    for (int v = -3; v < 4; ++v) {
        expected.push_back(v);
    }
    for (const auto& v : values) {
        ASSERT_TRUE(v.is_number_integer());
    }
    const auto chi = chi_square(counts(values, expected), std::vector<double>(7, 1.0 / 7));
    EXPECT_LT(chi.statistic, chi.critical);
}

TEST(Sampling, ChoiceReturnsTheOptionsThemselves) {
    const std::vector<json> options = {"a", 2, json{{"x", 1}}, nullptr};
    const auto values = draw({{"_type", "choice"}, {"_value", options}});
    const auto chi = chi_square(counts(values, options), std::vector<double>(4, 0.25));
    EXPECT_LT(chi.statistic, chi.critical);
}

TEST(Sampling, NestedChoiceDrawsOnlyTheChosenSubSpace) {
    const auto space = SearchSpace::parse(json::parse(R"({"opt": {"_type": "choice", "_value": [
        {"_name": "a", "lr": {"_type": "uniform", "_value": [0, 1]}},
        {"_name": "b"}]}})"));
    Rng rng(5);
    std::vector<double> lr;
    std::vector<double> names(2, 0);
    for (int k = 0; k < kSamples; ++k) {
        const json p = space.to_parameters(space.sample(rng));
        const bool a = p["opt"]["_name"] == "a";
        names[a ? 0 : 1] += 1;
        ASSERT_EQ(p["opt"].size(), a ? 2u : 1u) << p;
        if (a) {
            lr.push_back(p["opt"]["lr"].get<double>());
        }
    }
    const auto chi = chi_square(names, {0.5, 0.5});
    EXPECT_LT(chi.statistic, chi.critical);
    EXPECT_LT(ks_statistic(lr, [](double v) { return v; }), ks_critical(lr.size()));
}

TEST(Sampling, RandomTunerDrawsFromThePrior) {
    auto tuner = make_tuner("Random", {{"seed", 4}});
    tuner->update_search_space(
        SearchSpace::parse({{"x", {{"_type", "loguniform"}, {"_value", {0.5, 50}}}}}));
    std::vector<double> x;
    for (int k = 0; k < 5000; ++k) {
        x.push_back((*tuner->generate_parameters(k))["x"].get<double>());
    }
    const auto cdf = [](double v) { return std::log(v / 0.5) / std::log(100); };
    EXPECT_LT(ks_statistic(x, cdf), ks_critical(x.size()));
}

}  // namespace
}  // namespace tshost::tuner
