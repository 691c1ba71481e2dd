#include "kubeconfig.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common.hpp"

namespace kemu {

void write_kubeconfig(const std::string& path, const KubeconfigData& d) {
    std::string cluster = "    server: " + d.server + "\n";
    std::string user;
    if (!d.ca_pem.empty()) {
        cluster += "    certificate-authority-data: " + base64_encode(d.ca_pem) + "\n";
    }
    if (!d.client_cert_pem.empty()) {
        user += "    client-certificate-data: " + base64_encode(d.client_cert_pem) + "\n";
        user += "    client-key-data: " + base64_encode(d.client_key_pem) + "\n";
    } else {
        user += "    token: " + d.token + "\n";
    }
    const std::string text =
        "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-emulator\n  cluster:\n" + cluster +
        "contexts:\n- name: kube-emulator\n  context:\n    cluster: kube-emulator\n"
        "    user: kube-emulator\n    namespace: default\n"
        "current-context: kube-emulator\nusers:\n- name: kube-emulator\n  user:\n" +
        user + "preferences: {}\n";
    const std::filesystem::path target(path);
    if (target.has_parent_path()) {
        std::filesystem::create_directories(target.parent_path());
    }
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + tmp);
        }
    }
    std::filesystem::permissions(
        tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        throw std::runtime_error("cannot rename " + tmp + " to " + path);
    }
}

}  // namespace kemu
