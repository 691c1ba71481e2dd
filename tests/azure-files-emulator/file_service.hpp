// The File service operations the azure-file plugin uses, over a local directory
// (<root>/<share>/<path>), with Azure's status codes and error codes.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "faults.hpp"
#include "request.hpp"

namespace azemu {

struct ServiceOptions {
    std::filesystem::path root;
    std::string account = "devaccount";
    std::string key;          // decoded account key
    size_t page_size = 5000;  // List Directories and Files entries per page
};

class FileService {
  public:
    explicit FileService(ServiceOptions options);
    FileService(const FileService&) = delete;
    FileService& operator=(const FileService&) = delete;

    /// Thread-safe. std::nullopt means: close the connection without answering.
    std::optional<HttpResponse> handle(const HttpRequest& req);

  private:
    HttpResponse dispatch(const HttpRequest& req);

    ServiceOptions options_;
    std::mutex mutex_;
    Faults faults_;
};

}  // namespace azemu
