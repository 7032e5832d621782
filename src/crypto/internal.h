#pragma once

// Crypto-module internals shared between its .cc files; not part of the public interface.

#include <openssl/evp.h>

#include "crypto/digest.h"

namespace vouch::crypto::internal {

// Returns the fetched EVP_MD for alg; fetched once per process and never freed.
const EVP_MD* evp_md(HashAlg alg) noexcept;

}  // namespace vouch::crypto::internal
