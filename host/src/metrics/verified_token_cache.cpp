#include "metrics/verified_token_cache.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace tshost::metrics {

VerifiedTokenCache::~VerifiedTokenCache() {
    forget();
}

bool VerifiedTokenCache::verify(const TrialTokens& tokens, std::string_view trial_id,
                                int64_t attempt, std::string_view presented) {
    if (presented.size() != token_.size()) {
        return false;  // as TrialTokens::verify: the length of a token is public
    }
    // Which trial and attempt are asked about is not secret (both are in the request);
    // only the token's content is, hence the constant-time comparison.
    if (cached_ && attempt == attempt_ && trial_id == trial_id_ &&
        CRYPTO_memcmp(token_.data(), presented.data(), token_.size()) == 0) {
        return true;
    }
    ++full_verifications_;
    if (!tokens.verify(trial_id, attempt, presented)) {
        return false;  // the cached token, if any, stays: a wrong token cannot evict it
    }
    forget();
    trial_id_.assign(trial_id);
    attempt_ = attempt;
    std::memcpy(token_.data(), presented.data(), token_.size());
    cached_ = true;
    return true;
}

void VerifiedTokenCache::forget() {
    OPENSSL_cleanse(token_.data(), token_.size());
    cached_ = false;
}

}  // namespace tshost::metrics
