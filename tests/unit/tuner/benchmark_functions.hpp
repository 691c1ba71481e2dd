#pragma once

// Standard optimisation test functions and the protocol NNI's reference medians were measured
// with: sequential trials, minimise, best value after a fixed number of trials.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuner/tuner.hpp"

namespace tshost::tuner::testing {

struct Problem {
    std::string name;
    nlohmann::json space;
    std::function<double(const nlohmann::json&)> f;
};

// A fixed table rather than "x" + to_string(i): GCC 12 warns falsely (-Wrestrict) on that.
inline const char* coordinate(int i) {
    static const char* const names[] = {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"};
    return names[i];
}

inline nlohmann::json uniform_space(int dims, double low, double high) {
    nlohmann::json space = nlohmann::json::object();
    for (int i = 0; i < dims; ++i) {
        space[coordinate(i)] = {{"_type", "uniform"}, {"_value", {low, high}}};
    }
    return space;
}

inline std::vector<double> coordinates(const nlohmann::json& p, int dims) {
    std::vector<double> x(static_cast<std::size_t>(dims));
    for (int i = 0; i < dims; ++i) {
        x[static_cast<std::size_t>(i)] = p.at(coordinate(i)).get<double>();
    }
    return x;
}

/// Branin on [-5, 10] x [0, 15]; minimum 0.397887.
inline Problem branin() {
    nlohmann::json space = {{"x0", {{"_type", "uniform"}, {"_value", {-5, 10}}}},
                            {"x1", {{"_type", "uniform"}, {"_value", {0, 15}}}}};
    return {"Branin", space, [](const nlohmann::json& p) {
                const auto x = coordinates(p, 2);
                constexpr double pi = std::numbers::pi;
                const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
                const double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
                return u * u + 10 * (1 - t) * std::cos(x[0]) + 10;
            }};
}

/// Hartmann-6 on [0, 1]^6; minimum -3.32237.
inline Problem hartmann6() {
    return {"Hartmann-6", uniform_space(6, 0, 1), [](const nlohmann::json& p) {
                static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
                static constexpr double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                                   {0.05, 10, 17, 0.1, 8, 14},
                                                   {3, 3.5, 1.7, 10, 17, 8},
                                                   {17, 8, 0.05, 10, 0.1, 14}};
                static constexpr double pp[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                                    {2329, 4135, 8307, 3736, 1004, 9991},
                                                    {2348, 1451, 3522, 2883, 3047, 6650},
                                                    {4047, 8828, 8732, 5743, 1091, 381}};
                const auto x = coordinates(p, 6);
                double sum = 0;
                for (int i = 0; i < 4; ++i) {
                    double inner = 0;
                    for (int j = 0; j < 6; ++j) {
                        const double d = x[static_cast<std::size_t>(j)] - pp[i][j] * 1e-4;
                        inner += a[i][j] * d * d;
                    }
                    sum += alpha[i] * std::exp(-inner);
                }
                return -sum;
            }};
}

/// Rosenbrock in 10 dimensions on [-2, 2]^10; minimum 0.
inline Problem rosenbrock10() {
    return {"Rosenbrock-10", uniform_space(10, -2, 2), [](const nlohmann::json& p) {
                const auto x = coordinates(p, 10);
                double sum = 0;
                for (std::size_t i = 0; i + 1 < x.size(); ++i) {
                    const double u = x[i + 1] - x[i] * x[i];
                    sum += 100 * u * u + (1 - x[i]) * (1 - x[i]);
                }
                return sum;
            }};
}

/// Best value found by a minimising tuner in `trials` sequential trials.
inline double best_of_run(Tuner& tuner, const Problem& problem, int trials) {
    tuner.update_search_space(SearchSpace::parse(problem.space));
    double best = INFINITY;
    for (std::int64_t id = 0; id < trials; ++id) {
        const auto params = tuner.generate_parameters(id);
        const double value = problem.f(*params);
        tuner.receive_trial_result(id, *params, value);
        tuner.trial_end(id, true);
        best = std::min(best, value);
    }
    return best;
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Median over seeds 0..seeds-1 of the best value, the tuner made by `make(seed)`.
template <class Make>
double median_best(Make make, const Problem& problem, int seeds = 20, int trials = 100) {
    std::vector<double> bests;
    for (int seed = 0; seed < seeds; ++seed) {
        auto tuner = make(static_cast<std::uint64_t>(seed));
        bests.push_back(best_of_run(*tuner, problem, trials));
    }
    return median(bests);
}

}  // namespace tshost::tuner::testing
