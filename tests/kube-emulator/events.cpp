#include "events.hpp"

#include "resources.hpp"
#include "store.hpp"

namespace kemu {

void EventRecorder::record(const json& involved, const std::string& type, const std::string& reason,
                           const std::string& message, const std::string& component) {
    const std::string name = get_string(involved, {"metadata", "name"});
    const std::string ns = get_string(involved, {"metadata", "namespace"});
    const std::string now = now_rfc3339();
    json ev = {
        {"metadata",
         {{"name", name + "." + random_hex(16)}, {"namespace", ns.empty() ? "default" : ns}}},
        {"involvedObject",
         {{"kind", involved.value("kind", "")},
          {"namespace", ns},
          {"name", name},
          {"uid", get_string(involved, {"metadata", "uid"})},
          {"apiVersion", involved.value("apiVersion", "")},
          {"resourceVersion", get_string(involved, {"metadata", "resourceVersion"})}}},
        {"reason", reason},
        {"message", message},
        {"source", {{"component", component}, {"host", "kube-emulator"}}},
        {"firstTimestamp", now},
        {"lastTimestamp", now},
        {"count", 1},
        {"type", type},
        {"eventTime", nullptr},
        {"reportingComponent", component},
        {"reportingInstance", "kube-emulator"}};
    store_.create(resource("events"), std::move(ev));
}

}  // namespace kemu
