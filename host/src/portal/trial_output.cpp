#include "portal/trial_output.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "trialkit/layout.hpp"

namespace tshost::portal {

namespace {
std::string output_dir(const std::string& experiment_id, const db::TrialRow& row) {
    return trialkit::trial_dir(experiment_id, row.id, row.attempt) + "/output";
}
}  // namespace

std::vector<std::string> output_replicas(plugin::StorageInstance* storage,
                                         const std::string& experiment_id,
                                         const db::TrialRow& row) {
    std::vector<std::string> out;
    if (storage == nullptr) {
        return out;
    }
    const std::string dir = output_dir(experiment_id, row);
    if (!storage->stat(dir)) {
        return out;
    }
    const auto listing = nlohmann::json::parse(storage->list_dir(dir), nullptr, false);
    for (const auto& entry : listing.is_array() ? listing : nlohmann::json::array()) {
        if (entry.value("type", "") == "dir" &&
            trialkit::valid_replica_name(entry.value("name", ""))) {
            out.push_back(entry.value("name", ""));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

http::Response read_output(plugin::StorageInstance* storage, const std::string& experiment_id,
                           const db::TrialRow& row, std::string replica, const std::string& stream,
                           uint64_t tail) {
    if (storage == nullptr) {
        return http::Response::error(
            501, "this experiment has no storage plugin: trial output is only on the platform");
    }
    if (stream != "stdout" && stream != "stderr") {
        return http::Response::error(400, "stream must be stdout or stderr, not '" + stream + "'");
    }
    if (replica.empty()) {
        const auto replicas = output_replicas(storage, experiment_id, row);
        if (replicas.empty()) {
            return http::Response::error(404,
                                         "trial " + row.id + " has no output on the store yet");
        }
        replica = replicas.front();
    } else if (!trialkit::valid_replica_name(replica)) {
        return http::Response::error(400, "replica must be a name like worker-0");
    }
    const std::string path = output_dir(experiment_id, row) + "/" + replica + "/" + stream;
    const auto info = storage->stat(path);
    if (!info) {
        return http::Response::error(404, "trial " + row.id + " has no " + stream +
                                              " for replica " + replica + " (" + path + ")");
    }
    const uint64_t offset = info->size > tail ? info->size - tail : 0;
    http::Response response;
    response.content_type = "text/plain; charset=utf-8";
    response.body = storage->read_file(path, offset, info->size - offset);
    return response;
}

}  // namespace tshost::portal
