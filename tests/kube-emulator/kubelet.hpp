// The node agent: runs every Pod object as local processes (init containers in order, then the
// containers), reports pod status (phase, container states, restart counts) and events, reaps
// children through SIGCHLD, and kills a pod's process groups when the pod is deleted.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common.hpp"
#include "loop.hpp"

namespace kemu {

class Store;
class Faults;
class EventRecorder;
struct Change;

struct KubeletOptions {
    std::string workdir;           // pods run in <workdir>/pods/<ns>/<pod>-<uid8>
    std::string nfs_root;          // nfs volume server:path → <nfs_root>/<server>/<path>
    std::string azure_root;        // azureFile volume shareName → <azure_root>/<shareName>
    bool mount_namespace = false;  // bind-mount volumes (else rewrite mountPath prefixes)
    int max_grace_seconds = 5;
};

class Kubelet {
  public:
    Kubelet(Loop& loop, Store& store, Faults& faults, EventRecorder& events,
            KubeletOptions options);
    ~Kubelet();

    /// Terminates every container (SIGTERM, then SIGKILL after up to `grace`), waiting for them.
    void shutdown(std::chrono::milliseconds grace);

    std::optional<std::string> log(const std::string& ns, const std::string& pod,
                                   const std::string& container) const;
    json stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu
