#include "process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace local_platform {

void signal_group(pid_t pgid, int sig) noexcept {
    if (pgid > 1) {  // never -1 or -0: those mean "every process" and "my own group"
        ::kill(-pgid, sig);
    }
}

namespace {

struct ProcEntry {
    pid_t pid = 0;
    pid_t parent = 0;
    pid_t group = 0;
    pid_t session = 0;
    bool live = false;  // not a zombie
};

// Every process /proc shows, from /proc/<pid>/stat: "pid (comm) state ppid pgrp
// session ..."; comm may hold spaces and parentheses, so the fields start after the
// last ')'. Processes that vanish while being read are skipped.
std::vector<ProcEntry> read_proc_table() {
    std::vector<ProcEntry> table;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::ifstream in(it->path() / "stat");
        std::string stat;
        std::getline(in, stat);
        const size_t close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream fields(stat.substr(close + 1));
        char state = 0;
        long parent = 0;
        long group = 0;
        long session = 0;
        fields >> state >> parent >> group >> session;
        if (!fields) {
            continue;
        }
        table.push_back(ProcEntry{static_cast<pid_t>(std::stol(name)), static_cast<pid_t>(parent),
                                  static_cast<pid_t>(group), static_cast<pid_t>(session),
                                  state != 'Z' && state != 'X'});
    }
    return table;
}

}  // namespace

bool group_alive(pid_t pgid) {
    if (pgid <= 1 || (::kill(-pgid, 0) != 0 && errno == ESRCH)) {
        return false;  // the common case after a kill: nothing left at all
    }
    const std::vector<ProcEntry> table = read_proc_table();
    return std::any_of(table.begin(), table.end(),
                       [pgid](const ProcEntry& p) { return p.group == pgid && p.live; });
}

std::vector<GroupId> trial_tree_groups(pid_t leader, const std::vector<GroupId>& known) {
    if (leader <= 1) {
        return known;
    }
    const std::vector<ProcEntry> table = read_proc_table();
    // Roots: the leader and everything still in its group or session. The leader
    // itself may be gone (the wrapper shell dies of the SIGTERM), which reparents
    // the agent to init, so parent links alone would lose the agent's command.
    std::set<pid_t> tree{leader};
    for (const ProcEntry& p : table) {
        if (p.group == leader || p.session == leader) {
            tree.insert(p.pid);
        }
    }
    // Their descendants by parent links, to a fixed point (the table is not ordered).
    for (bool grew = true; grew;) {
        grew = false;
        for (const ProcEntry& p : table) {
            if (tree.count(p.parent) > 0 && tree.insert(p.pid).second) {
                grew = true;
            }
        }
    }
    std::set<GroupId> groups(known.begin(), known.end());
    groups.insert(GroupId{leader, leader});  // setsid: the leader leads its own session
    for (const ProcEntry& p : table) {
        if (p.live && tree.count(p.pid) > 0) {
            groups.insert(GroupId{p.group, p.session});
        }
    }
    return {groups.begin(), groups.end()};
}

void signal_groups(const std::vector<GroupId>& groups, int sig) {
    if (groups.empty()) {
        return;
    }
    const std::vector<ProcEntry> table = read_proc_table();
    const pid_t own_group = ::getpgrp();
    for (const GroupId& g : groups) {
        const bool present = std::any_of(table.begin(), table.end(), [&g](const ProcEntry& p) {
            return p.group == g.group && p.session == g.session;
        });
        if (present && g.group != own_group) {
            signal_group(g.group, sig);
        }
    }
}

bool any_group_alive(const std::vector<GroupId>& groups) {
    if (groups.empty()) {
        return false;
    }
    const std::vector<ProcEntry> table = read_proc_table();
    return std::any_of(table.begin(), table.end(), [&groups](const ProcEntry& p) {
        return p.live && std::any_of(groups.begin(), groups.end(), [&p](const GroupId& g) {
                   return p.group == g.group && p.session == g.session;
               });
    });
}

bool is_trial_wrapper(pid_t pid, const std::filesystem::path& nni_dir) {
    if (pid <= 1) {
        return false;
    }
    // A zombie's cmdline is empty, so this also rejects ended-but-unreaped wrappers.
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::string last_arg = std::string(1, '\0') + nni_dir.string() + std::string(1, '\0');
    return cmdline.ends_with(last_arg);
}

std::optional<ExitStatus> try_reap(pid_t pid) noexcept {
    int status = 0;
    pid_t result = 0;
    do {
        result = ::waitpid(pid, &status, WNOHANG);
    } while (result < 0 && errno == EINTR);
    if (result == 0) {
        return std::nullopt;
    }
    if (result < 0) {
        return ExitStatus{};
    }
    if (WIFSIGNALED(status)) {
        return ExitStatus{128 + WTERMSIG(status), WTERMSIG(status)};
    }
    return ExitStatus{WEXITSTATUS(status), 0};
}

}  // namespace local_platform
