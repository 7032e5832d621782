#include "attester/esys.h"

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "attester/check_ids.h"

namespace vouch::attester {
namespace {

// TCG EK Credential Profile 2.0, B.3.3: PolicyA = PolicySecret(TPM_RH_ENDORSEMENT) (SHA-256).
constexpr std::uint8_t kEkPolicyA[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
    0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA};
constexpr TPM2_HANDLE kEkCertNvIndexRsa = 0x01c00002;
constexpr std::size_t kNvChunk = 512;  // below every TPM's TPM_PT_NV_BUFFER_MAX

// Frees what ESYS allocates for output parameters.
template <typename T>
struct EsysFree {
  void operator()(T* p) const noexcept { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFree<T>>;

Error tpm_error(CheckId check, std::string_view what, TSS2_RC rc) {
  return Error{ErrorKind::kUnavailable, check, std::string(what) + ": " + describe_rc(rc)};
}

std::optional<TPMI_ALG_HASH> tpm_hash(crypto::HashAlg h) {
  switch (h) {
    case crypto::HashAlg::kSha1:
      return TPM2_ALG_SHA1;
    case crypto::HashAlg::kSha256:
      return TPM2_ALG_SHA256;
    case crypto::HashAlg::kSha384:
      return TPM2_ALG_SHA384;
    case crypto::HashAlg::kSha512:
      return TPM2_ALG_SHA512;
    case crypto::HashAlg::kSm3:
      return TPM2_ALG_SM3_256;
  }
  return std::nullopt;
}

std::optional<crypto::HashAlg> hash_of(TPMI_ALG_HASH h) {
  switch (h) {
    case TPM2_ALG_SHA1:
      return crypto::HashAlg::kSha1;
    case TPM2_ALG_SHA256:
      return crypto::HashAlg::kSha256;
    case TPM2_ALG_SHA384:
      return crypto::HashAlg::kSha384;
    case TPM2_ALG_SHA512:
      return crypto::HashAlg::kSha512;
    case TPM2_ALG_SM3_256:
      return crypto::HashAlg::kSm3;
    default:
      return std::nullopt;
  }
}

Result<TPML_PCR_SELECTION> to_tpml(const std::vector<tpm::PcrSelection>& selection) {
  TPML_PCR_SELECTION out{};
  if (selection.empty() || selection.size() > TPM2_NUM_PCR_BANKS) {
    return fail(ErrorKind::kInvalidArgument, checks::kTpmPcrSelection,
                "select PCRs of 1.." + std::to_string(TPM2_NUM_PCR_BANKS) + " banks");
  }
  for (const auto& s : selection) {
    auto alg = tpm_hash(s.bank);
    if (!alg) {
      return fail(ErrorKind::kInvalidArgument, checks::kTpmPcrSelection, "unsupported PCR bank");
    }
    TPMS_PCR_SELECTION& t = out.pcrSelections[out.count++];
    t.hash = *alg;
    t.sizeofSelect = 3;
    for (std::uint32_t pcr : s.pcrs) {
      if (pcr >= 24) {
        return fail(ErrorKind::kInvalidArgument, checks::kTpmPcrSelection,
                    "PCR index " + std::to_string(pcr) + " is over 23");
      }
      t.pcrSelect[pcr / 8] = static_cast<std::uint8_t>(t.pcrSelect[pcr / 8] | (1U << (pcr % 8)));
    }
  }
  return out;
}

// Marshals a tss2 structure with its tss2-mu function.
template <typename T, typename F>
Result<Bytes> marshal(const T& value, F fn, std::string_view what) {
  Bytes buf(sizeof(T) + 16);
  std::size_t offset = 0;
  const TSS2_RC rc = fn(&value, buf.data(), buf.size(), &offset);
  if (rc != TSS2_RC_SUCCESS) {
    return fail(tpm_error(checks::kTpmMarshal, std::string("marshal ") + std::string(what), rc));
  }
  buf.resize(offset);
  return buf;
}

TPM2B_PUBLIC ek_template() {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.type = TPM2_ALG_RSA;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  p.authPolicy.size = sizeof kEkPolicyA;
  std::memcpy(p.authPolicy.buffer, kEkPolicyA, sizeof kEkPolicyA);
  p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
  p.parameters.rsaDetail.symmetric.keyBits.aes = 128;
  p.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
  p.parameters.rsaDetail.keyBits = 2048;
  p.parameters.rsaDetail.exponent = 0;
  p.unique.rsa.size = 256;  // template L-1: 256 zero bytes
  return t;
}

TPM2B_PUBLIC ak_template(AkAlgorithm alg) {
  TPM2B_PUBLIC t{};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                       TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
  if (alg == AkAlgorithm::kRsa2048) {
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    p.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.rsaDetail.keyBits = 2048;
    p.parameters.rsaDetail.exponent = 0;
  } else {
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  }
  return t;
}

}  // namespace

std::string describe_rc(std::uint32_t rc) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", rc);
  const char* text = Tss2_RC_Decode(rc);
  return std::string(hex) + " (" + (text != nullptr ? text : "unknown") + ")";
}

Result<std::string> tcti_config(std::string_view tcti) {
  if (tcti == "device") {
    return std::string("device:/dev/tpmrm0");
  }
  for (std::string_view prefix : {"device:", "swtpm:", "mssim:"}) {
    if (tcti.substr(0, prefix.size()) == prefix) {
      if (tcti.find('\0') != std::string_view::npos) {
        break;
      }
      return std::string(tcti);
    }
  }
  if (tcti == "swtpm" || tcti == "mssim") {
    return std::string(tcti);  // the TCTI's defaults (localhost:2321)
  }
  return fail(ErrorKind::kInvalidArgument, checks::kTpmTcti,
              "unsupported TCTI '" + std::string(tcti) +
                  "': use swtpm:host=H,port=P, mssim:host=H,port=P, device or device:PATH");
}

struct EsysTpm::Impl {
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  ESYS_CONTEXT* esys = nullptr;
  ESYS_TR ek = ESYS_TR_NONE;
  ESYS_TR ak = ESYS_TR_NONE;
  Bytes ek_public;
  Bytes ak_public;

  ~Impl() {
    if (esys != nullptr) {
      for (ESYS_TR h : {ak, ek}) {
        if (h != ESYS_TR_NONE) {
          (void)Esys_FlushContext(esys, h);
        }
      }
      Esys_Finalize(&esys);
    }
    if (tcti != nullptr) {
      Tss2_TctiLdr_Finalize(&tcti);
    }
  }

  // A policy session satisfying the EK's PolicyA, flushed when it goes out of scope.
  class PolicySession {
   public:
    explicit PolicySession(ESYS_CONTEXT* esys) : esys_(esys) {}
    ~PolicySession() {
      if (handle_ != ESYS_TR_NONE) {
        (void)Esys_FlushContext(esys_, handle_);
      }
    }
    PolicySession(const PolicySession&) = delete;
    PolicySession& operator=(const PolicySession&) = delete;
    Status start() {
      const TPMT_SYM_DEF sym{.algorithm = TPM2_ALG_NULL, .keyBits = {}, .mode = {}};
      TSS2_RC rc = Esys_StartAuthSession(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                         ESYS_TR_NONE, ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &sym,
                                         TPM2_ALG_SHA256, &handle_);
      if (rc != TSS2_RC_SUCCESS) {
        handle_ = ESYS_TR_NONE;
        return fail(tpm_error(checks::kTpmSession, "StartAuthSession", rc));
      }
      rc = Esys_PolicySecret(esys_, ESYS_TR_RH_ENDORSEMENT, handle_, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                             ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, nullptr, nullptr);
      if (rc != TSS2_RC_SUCCESS) {
        return fail(tpm_error(checks::kTpmSession, "PolicySecret(TPM_RH_ENDORSEMENT)", rc));
      }
      return ok();
    }
    ESYS_TR handle() const noexcept { return handle_; }

   private:
    ESYS_CONTEXT* esys_;
    ESYS_TR handle_ = ESYS_TR_NONE;
  };

  Status create_ek() {
    const TPM2B_PUBLIC tmpl = ek_template();
    const TPM2B_SENSITIVE_CREATE sensitive{};
    const TPM2B_DATA outside{};
    const TPML_PCR_SELECTION creation_pcr{};
    TPM2B_PUBLIC* out_public = nullptr;
    const TSS2_RC rc = Esys_CreatePrimary(
        esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive,
        &tmpl, &outside, &creation_pcr, &ek, &out_public, nullptr, nullptr, nullptr);
    EsysPtr<TPM2B_PUBLIC> pub(out_public);
    if (rc != TSS2_RC_SUCCESS) {
      ek = ESYS_TR_NONE;
      return fail(tpm_error(checks::kTpmEk, "CreatePrimary(EK, RSA-2048 template L-1)", rc));
    }
    VOUCH_TRY(ek_public, marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal, "EK public"));
    return ok();
  }

  Status create_ak(AkAlgorithm alg) {
    const TPM2B_PUBLIC tmpl = ak_template(alg);
    const TPM2B_SENSITIVE_CREATE sensitive{};
    const TPM2B_DATA outside{};
    const TPML_PCR_SELECTION creation_pcr{};
    TPM2B_PRIVATE* out_private = nullptr;
    TPM2B_PUBLIC* out_public = nullptr;
    {
      PolicySession session(esys);
      VOUCH_RETURN_IF_ERROR(session.start());
      const TSS2_RC rc = Esys_Create(esys, ek, session.handle(), ESYS_TR_NONE, ESYS_TR_NONE,
                                     &sensitive, &tmpl, &outside, &creation_pcr, &out_private,
                                     &out_public, nullptr, nullptr, nullptr);
      if (rc != TSS2_RC_SUCCESS) {
        return fail(tpm_error(checks::kTpmAk, "Create(AK under the EK)", rc));
      }
    }
    EsysPtr<TPM2B_PRIVATE> priv(out_private);
    EsysPtr<TPM2B_PUBLIC> pub(out_public);
    PolicySession session(esys);
    VOUCH_RETURN_IF_ERROR(session.start());
    const TSS2_RC rc = Esys_Load(esys, ek, session.handle(), ESYS_TR_NONE, ESYS_TR_NONE, priv.get(),
                                 pub.get(), &ak);
    if (rc != TSS2_RC_SUCCESS) {
      ak = ESYS_TR_NONE;
      return fail(tpm_error(checks::kTpmAk, "Load(AK)", rc));
    }
    VOUCH_TRY(ak_public, marshal(*pub, Tss2_MU_TPM2B_PUBLIC_Marshal, "AK public"));
    return ok();
  }

  // The RSA EK certificate from NV, or nullopt when the index is not defined.
  Result<std::optional<Bytes>> read_ek_certificate() {
    ESYS_TR nv = ESYS_TR_NONE;
    TSS2_RC rc = Esys_TR_FromTPMPublic(esys, kEkCertNvIndexRsa, ESYS_TR_NONE, ESYS_TR_NONE,
                                       ESYS_TR_NONE, &nv);
    if (rc != TSS2_RC_SUCCESS) {
      // TPM_RC_HANDLE: no such index, i.e. no certificate provisioned.
      if ((rc & 0xFFFF & ~TPM2_RC_N_MASK) == TPM2_RC_HANDLE ||
          (rc & 0xFFFF) == (TPM2_RC_HANDLE | TPM2_RC_1)) {
        return std::optional<Bytes>();
      }
      return fail(tpm_error(checks::kTpmEkCert, "NV index 0x01c00002", rc));
    }
    struct Closer {
      ESYS_CONTEXT* e;
      ESYS_TR h;
      ~Closer() { (void)Esys_TR_Close(e, &h); }
    } closer{esys, nv};
    TPM2B_NV_PUBLIC* nv_public_raw = nullptr;
    rc = Esys_NV_ReadPublic(esys, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv_public_raw,
                            nullptr);
    EsysPtr<TPM2B_NV_PUBLIC> nv_public(nv_public_raw);
    if (rc != TSS2_RC_SUCCESS) {
      return fail(tpm_error(checks::kTpmEkCert, "NV_ReadPublic(0x01c00002)", rc));
    }
    const std::size_t size = nv_public->nvPublic.dataSize;
    Bytes cert;
    cert.reserve(size);
    while (cert.size() < size) {
      const auto chunk = static_cast<UINT16>(std::min(kNvChunk, size - cert.size()));
      TPM2B_MAX_NV_BUFFER* data_raw = nullptr;
      rc = Esys_NV_Read(esys, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, chunk,
                        static_cast<UINT16>(cert.size()), &data_raw);
      EsysPtr<TPM2B_MAX_NV_BUFFER> data(data_raw);
      if (rc != TSS2_RC_SUCCESS) {
        return fail(tpm_error(checks::kTpmEkCert, "NV_Read(0x01c00002)", rc));
      }
      if (data->size == 0) {
        break;
      }
      cert.insert(cert.end(), data->buffer, data->buffer + data->size);
    }
    return std::optional<Bytes>(std::move(cert));
  }
};

EsysTpm::EsysTpm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EsysTpm::~EsysTpm() = default;

Result<std::unique_ptr<EsysTpm>> EsysTpm::open(std::string_view tcti, AkAlgorithm ak) {
  VOUCH_TRY(const std::string conf, tcti_config(tcti));
  auto impl = std::make_unique<Impl>();
  TSS2_RC rc = Tss2_TctiLdr_Initialize(conf.c_str(), &impl->tcti);
  if (rc != TSS2_RC_SUCCESS) {
    impl->tcti = nullptr;
    return fail(tpm_error(checks::kTpmOpen, "TCTI '" + conf + "'", rc));
  }
  rc = Esys_Initialize(&impl->esys, impl->tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    impl->esys = nullptr;
    return fail(tpm_error(checks::kTpmOpen, "Esys_Initialize over '" + conf + "'", rc));
  }
  // A TPM already started answers TPM_RC_INITIALIZE; anything else is a real failure.
  rc = Esys_Startup(impl->esys, TPM2_SU_CLEAR);
  if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
    return fail(tpm_error(checks::kTpmOpen, "Startup", rc));
  }
  VOUCH_RETURN_IF_ERROR(impl->create_ek());
  VOUCH_RETURN_IF_ERROR(impl->create_ak(ak));
  return std::unique_ptr<EsysTpm>(new EsysTpm(std::move(impl)));
}

Result<EkInfo> EsysTpm::endorsement_key() {
  EkInfo info;
  info.ek_public = impl_->ek_public;
  VOUCH_TRY(info.certificate, impl_->read_ek_certificate());
  return info;
}

Result<Bytes> EsysTpm::ak_public() {
  return impl_->ak_public;
}

Result<Bytes> EsysTpm::activate_credential(ByteSpan id_object, ByteSpan encrypted_secret) {
  TPM2B_ID_OBJECT blob{};
  TPM2B_ENCRYPTED_SECRET secret{};
  if (id_object.size() > sizeof blob.credential || encrypted_secret.size() > sizeof secret.secret) {
    return fail(ErrorKind::kInvalidArgument, checks::kTpmActivate,
                "the credential or the encrypted secret is too large");
  }
  blob.size = static_cast<UINT16>(id_object.size());
  std::copy(id_object.begin(), id_object.end(), blob.credential);
  secret.size = static_cast<UINT16>(encrypted_secret.size());
  std::copy(encrypted_secret.begin(), encrypted_secret.end(), secret.secret);
  Impl::PolicySession session(impl_->esys);
  VOUCH_RETURN_IF_ERROR(session.start());
  TPM2B_DIGEST* cert_info_raw = nullptr;
  const TSS2_RC rc =
      Esys_ActivateCredential(impl_->esys, impl_->ak, impl_->ek, ESYS_TR_PASSWORD, session.handle(),
                              ESYS_TR_NONE, &blob, &secret, &cert_info_raw);
  EsysPtr<TPM2B_DIGEST> cert_info(cert_info_raw);
  if (rc != TSS2_RC_SUCCESS) {
    return fail(tpm_error(checks::kTpmActivate, "ActivateCredential", rc));
  }
  return Bytes(cert_info->buffer, cert_info->buffer + cert_info->size);
}

Result<TpmDevice::Quote> EsysTpm::quote(const std::vector<tpm::PcrSelection>& selection,
                                        ByteSpan extra_data) {
  VOUCH_TRY(const TPML_PCR_SELECTION sel, to_tpml(selection));
  TPM2B_DATA qualifying{};
  if (extra_data.size() > sizeof qualifying.buffer) {
    return fail(ErrorKind::kInvalidArgument, checks::kTpmQuote,
                "qualifying data over " + std::to_string(sizeof qualifying.buffer) + " bytes");
  }
  qualifying.size = static_cast<UINT16>(extra_data.size());
  std::copy(extra_data.begin(), extra_data.end(), qualifying.buffer);
  const TPMT_SIG_SCHEME scheme{.scheme = TPM2_ALG_NULL, .details = {}};  // the AK's own scheme
  TPM2B_ATTEST* quoted_raw = nullptr;
  TPMT_SIGNATURE* signature_raw = nullptr;
  const TSS2_RC rc =
      Esys_Quote(impl_->esys, impl_->ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &qualifying,
                 &scheme, &sel, &quoted_raw, &signature_raw);
  EsysPtr<TPM2B_ATTEST> quoted(quoted_raw);
  EsysPtr<TPMT_SIGNATURE> signature(signature_raw);
  if (rc != TSS2_RC_SUCCESS) {
    return fail(tpm_error(checks::kTpmQuote, "Quote", rc));
  }
  Quote q;
  q.attest.assign(quoted->attestationData, quoted->attestationData + quoted->size);
  VOUCH_TRY(q.signature, marshal(*signature, Tss2_MU_TPMT_SIGNATURE_Marshal, "quote signature"));
  return q;
}

Result<tpm::PcrValues> EsysTpm::read_pcrs(const std::vector<tpm::PcrSelection>& selection) {
  VOUCH_TRY(TPML_PCR_SELECTION pending, to_tpml(selection));
  tpm::PcrValues values;
  // PCR_Read answers at most eight digests a call; ask again for what is still missing.
  for (int round = 0; round < 64; ++round) {
    bool any = false;
    for (UINT32 i = 0; i < pending.count; ++i) {
      for (UINT8 b = 0; b < pending.pcrSelections[i].sizeofSelect; ++b) {
        any = any || pending.pcrSelections[i].pcrSelect[b] != 0;
      }
    }
    if (!any) {
      return values;
    }
    TPML_PCR_SELECTION* out_sel_raw = nullptr;
    TPML_DIGEST* digests_raw = nullptr;
    const TSS2_RC rc = Esys_PCR_Read(impl_->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     &pending, nullptr, &out_sel_raw, &digests_raw);
    EsysPtr<TPML_PCR_SELECTION> out_sel(out_sel_raw);
    EsysPtr<TPML_DIGEST> digests(digests_raw);
    if (rc != TSS2_RC_SUCCESS) {
      return fail(tpm_error(checks::kTpmPcrRead, "PCR_Read", rc));
    }
    if (digests->count == 0) {
      return fail(ErrorKind::kUnavailable, checks::kTpmPcrRead,
                  "PCR_Read returned no values: a selected bank is not active in this TPM");
    }
    UINT32 next = 0;
    for (UINT32 i = 0; i < out_sel->count; ++i) {
      const TPMS_PCR_SELECTION& s = out_sel->pcrSelections[i];
      auto bank = hash_of(s.hash);
      for (std::uint32_t pcr = 0; pcr < s.sizeofSelect * 8U; ++pcr) {
        if ((s.pcrSelect[pcr / 8] & (1U << (pcr % 8))) == 0) {
          continue;
        }
        if (next >= digests->count || !bank) {
          return fail(ErrorKind::kInternal, checks::kTpmPcrRead,
                      "PCR_Read returned fewer digests than selected");
        }
        const TPM2B_DIGEST& d = digests->digests[next++];
        values[*bank][pcr] = Bytes(d.buffer, d.buffer + d.size);
        for (UINT32 j = 0; j < pending.count; ++j) {
          if (pending.pcrSelections[j].hash == s.hash) {
            pending.pcrSelections[j].pcrSelect[pcr / 8] = static_cast<std::uint8_t>(
                pending.pcrSelections[j].pcrSelect[pcr / 8] & ~(1U << (pcr % 8)));
          }
        }
      }
    }
  }
  return fail(ErrorKind::kInternal, checks::kTpmPcrRead, "PCR_Read did not converge");
}

}  // namespace vouch::attester
