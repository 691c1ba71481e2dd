// The engine's TrialHooks when the experiment has a storage section: puts each
// trial's parameter.cfg on the share before it is submitted, tells the platform
// where the trial's files and the kit are and how its agent reaches the host, and
// reads the trial's metric journal when it ends.
#pragma once

#include <functional>
#include <string>

#include "engine/engine.hpp"
#include "trialkit/journal.hpp"

namespace tshost::trialkit {

struct MetricsChannel {
    /// The trial-metrics server as pods reach it ("http://10.0.0.5:8081"); empty in
    /// storage-only mode, where the agent only writes its journal.
    std::string url;
    /// The trial attempt's token (see metrics/trial_tokens.hpp).
    std::function<std::string(std::string_view trial_id, int64_t attempt)> token;
};

class StorageTrialHooks final : public engine::TrialHooks {
  public:
    StorageTrialHooks(plugin::StorageInstance& storage, std::string experiment_id,
                      JournalReader& journals, MetricsChannel metrics);

    std::string prepare(const db::TrialRow& row, bool submitting) override;
    std::vector<plugin::HostEvent> collect(const db::TrialRow& row) override;

  private:
    plugin::StorageInstance& storage_;
    std::string experiment_id_;
    JournalReader& journals_;
    MetricsChannel metrics_;
};

}  // namespace tshost::trialkit
