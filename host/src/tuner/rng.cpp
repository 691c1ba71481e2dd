#include "tuner/rng.hpp"

#include <cmath>
#include <random>

namespace tshost::tuner {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
    // splitmix64 expands any seed (including 0) into a non-zero xoshiro state.
    for (auto& word : s_) {
        word = splitmix64(seed);
    }
}

std::uint64_t Rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform01() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double low, double high) {
    const double x = low + (high - low) * uniform01();
    return x > high ? high : x;  // low + (high-low)*u can round up past high
}

double Rng::normal() {
    if (spare_normal_) {
        const double x = *spare_normal_;
        spare_normal_.reset();
        return x;
    }
    // Marsaglia's polar method: exact, and needs no trigonometry.
    double u = 0, v = 0, s = 0;
    do {
        u = 2.0 * uniform01() - 1.0;
        v = 2.0 * uniform01() - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double factor = std::sqrt(-2.0 * std::log(s) / s);
    spare_normal_ = v * factor;
    return u * factor;
}

std::uint64_t Rng::below(std::uint64_t n) {
    // Rejection removes the modulo bias: accept only draws from a whole number of copies of n.
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
        const std::uint64_t r = next();
        if (r >= threshold) {
            return r % n;
        }
    }
}

std::int64_t Rng::geometric(double p) {
    if (!(p < 1.0)) {
        return 1;
    }
    const double k = std::ceil(std::log1p(-uniform01()) / std::log1p(-p));
    if (!(k >= 1.0)) {
        return 1;
    }
    return k > 9.0e18 ? INT64_MAX : static_cast<std::int64_t>(k);
}

std::uint64_t random_seed() {
    std::random_device device;
    // 31 bits, like NNI's default_rng().integers(2**31): short enough to copy from a log.
    return (static_cast<std::uint64_t>(device()) << 32 | device()) & 0x7fffffffULL;
}

}  // namespace tshost::tuner
