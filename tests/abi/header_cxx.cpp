// The ABI header and the C++ helper compile warning-free as C++20.
#include <tshost/plugin.h>
#include <tshost/plugin.hpp>

#include <cstddef>

// The C layout pins (layout_test.c) as a C++ compiler sees the same header (LP64).
static_assert(sizeof(void*) != 8 || sizeof(tsh_platform_vtable) == 96, "since 1.1");
static_assert(sizeof(void*) != 8 || offsetof(tsh_platform_vtable, preflight_with) == 88,
              "1.0's platform table ended at 88 bytes");
static_assert(sizeof(void*) != 8 || offsetof(tsh_platform_vtable, preflight) == 80, "since 1.0");

int main() {
    const tsh_str s = tshost::to_tsh("abc");
    return tshost::from_tsh(s) == "abc" ? 0 : 1;
}
