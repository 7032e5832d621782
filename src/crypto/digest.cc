#include "crypto/digest.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>

#include "crypto/internal.h"
#include "crypto/ossl.h"

namespace vouch::crypto {
namespace internal {

const EVP_MD* evp_md(HashAlg alg) noexcept {
  // Explicit fetches once: OpenSSL 3's implicit fetch in EVP_DigestInit costs on every call.
  static const std::array<EVP_MD*, 5> kFetched = [] {
    std::array<EVP_MD*, 5> mds{};
    mds[0] = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    mds[1] = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    mds[2] = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    mds[3] = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    mds[4] = EVP_MD_fetch(nullptr, "SM3", nullptr);
    return mds;
  }();
  const EVP_MD* md = kFetched[static_cast<std::size_t>(alg)];
  if (md == nullptr) {
    std::abort();  // invariant: the default provider offers every digest we list
  }
  return md;
}

}  // namespace internal

std::string_view hash_name(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::kSha1:
      return "sha1";
    case HashAlg::kSha256:
      return "sha256";
    case HashAlg::kSha384:
      return "sha384";
    case HashAlg::kSha512:
      return "sha512";
    case HashAlg::kSm3:
      return "sm3_256";
  }
  return "unknown";
}

std::optional<HashAlg> hash_from_name(std::string_view name) noexcept {
  std::string n;
  for (char c : name) {
    if (c != '-' && c != '_') {
      n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (n == "sha1") {
    return HashAlg::kSha1;
  }
  if (n == "sha256") {
    return HashAlg::kSha256;
  }
  if (n == "sha384") {
    return HashAlg::kSha384;
  }
  if (n == "sha512") {
    return HashAlg::kSha512;
  }
  if (n == "sm3" || n == "sm3256") {
    return HashAlg::kSm3;
  }
  return std::nullopt;
}

std::size_t digest_size(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::kSha1:
      return 20;
    case HashAlg::kSha256:
    case HashAlg::kSm3:
      return 32;
    case HashAlg::kSha384:
      return 48;
    case HashAlg::kSha512:
      return 64;
  }
  return 0;
}

Bytes digest(HashAlg alg, ByteSpan data) {
  Bytes out(digest_size(alg));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, internal::evp_md(alg), nullptr) != 1 ||
      len != out.size()) {
    std::abort();  // digests over memory do not fail
  }
  return out;
}

struct Hasher::State {
  ossl::Ptr<EVP_MD_CTX> ctx;
  HashAlg alg;
};

Hasher::Hasher(HashAlg alg)
    : state_(std::make_unique<State>(State{ossl::Ptr<EVP_MD_CTX>(EVP_MD_CTX_new()), alg})) {
  if (!state_->ctx || EVP_DigestInit_ex(state_->ctx.get(), internal::evp_md(alg), nullptr) != 1) {
    std::abort();
  }
}

Hasher::~Hasher() = default;

Hasher& Hasher::update(ByteSpan data) {
  if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) {
    std::abort();
  }
  return *this;
}

Bytes Hasher::finish() {
  Bytes out(digest_size(state_->alg));
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    std::abort();
  }
  return out;
}

}  // namespace vouch::crypto
