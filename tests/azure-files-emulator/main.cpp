// azure-files-emulator: a local Azure Files REST endpoint for tests.
//
//   azure-files-emulator --root DIR --account NAME --key BASE64 [--port N]
//                        [--port-file PATH] [--page-size N]
//                        [--fail-next N --fail-status S]
//
// Prints the port it listens on (one line) to stdout once it accepts connections,
// and also writes it to --port-file (written whole, then renamed into place).
// The service URL is http://127.0.0.1:PORT/<account>.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "auth.hpp"
#include "file_service.hpp"
#include "http_server.hpp"

namespace {

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "azure-files-emulator: " << problem
              << "\nusage: azure-files-emulator --root DIR --account NAME --key BASE64 "
                 "[--port N] [--port-file PATH] [--page-size N] [--fail-next N --fail-status S]\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    for (int i = 1; i < argc; i += 2) {
        const std::string name = argv[i];
        if (!name.starts_with("--") || i + 1 >= argc) {
            usage("bad argument '" + name + "'");
        }
        flags[name.substr(2)] = argv[i + 1];
    }
    for (const char* required : {"root", "account", "key"}) {
        if (!flags.contains(required)) {
            usage(std::string("--") + required + " is required");
        }
    }
    try {
        azemu::ServiceOptions options;
        options.root = flags["root"];
        options.account = flags["account"];
        options.key = azemu::unbase64(flags["key"]);
        if (options.key.empty()) {
            usage("--key must be base64");
        }
        if (flags.contains("page-size")) {
            options.page_size = std::stoul(flags["page-size"]);
        }
        azemu::FileService service(options);
        if (flags.contains("fail-next")) {
            azemu::HttpRequest control{
                azemu::http::verb::post,
                "/_control/faults?count=" + flags["fail-next"] +
                    "&status=" + (flags.contains("fail-status") ? flags["fail-status"] : "503") +
                    "&retryAfter=1",
                11};
            service.handle(control);
        }
        azemu::HttpServer server(
            static_cast<unsigned short>(std::stoul(flags.contains("port") ? flags["port"] : "0")));
        const std::string port = std::to_string(server.port());
        if (flags.contains("port-file")) {
            const std::string tmp = flags["port-file"] + ".tmp";
            std::ofstream(tmp) << port << "\n";
            std::filesystem::rename(tmp, flags["port-file"]);
        }
        std::cout << port << std::endl;
        server.run([&](const azemu::HttpRequest& req) { return service.handle(req); });
    } catch (const std::exception& e) {
        std::cerr << "azure-files-emulator: " << e.what() << "\n";
        return 1;
    }
}
