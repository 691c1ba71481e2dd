#include "kube/watch_parser.hpp"

#include "tshost/kube/error.hpp"

namespace tshost::kube {

WatchEvent parseWatchEvent(std::string_view line) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string() || !j.contains("object") ||
        !j["object"].is_object()) {
        throw KubeError(0, "InvalidResponse", "watch stream: not a WatchEvent");
    }
    const auto& type = j["type"].get_ref<const std::string&>();
    WatchEvent event;
    if (type == "ADDED") {
        event.type = WatchEvent::Type::kAdded;
    } else if (type == "MODIFIED") {
        event.type = WatchEvent::Type::kModified;
    } else if (type == "DELETED") {
        event.type = WatchEvent::Type::kDeleted;
    } else if (type == "BOOKMARK") {
        event.type = WatchEvent::Type::kBookmark;
    } else if (type == "ERROR") {
        event.type = WatchEvent::Type::kError;
    } else {
        throw KubeError(0, "InvalidResponse", "watch stream: unknown event type " + type);
    }
    event.object = std::move(j["object"]);
    return event;
}

void WatchStreamParser::feed(std::string_view chunk, const Sink& sink) {
    // Scan only the new bytes for newlines; everything before them was already searched.
    std::size_t scanned = buffer_.size();
    buffer_.append(chunk);
    std::size_t start = 0;
    for (std::size_t nl = buffer_.find('\n', scanned); nl != std::string::npos;
         nl = buffer_.find('\n', start)) {
        std::string_view line(buffer_.data() + start, nl - start);
        start = nl + 1;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            continue;
        }
        sink(parseWatchEvent(line));
    }
    buffer_.erase(0, start);
    if (buffer_.size() > max_line_) {
        buffer_.clear();
        throw KubeError(0, "InvalidResponse", "watch stream: event larger than the limit");
    }
}

}  // namespace tshost::kube
