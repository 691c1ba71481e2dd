// The POSIX-sh function run scripts use to materialise NNI_CODE_DIR in the pod.
//
// Why a pod-local copy from the content-addressed store, rather than pods using a
// shared read-only copy on the export:
//  - NNI trial code expects a private, writable working directory (NNI copies the
//    code per trial); a shared read-only tree breaks code that writes next to
//    itself (checkpoints, caches, __pycache__).
//  - The copy is read from the share and written to the pod's own disk, so a trial
//    writes nothing to the store but its small files (parameter.cfg, run script):
//    no per-trial 50 MB NFS->NFS copy as in NNI, no replicas racing on one target.
//  - The manifest pins the exact bytes of this experiment, while blobs are shared
//    with every other experiment on the same export.
#pragma once

#include <string_view>

namespace tshost::storage {

/// Shell text defining tsh_materialize_code CAS_DIR MANIFEST DEST; paste it into a
/// run script before calling it, e.g.
///   tsh_materialize_code /tmp/mount/nni/.cas /tmp/mount/nni/<exp>/code.manifest "$NNI_CODE_DIR"
std::string_view materialize_code_function() noexcept;

}  // namespace tshost::storage
