// Remembers the last token verified on one connection, so that an agent's keep-alive
// connection, which presents the same token with every push, costs one HMAC-SHA256 for
// the connection instead of one per request.
//
// Tokens are derived from the experiment key and never revoked, so a token that was valid
// for (trial, attempt) stays valid: the cache changes the cost, not the answer. The
// presented token is compared with the cached one in constant time; anything else (another
// trial, attempt or token) is verified afresh and, when valid, replaces the cached one.
// The cached token is wiped when replaced and on destruction. OpenSSL stays in the .cpp.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "metrics/trial_tokens.hpp"

namespace tshost::metrics {

class VerifiedTokenCache {
  public:
    VerifiedTokenCache() = default;
    VerifiedTokenCache(const VerifiedTokenCache&) = delete;
    VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;
    ~VerifiedTokenCache();

    /// What tokens.verify(trial_id, attempt, presented) answers.
    bool verify(const TrialTokens& tokens, std::string_view trial_id, int64_t attempt,
                std::string_view presented);

    /// How many times the full verification ran (not answered from the cache).
    uint64_t full_verifications() const { return full_verifications_; }

  private:
    void forget();

    bool cached_ = false;
    std::string trial_id_;
    int64_t attempt_ = 0;
    std::array<char, TrialTokens::kTokenChars> token_{};
    uint64_t full_verifications_ = 0;
};

}  // namespace tshost::metrics
