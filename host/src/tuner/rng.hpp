#pragma once

#include <cstdint>
#include <optional>
#include <utility>

namespace tshost::tuner {

/// Deterministic random source (xoshiro256**). The standard library's distributions are
/// implementation-defined, so every distribution the tuners need is written here: the same seed
/// gives the same trials with any standard library.
class Rng {
  public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t next();
    /// Uniform on [0, 1).
    double uniform01();
    /// Uniform on [low, high].
    double uniform(double low, double high);
    /// Standard normal.
    double normal();
    double normal(double mu, double sigma) { return mu + sigma * normal(); }
    /// Uniform integer in [0, n); n must be > 0.
    std::uint64_t below(std::uint64_t n);
    /// Number of Bernoulli(p) trials up to and including the first success (numpy's geometric).
    std::int64_t geometric(double p);

    template <class RandomIt>
    void shuffle(RandomIt first, RandomIt last) {
        for (auto n = last - first; n > 1; --n) {
            auto j = static_cast<decltype(n)>(below(static_cast<std::uint64_t>(n)));
            using std::swap;
            swap(first[n - 1], first[j]);
        }
    }

  private:
    std::uint64_t s_[4];
    std::optional<double> spare_normal_;
};

/// A fresh seed for users who gave none; it is reported through Tuner::seed() so that an
/// experiment can be replayed, as NNI logs "Using random seed N".
std::uint64_t random_seed();

}  // namespace tshost::tuner
