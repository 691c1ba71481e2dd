// The token a keep-alive connection last proved for a trial attempt, so that an agent posting
// batch after batch on one connection pays for the HMAC once rather than per request. A
// request with another trial, attempt or token is verified afresh (TrialTokens::verify); the
// cached token is compared in constant time and wiped when the connection ends.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/server.hpp"
#include "metrics/trial_tokens.hpp"

namespace tshost::metrics {

class VerifiedToken : public http::ConnectionState {
  public:
    VerifiedToken() = default;
    VerifiedToken(const VerifiedToken&) = delete;
    VerifiedToken& operator=(const VerifiedToken&) = delete;
    ~VerifiedToken() override;  // wipes the token

    /// Whether `presented` is this connection's verified token for the trial attempt.
    bool matches(std::string_view trial_id, int64_t attempt, std::string_view presented) const;
    /// Remembers a token TrialTokens::verify accepted (replacing the previous one).
    void remember(std::string_view trial_id, int64_t attempt, std::string_view token);

  private:
    bool set_ = false;
    std::string trial_id_;
    int64_t attempt_ = 0;
    std::array<char, TrialTokens::kTokenChars> token_{};
};

/// `tokens.verify`, answered from the connection's cache when it holds the same token for the
/// same trial attempt; `verifications` counts the HMACs computed.
bool verify_on_connection(const TrialTokens& tokens, VerifiedToken& cache,
                          std::string_view trial_id, int64_t attempt, std::string_view presented,
                          std::atomic<uint64_t>& verifications);

}  // namespace tshost::metrics
