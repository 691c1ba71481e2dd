#include "nfs_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace tshost::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kStartDeadline = std::chrono::seconds(20);
constexpr auto kStopDeadline = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::string find_program(const std::string& name) {
    for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"}) {
        const fs::path p = fs::path(dir) / name;
        if (::access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    return "";
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& output) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error("cannot start " + argv[0]);
    return pid;
}

bool tcp_accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// A port the kernel just handed out and released: free unless another process
// grabs it in the next milliseconds (start() retries with new ports if so).
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

// ganesha registers NFSv3 with the portmapper and exits when there is none.
// rpcbind is a machine-wide service: start it once, never stop it.
void ensure_rpcbind() {
    if (tcp_accepts(111))
        return;
    const std::string rpcbind = find_program("rpcbind");
    if (rpcbind.empty())
        throw std::runtime_error("rpcbind is not installed (NFSv3 needs it)");
    fs::create_directories("/run/rpcbind");
    const pid_t pid = spawn({rpcbind, "-w"}, "/dev/null");  // daemonises and returns
    int status = 0;
    ::waitpid(pid, &status, 0);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!tcp_accepts(111)) {
        if (Clock::now() > deadline)
            throw std::runtime_error("rpcbind did not start");
        std::this_thread::sleep_for(kPollInterval);
    }
}

std::string read_from(const fs::path& path, size_t offset) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return "";
    in.seekg(static_cast<std::streamoff>(offset));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string NfsServer::unavailable_reason() {
    if (find_program("ganesha.nfsd").empty()) {
        return "nfs-ganesha is not installed (apt-get install nfs-ganesha nfs-ganesha-vfs rpcbind)";
    }
    if (::geteuid() != 0)
        return "nfs-ganesha's VFS backend needs root";
    return "";
}

NfsServer::NfsServer(NfsServerOptions options) : options_(options) {
    std::string tmpl = (fs::temp_directory_path() / "tsh-nfs-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    export_dir_ = dir_ / "export";
    fs::create_directories(export_dir_);
    fs::create_directories(dir_ / "recov");
    if (options_.export_owner) {
        if (::chown(export_dir_.c_str(), *options_.export_owner, *options_.export_owner) != 0) {
            throw std::runtime_error("cannot chown the export directory");
        }
    }
    ensure_rpcbind();
    // A port taken between free_port() and ganesha's bind makes it exit: retry.
    for (int attempt = 0;; ++attempt) {
        nfs_port_ = free_port();
        mount_port_ = free_port();
        try {
            start();
            return;
        } catch (const std::exception&) {
            if (attempt == 2)
                throw;
        }
    }
}

NfsServer::~NfsServer() {
    try {
        stop();
    } catch (...) {
        // The server is killed in stop() at the latest; nothing else to do.
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

void NfsServer::write_config() const {
    std::ofstream conf(dir_ / "ganesha.conf");
    conf << "NFS_CORE_PARAM { Bind_Addr = 127.0.0.1; NFS_Port = " << nfs_port_
         << "; MNT_Port = " << mount_port_
         << "; Protocols = 3,4; Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false;"
            " mount_path_pseudo = true; }\n"
         << "NFSV4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = "
         << (dir_ / "recov").string()
         << "; Allow_Numeric_Owners = true; Only_Numeric_Owners = true; }\n"
         << "EXPORT { Export_Id = 1; Path = " << export_dir_.string()
         << "; Pseudo = " << kExportPath
         << "; Protocols = 3,4; Transports = TCP; Access_Type = RW; Squash = "
         << (options_.root_squash ? "Root_Squash" : "No_Root_Squash")
         << (options_.revalidate_attributes ? "; Attr_Expiration_Time = 0" : "")
         << "; SecType = sys; FSAL { Name = VFS; } }\n"
         << "LOG { Default_Log_Level = EVENT; }\n";
}

void NfsServer::start() {
    if (pid_ > 0)
        return;
    write_config();
    const fs::path log = dir_ / "ganesha.log";
    const size_t offset = fs::exists(log) ? fs::file_size(log) : 0;
    pid_ = spawn({find_program("ganesha.nfsd"), "-F", "-f", (dir_ / "ganesha.conf").string(), "-L",
                  log.string(), "-p", (dir_ / "ganesha.pid").string()},
                 dir_ / "ganesha.out");
    wait_ready(offset);
}

void NfsServer::wait_ready(size_t log_offset) {
    const fs::path log = dir_ / "ganesha.log";
    const auto deadline = Clock::now() + kStartDeadline;
    // Bounded by the deadline; each pass rereads only what the log gained.
    while (Clock::now() < deadline) {
        if (read_from(log, log_offset).find("NFS SERVER INITIALIZED") != std::string::npos) {
            return;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            const std::string tail = read_from(log, log_offset);
            throw std::runtime_error("ganesha exited during start-up:\n" +
                                     tail.substr(tail.size() > 2000 ? tail.size() - 2000 : 0));
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    stop();
    throw std::runtime_error("ganesha did not report NFS SERVER INITIALIZED within 20 s");
}

void NfsServer::stop() {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopDeadline;
    int status = 0;
    // Bounded: SIGKILL after the deadline, and waitpid then returns.
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    pid_ = -1;
}

void NfsServer::restart() {
    stop();
    start();
}

std::string NfsServer::plugin_config(int version, const std::string& extra_json) const {
    std::string json = R"({"server":"127.0.0.1","path":")" + std::string(kExportPath) +
                       R"(","port":)" + std::to_string(nfs_port_) + R"(,"mountPort":)" +
                       std::to_string(mount_port_) + R"(,"version":)" + std::to_string(version);
    if (!extra_json.empty())
        json += "," + extra_json;
    return json + "}";
}

std::string NfsServer::storage_yaml(const std::string& indent) const {
    return indent + "storageType: nfs\n" + indent + "server: 127.0.0.1\n" + indent +
           "path: " + kExportPath + "\n" + indent + "port: " + std::to_string(nfs_port_) + "\n" +
           indent + "mountPort: " + std::to_string(mount_port_) + "\n" + indent + "version: 3\n";
}

}  // namespace tshost::test
