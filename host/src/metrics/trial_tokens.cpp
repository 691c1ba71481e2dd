#include "metrics/trial_tokens.hpp"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tshost::metrics {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what, int err = 0) {
    std::string message = "metrics key " + path.string() + ": " + what;
    if (err != 0) {
        message += ": ";
        message += std::strerror(err);
    }
    throw std::runtime_error(message);
}

// Closes a descriptor on every path out, including exceptions.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

std::string octal_mode(mode_t mode) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04o", static_cast<unsigned>(mode & 07777));
    return buffer;
}

std::string read_key(const fs::path& path, int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        fail(path, "cannot stat", errno);
    }
    if (!S_ISREG(st.st_mode)) {
        fail(path, "is not a regular file");
    }
    // Anyone who can read the key can mint every trial's token; a key others could have
    // written might be one they know. Refuse rather than silently chmod: the user should
    // learn that the file was exposed.
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        fail(path, "has mode " + octal_mode(st.st_mode) +
                       ", so group or others can access it; it must be private to its owner "
                       "(chmod 600 " +
                       path.string() +
                       "), and since it may have been read, "
                       "consider deleting it so that a new key is made");
    }
    if (st.st_size != static_cast<off_t>(TrialTokens::kKeyBytes)) {
        fail(path, "is " + std::to_string(st.st_size) + " bytes, expected " +
                       std::to_string(TrialTokens::kKeyBytes));
    }
    std::string key(TrialTokens::kKeyBytes, '\0');
    size_t got = 0;
    while (got < key.size()) {
        const ssize_t n = ::read(fd, key.data() + got, key.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail(path, "cannot read", n < 0 ? errno : 0);
        }
        got += static_cast<size_t>(n);
    }
    return key;
}

void write_all(const fs::path& path, int fd, const unsigned char* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(path, "cannot write", errno);
        }
        done += static_cast<size_t>(n);
    }
}

// Writes a fresh key to a private temporary file and links it into place. link() never
// replaces an existing file, so when two processes race, both end up using the one key
// that won (a rename would let the loser overwrite the key the winner already uses).
void create_key(const fs::path& path) {
    std::array<unsigned char, TrialTokens::kKeyBytes> key{};
    std::array<unsigned char, 8> suffix{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1 ||
        RAND_bytes(suffix.data(), static_cast<int>(suffix.size())) != 1) {
        fail(path, "OpenSSL could not generate random bytes");
    }
    std::string temp = path.string() + ".tmp-";
    for (const unsigned char byte : suffix) {
        static constexpr char kHex[] = "0123456789abcdef";
        temp += kHex[byte >> 4];
        temp += kHex[byte & 0xf];
    }
    {
        Fd out{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
        if (out.fd < 0) {
            OPENSSL_cleanse(key.data(), key.size());
            fail(path, "cannot create " + temp, errno);
        }
        try {
            // The umask can only remove bits, but be explicit: the mode is the point.
            if (::fchmod(out.fd, 0600) != 0) {
                fail(path, "cannot chmod " + temp, errno);
            }
            write_all(path, out.fd, key.data(), key.size());
            if (::fsync(out.fd) != 0) {
                fail(path, "cannot fsync " + temp, errno);
            }
        } catch (...) {
            OPENSSL_cleanse(key.data(), key.size());
            ::unlink(temp.c_str());
            throw;
        }
    }
    OPENSSL_cleanse(key.data(), key.size());
    const int linked = ::link(temp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0 && link_errno != EEXIST) {
        fail(path, "cannot create", link_errno);
    }
    // Make the new directory entry durable, so a crash cannot lose the key while trials
    // already hold tokens derived from it.
    const auto dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    Fd dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir_fd.fd >= 0) {
        ::fsync(dir_fd.fd);
    }
}

}  // namespace

struct TrialTokens::Impl {
    std::array<unsigned char, kKeyBytes> key{};
    EVP_MAC* mac = nullptr;
    // Initialised with the key once; each token duplicates it, which is much cheaper than
    // fetching the algorithm and setting the key for every request.
    EVP_MAC_CTX* keyed = nullptr;

    explicit Impl(std::string_view key_bytes) {
        std::memcpy(key.data(), key_bytes.data(), kKeyBytes);
        mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        keyed = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
        char digest[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end()};
        if (keyed == nullptr || EVP_MAC_init(keyed, key.data(), key.size(), params) != 1) {
            release();
            throw std::runtime_error("metrics tokens: OpenSSL cannot initialise HMAC-SHA256");
        }
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { release(); }

    void release() {
        OPENSSL_cleanse(key.data(), key.size());
        EVP_MAC_CTX_free(keyed);
        EVP_MAC_free(mac);
        keyed = nullptr;
        mac = nullptr;
    }

    // Writes the 64 hex characters of the MAC into `out`.
    void mac_hex(std::string_view trial_id, int64_t attempt, char* out) const {
        std::string message;
        message.reserve(trial_id.size() + 24);
        message.append(trial_id);
        message += '\n';
        message += std::to_string(attempt);
        using Ctx = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;
        Ctx ctx(EVP_MAC_CTX_dup(keyed), &EVP_MAC_CTX_free);
        unsigned char md[EVP_MAX_MD_SIZE];
        size_t len = 0;
        if (!ctx ||
            EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) != 1 ||
            EVP_MAC_final(ctx.get(), md, &len, sizeof md) != 1 || len != kTokenChars / 2) {
            throw std::runtime_error("metrics tokens: OpenSSL failed to compute HMAC-SHA256");
        }
        static constexpr char kHex[] = "0123456789abcdef";
        for (size_t i = 0; i < len; ++i) {
            out[2 * i] = kHex[md[i] >> 4];
            out[2 * i + 1] = kHex[md[i] & 0xf];
        }
        OPENSSL_cleanse(md, sizeof md);
    }
};

TrialTokens::TrialTokens(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrialTokens::TrialTokens(TrialTokens&&) noexcept = default;
TrialTokens& TrialTokens::operator=(TrialTokens&&) noexcept = default;
TrialTokens::~TrialTokens() = default;

TrialTokens TrialTokens::from_key(std::string_view key_bytes) {
    if (key_bytes.size() != kKeyBytes) {
        throw std::invalid_argument("metrics tokens: the key must be " + std::to_string(kKeyBytes) +
                                    " bytes");
    }
    return TrialTokens(std::make_unique<Impl>(key_bytes));
}

TrialTokens TrialTokens::load_or_create(const fs::path& key_path) {
    // Two rounds: the file may appear (another process) between a failed open and create.
    for (int round = 0; round < 2; ++round) {
        Fd in{::open(key_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
        if (in.fd >= 0) {
            std::string key = read_key(key_path, in.fd);
            auto tokens = from_key(key);
            OPENSSL_cleanse(key.data(), key.size());
            return tokens;
        }
        if (errno != ENOENT) {
            fail(key_path, "cannot open", errno);
        }
        create_key(key_path);
    }
    fail(key_path, "was created but cannot be opened");
}

std::string TrialTokens::token(std::string_view trial_id, int64_t attempt) const {
    std::string out(kTokenChars, '\0');
    impl_->mac_hex(trial_id, attempt, out.data());
    return out;
}

bool TrialTokens::verify(std::string_view trial_id, int64_t attempt,
                         std::string_view presented) const {
    if (presented.size() != kTokenChars) {
        return false;  // the length of a token is public; only its content is secret
    }
    char expected[kTokenChars];
    impl_->mac_hex(trial_id, attempt, expected);
    const bool same = CRYPTO_memcmp(expected, presented.data(), kTokenChars) == 0;
    OPENSSL_cleanse(expected, sizeof expected);
    return same;
}

}  // namespace tshost::metrics
