/* Compiled with -std=c99 -pedantic -Werror: the ABI header must stay plain C99. */
#include <tshost/plugin.h>

int main(void) {
    tsh_event ev = {sizeof(tsh_event), 0, {"trial.status", 12}, {"t1", 2}, {"{}", 2}, 0};
    const tsh_str s = tsh_str_from_cstr("x");
    return (TSH_HAS(tsh_event, &ev, time_ms) && s.size == 1) ? 0 : 1;
}
