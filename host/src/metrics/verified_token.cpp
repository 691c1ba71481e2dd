#include "metrics/verified_token.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace tshost::metrics {

VerifiedToken::~VerifiedToken() {
    OPENSSL_cleanse(token_.data(), token_.size());
}

bool VerifiedToken::matches(std::string_view trial_id, int64_t attempt,
                            std::string_view presented) const {
    // The trial id and attempt are not secret (they are in the path and body); the token is.
    return set_ && attempt == attempt_ && trial_id == trial_id_ &&
           presented.size() == token_.size() &&
           CRYPTO_memcmp(presented.data(), token_.data(), token_.size()) == 0;
}

void VerifiedToken::remember(std::string_view trial_id, int64_t attempt, std::string_view token) {
    if (token.size() != token_.size()) {
        set_ = false;
        return;
    }
    std::copy(token.begin(), token.end(), token_.begin());
    trial_id_.assign(trial_id);
    attempt_ = attempt;
    set_ = true;
}

bool verify_on_connection(const TrialTokens& tokens, VerifiedToken& cache,
                          std::string_view trial_id, int64_t attempt, std::string_view presented,
                          std::atomic<uint64_t>& verifications) {
    if (cache.matches(trial_id, attempt, presented)) {
        return true;
    }
    verifications.fetch_add(1, std::memory_order_relaxed);
    if (!tokens.verify(trial_id, attempt, presented)) {
        return false;  // the cached token, if any, stays: it is still valid for its trial
    }
    cache.remember(trial_id, attempt, presented);
    return true;
}

}  // namespace tshost::metrics
