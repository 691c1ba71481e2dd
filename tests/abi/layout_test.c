/*
 * Pins the size and every offset of each public ABI struct as ABI 1.0 defined them
 * (LP64: 64-bit Linux and macOS). A change here is an ABI break: append new fields
 * at the end and add asserts for them under a new "since 1.x" heading instead.
 * A struct that grew keeps its 1.0 size as the offset of its first appended field
 * (PIN_V1_0_END); its whole size is pinned under the heading of its latest minor.
 */
#include <stddef.h>
#include <stdint.h>
#include <tshost/plugin.h>

#if UINTPTR_MAX == 0xffffffffffffffffu
#define PIN_SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof " #T " changed: ABI break")
#define PIN_OFFSET(T, f, n) \
    _Static_assert(offsetof(T, f) == (n), "offset of " #T "." #f " changed: ABI break")
#define PIN_V1_0_END(T, first_appended, n) \
    _Static_assert(offsetof(T, first_appended) == (n), "1.0 size of " #T " changed: ABI break")

/* since 1.0 */
PIN_SIZE(tsh_str, 16);
PIN_OFFSET(tsh_str, data, 0);
PIN_OFFSET(tsh_str, size, 8);
PIN_SIZE(tsh_errbuf, 16);
PIN_OFFSET(tsh_errbuf, data, 0);
PIN_OFFSET(tsh_errbuf, capacity, 8);
PIN_SIZE(tsh_sink, 16);
PIN_OFFSET(tsh_sink, ctx, 0);
PIN_OFFSET(tsh_sink, write, 8);
PIN_SIZE(tsh_event, 64);
PIN_OFFSET(tsh_event, struct_size, 0);
PIN_OFFSET(tsh_event, reserved0, 4);
PIN_OFFSET(tsh_event, type, 8);
PIN_OFFSET(tsh_event, trial_id, 24);
PIN_OFFSET(tsh_event, payload_json, 40);
PIN_OFFSET(tsh_event, time_ms, 56);
PIN_SIZE(tsh_file_info, 24);
PIN_OFFSET(tsh_file_info, struct_size, 0);
PIN_OFFSET(tsh_file_info, type, 4);
PIN_OFFSET(tsh_file_info, size, 8);
PIN_OFFSET(tsh_file_info, mtime_ms, 16);
PIN_SIZE(tsh_storage_vtable, 88);
PIN_OFFSET(tsh_storage_vtable, struct_size, 0);
PIN_OFFSET(tsh_storage_vtable, make_dir, 8);
PIN_OFFSET(tsh_storage_vtable, write_file, 16);
PIN_OFFSET(tsh_storage_vtable, upload_file, 24);
PIN_OFFSET(tsh_storage_vtable, read_file, 32);
PIN_OFFSET(tsh_storage_vtable, stat, 40);
PIN_OFFSET(tsh_storage_vtable, list_dir, 48);
PIN_OFFSET(tsh_storage_vtable, remove, 56);
PIN_OFFSET(tsh_storage_vtable, pod_volume, 64);
PIN_OFFSET(tsh_storage_vtable, browse_url, 72);
PIN_OFFSET(tsh_storage_vtable, rename, 80);
PIN_SIZE(tsh_storage_access, 32);
PIN_OFFSET(tsh_storage_access, struct_size, 0);
PIN_OFFSET(tsh_storage_access, reserved0, 4);
PIN_OFFSET(tsh_storage_access, instance, 8);
PIN_OFFSET(tsh_storage_access, vtable, 16);
PIN_OFFSET(tsh_storage_access, plugin_name, 24);
PIN_SIZE(tsh_host_api, 48);
PIN_OFFSET(tsh_host_api, struct_size, 0);
PIN_OFFSET(tsh_host_api, reserved0, 4);
PIN_OFFSET(tsh_host_api, log, 8);
PIN_OFFSET(tsh_host_api, emit, 16);
PIN_OFFSET(tsh_host_api, is_stopping, 24);
PIN_OFFSET(tsh_host_api, validate_json, 32);
PIN_OFFSET(tsh_host_api, storage, 40);
PIN_SIZE(tsh_host_info, 16);
PIN_OFFSET(tsh_host_info, struct_size, 0);
PIN_OFFSET(tsh_host_info, abi_major, 4);
PIN_OFFSET(tsh_host_info, abi_minor, 6);
PIN_OFFSET(tsh_host_info, host_version, 8);
PIN_SIZE(tsh_create_args, 72);
PIN_OFFSET(tsh_create_args, struct_size, 0);
PIN_OFFSET(tsh_create_args, reserved0, 4);
PIN_OFFSET(tsh_create_args, ctx, 8);
PIN_OFFSET(tsh_create_args, api, 16);
PIN_OFFSET(tsh_create_args, instance_name, 24);
PIN_OFFSET(tsh_create_args, config_json, 40);
PIN_OFFSET(tsh_create_args, experiment_json, 56);
PIN_SIZE(tsh_plugin_vtable, 24);
PIN_OFFSET(tsh_plugin_vtable, struct_size, 0);
PIN_OFFSET(tsh_plugin_vtable, reserved0, 4);
PIN_OFFSET(tsh_plugin_vtable, create, 8);
PIN_OFFSET(tsh_plugin_vtable, destroy, 16);
PIN_SIZE(tsh_trial, 64);
PIN_OFFSET(tsh_trial, struct_size, 0);
PIN_OFFSET(tsh_trial, reserved0, 4);
PIN_OFFSET(tsh_trial, trial_id, 8);
PIN_OFFSET(tsh_trial, sequence_id, 24);
PIN_OFFSET(tsh_trial, parameters_json, 32);
PIN_OFFSET(tsh_trial, spec_json, 48);
PIN_V1_0_END(tsh_platform_vtable, preflight_with, 88);
PIN_OFFSET(tsh_platform_vtable, struct_size, 0);
PIN_OFFSET(tsh_platform_vtable, reserved0, 4);
PIN_OFFSET(tsh_platform_vtable, submit, 8);
PIN_OFFSET(tsh_platform_vtable, cancel, 16);
PIN_OFFSET(tsh_platform_vtable, list_trials, 24);
PIN_OFFSET(tsh_platform_vtable, adopt, 32);
PIN_OFFSET(tsh_platform_vtable, start, 40);
PIN_OFFSET(tsh_platform_vtable, end_experiment, 48);
PIN_OFFSET(tsh_platform_vtable, update, 56);
PIN_OFFSET(tsh_platform_vtable, query, 64);
PIN_OFFSET(tsh_platform_vtable, render, 72);
PIN_OFFSET(tsh_platform_vtable, preflight, 80);
PIN_SIZE(tsh_plugin_info, 80);
PIN_OFFSET(tsh_plugin_info, struct_size, 0);
PIN_OFFSET(tsh_plugin_info, abi_major, 4);
PIN_OFFSET(tsh_plugin_info, abi_minor, 6);
PIN_OFFSET(tsh_plugin_info, min_host_minor, 8);
PIN_OFFSET(tsh_plugin_info, reserved0, 10);
PIN_OFFSET(tsh_plugin_info, kind, 12);
PIN_OFFSET(tsh_plugin_info, flags, 16);
PIN_OFFSET(tsh_plugin_info, reserved1, 20);
PIN_OFFSET(tsh_plugin_info, name, 24);
PIN_OFFSET(tsh_plugin_info, version, 32);
PIN_OFFSET(tsh_plugin_info, description, 40);
PIN_OFFSET(tsh_plugin_info, config_schema_json, 48);
PIN_OFFSET(tsh_plugin_info, plugin, 56);
PIN_OFFSET(tsh_plugin_info, platform, 64);
PIN_OFFSET(tsh_plugin_info, storage, 72);

/* since 1.1 */
PIN_SIZE(tsh_platform_vtable, 96);
PIN_OFFSET(tsh_platform_vtable, preflight_with, 88);
#endif

int main(void) {
    return 0;
}
