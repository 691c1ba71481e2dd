#pragma once

// The estimators of TPE (NNI's tpe_tuner.py, itself after hyperopt's tpe.py).

#include <cstddef>
#include <span>
#include <vector>

#include "tuner/rng.hpp"

namespace tshost::tuner {

/// NNI's split_history plus the weights its estimators give. `by_loss` lists the observations
/// from the lowest loss up (ties: older first). The first min(ceil(gamma·sqrt(n)),
/// linear_forgetting) are "good", each weighing 1; the others are "bad" and weigh per NNI's
/// linear forgetting. NNI applies that ramp to the bad set *in loss order*, so its better part
/// weighs less (not by age, as hyperopt and NNI's own docs say); this follows NNI, which also
/// ranks better.
struct HistorySplit {
    std::vector<char> good;      ///< per observation
    std::vector<double> weight;  ///< per observation, in its own (good or bad) estimator
};
HistorySplit split_history(std::span<const std::size_t> by_loss, double gamma,
                           std::size_t linear_forgetting);

/// numpy.linspace(1/n, 1, n - lf) followed by lf ones, at index `rank` (NNI's
/// linear_forgetting_weights); all ones when n < lf.
double forgetting_weight(std::size_t rank, std::size_t n, std::size_t linear_forgetting);

/// Kernel widths of NNI's adaptive_parzen_normal for values sorted ascending, the prior being
/// the one at `prior_index`: the larger distance to a neighbour (one-sided at the ends), the
/// prior's own sigma for the prior, all clipped to [prior_sigma / min(100, n + 1), prior_sigma].
std::vector<double> adaptive_bandwidths(std::span<const double> sorted_mus, std::size_t prior_index,
                                        double prior_sigma);

/// The 1-D Gaussian mixture of NNI's adaptive_parzen_normal: one component per observed value
/// plus the prior N(prior_mu, prior_sigma) with weight prior_weight.
class ParzenEstimator {
  public:
    /// `values` sorted ascending, `weights` in the same order.
    ParzenEstimator(std::span<const double> values, std::span<const double> weights,
                    double prior_mu, double prior_sigma, double prior_weight);

    /// One draw from the mixture (unclipped).
    double sample(Rng& rng) const;
    /// log of the mixture density at x, up to an additive constant that is the same for every x
    /// (so the difference of two estimators ranks candidates as NNI's gmm1_lpdf does).
    double log_density(double x) const;

    std::span<const double> mus() const { return mu_; }
    std::span<const double> sigmas() const { return sigma_; }
    std::span<const double> weights() const { return weight_; }

  private:
    double log_term(std::size_t j, double x) const;

    // Densities are summed only over blocks of neighbouring components that can matter at x,
    // so scoring against a long history stays cheap.
    struct Block {
        std::size_t begin, end;
        double mu_low, mu_high, sigma_max, log_coef_max;
    };
    std::vector<double> mu_, sigma_, weight_, log_coef_, cumulative_;
    std::vector<Block> blocks_;
};

/// The same estimator over several parameters at once: each observation is one component whose
/// kernel is the product of its per-parameter kernels (widths as adaptive_bandwidths gives for
/// that parameter), plus the prior component. Scoring candidates with the joint densities lets
/// TPE see which combinations of values were good, not only which values.
class JointParzenEstimator {
  public:
    /// `values` holds n observations of `dims` parameters, row by row; `weights` has n entries;
    /// prior_mu and prior_sigma have `dims` entries; orders[d] lists the n rows sorted by their
    /// value of parameter d (the caller usually knows it without sorting).
    JointParzenEstimator(std::span<const double> values, std::size_t dims,
                         std::span<const double> weights, std::span<const double> prior_mu,
                         std::span<const double> prior_sigma, double prior_weight,
                         std::span<const std::vector<std::size_t>> orders);

    /// Picks a component, then draws each coordinate from its kernel, redrawn until it lies in
    /// [low[d], high[d]].
    void sample(Rng& rng, std::span<const double> low, std::span<const double> high,
                std::span<double> out) const;
    /// log of the joint density at x, up to a constant that is the same for every x.
    double log_density(std::span<const double> x) const;

  private:
    std::size_t dims_;
    std::vector<double> mu_, inv_sigma_;  // component by component, `dims_` each
    std::vector<double> log_coef_, cumulative_;
};

}  // namespace tshost::tuner
