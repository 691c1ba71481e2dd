// The ABI header and the C++ helper compile warning-free as C++20.
#include <tshost/plugin.h>
#include <tshost/plugin.hpp>

int main() {
    const tsh_str s = tshost::to_tsh("abc");
    return tshost::from_tsh(s) == "abc" ? 0 : 1;
}
