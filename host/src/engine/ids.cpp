#include "engine/ids.hpp"

#include <random>
#include <stdexcept>

namespace tshost::engine {

std::string random_id(size_t length, const std::function<bool(const std::string&)>& taken) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
    // 36^5 ids leave room for collisions only in huge experiments; bounded retries
    // turn a pathological case into an error rather than a hang.
    for (int attempt = 0; attempt < 1000; ++attempt) {
        std::string id(length, 'a');
        for (auto& c : id) {
            c = kAlphabet[pick(rng)];
        }
        id[0] = kAlphabet[pick(rng) % 26];  // starts with a letter: valid DNS-1035 label
        if (!taken(id)) {
            return id;
        }
    }
    throw std::runtime_error("could not find a free id of length " + std::to_string(length));
}

}  // namespace tshost::engine
