#include "testing/dcap_qvl_collateral.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/x509.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb_info.h"

namespace vouch::testing {
namespace {

Result<std::string> field(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || !it->is_string()) {
    return fail(ErrorKind::kInvalidArgument, vouch::checks::kJsonParse,
                std::string("dcap-qvl collateral has no string '") + name + "'");
  }
  return it->get<std::string>();
}

Result<collateral::IntelSignedJson> signed_json(const nlohmann::json& j, const char* body,
                                                const char* signature, const char* chain,
                                                std::string_view key) {
  VOUCH_TRY(std::string text, field(j, body));
  VOUCH_TRY(std::string sig_hex, field(j, signature));
  VOUCH_TRY(Bytes sig, hex_decode(sig_hex));
  if (sig.size() != 64) {
    return fail(ErrorKind::kInvalidArgument, vouch::checks::kJsonParse,
                std::string(signature) + " is not 64 bytes");
  }
  dcap::SignedJson sj;
  sj.body = text;
  std::copy(sig.begin(), sig.end(), sj.signature.begin());
  VOUCH_TRY(std::string chain_pem, field(j, chain));
  return collateral::IntelSignedJson{dcap::join_signed_json(key, sj), chain_pem};
}

}  // namespace

Result<dcap::QuoteCollateral> collateral_from_dcap_qvl(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorKind::kInvalidArgument, vouch::checks::kJsonParse,
                "dcap-qvl collateral is not a JSON object");
  }
  dcap::QuoteCollateral out;
  VOUCH_TRY(out.tcb_info,
            signed_json(j, "tcb_info", "tcb_info_signature", "tcb_info_issuer_chain", "tcbInfo"));
  VOUCH_TRY(out.qe_identity, signed_json(j, "qe_identity", "qe_identity_signature",
                                         "qe_identity_issuer_chain", "enclaveIdentity"));
  VOUCH_TRY(std::string pck_crl_hex, field(j, "pck_crl"));
  VOUCH_TRY(std::string pck_chain, field(j, "pck_crl_issuer_chain"));
  VOUCH_TRY(Bytes pck_crl, hex_decode(pck_crl_hex));
  out.pck_crl = collateral::IntelCrl{std::move(pck_crl), std::move(pck_chain)};
  VOUCH_TRY(std::string root_crl_hex, field(j, "root_ca_crl"));
  VOUCH_TRY(Bytes root_crl, hex_decode(root_crl_hex));
  out.root_ca_crl = collateral::IntelCrl{std::move(root_crl), {}};
  return out;
}

Result<CollateralWindow> collateral_window(const dcap::QuoteCollateral& c) {
  CollateralWindow w;
  auto add = [&w](Timestamp from, Timestamp until, CheckId id) {
    if (from > w.from) {  // ties: the first item in check order fails first
      w.from = from;
      w.last_issued = id;
    }
    if (until < w.until) {
      w.until = until;
      w.first_expiring = id;
    }
  };
  if (c.tcb_info) {
    VOUCH_TRY(dcap::SignedJson sj,
              dcap::split_signed_json(c.tcb_info->json, "tcbInfo", dcap::checks::kTcbInfoFormat));
    VOUCH_TRY(dcap::TcbInfo info, dcap::parse_tcb_info(sj.body));
    add(info.issue_date, info.next_update, dcap::checks::kTcbInfoValidity);
  }
  if (c.qe_identity) {
    VOUCH_TRY(dcap::SignedJson sj, dcap::split_signed_json(c.qe_identity->json, "enclaveIdentity",
                                                           dcap::checks::kQeIdentityFormat));
    VOUCH_TRY(dcap::EnclaveIdentity id, dcap::parse_enclave_identity(sj.body));
    add(id.issue_date, id.next_update, dcap::checks::kQeIdentityValidity);
  }
  if (c.pck_crl) {
    VOUCH_TRY(crypto::Crl crl, crypto::Crl::parse(c.pck_crl->crl));
    add(crl.this_update(), crl.next_update().value_or(Timestamp::max()),
        dcap::checks::kPckCrlValidity);
  }
  if (c.root_ca_crl) {
    VOUCH_TRY(crypto::Crl crl, crypto::Crl::parse(c.root_ca_crl->crl));
    add(crl.this_update(), crl.next_update().value_or(Timestamp::max()),
        dcap::checks::kRootCaCrlValidity);
  }
  return w;
}

}  // namespace vouch::testing
