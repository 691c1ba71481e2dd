#include "trialkit/kit.hpp"

#include <string>

#include "storage/code_script.hpp"
#include "trialkit/layout.hpp"

namespace tshost::trialkit {

void install_kit(plugin::StorageInstance& storage, std::string_view experiment_id) {
    const std::string kit = kit_dir(experiment_id);
    storage.make_dir(kit + "/nni_shim/nni");
    storage.make_dir(changed_dir(experiment_id));
    storage.write_file(kit + "/tshost_agent.py", agent_script());
    storage.write_file(kit + "/nni_shim/nni/__init__.py", nni_shim_module());
    storage.write_file(kit + "/materialize_code.sh", storage::materialize_code_function());
}

void install_metrics_ca(plugin::StorageInstance& storage, std::string_view experiment_id,
                        std::string_view ca_cert_pem) {
    storage.write_file(kit_dir(experiment_id) + "/" + std::string(kMetricsCaFile), ca_cert_pem);
}

}  // namespace tshost::trialkit
