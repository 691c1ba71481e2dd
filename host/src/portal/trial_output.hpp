// A trial's output files on the shared store (written by the trial agent to
// <trial dir>/output/<replica>/stdout|stderr), read through the storage plugin.
#pragma once

#include <string>
#include <vector>

#include "db/experiment_db.hpp"
#include "http/server.hpp"
#include "plugin/instance.hpp"

namespace tshost::portal {

/// The replicas with an output directory (sorted); empty without storage or output.
std::vector<std::string> output_replicas(plugin::StorageInstance* storage,
                                         const std::string& experiment_id, const db::TrialRow& row);

/// text/plain: the last `tail` bytes of the replica's stream; 404 with a reason when it does
/// not exist, 501 without a storage plugin. An empty `replica` means the first one.
http::Response read_output(plugin::StorageInstance* storage, const std::string& experiment_id,
                           const db::TrialRow& row, std::string replica, const std::string& stream,
                           uint64_t tail);

}  // namespace tshost::portal
