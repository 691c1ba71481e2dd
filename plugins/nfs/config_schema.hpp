// The JSON Schema of the plugin's config, published through Meta::config_schema;
// the host validates the user's section against it before create().
#pragma once

namespace nfsplugin {

inline constexpr const char* kConfigSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "NFS storage",
  "type": "object",
  "additionalProperties": false,
  "required": ["server", "path"],
  "properties": {
    "server": {"type": "string", "minLength": 1,
               "description": "Host name or IP address of the NFS server (NNI: storage.server)."},
    "path": {"type": "string", "pattern": "^/",
             "description": "Exported directory on the server, e.g. /export (NNI: storage.path)."},
    "version": {"enum": [3, 4], "default": 3,
                "description": "NFS protocol version used by the host. 3 is the default and the most reliable; 4 works around libnfs 4.0 limitations."},
    "localMountPath": {"type": "string", "pattern": "^/",
                       "description": "The export is already mounted at this local path: use plain file I/O there instead of libnfs."},
    "mountPath": {"type": "string", "pattern": "^/", "default": "/tmp/mount",
                  "description": "Where pods mount the export's root (NNI uses /tmp/mount)."},
    "port": {"type": "integer", "minimum": 1, "maximum": 65535,
             "description": "NFS port on the server; set it (with mountPort for NFSv3) to skip the portmapper."},
    "mountPort": {"type": "integer", "minimum": 1, "maximum": 65535,
                  "description": "MOUNT protocol port on the server (NFSv3 only); skips the portmapper."},
    "uid": {"type": "integer", "minimum": 0, "maximum": 2147483647,
            "description": "User id presented to the server (AUTH_SYS); default: this process's uid. Use the export owner's uid under root_squash."},
    "gid": {"type": "integer", "minimum": 0, "maximum": 2147483647,
            "description": "Group id presented to the server (AUTH_SYS); default: this process's gid."},
    "retries": {"type": "integer", "minimum": 0, "maximum": 20, "default": 5,
                "description": "How often a call is retried, with backoff and a fresh connection, after a transient failure (connection reset, server restarting)."},
    "timeoutMs": {"type": "integer", "minimum": 100, "maximum": 600000, "default": 15000,
                  "description": "Timeout of one NFS call in milliseconds."}
  }
})json";

}  // namespace nfsplugin
