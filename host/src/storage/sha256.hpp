// SHA-256 of a local file (OpenSSL), hex-encoded: the name of a code blob.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tshost::storage {

/// Lower-case hex SHA-256 of the file's content; throws std::runtime_error.
std::string sha256_file(const std::filesystem::path& path);
/// Lower-case hex SHA-256 of bytes.
std::string sha256_bytes(std::string_view bytes);

}  // namespace tshost::storage
