// The official Kubeflow CRDs, embedded from plugins/common/crds (60 kB each).
#include "tshost/kubeplatform/crds.hpp"

// .incbin keeps the documents out of the C++ source (and -Woverlength-strings quiet).
#define TSHOST_EMBED(symbol, file)                                             \
    asm(".section .rodata\n.hidden " #symbol "\n" #symbol ":\n.incbin \"" file \
        "\"\n"                                                                 \
        ".byte 0\n.previous\n");                                               \
    extern "C" __attribute__((visibility("hidden"))) const char symbol[]

TSHOST_EMBED(tshost_tfjob_crd_json, TSHOST_TFJOB_CRD_FILE);
TSHOST_EMBED(tshost_pytorchjob_crd_json, TSHOST_PYTORCHJOB_CRD_FILE);

namespace tshost::kubeplatform {

const char* tfjob_crd() {
    return tshost_tfjob_crd_json;
}

const char* pytorchjob_crd() {
    return tshost_pytorchjob_crd_json;
}

}  // namespace tshost::kubeplatform
