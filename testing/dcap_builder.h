#pragma once

// Builders for real, correctly signed Intel DCAP evidence and collateral from a FakeIntelPki:
// quotes of every version (v3 SGX, v4 SGX and TDX 1.0, v5 SGX, TDX 1.0 and TDX 1.5 bodies) made
// with the production serializer, and TCB Info / QE identity JSON signed by the fake TCB Signing
// key over the exact body bytes. The default TCB Info has one TCB level per Intel status, chosen
// by the PCK's first SGX TCB component (kComponentFor*).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collateral/intel_pcs.h"
#include "crypto/keys.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/quote.h"
#include "evidence/dcap/tcb_info.h"
#include "evidence/dcap/verify.h"
#include "testing/intel_pki.h"

namespace vouch::testing {

// The time fixture collateral is valid at: 2026-01-01T00:00:00Z. Collateral is issued
// 2025-12-15T00:00:00Z and expires (nextUpdate) 2026-01-15T00:00:00Z unless told otherwise.
inline const Timestamp kDcapTestNow = from_unix_seconds(1767225600);
inline const Timestamp kDcapIssued = from_unix_seconds(1765756800);
inline const Timestamp kDcapNextUpdate = from_unix_seconds(1768435200);

// PCK SGX TCB component 0 values that select each level of default_tcb_info().
inline constexpr std::uint8_t kComponentForUpToDate = 10;
inline constexpr std::uint8_t kComponentForSwHardeningNeeded = 9;
inline constexpr std::uint8_t kComponentForConfigurationNeeded = 8;
inline constexpr std::uint8_t kComponentForConfigurationAndSwHardeningNeeded = 7;
inline constexpr std::uint8_t kComponentForOutOfDate = 6;
inline constexpr std::uint8_t kComponentForOutOfDateConfigurationNeeded = 5;
inline constexpr std::uint8_t kComponentForRevoked = 4;
inline constexpr std::uint8_t kComponentBelowEveryLevel = 3;
// QE ISVSVN values for the default QE identity levels.
inline constexpr std::uint16_t kQeSvnUpToDate = 8;
inline constexpr std::uint16_t kQeSvnOutOfDate = 6;
inline constexpr std::uint16_t kQeSvnRevoked = 4;
// TDX module SVN (TEE_TCB_SVN[0], module major version 1) for the default TDX_01 levels.
inline constexpr std::uint8_t kModuleSvnUpToDate = 3;
inline constexpr std::uint8_t kModuleSvnOutOfDate = 2;
inline constexpr std::uint8_t kModuleSvnRevoked = 1;

// A fake platform: its PCK key and certificate and its quoting enclave.
struct FakePlatform {
  dcap::PckCaType ca = dcap::PckCaType::kProcessor;
  dcap::PckExtensions pck_extensions;
  crypto::PrivateKey pck_key;
  crypto::Certificate pck_certificate;
  std::string pck_chain_pem;  // leaf, PCK CA, root: certification data type 5
  crypto::PrivateKey attestation_key;
  dcap::EnclaveReport qe_report;  // report data is filled in when a quote is made
  Bytes qe_auth_data;
};

// Default PCK extension (FMSPC 00906ed50000, PCE-ID 0000, PCESVN 13, component 0 = UpToDate);
// the platform CA variant adds a platform instance id and configuration.
dcap::PckExtensions default_pck_extensions(dcap::PckCaType ca);
// Default QE report body of the QE (SGX) or TD QE (TDX).
dcap::EnclaveReport default_qe_report(dcap::TeeKind tee);

FakePlatform make_platform(const FakeIntelPki& pki, dcap::PckCaType ca,
                           const std::function<void(dcap::PckExtensions&)>& tweak = {},
                           const FakeIntelPki::PckOptions& pck_options = {});

// Report bodies used by default.
dcap::EnclaveReport default_enclave_report();
dcap::Td10Report default_td10_report();
dcap::Td15Report default_td15_report();

struct QuoteOptions {
  std::uint16_t version = 3;
  dcap::TeeKind tee = dcap::TeeKind::kSgx;
  bool td15 = false;  // v5 TDX: a TD 1.5 body
  // Applied to the quote (and its QE report) before anything is signed.
  std::function<void(dcap::Quote&)> tweak;
  // Fill the QE report data with SHA-256(attestation key || QE auth data) || 0 (the binding).
  bool bind_qe_report = true;
  // Certification data instead of the PEM chain (type 5).
  std::optional<dcap::CertificationData> certification_data;
  // Bytes appended after the quote (padding of a fixed-size buffer).
  Bytes padding;
};

// Builds a quote signed by the platform's attestation key, with a QE report signed by its PCK key.
Bytes make_quote(const FakePlatform& platform, const QuoteOptions& options);

// The default TCB Info for the platform's FMSPC/PCE-ID: one level per status (see above), TDX
// components [0, 0, 2, 0...] and, for TDX, the tdxModule (zero MRSIGNER and attributes) and
// identity TDX_01 with levels UpToDate / OutOfDate / Revoked.
dcap::TcbInfo default_tcb_info(dcap::TeeKind tee, const dcap::PckExtensions& pck);
// The default QE (or TD_QE) identity matching default_qe_report().
dcap::EnclaveIdentity default_qe_identity(dcap::TeeKind tee);

// The JSON body text Intel would sign for these structures.
std::string tcb_info_body(const dcap::TcbInfo& info);
std::string enclave_identity_body(const dcap::EnclaveIdentity& identity);
// Signs a body with the fake TCB Signing key and wraps it as PCS serves it.
collateral::IntelSignedJson sign_json(const FakeIntelPki& pki, std::string_view body_key,
                                      const std::string& body);

// Everything one verification needs, valid at kDcapTestNow.
struct CollateralOptions {
  std::vector<long> revoked_pcks;  // serials on the PCK CRL
  std::vector<long> revoked_cas;   // serials on the root CA CRL
  Timestamp crl_this_update = kDcapIssued;
  Timestamp crl_next_update = kDcapNextUpdate;
};
dcap::QuoteCollateral make_collateral(const FakeIntelPki& pki, dcap::TeeKind tee,
                                      const dcap::TcbInfo& tcb_info,
                                      const dcap::EnclaveIdentity& qe_identity, dcap::PckCaType ca,
                                      const CollateralOptions& options = {});

// The whole fixture: PKI, one platform per CA, and their default collateral.
struct DcapFixture {
  FakeIntelPki pki;
  FakePlatform processor;  // PCK issued by the Processor CA
  FakePlatform platform;   // PCK issued by the Platform CA
  static DcapFixture create();
  const FakePlatform& of(dcap::PckCaType ca) const {
    return ca == dcap::PckCaType::kPlatform ? platform : processor;
  }
  dcap::QuoteCollateral collateral(dcap::TeeKind tee, dcap::PckCaType ca) const;
  dcap::Verifier verifier() const;  // trusts pki.root
};

}  // namespace vouch::testing
