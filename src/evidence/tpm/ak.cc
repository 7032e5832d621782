#include "evidence/tpm/ak.h"

#include <string_view>

#include "crypto/digest.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"

namespace vouch::tpm {

Result<Ak> ak_from_public(Public pub) {
  VOUCH_TRY(crypto::PublicKey key, to_public_key(pub));
  return Ak{std::move(key), std::move(pub)};
}

Result<Ak> load_ak(ByteSpan data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
  auto as_malformed = [](Error e) {
    e.kind = ErrorKind::kMalformedEvidence;
    return e;
  };
  if (text.find("-----BEGIN") != std::string_view::npos) {
    VOUCH_TRY(crypto::PublicKey key, crypto::PublicKey::from_pem(text).map_error(as_malformed));
    return Ak{std::move(key), std::nullopt};
  }
  if (data.size() >= 2) {
    const std::size_t prefix = (std::size_t{data[0]} << 8) | data[1];
    if (prefix == data.size() - 2) {
      VOUCH_TRY(Public pub, parse_public_2b(data));
      return ak_from_public(std::move(pub));
    }
    if (prefix == alg::kRsa || prefix == alg::kEcc) {
      VOUCH_TRY(Public pub, parse_public(data));
      return ak_from_public(std::move(pub));
    }
    if (data[0] == 0x30) {
      VOUCH_TRY(crypto::PublicKey key, crypto::PublicKey::from_der(data).map_error(as_malformed));
      return Ak{std::move(key), std::nullopt};
    }
  }
  return malformed(checks::kAkParse,
                   "the AK is not a TPMT_PUBLIC, TPM2B_PUBLIC, or PEM/DER public key (" +
                       std::to_string(data.size()) + " bytes)");
}

Result<Bytes> registration_name(const Ak& ak) {
  return crypto::digest(crypto::HashAlg::kSha256, ak.key.spki_der());
}

}  // namespace vouch::tpm
