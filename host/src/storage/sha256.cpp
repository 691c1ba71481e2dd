#include "storage/sha256.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace tshost::storage {
namespace {

using Digest = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Digest start() {
    Digest ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("sha256: OpenSSL cannot initialise a digest");
    }
    return ctx;
}

std::string finish(EVP_MD_CTX* ctx) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
        throw std::runtime_error("sha256: OpenSSL failed to finish the digest");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 0xF];
    }
    return hex;
}

}  // namespace

std::string sha256_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    Digest ctx = start();
    std::vector<char> buf(size_t{1} << 16);
    // Bounded by the file's size: each pass consumes bytes until EOF.
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<size_t>(in.gcount());
        if (n > 0 && EVP_DigestUpdate(ctx.get(), buf.data(), n) != 1) {
            throw std::runtime_error("sha256: digest update failed");
        }
    }
    if (in.bad()) {
        throw std::runtime_error("error reading " + path.string());
    }
    return finish(ctx.get());
}

std::string sha256_bytes(std::string_view bytes) {
    Digest ctx = start();
    if (EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) {
        throw std::runtime_error("sha256: digest update failed");
    }
    return finish(ctx.get());
}

}  // namespace tshost::storage
