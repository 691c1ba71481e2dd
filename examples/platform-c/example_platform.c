/*
 * example-c: the smallest useful tshost platform, in C99. Every trial "runs" at
 * once and succeeds, so the plugin shows the whole contract (create, submit,
 * cancel, list, adopt, events) without any real platform behind it. Copy it as
 * the starting point of a plugin written in C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tshost/plugin.h>

#define MAX_TRIALS 1024
#define ID_LEN 64

typedef struct {
    char id[ID_LEN];
    const char* status;
} example_trial;

typedef struct {
    tsh_host_ctx* ctx;
    const tsh_host_api* api;
    example_trial trials[MAX_TRIALS];
    size_t count;
} example_platform;

static const char config_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"greeting\":{\"type\":\"string\",\"maxLength\":64}}}";

static tsh_status emit_status(example_platform* self, tsh_str trial_id, const char* status) {
    char payload[128];
    tsh_event ev;
    memset(&ev, 0, sizeof ev);
    snprintf(payload, sizeof payload, "{\"status\":\"%s\"}", status);
    ev.struct_size = sizeof ev;
    ev.type = tsh_str_from_cstr(TSH_EVENT_TRIAL_STATUS);
    ev.trial_id = trial_id;
    ev.payload_json = tsh_str_from_cstr(payload);
    return self->api->emit(self->ctx, &ev);
}

static example_trial* find_trial(example_platform* self, tsh_str id) {
    size_t i;
    for (i = 0; i < self->count; ++i) {
        if (strlen(self->trials[i].id) == id.size &&
            memcmp(self->trials[i].id, id.data, id.size) == 0) {
            return &self->trials[i];
        }
    }
    return NULL;
}

static tsh_status example_create(const tsh_create_args* args, tsh_instance** out, tsh_errbuf* err) {
    example_platform* self = calloc(1, sizeof *self);
    if (self == NULL) {
        return tsh_errbuf_set(err, TSH_ERR_NO_MEMORY, "example-c: out of memory");
    }
    self->ctx = args->ctx;
    self->api = args->api;
    self->api->log(self->ctx, TSH_LOG_INFO, tsh_str_from_cstr("example-c: ready"));
    *out = (tsh_instance*)self;
    return TSH_OK;
}

static void example_destroy(tsh_instance* instance) {
    free(instance);
}

static tsh_status example_submit(tsh_instance* instance, const tsh_trial* trial, tsh_sink* out,
                                 tsh_errbuf* err) {
    example_platform* self = (example_platform*)instance;
    example_trial* t;
    tsh_status st;
    if (trial->trial_id.size == 0 || trial->trial_id.size >= ID_LEN) {
        return tsh_errbuf_set(err, TSH_ERR_INVALID_ARGUMENT, "trial id must be 1..%d bytes",
                              ID_LEN - 1);
    }
    if (self->count == MAX_TRIALS) {
        return tsh_errbuf_set(err, TSH_ERR_UNSUPPORTED, "example-c holds at most %d trials",
                              MAX_TRIALS);
    }
    t = &self->trials[self->count++];
    memcpy(t->id, trial->trial_id.data, trial->trial_id.size);
    t->id[trial->trial_id.size] = '\0';
    t->status = "SUCCEEDED";
    if ((st = emit_status(self, trial->trial_id, "RUNNING")) != TSH_OK ||
        (st = emit_status(self, trial->trial_id, "SUCCEEDED")) != TSH_OK) {
        return tsh_errbuf_set(err, st, "example-c: the host rejected a status event");
    }
    return tsh_sink_write(out, "{}", 2);
}

static tsh_status example_cancel(tsh_instance* instance, tsh_str trial_id, tsh_cancel_reason reason,
                                 tsh_errbuf* err) {
    example_platform* self = (example_platform*)instance;
    (void)reason; /* every trial has already ended: cancelling is a no-op */
    if (find_trial(self, trial_id) == NULL) {
        return tsh_errbuf_set(err, TSH_ERR_NOT_FOUND, "example-c: no trial '%.*s'",
                              (int)trial_id.size, trial_id.data);
    }
    return TSH_OK;
}

static tsh_status example_list_trials(tsh_instance* instance, tsh_sink* out, tsh_errbuf* err) {
    example_platform* self = (example_platform*)instance;
    char entry[ID_LEN + 64];
    size_t i;
    tsh_status st = tsh_sink_write(out, "[", 1);
    (void)err;
    for (i = 0; i < self->count && st == TSH_OK; ++i) {
        int n = snprintf(entry, sizeof entry, "%s{\"trialId\":\"%s\",\"status\":\"%s\"}",
                         i ? "," : "", self->trials[i].id, self->trials[i].status);
        st = tsh_sink_write(out, entry, (size_t)n);
    }
    return st == TSH_OK ? tsh_sink_write(out, "]", 1) : st;
}

static tsh_status example_adopt(tsh_instance* instance, const tsh_trial* trial, tsh_errbuf* err) {
    example_platform* self = (example_platform*)instance;
    example_trial* t = find_trial(self, trial->trial_id);
    if (t == NULL) {
        return tsh_errbuf_set(err, TSH_ERR_NOT_FOUND, "example-c: trial '%.*s' is gone",
                              (int)trial->trial_id.size, trial->trial_id.data);
    }
    return emit_status(self, trial->trial_id, t->status);
}

static const tsh_plugin_vtable example_lifecycle = {
    .struct_size = sizeof(tsh_plugin_vtable), .create = example_create, .destroy = example_destroy};

static const tsh_platform_vtable example_vtable = {.struct_size = sizeof(tsh_platform_vtable),
                                                   .submit = example_submit,
                                                   .cancel = example_cancel,
                                                   .list_trials = example_list_trials,
                                                   .adopt = example_adopt};

static const tsh_plugin_info example_info = {
    .struct_size = sizeof(tsh_plugin_info),
    .abi_major = TSH_ABI_MAJOR,
    .abi_minor = TSH_ABI_MINOR,
    .min_host_minor = 0,
    .kind = TSH_KIND_PLATFORM,
    .name = "example-c",
    .version = "1.0.0",
    .description = "Example platform in C: every trial succeeds at once",
    .config_schema_json = config_schema,
    .plugin = &example_lifecycle,
    .platform = &example_vtable};

TSH_EXPORT const tsh_plugin_info* tsh_plugin_entry_v1(const tsh_host_info* host, tsh_errbuf* err) {
    if (host == NULL || host->abi_major != TSH_ABI_MAJOR) {
        tsh_errbuf_set(err, TSH_ERR_INCOMPATIBLE, "example-c needs tshost ABI %d", TSH_ABI_MAJOR);
        return NULL;
    }
    return &example_info;
}
