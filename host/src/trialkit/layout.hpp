// Where the host and the trial agent put things on the shared store. Pods see the
// store's root at the storage plugin's mount path (/tmp/mount, as in NNI):
//
//   nni/<exp>/.tshost/kit/            the trial agent, the minimal `nni` module and the
//                                     code-materialising function, written once
//   nni/<exp>/.tshost/changed/        one empty marker per replica journal with news
//   nni/<exp>/<trialDirName>/         NNI_SYS_DIR: parameter.cfg, run_<role>.sh, output/
//   nni/<exp>/<trialDirName>/.tshost/metrics/<replica>.jsonl   the agent's metric journal
//
// trialDirName is the trial id for the first attempt and "<id>.attempt-<n>" for a
// retry, so a retried trial never reads the journal of the attempt before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tshost::trialkit {

struct TrialRef {
    std::string trial_id;
    int64_t attempt = 0;
};

std::string experiment_dir(std::string_view experiment_id);
std::string kit_dir(std::string_view experiment_id);
std::string changed_dir(std::string_view experiment_id);
std::string trial_dir_name(std::string_view trial_id, int64_t attempt);
std::string trial_dir(std::string_view experiment_id, std::string_view trial_id, int64_t attempt);
std::string metrics_dir(std::string_view trial_dir);

/// The trial and attempt a trialDirName stands for; nullopt for anything else.
std::optional<TrialRef> parse_trial_dir_name(std::string_view name);

/// A marker in changed_dir() is named "<trialDirName>.<replica>"; replica names hold
/// no '.', so the last '.' separates them.
struct MarkerRef {
    TrialRef trial;
    std::string trial_dir_name;
    std::string replica;
};
std::optional<MarkerRef> parse_marker_name(std::string_view name);

/// Replica names are "<role>-<index>": letters, digits, '-' and '_', at most 128.
bool valid_replica_name(std::string_view name);

}  // namespace tshost::trialkit
