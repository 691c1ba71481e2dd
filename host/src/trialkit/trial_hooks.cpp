#include "trialkit/trial_hooks.hpp"

#include <nlohmann/json.hpp>

#include "storage/code_manifest.hpp"
#include "trialkit/layout.hpp"

namespace tshost::trialkit {

using nlohmann::json;

StorageTrialHooks::StorageTrialHooks(plugin::StorageInstance& storage, std::string experiment_id,
                                     JournalReader& journals, MetricsChannel metrics)
    : storage_(storage),
      experiment_id_(std::move(experiment_id)),
      journals_(journals),
      metrics_(std::move(metrics)) {}

std::string StorageTrialHooks::prepare(const db::TrialRow& row, bool submitting) {
    const std::string dir = trial_dir(experiment_id_, row.id, row.attempt);
    if (submitting) {
        // Written before the platform hears of the trial, as NNI does: the trial
        // reads it at once and NNI's SDK polls (3 s) if it is missing.
        storage_.write_file(dir + "/parameter.cfg", row.parameters_json);
    }
    json channel{{"token", metrics_.token(row.id, row.attempt)}};
    if (!metrics_.url.empty()) {
        channel["url"] = metrics_.url;
    }
    return json{{"trialDir", dir},
                {"kitDir", kit_dir(experiment_id_)},
                {"codeManifest", storage::manifest_path(experiment_id_)},
                {"casDir", std::string(storage::kCasRoot)},
                {"metrics", std::move(channel)}}
        .dump();
}

std::vector<plugin::HostEvent> StorageTrialHooks::collect(const db::TrialRow& row) {
    const TrialRef ref{row.id, row.attempt};
    auto events = journals_.read_trial(ref);
    journals_.forget(ref);
    return events;
}

}  // namespace tshost::trialkit
