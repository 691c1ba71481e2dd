// Per-trial-attempt bearer tokens for the trial-metrics server.
//
// token = lowercase hex HMAC-SHA256(experiment key, "<trialId>\n<attempt>"). The
// 32-byte key lives only in <experiment data dir>/metrics.key (mode 0600): never in
// the database, the logs or on the share. The host hands each trial its own token
// through the pod/process environment (TSHOST_METRICS_TOKEN), which other trials
// cannot read, whereas everything on the share is readable by every trial. Deriving
// tokens from one key means nothing per trial has to be stored, and a resumed host
// recognises the tokens of trials it started before.
//
// Never log the key or a token. OpenSSL stays out of this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace tshost::metrics {

class TrialTokens {
  public:
    /// Bytes of the experiment key.
    static constexpr size_t kKeyBytes = 32;
    /// Characters of a token (hex of a SHA-256 MAC).
    static constexpr size_t kTokenChars = 64;

    /// Loads the key at `key_path`, creating it (random, mode 0600, atomically) when it does
    /// not exist. Throws std::runtime_error naming the file when it cannot be created or read,
    /// is not exactly 32 bytes, or is readable or writable by group or others.
    static TrialTokens load_or_create(const std::filesystem::path& key_path);
    /// For tests and tools that hold a key already.
    static TrialTokens from_key(std::string_view key_bytes);

    TrialTokens(TrialTokens&&) noexcept;
    TrialTokens& operator=(TrialTokens&&) noexcept;
    ~TrialTokens();  // wipes the key from memory

    /// The token of one attempt of one trial (64 lowercase hex characters).
    std::string token(std::string_view trial_id, int64_t attempt) const;
    /// Whether `presented` is that token; constant-time in the token's content.
    bool verify(std::string_view trial_id, int64_t attempt, std::string_view presented) const;

  private:
    struct Impl;
    explicit TrialTokens(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tshost::metrics
