#include "errors.hpp"

#include <unistd.h>

#include <cerrno>

#include "reachability.hpp"

namespace nfsplugin {
namespace {

constexpr int kProbeTimeoutMs = 2000;

bool contains(const std::string& text, const char* what) {
    return text.find(what) != std::string::npos;
}

// Which port libnfs dialled first: the NFS port when given, for v3 without ports
// the portmapper, for v4 the standard NFS port.
int first_port(const Config& c) {
    if (c.version == 3 && c.mount_port)
        return *c.mount_port;
    if (c.port)
        return *c.port;
    return c.version == 3 ? 111 : 2049;
}

std::string where(const Config& c, const std::string& path) {
    if (!c.local_mount_path.empty()) {
        return c.local_mount_path + path;
    }
    return c.server + ":" + c.path + (path == "/" ? "" : path);
}

std::string identity(const Config& c) {
    const int uid = c.uid.value_or(static_cast<int>(::getuid()));
    const int gid = c.gid.value_or(static_cast<int>(::getgid()));
    return "uid " + std::to_string(uid) + ", gid " + std::to_string(gid);
}

tshost::Error mount_error(const FsError& e, const Config& c, int attempts) {
    const std::string& d = e.detail();
    // ganesha answers MNT3ERR_ACCES for an export it does not have, Linux knfsd
    // MNT3ERR_NOENT; NFSv4 walks the pseudo tree and fails with NFS4ERR_NOENT.
    if (contains(d, "MNT3ERR_NOENT") || contains(d, "NFS4ERR_NOENT") ||
        contains(d, "MNT3ERR_ACCES") || e.err() == ENOENT) {
        std::string msg = "mount: export " + c.path + " not found on " + c.server +
                          " — check the server's exports (showmount -e " + c.server + ")";
        if (contains(d, "ACCES")) {
            msg += "; if it is listed, the export does not allow this client";
        }
        return tshost::Error(TSH_ERR_INVALID_ARGUMENT, msg + " [" + d + "]");
    }
    if (e.transient()) {
        const int port = first_port(c);
        std::string reason = probe_tcp(c.server, port, kProbeTimeoutMs);
        if (reason.empty()) {
            reason = d;
        }
        return tshost::Error(
            TSH_ERR_TRANSIENT,
            "cannot reach the NFS server " + c.server + " port " + std::to_string(port) + " (" +
                reason + ") after " + std::to_string(attempts) +
                " attempts — check that the server runs, listens on that address, and that "
                "no firewall blocks it" +
                (c.port ? "" : "; set \"port\"/\"mountPort\" to skip the portmapper") + " [" + d +
                "]");
    }
    if (e.err() == EACCES || e.err() == EPERM) {
        return tshost::Error(TSH_ERR_PERMISSION,
                             "mount: the server refuses to export " + c.path + " to this client (" +
                                 identity(c) +
                                 "): check the export's client list and security "
                                 "flavour (sec=sys) [" +
                                 d + "]");
    }
    return tshost::Error(TSH_ERR_GENERIC, "mount " + c.address() + ": " + d);
}

}  // namespace

tshost::Error to_error(const FsError& e, const Config& c, int attempts) {
    if (e.op() == "mount") {
        return mount_error(e, c, attempts);
    }
    const std::string what = e.op() + " " + where(c, e.path()) + ": ";
    switch (e.err()) {
        case EACCES:
        case EPERM:
            return tshost::Error(
                TSH_ERR_PERMISSION,
                what + "permission denied for " + identity(c) +
                    ". If the server squashes root (root_squash, the default), either export "
                    "with no_root_squash (ganesha: Squash = No_Root_Squash) or set \"uid\"/\"gid\" "
                    "in the nfs storage config to the owner of the export directory.");
        case EROFS:
            return tshost::Error(TSH_ERR_PERMISSION,
                                 what +
                                     "the export is read-only: export it read-write (rw; "
                                     "ganesha: Access_Type = RW)");
        case ENOENT:
            return tshost::Error(TSH_ERR_NOT_FOUND, what + "no such file or directory");
        case EEXIST:
            return tshost::Error(TSH_ERR_EXISTS, what + "already exists");
        case ENOTDIR:
        case EISDIR:
        case ENOTEMPTY:
            return tshost::Error(TSH_ERR_INVALID_ARGUMENT, what + e.detail());
        case ENOSPC:
        case EDQUOT:
            return tshost::Error(TSH_ERR_GENERIC, what + "the export is full (or over quota)");
        default:
            break;
    }
    if (e.transient()) {
        return tshost::Error(TSH_ERR_TRANSIENT, what + e.detail() + " (after " +
                                                    std::to_string(attempts) +
                                                    " attempts, reconnecting each time)");
    }
    return tshost::Error(TSH_ERR_GENERIC, what + e.detail());
}

}  // namespace nfsplugin
