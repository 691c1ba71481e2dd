#include "tuner/parzen.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace tshost::tuner {

namespace {

constexpr std::size_t kBlockSize = 16;
// Terms more than e^40 below the largest one change the sum by less than 1e-17 each.
constexpr double kNegligible = 40.0;
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

}  // namespace

HistorySplit split_history(std::span<const std::size_t> by_loss, double gamma,
                           std::size_t linear_forgetting) {
    const std::size_t n = by_loss.size();
    const auto n_good = std::min<std::size_t>(
        static_cast<std::size_t>(std::ceil(gamma * std::sqrt(static_cast<double>(n)))),
        linear_forgetting);
    HistorySplit split{std::vector<char>(n, 0), std::vector<double>(n, 1.0)};
    for (std::size_t r = 0; r < n; ++r) {
        if (r < n_good) {
            split.good[by_loss[r]] = 1;  // at most linear_forgetting of them: all weigh 1
        } else {
            split.weight[by_loss[r]] = forgetting_weight(r - n_good, n - n_good, linear_forgetting);
        }
    }
    return split;
}

double forgetting_weight(std::size_t rank, std::size_t n, std::size_t linear_forgetting) {
    if (n < linear_forgetting || rank + linear_forgetting >= n) {
        return 1.0;
    }
    const std::size_t ramp = n - linear_forgetting;  // numpy.linspace(1/n, 1, ramp)
    const double first = 1.0 / static_cast<double>(n);
    if (ramp == 1) {
        return first;
    }
    return first + (1.0 - first) * static_cast<double>(rank) / static_cast<double>(ramp - 1);
}

std::vector<double> adaptive_bandwidths(std::span<const double> mus, std::size_t prior_index,
                                        double prior_sigma) {
    const std::size_t n = mus.size();
    std::vector<double> sigma(n, prior_sigma);
    if (n == 2) {
        sigma[1 - prior_index] = prior_sigma * 0.5;
    } else if (n > 2) {
        sigma[0] = mus[1] - mus[0];
        sigma[n - 1] = mus[n - 1] - mus[n - 2];
        for (std::size_t j = 1; j + 1 < n; ++j) {
            sigma[j] = std::max(mus[j] - mus[j - 1], mus[j + 1] - mus[j]);
        }
        sigma[prior_index] = prior_sigma;
    }
    // hyperopt's "magic" minimum width: narrower as observations accumulate, never below 1%.
    const double min_sigma = prior_sigma / static_cast<double>(std::min<std::size_t>(100, n + 1));
    for (double& s : sigma) {
        s = std::clamp(s, min_sigma, prior_sigma);
    }
    return sigma;
}

ParzenEstimator::ParzenEstimator(std::span<const double> values, std::span<const double> weights,
                                 double prior_mu, double prior_sigma, double prior_weight) {
    const std::size_t n = values.size() + 1;
    const auto prior_index = static_cast<std::size_t>(
        std::lower_bound(values.begin(), values.end(), prior_mu) - values.begin());
    mu_.reserve(n);
    weight_.reserve(n);
    for (std::size_t j = 0; j < values.size(); ++j) {
        if (j == prior_index) {
            mu_.push_back(prior_mu);
            weight_.push_back(prior_weight);
        }
        mu_.push_back(values[j]);
        weight_.push_back(weights[j]);
    }
    if (prior_index == values.size()) {
        mu_.push_back(prior_mu);
        weight_.push_back(prior_weight);
    }

    sigma_ = adaptive_bandwidths(mu_, prior_index, prior_sigma);

    double total = 0;
    for (double w : weight_) {
        total += w;
    }
    if (!(total > 0)) {  // prior_weight 0 and no weighted observation: fall back to the prior
        weight_[prior_index] = total = 1.0;
    }
    log_coef_.resize(n);
    cumulative_.resize(n);
    double running = 0;
    for (std::size_t j = 0; j < n; ++j) {
        weight_[j] /= total;
        running += weight_[j];
        cumulative_[j] = running;
        log_coef_[j] = weight_[j] > 0 ? std::log(weight_[j] / sigma_[j]) : kMinusInf;
    }

    for (std::size_t begin = 0; begin < n; begin += kBlockSize) {
        Block b{begin, std::min(n, begin + kBlockSize), mu_[begin], 0, 0, kMinusInf};
        b.mu_high = mu_[b.end - 1];
        for (std::size_t j = begin; j < b.end; ++j) {
            b.sigma_max = std::max(b.sigma_max, sigma_[j]);
            b.log_coef_max = std::max(b.log_coef_max, log_coef_[j]);
        }
        blocks_.push_back(b);
    }
}

double ParzenEstimator::sample(Rng& rng) const {
    const double u = rng.uniform01() * cumulative_.back();
    auto j = static_cast<std::size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                      cumulative_.begin());
    j = std::min(j, mu_.size() - 1);
    return rng.normal(mu_[j], sigma_[j]);
}

double ParzenEstimator::log_term(std::size_t j, double x) const {
    const double z = (x - mu_[j]) / sigma_[j];
    return log_coef_[j] - 0.5 * z * z;
}

double ParzenEstimator::log_density(double x) const {
    // The components next to x give a lower bound of the result; a block whose best possible
    // term is far below that bound cannot change the sum and is skipped.
    const auto k =
        static_cast<std::size_t>(std::lower_bound(mu_.begin(), mu_.end(), x) - mu_.begin());
    double floor = kMinusInf;
    if (k < mu_.size()) {
        floor = log_term(k, x);
    }
    if (k > 0) {
        floor = std::max(floor, log_term(k - 1, x));
    }
    double best = kMinusInf;
    double sum = 0;  // sum of exp(term - best), rescaled whenever best grows
    for (const Block& b : blocks_) {
        const double gap = x < b.mu_low ? b.mu_low - x : (x > b.mu_high ? x - b.mu_high : 0.0);
        const double z = gap / b.sigma_max;
        if (b.log_coef_max - 0.5 * z * z < floor - kNegligible) {
            continue;
        }
        for (std::size_t j = b.begin; j < b.end; ++j) {
            const double t = log_term(j, x);
            if (t < floor - kNegligible || t == kMinusInf) {
                continue;
            }
            if (t > best) {
                sum = sum * std::exp(best - t) + 1.0;
                best = t;
            } else {
                sum += std::exp(t - best);
            }
        }
    }
    return best == kMinusInf ? kMinusInf : best + std::log(sum);
}

JointParzenEstimator::JointParzenEstimator(std::span<const double> values, std::size_t dims,
                                           std::span<const double> weights,
                                           std::span<const double> prior_mu,
                                           std::span<const double> prior_sigma, double prior_weight,
                                           std::span<const std::vector<std::size_t>> orders)
    : dims_(dims) {
    const std::size_t n = weights.size();  // observations; component n is the prior
    mu_.resize((n + 1) * dims);
    inv_sigma_.resize((n + 1) * dims);
    log_coef_.assign(n + 1, 0.0);
    std::vector<std::size_t> column(n + 1);
    std::vector<double> sorted(n + 1);
    for (std::size_t d = 0; d < dims; ++d) {
        // Insert the prior before equal values, where NNI's searchsorted puts it.
        std::size_t prior_index = 0;
        bool placed = false;
        for (std::size_t j = 0, r = 0; j <= n; ++j) {
            if (!placed && (r == n || values[orders[d][r] * dims + d] >= prior_mu[d])) {
                placed = true;
                prior_index = j;
                column[j] = n;
                sorted[j] = prior_mu[d];
            } else {
                column[j] = orders[d][r++];
                sorted[j] = values[column[j] * dims + d];
            }
        }
        const auto sigma = adaptive_bandwidths(sorted, prior_index, prior_sigma[d]);
        for (std::size_t j = 0; j <= n; ++j) {
            const std::size_t k = column[j];
            mu_[k * dims + d] = sorted[j];
            inv_sigma_[k * dims + d] = 1.0 / sigma[j];
            log_coef_[k] -= std::log(sigma[j]);
        }
    }
    std::vector<double> weight(weights.begin(), weights.end());
    weight.push_back(prior_weight);
    double total = 0;
    for (double w : weight) {
        total += w;
    }
    if (!(total > 0)) {  // prior_weight 0 and no weighted observation: fall back to the prior
        weight[n] = total = 1.0;
    }
    cumulative_.resize(n + 1);
    double running = 0;
    for (std::size_t k = 0; k <= n; ++k) {
        running += weight[k] / total;
        cumulative_[k] = running;
        log_coef_[k] = weight[k] > 0 ? log_coef_[k] + std::log(weight[k] / total) : kMinusInf;
    }
}

void JointParzenEstimator::sample(Rng& rng, std::span<const double> low,
                                  std::span<const double> high, std::span<double> out) const {
    const double u = rng.uniform01() * cumulative_.back();
    auto k = static_cast<std::size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), u) -
                                      cumulative_.begin());
    k = std::min(k, cumulative_.size() - 1);
    for (std::size_t d = 0; d < dims_; ++d) {
        const double mu = mu_[k * dims_ + d];
        const double sigma = 1.0 / inv_sigma_[k * dims_ + d];
        // Kernels are centred inside the range and at most as wide as it, so a draw lands
        // inside with probability above 0.3; the cap only guards against misuse.
        double x = rng.normal(mu, sigma);
        for (int attempt = 0; !(low[d] <= x && x <= high[d]) && attempt < 1000; ++attempt) {
            x = rng.normal(mu, sigma);
        }
        out[d] = std::clamp(x, low[d], high[d]);
    }
}

double JointParzenEstimator::log_density(std::span<const double> x) const {
    double best = kMinusInf;
    double sum = 0;  // sum of exp(term - best), rescaled whenever best grows
    for (std::size_t k = 0; k < log_coef_.size(); ++k) {
        if (log_coef_[k] == kMinusInf) {
            continue;
        }
        const double* mu = &mu_[k * dims_];
        const double* inv_sigma = &inv_sigma_[k * dims_];
        double mahalanobis = 0;
        for (std::size_t d = 0; d < dims_; ++d) {
            const double z = (x[d] - mu[d]) * inv_sigma[d];
            mahalanobis += z * z;
        }
        const double t = log_coef_[k] - 0.5 * mahalanobis;
        if (t < best - kNegligible) {
            continue;
        }
        if (t > best) {
            sum = sum * std::exp(best - t) + 1.0;
            best = t;
        } else {
            sum += std::exp(t - best);
        }
    }
    return best == kMinusInf ? kMinusInf : best + std::log(sum);
}

}  // namespace tshost::tuner
