// TPE's estimators against NNI's formulas (tpe_tuner.py), evaluated the slow, direct way.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "tuner/parzen.hpp"
#include "tuner/rng.hpp"

namespace tshost::tuner {
namespace {

std::vector<std::size_t> loss_order(const std::vector<double>& losses) {
    std::vector<std::size_t> order(losses.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return losses[a] < losses[b]; });
    return order;
}

// log Σ w_j N(x; mu_j, sigma_j), directly.
double direct_log_density(std::span<const double> w, std::span<const double> mu,
                          std::span<const double> sigma, double x) {
    double sum = 0;
    for (std::size_t j = 0; j < w.size(); ++j) {
        const double z = (x - mu[j]) / sigma[j];
        sum += w[j] / sigma[j] * std::exp(-0.5 * z * z);
    }
    return std::log(sum);
}

TEST(Parzen, ForgettingWeightsAreNumpysLinspaceRamp) {
    // linear_forgetting_weights(n=30, lf=25) = linspace(1/30, 1, 5) + 25 ones.
    const double first = 1.0 / 30;
    const double step = (1 - first) / 4;
    for (std::size_t r = 0; r < 5; ++r) {
        EXPECT_DOUBLE_EQ(forgetting_weight(r, 30, 25), first + step * static_cast<double>(r));
    }
    for (std::size_t r = 5; r < 30; ++r) {
        EXPECT_EQ(forgetting_weight(r, 30, 25), 1.0);
    }
    EXPECT_EQ(forgetting_weight(0, 24, 25), 1.0);              // fewer than lf: no ramp
    EXPECT_DOUBLE_EQ(forgetting_weight(0, 26, 25), 1.0 / 26);  // a ramp of one
}

TEST(Parzen, SplitsTheBestCeilGammaSqrtNAsGood) {
    // 10 observations, gamma 0.25: ceil(0.25 · sqrt(10)) = 1 good; with gamma 1: 4.
    const std::vector<double> losses = {5, 3, 9, 3, 7, 1, 8, 2, 6, 4};
    const auto one = split_history(loss_order(losses), 0.25, 25);
    EXPECT_EQ(std::count(one.good.begin(), one.good.end(), 1), 1);
    EXPECT_TRUE(one.good[5]);
    const auto four = split_history(loss_order(losses), 1.0, 25);
    // losses 1, 2, 3, 3: the tie at 3 keeps both (indices 1 and 3).
    EXPECT_EQ(four.good, (std::vector<char>{0, 1, 0, 1, 0, 1, 0, 1, 0, 0}));
    // Capped by linear_forgetting.
    const auto capped = split_history(loss_order(losses), 1.0, 2);
    EXPECT_EQ(std::count(capped.good.begin(), capped.good.end(), 1), 2);
}

TEST(Parzen, RampsTheBadSetInLossOrderLikeNni) {
    // 40 observations with loss = index: 2 good (0, 1); the 38 bad ones ramp by loss: the
    // better (lower) losses weigh least, the worst 25 weigh 1.
    std::vector<double> losses(40);
    std::iota(losses.begin(), losses.end(), 0.0);
    std::reverse(losses.begin(), losses.end());  // the newest observations are the best
    const auto split = split_history(loss_order(losses), 0.25, 25);
    EXPECT_TRUE(split.good[39] && split.good[38]);
    EXPECT_DOUBLE_EQ(split.weight[37], 1.0 / 38);  // best of the bad set
    EXPECT_EQ(split.weight[0], 1.0);               // worst one
    for (std::size_t k = 1; k < 38; ++k) {
        EXPECT_GE(split.weight[k - 1], split.weight[k]);
    }
}

TEST(Parzen, BandwidthsFollowAdaptiveParzenNormal) {
    // mus 0, 1(prior), 3, 7 with prior sigma 10: neighbours give 1, -, 4, 4; the prior keeps
    // 10; the floor is 10 / min(100, 4 + 1) = 2.
    EXPECT_EQ(adaptive_bandwidths(std::vector<double>{0, 1, 3, 7}, 1, 10),
              (std::vector<double>{2, 10, 4, 4}));
    EXPECT_EQ(adaptive_bandwidths(std::vector<double>{5}, 0, 3), (std::vector<double>{3}));
    // Two components: the other one gets half the prior sigma.
    EXPECT_EQ(adaptive_bandwidths(std::vector<double>{0, 4}, 1, 2), (std::vector<double>{1, 2}));
}

TEST(Parzen, EstimatorMatchesTheDirectMixture) {
    Rng rng(21);
    std::vector<double> values(700), weights(700);
    for (std::size_t k = 0; k < values.size(); ++k) {
        // A clustered history with a sparse tail, like TPE's.
        values[k] = k % 3 == 0 ? rng.uniform(-5, 5) : rng.normal(1.0, 0.05);
        weights[k] = rng.uniform(0.01, 1);
    }
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> sorted_values, sorted_weights;
    for (std::size_t k : order) {
        sorted_values.push_back(values[k]);
        sorted_weights.push_back(weights[k]);
    }
    const ParzenEstimator est(sorted_values, sorted_weights, 0.0, 10.0, 1.0);
    ASSERT_EQ(est.mus().size(), 701u);
    EXPECT_NEAR(std::accumulate(est.weights().begin(), est.weights().end(), 0.0), 1.0, 1e-12);
    // log_density is exact up to one constant (log sqrt(2π)), also far from every component.
    const double offset =
        est.log_density(1.0) - direct_log_density(est.weights(), est.mus(), est.sigmas(), 1.0);
    for (double x : {-30.0, -5.0, -1.2, 0.0, 0.97, 1.0001, 1.3, 4.9, 12.0, 80.0}) {
        EXPECT_NEAR(est.log_density(x) - offset,
                    direct_log_density(est.weights(), est.mus(), est.sigmas(), x), 1e-9)
            << x;
    }
}

TEST(Parzen, JointEstimatorIsTheProductKernelMixture) {
    // Two parameters; the joint density is Σ_k w_k Π_d N(x_d; mu_kd, sigma_kd), each
    // parameter's widths being those of its own 1-D estimator.
    const std::vector<double> values = {0.1, 5, 0.4, 2, 0.35, 9, 0.9, 4};  // rows (a, b)
    const std::vector<double> weights = {1, 0.5, 1, 0.25};
    const std::vector<double> mu = {0.5, 5.5}, sigma = {1, 10};
    const std::vector<std::vector<std::size_t>> orders = {{0, 2, 1, 3}, {1, 3, 0, 2}};
    const JointParzenEstimator joint(values, 2, weights, mu, sigma, 1.0, orders);

    std::vector<double> a_values = {0.1, 0.35, 0.4, 0.9}, b_values = {2, 4, 5, 9};
    const std::vector<double> unit(4, 1.0);
    const ParzenEstimator a(a_values, unit, 0.5, 1, 1.0), b(b_values, unit, 5.5, 10, 1.0);
    // Component of each row in the 1-D estimators (the prior is inserted before equal values).
    const auto component = [](const ParzenEstimator& e, double v) {
        return static_cast<std::size_t>(std::find(e.mus().begin(), e.mus().end(), v) -
                                        e.mus().begin());
    };
    const auto direct = [&](double xa, double xb) {
        double sum = 0;
        const double w_total = 1 + 0.5 + 1 + 0.25 + 1;
        for (std::size_t k = 0; k <= 4; ++k) {
            const double va = k < 4 ? values[2 * k] : 0.5, vb = k < 4 ? values[2 * k + 1] : 5.5;
            const double wk = (k < 4 ? weights[k] : 1.0) / w_total;
            const double sa = k < 4 ? a.sigmas()[component(a, va)] : 1;
            const double sb = k < 4 ? b.sigmas()[component(b, vb)] : 10;
            const double za = (xa - va) / sa, zb = (xb - vb) / sb;
            sum += wk / (sa * sb) * std::exp(-0.5 * (za * za + zb * zb));
        }
        return std::log(sum);
    };
    const double offset = joint.log_density(std::vector<double>{0.3, 3}) - direct(0.3, 3);
    for (const auto& [xa, xb] : std::vector<std::pair<double, double>>{
             {0.1, 5}, {0.4, 2}, {0.9, 9}, {-2, 20}, {0.5, 5.5}}) {
        EXPECT_NEAR(joint.log_density(std::vector<double>{xa, xb}) - offset, direct(xa, xb), 1e-12);
    }
}

TEST(Parzen, JointSamplesStayInTheirBounds) {
    const std::vector<double> values = {0.0, 1.0, 1.0, 0.0};
    const std::vector<std::vector<std::size_t>> orders = {{0, 1}, {1, 0}};
    const JointParzenEstimator joint(values, 2, std::vector<double>{1, 1},
                                     std::vector<double>{0.5, 0.5}, std::vector<double>{1, 1}, 1.0,
                                     orders);
    Rng rng(8);
    std::vector<double> x(2);
    const std::vector<double> low = {0, 0}, high = {1, 1};
    for (int k = 0; k < 2000; ++k) {
        joint.sample(rng, low, high, x);
        ASSERT_TRUE(x[0] >= 0 && x[0] <= 1 && x[1] >= 0 && x[1] <= 1);
    }
}

}  // namespace
}  // namespace tshost::tuner
