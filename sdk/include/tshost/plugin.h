/*
 * tshost plugin ABI — the one C header every tshost plugin is built against.
 *
 * Pure C99; includes only the C standard library. No C++ type, exception or
 * allocator ever crosses this boundary. See sdk/ABI.md for the policy in prose.
 *
 * VERSIONING
 *   TSH_ABI_MAJOR is part of the entry symbol's name (tsh_plugin_entry_v1). A host
 *   loads a plugin only when the majors are equal and the plugin's min_host_minor
 *   is not above the host's TSH_ABI_MINOR.
 *   Minor versions only APPEND: fields at the end of structs, functions at the end
 *   of tables, new constants. Nothing is ever inserted, reordered, retyped or
 *   renumbered. Every struct starts with `struct_size`; a reader uses a field only
 *   when struct_size covers it (TSH_HAS) and, for a function, when it is non-NULL.
 *
 * OWNERSHIP
 *   1. Every pointer passed INTO a call is borrowed for the duration of that call.
 *      Copy what you keep.
 *   2. tsh_plugin_info, its strings and its tables are static: they live until the
 *      library is unloaded.
 *   3. Output of any size goes through a host-owned tsh_sink, which the host copies
 *      from. Nothing is ever freed across the boundary.
 *   4. Error messages are written into a host-owned tsh_errbuf.
 *
 * THREADS
 *   Stated per function with "Thread:". In short: entry, create and destroy run on
 *   the host's control thread; the host serialises the calls of one platform
 *   instance; storage functions may be called concurrently; host services are
 *   thread-safe and never call back into the plugin that called them.
 *
 * DATA
 *   Strings are UTF-8. Config, payloads and descriptions are JSON text (RFC 8259).
 *   tsh_str is a {pointer, length} pair and need not be NUL-terminated.
 *
 * Doc-block tags: Required (must a plugin provide it), Since (ABI version that
 * added it), Thread (which threads may call it), Ownership (who owns what).
 */
#ifndef TSHOST_PLUGIN_H
#define TSHOST_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TSH_ABI_MAJOR 1
#define TSH_ABI_MINOR 1

/** The one symbol a plugin exports. Its name carries the ABI major. */
#define TSH_ENTRY_SYMBOL "tsh_plugin_entry_v1"

#if defined(_WIN32)
#define TSH_EXPORT_ATTR __declspec(dllexport)
#else
#define TSH_EXPORT_ATTR __attribute__((visibility("default")))
#endif
#ifdef __cplusplus
#define TSH_EXPORT extern "C" TSH_EXPORT_ATTR
#else
#define TSH_EXPORT TSH_EXPORT_ATTR
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Status codes. Fixed numeric values; 0 is success.                          */
/* ------------------------------------------------------------------------- */

typedef int32_t tsh_status;
#define TSH_OK 0
#define TSH_ERR_GENERIC 1          /* failed; the message says why */
#define TSH_ERR_INVALID_ARGUMENT 2 /* bad config, path, id or JSON from the caller */
#define TSH_ERR_INCOMPATIBLE 3     /* versions or capabilities do not match */
#define TSH_ERR_UNSUPPORTED 4      /* this plugin does not do that */
#define TSH_ERR_NO_MEMORY 5
#define TSH_ERR_TRANSIENT 6  /* temporary failure: the host retries with backoff */
#define TSH_ERR_INTERNAL 7   /* a bug or an unexpected exception in the plugin */
#define TSH_ERR_NOT_FOUND 8  /* the trial, file or resource does not exist */
#define TSH_ERR_PERMISSION 9 /* credentials or access rights are insufficient */
#define TSH_ERR_CANCELLED 10 /* the host is stopping (see is_stopping) */
#define TSH_ERR_EXISTS 11    /* already exists */

/* Plugin kinds. 0 is invalid so that a zero-filled struct is never a valid plugin. */
typedef int32_t tsh_kind;
#define TSH_KIND_PLATFORM 1 /* runs trials: fills tsh_plugin_info.platform */
#define TSH_KIND_STORAGE 2  /* stores files pods mount: fills tsh_plugin_info.storage */

typedef int32_t tsh_log_level;
#define TSH_LOG_TRACE 1
#define TSH_LOG_DEBUG 2
#define TSH_LOG_INFO 3
#define TSH_LOG_WARN 4
#define TSH_LOG_ERROR 5

/** Why a trial is cancelled; decides the trial's end status. */
typedef int32_t tsh_cancel_reason;
#define TSH_CANCEL_USER 1       /* the user asked: ends USER_CANCELED */
#define TSH_CANCEL_EARLY_STOP 2 /* assessor or maxTrialDuration: ends EARLY_STOPPED */
#define TSH_CANCEL_SYSTEM 3     /* the experiment is stopping: ends SYS_CANCELED */

/* ------------------------------------------------------------------------- */
/* Basic types                                                                */
/* ------------------------------------------------------------------------- */

/** Borrowed UTF-8 text: `size` bytes at `data`, not necessarily NUL-terminated.
 *  data may be NULL only when size is 0. */
typedef struct tsh_str {
    const char* data;
    size_t size;
} tsh_str;

/** Host-owned buffer for an error message. The plugin writes a NUL-terminated
 *  message of at most `capacity` bytes (truncation is fine). capacity >= 1024.
 *  Use tsh_errbuf_set(). */
typedef struct tsh_errbuf {
    char* data;
    size_t capacity;
} tsh_errbuf;

/** Host-owned output channel. The plugin calls write() zero or more times; the host
 *  appends and copies the bytes before write() returns. A non-OK return means the
 *  host refuses more (e.g. a size limit): stop writing and return that status. */
typedef struct tsh_sink {
    void* ctx;
    tsh_status (*write)(void* ctx, const void* data, size_t size);
} tsh_sink;

/** An instance of a plugin: opaque to the host, owned by the plugin from create()
 *  until destroy(). */
typedef struct tsh_instance tsh_instance;

/** The host's per-instance context: opaque to the plugin, owned by the host, valid
 *  from create() until destroy() returns. */
typedef struct tsh_host_ctx tsh_host_ctx;

/** The struct at *p is large enough to hold member f. */
#define TSH_HAS(T, p, f) \
    ((p) != NULL && (p)->struct_size >= offsetof(T, f) + sizeof(((const T*)0)->f))

/* ------------------------------------------------------------------------- */
/* Events: plugin -> host                                                     */
/* ------------------------------------------------------------------------- */

/** Event types a plugin may emit (payload shapes in sdk/ABI.md).
 *  trial.status: {"status":"WAITING|RUNNING|SUCCEEDED|FAILED|USER_CANCELED|
 *                 SYS_CANCELED|EARLY_STOPPED|UNKNOWN", "message":..., "reason":...,
 *                 "startTime":ms, "endTime":ms, "exitCode":n, "jobName":...}
 *  trial.metric: {"replica":"worker-0", "seq":n, "data":"<NNI metric record text>"}
 *  trial.log:    {"level":"info|warn|error", "message":...}                       */
#define TSH_EVENT_TRIAL_STATUS "trial.status"
#define TSH_EVENT_TRIAL_METRIC "trial.metric"
#define TSH_EVENT_TRIAL_LOG "trial.log"

/** One event. Since: 1.0.
 *  Ownership: borrowed by emit(), which copies it before returning. */
typedef struct tsh_event {
    uint32_t struct_size; /* sizeof(tsh_event) as the plugin knows it */
    uint32_t reserved0;   /* 0 */
    tsh_str type;         /* one of TSH_EVENT_* */
    tsh_str trial_id;     /* the trial it is about; empty for plugin-wide events */
    tsh_str payload_json; /* a JSON object */
    int64_t time_ms;      /* when it happened, ms since the Unix epoch; 0 = now */
} tsh_event;

/* ------------------------------------------------------------------------- */
/* Storage                                                                    */
/* ------------------------------------------------------------------------- */

typedef int32_t tsh_file_type;
#define TSH_FILE_REGULAR 1
#define TSH_FILE_DIRECTORY 2
#define TSH_FILE_OTHER 3

/** Flags of write_file / upload_file. */
#define TSH_WRITE_EXECUTABLE 0x1u /* mode 0755 instead of 0644 */
/** Flags of remove. */
#define TSH_REMOVE_RECURSIVE 0x1u

/** What stat() reports. Since: 1.0. The host sets struct_size; the plugin fills
 *  the fields struct_size covers. */
typedef struct tsh_file_info {
    uint32_t struct_size;
    tsh_file_type type;
    uint64_t size;    /* bytes */
    int64_t mtime_ms; /* ms since the Unix epoch; 0 if unknown */
} tsh_file_info;

/**
 * The functions of a storage plugin. Paths are relative to the store's root, use
 * '/' and never contain "..", a leading '/' or empty segments (the host checks).
 * Thread: every function may be called concurrently from several host and
 * platform threads; the plugin serialises internally where its backend needs it.
 * Transient backend failures should be retried inside the plugin a few times and
 * then returned as TSH_ERR_TRANSIENT.
 */
typedef struct tsh_storage_vtable {
    uint32_t struct_size;

    /* --- since 1.0: required ------------------------------------------- */

    /** Create directory `path` and its parents; an existing directory is OK.
     *  Required: yes. Since: 1.0. */
    tsh_status (*make_dir)(tsh_instance* self, tsh_str path, tsh_errbuf* err);

    /** Create or replace file `path` with `size` bytes at `data`, creating parent
     *  directories. Readers never see a partly written file where the backend
     *  allows it (write then rename). flags: TSH_WRITE_*.
     *  Required: yes. Since: 1.0. Ownership: data is borrowed. */
    tsh_status (*write_file)(tsh_instance* self, tsh_str path, const void* data, size_t size,
                             uint32_t flags, tsh_errbuf* err);

    /** Like write_file, streaming the content of the local file `local_path`
     *  (large files: the plugin chooses its own chunk size). Required: yes. Since: 1.0. */
    tsh_status (*upload_file)(tsh_instance* self, tsh_str local_path, tsh_str path, uint32_t flags,
                              tsh_errbuf* err);

    /** Write bytes [offset, offset + length) of file `path` to `out` (fewer at the
     *  end of the file; length UINT64_MAX = to the end). TSH_ERR_NOT_FOUND if the
     *  file does not exist. Used for log tails and for following metric files.
     *  Required: yes. Since: 1.0. */
    tsh_status (*read_file)(tsh_instance* self, tsh_str path, uint64_t offset, uint64_t length,
                            tsh_sink* out, tsh_errbuf* err);

    /** Describe `path` into *info. TSH_ERR_NOT_FOUND if it does not exist.
     *  Required: yes. Since: 1.0. */
    tsh_status (*stat)(tsh_instance* self, tsh_str path, tsh_file_info* info, tsh_errbuf* err);

    /** Write the entries of directory `path` to `out` as a JSON array of
     *  {"name":..., "type":"file|dir|other", "size":n, "mtime":ms}.
     *  Required: yes. Since: 1.0. */
    tsh_status (*list_dir)(tsh_instance* self, tsh_str path, tsh_sink* out, tsh_errbuf* err);

    /** Remove file or directory `path` (directories: TSH_REMOVE_RECURSIVE or empty).
     *  A path that does not exist is success. Required: yes. Since: 1.0. */
    tsh_status (*remove)(tsh_instance* self, tsh_str path, uint32_t flags, tsh_errbuf* err);

    /** How pods mount this store: write to `out` a JSON object
     *  {"volume": <Kubernetes Volume>, "volumeMount": <Kubernetes VolumeMount
     *   without name>, "secret": <Kubernetes Secret to create first, or null>}.
     *  The store's root appears at volumeMount.mountPath in the pod.
     *  Required: yes. Since: 1.0.
     *  Ownership: the output may hold credentials (the Secret's data): the host and
     *  platforms never log or print it. */
    tsh_status (*pod_volume)(tsh_instance* self, tsh_sink* out, tsh_errbuf* err);

    /* --- since 1.0: optional ------------------------------------------- */

    /** Write to `out` a URL for `path` that a person can open or browse (shown in
     *  the portal as the trial's output location). Required: no. Since: 1.0. */
    tsh_status (*browse_url)(tsh_instance* self, tsh_str path, tsh_sink* out, tsh_errbuf* err);

    /** Atomically move `from` to `to`, replacing `to`. Required: no. Since: 1.0. */
    tsh_status (*rename)(tsh_instance* self, tsh_str from, tsh_str to, tsh_errbuf* err);
} tsh_storage_vtable;

/** A storage instance as a platform reaches it (see tsh_host_api.storage).
 *  Since: 1.0. Ownership: host-owned; valid until the platform's destroy() returns.
 *  The vtable is the host's copy: trailing functions the storage plugin lacks are
 *  NULL, and struct_size tells which fields exist. */
typedef struct tsh_storage_access {
    uint32_t struct_size;
    uint32_t reserved0;
    tsh_instance* instance;           /* pass as `self` to the vtable's functions */
    const tsh_storage_vtable* vtable; /* call through this */
    const char* plugin_name;          /* e.g. "nfs" */
} tsh_storage_access;

/* ------------------------------------------------------------------------- */
/* Host services: host -> plugin                                              */
/* ------------------------------------------------------------------------- */

/**
 * Services the host offers an instance. Every function is thread-safe, may be
 * called from plugin-owned threads between create() and the return of destroy(),
 * and never calls back into the calling instance.
 * Ownership: the table is host-owned and valid until destroy() returns.
 */
typedef struct tsh_host_api {
    uint32_t struct_size;
    uint32_t reserved0;

    /** Write a line to the host's log, prefixed with the instance's name.
     *  Required: provided by every host. Since: 1.0. */
    void (*log)(tsh_host_ctx* ctx, tsh_log_level level, tsh_str message);

    /** Queue an event for the host. Copies *event and returns at once; the host
     *  handles it on its own thread. TSH_ERR_INVALID_ARGUMENT for an unknown type,
     *  an unknown trial or a payload that is not a JSON object.
     *  Required: provided by every host. Since: 1.0. */
    tsh_status (*emit)(tsh_host_ctx* ctx, const tsh_event* event);

    /** Nonzero once the host has begun to stop this instance: loops and retries
     *  should end soon. Required: provided by every host. Since: 1.0. */
    int32_t (*is_stopping)(tsh_host_ctx* ctx);

    /** Validate JSON text `document` against the JSON Schema text `schema`
     *  (draft 2020-12 unless the schema says "$schema"). Kubernetes schemas are
     *  accepted with the API server's rules (OpenAPI v3: nullable, undeclared keys
     *  rejected): pass a whole CustomResourceDefinition (its storage version is
     *  used) or {"openAPIV3Schema": {...}}. On failure returns TSH_ERR_INVALID_ARGUMENT
     *  and writes every problem, with key paths, into err. The host caches compiled
     *  schemas, so passing the same large schema again is cheap.
     *  Required: provided by every host. Since: 1.0. */
    tsh_status (*validate_json)(tsh_host_ctx* ctx, tsh_str schema, tsh_str document,
                                tsh_errbuf* err);

    /** The storage instance the user configured for the experiment, or NULL when
     *  there is none (or the caller is not a platform).
     *  Required: provided by every host. Since: 1.0. */
    const tsh_storage_access* (*storage)(tsh_host_ctx* ctx);
} tsh_host_api;

/** What the host tells the plugin about itself at load time. Since: 1.0. */
typedef struct tsh_host_info {
    uint32_t struct_size;
    uint16_t abi_major;       /* == TSH_ABI_MAJOR of the host */
    uint16_t abi_minor;       /* the host's TSH_ABI_MINOR */
    const char* host_version; /* e.g. "0.1.0" */
} tsh_host_info;

/* ------------------------------------------------------------------------- */
/* Instances                                                                  */
/* ------------------------------------------------------------------------- */

/** Arguments of create(). Since: 1.0. Ownership: borrowed for the call; ctx and
 *  api stay valid until destroy() returns. */
typedef struct tsh_create_args {
    uint32_t struct_size;
    uint32_t reserved0;
    tsh_host_ctx* ctx;
    const tsh_host_api* api;
    tsh_str instance_name; /* the name the host logs this instance under */
    /** The plugin's section of the user's config as a JSON object, already
     *  validated against tsh_plugin_info.config_schema_json. */
    tsh_str config_json;
    /** The experiment as a JSON object: {"experimentId", "workDir" (a local
     *  directory the plugin may use), "trialCommand", "trialCodeDirectory",
     *  "trialConcurrency", ...} and, where the host runs one, "metrics":
     *  {"url", "tokenFile"}; "offline": true when the host only validates or
     *  renders (reach no server; see ABI.md). Unknown keys must be ignored. */
    tsh_str experiment_json;
} tsh_create_args;

/** Lifecycle functions every plugin has. Since: 1.0. */
typedef struct tsh_plugin_vtable {
    uint32_t struct_size;
    uint32_t reserved0;

    /** Create an instance from a validated config. Must not block on remote
     *  services: connect in start() or lazily. On failure write why into err and
     *  leave *out untouched. Required: yes. Since: 1.0. Thread: control thread. */
    tsh_status (*create)(const tsh_create_args* args, tsh_instance** out, tsh_errbuf* err);

    /** Destroy an instance: stop and join every thread it started, after which it
     *  must not call host services. Cannot fail. Required: yes. Since: 1.0.
     *  Thread: control thread, after every other call on the instance returned. */
    void (*destroy)(tsh_instance* self);
} tsh_plugin_vtable;

/* ------------------------------------------------------------------------- */
/* Platforms                                                                  */
/* ------------------------------------------------------------------------- */

/** A trial as the host hands it to a platform. Since: 1.0. Ownership: borrowed. */
typedef struct tsh_trial {
    uint32_t struct_size;
    uint32_t reserved0;
    tsh_str trial_id;        /* [a-z0-9]+, unique within the experiment */
    int64_t sequence_id;     /* NNI_TRIAL_SEQ_ID: 0, 1, 2, ... */
    tsh_str parameters_json; /* NNI's packed parameter: the content of parameter.cfg */
    /** Everything else as a JSON object: {"attempt": n, "metrics": {"url", "token"}
     *  when the host runs a metrics endpoint, ...}. Unknown keys must be ignored.
     *  Holds a per-trial secret: never log it. */
    tsh_str spec_json;
} tsh_trial;

/**
 * The functions of a platform plugin.
 * Thread: the host serialises all calls on one instance (one at a time, from any
 * host thread). Calls may block on I/O, bounded by the plugin's own timeouts.
 * Status changes are reported asynchronously with emit(TSH_EVENT_TRIAL_STATUS),
 * from any thread.
 */
typedef struct tsh_platform_vtable {
    uint32_t struct_size;
    uint32_t reserved0;

    /* --- since 1.0: required ------------------------------------------- */

    /** Start running `trial`. Return once the platform accepted it (status
     *  WAITING), not when it ends. May write a JSON object {"jobName", "url", ...}
     *  to `out`; its optional "manifest" is the job as created (a JSON object), which
     *  the host stores and shows: secrets (Secret data, tokens) must be redacted in it.
     *  Required: yes. Since: 1.0. */
    tsh_status (*submit)(tsh_instance* self, const tsh_trial* trial, tsh_sink* out,
                         tsh_errbuf* err);

    /** Stop a trial; its end status follows from `reason` and is emitted as an
     *  event. Cancelling a trial that already ended is success. TSH_ERR_NOT_FOUND
     *  for an id the platform never saw. Required: yes. Since: 1.0. */
    tsh_status (*cancel)(tsh_instance* self, tsh_str trial_id, tsh_cancel_reason reason,
                         tsh_errbuf* err);

    /** Write to `out` a JSON array of every trial of this experiment the platform
     *  still holds, including those a previous host process submitted:
     *  [{"trialId", "status", "jobName", ...}]. Used on resume.
     *  Required: yes. Since: 1.0. */
    tsh_status (*list_trials)(tsh_instance* self, tsh_sink* out, tsh_errbuf* err);

    /** Track again a trial that a previous host process submitted (after resume):
     *  emit its current status, then its changes, as for a submitted trial.
     *  TSH_ERR_NOT_FOUND if it no longer exists. Required: yes. Since: 1.0. */
    tsh_status (*adopt)(tsh_instance* self, const tsh_trial* trial, tsh_errbuf* err);

    /* --- since 1.0: optional ------------------------------------------- */

    /** Called once after create() and before the first submit or adopt: connect,
     *  check the platform, create experiment-wide resources (e.g. Secrets).
     *  Required: no. Since: 1.0. */
    tsh_status (*start)(tsh_instance* self, tsh_errbuf* err);

    /** Remove every experiment-wide resource start() created and every job still
     *  left (the experiment is over). Required: no. Since: 1.0. */
    tsh_status (*end_experiment)(tsh_instance* self, tsh_errbuf* err);

    /** Give a running trial new parameters (NNI multi-phase). Required: no.
     *  Since: 1.0. */
    tsh_status (*update)(tsh_instance* self, const tsh_trial* trial, tsh_errbuf* err);

    /** Write the trial's current detail to `out` as a JSON object ({"status",
     *  "jobName", "manifest", "message", ...}). Required: no. Since: 1.0. */
    tsh_status (*query)(tsh_instance* self, tsh_str trial_id, tsh_sink* out, tsh_errbuf* err);

    /** Without contacting any cluster, write to `out` everything submitting `trial`
     *  would create: {"objects": [...], "files": {"path": "content", ...}}, with
     *  Secret data redacted. Called without start(). Required: no. Since: 1.0. */
    tsh_status (*render)(tsh_instance* self, const tsh_trial* trial, tsh_sink* out,
                         tsh_errbuf* err);

    /** Check that the platform is ready for an experiment; write to `out` a JSON
     *  array of {"check", "ok": bool, "detail", "fix"}. Return TSH_OK when every
     *  check passed. Called without start(). Required: no. Since: 1.0. */
    tsh_status (*preflight)(tsh_instance* self, tsh_sink* out, tsh_errbuf* err);

    /* --- since 1.1: optional ------------------------------------------- */

    /** preflight with options: `options_json` is a JSON object the host builds from
     *  the user's command line; unknown keys must be ignored. Defined keys:
     *    "probe": {"image": "<image>", "url": "<the host's metrics healthz URL>",
     *              "timeoutSeconds": n}
     *  asks the platform to start a short-lived workload with that image which
     *  fetches the url (can trials reach the host?), report it as one more check,
     *  and remove the workload whatever happens.
     *  Output and return as preflight. A host that finds it calls it instead of
     *  preflight; a 1.0 plugin lacks it and the host falls back to preflight (and
     *  reports that options it could not pass were not checked).
     *  Required: no. Since: 1.1. */
    tsh_status (*preflight_with)(tsh_instance* self, tsh_str options_json, tsh_sink* out,
                                 tsh_errbuf* err);
} tsh_platform_vtable;

/* ------------------------------------------------------------------------- */
/* The plugin's self-description and entry point                              */
/* ------------------------------------------------------------------------- */

/** Flags of tsh_plugin_info. */
#define TSH_PLUGIN_NEVER_UNLOAD 0x1u /* keep the library loaded until process exit */

/** Since: 1.0. Ownership: static in the plugin; lives until the library unloads. */
typedef struct tsh_plugin_info {
    uint32_t struct_size;    /* sizeof(tsh_plugin_info) as the plugin was built */
    uint16_t abi_major;      /* TSH_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;      /* TSH_ABI_MINOR the plugin was built with */
    uint16_t min_host_minor; /* the oldest host minor the plugin can run on */
    uint16_t reserved0;      /* 0 */
    tsh_kind kind;           /* TSH_KIND_* */
    uint32_t flags;          /* TSH_PLUGIN_* */
    uint32_t reserved1;      /* 0 */
    const char* name;        /* [a-z0-9][a-z0-9_-]{0,62}; unique among loaded plugins */
    const char* version;     /* the plugin's own version, semver, e.g. "1.2.0" */
    const char* description; /* one line for `tshost plugins` */
    /** JSON Schema (text) of the plugin's config section; NULL or "" = accepts any
     *  JSON object. The host validates the user's config against it before
     *  create(). */
    const char* config_schema_json;
    const tsh_plugin_vtable* plugin;     /* required */
    const tsh_platform_vtable* platform; /* required when kind == TSH_KIND_PLATFORM */
    const tsh_storage_vtable* storage;   /* required when kind == TSH_KIND_STORAGE */
} tsh_plugin_info;

/**
 * The entry point, exported as TSH_ENTRY_SYMBOL. Returns the plugin's static
 * description, or NULL with a message in err when the plugin cannot run in this
 * host. Must not call host services and must not start threads.
 * Required: yes. Since: 1.0. Thread: control thread, once per load.
 * Ownership: host and err are borrowed; the result is static.
 */
typedef const tsh_plugin_info* (*tsh_plugin_entry_fn)(const tsh_host_info* host, tsh_errbuf* err);

/** The entry point's prototype, so a plugin's definition is checked against it. */
TSH_EXPORT_ATTR const tsh_plugin_info* tsh_plugin_entry_v1(const tsh_host_info* host,
                                                           tsh_errbuf* err);

/* ------------------------------------------------------------------------- */
/* Inline helpers: compiled into the plugin, not part of the ABI.             */
/* ------------------------------------------------------------------------- */

static inline tsh_str tsh_str_from_cstr(const char* s) {
    tsh_str r;
    r.data = s;
    r.size = s != NULL ? strlen(s) : 0;
    return r;
}

/** Write a printf-style message into err (if any) and return `status`. */
static inline tsh_status tsh_errbuf_set(tsh_errbuf* err, tsh_status status, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static inline tsh_status tsh_errbuf_set(tsh_errbuf* err, tsh_status status, const char* fmt, ...) {
    if (err != NULL && err->data != NULL && err->capacity > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->data, err->capacity, fmt, ap);
        va_end(ap);
    }
    return status;
}

/** Write `size` bytes to a sink; a NULL sink discards. */
static inline tsh_status tsh_sink_write(tsh_sink* sink, const void* data, size_t size) {
    if (sink == NULL || sink->write == NULL) {
        return TSH_OK;
    }
    return sink->write(sink->ctx, data, size);
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TSHOST_PLUGIN_H */
