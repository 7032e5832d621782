#include "evidence/sevsnp/claims.h"

#include <string>

#include "base/encoding.h"
#include "crypto/digest.h"

namespace vouch::sevsnp {
namespace {

Bytes be64(std::uint64_t v) {
  Bytes out(8);
  for (std::size_t i = 0; i < 8; ++i) {
    out[i] = static_cast<std::uint8_t>(v >> (8 * (7 - i)));
  }
  return out;
}

Bytes bytes(ByteSpan s) {
  return Bytes(s.begin(), s.end());
}

claims::ClaimMap tcb_claim(AmdProduct product, std::uint64_t raw) {
  const collateral::TcbParts p = collateral::decompose_tcb(product, raw);
  claims::ClaimMap m;
  m["raw"] = be64(raw);
  m["bootloader"] = std::int64_t{p.bootloader};
  m["tee"] = std::int64_t{p.tee};
  m["snp"] = std::int64_t{p.snp};
  m["microcode"] = std::int64_t{p.microcode};
  if (p.fmc) {
    m["fmc"] = std::int64_t{*p.fmc};
  }
  return m;
}

std::string version_string(const FirmwareVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.build);
}

// True when `b` is UTF-8 text without NUL (a policy shown as text).
bool is_text(ByteSpan b) {
  std::size_t i = 0;
  while (i < b.size()) {
    const std::uint8_t c = b[i];
    std::size_t n = 0;
    if (c == 0) {
      return false;
    }
    if (c < 0x80) {
      n = 0;
    } else if ((c & 0xe0) == 0xc0 && c >= 0xc2) {
      n = 1;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
    } else if ((c & 0xf8) == 0xf0 && c <= 0xf4) {
      n = 3;
    } else {
      return false;
    }
    if (n > b.size() - i - 1) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if ((b[i + k] & 0xc0) != 0x80) {
        return false;
      }
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

claims::ClaimMap maa_claims(const VerifiedReport& v) {
  const Report& r = v.report();
  const GuestPolicy pol = guest_policy(r);
  const collateral::TcbParts tcb = collateral::decompose_tcb(v.product(), r.reported_tcb);
  claims::ClaimMap m;
  m["x-ms-sevsnpvm-authorkeydigest"] = bytes(r.author_key_digest);
  m["x-ms-sevsnpvm-bootloader-svn"] = std::int64_t{tcb.bootloader};
  m["x-ms-sevsnpvm-familyId"] = bytes(r.family_id);
  m["x-ms-sevsnpvm-guestsvn"] = std::int64_t{r.guest_svn};
  m["x-ms-sevsnpvm-hostdata"] = bytes(r.host_data);
  m["x-ms-sevsnpvm-idkeydigest"] = bytes(r.id_key_digest);
  m["x-ms-sevsnpvm-imageId"] = bytes(r.image_id);
  m["x-ms-sevsnpvm-is-debuggable"] = pol.debug;
  m["x-ms-sevsnpvm-launchmeasurement"] = bytes(r.measurement);
  m["x-ms-sevsnpvm-microcode-svn"] = std::int64_t{tcb.microcode};
  m["x-ms-sevsnpvm-migration-allowed"] = pol.migrate_ma;
  m["x-ms-sevsnpvm-reportdata"] = bytes(r.report_data);
  m["x-ms-sevsnpvm-reportid"] = bytes(r.report_id);
  m["x-ms-sevsnpvm-smt-allowed"] = pol.smt;
  m["x-ms-sevsnpvm-snpfw-svn"] = std::int64_t{tcb.snp};
  m["x-ms-sevsnpvm-tee-svn"] = std::int64_t{tcb.tee};
  m["x-ms-sevsnpvm-vmpl"] = std::int64_t{r.vmpl};
  return m;
}

claims::ClaimSet to_claims(const VerifiedReport& v) {
  claims::ClaimSet out;
  const Report& r = v.report();
  const GuestPolicy pol = guest_policy(r);
  const PlatformInfo pi = decode_platform_info(r.platform_info);
  const SignerInfo si = signer_info(r);
  const AmdProduct product = v.product();

  out.set("snp.report.version", std::int64_t{r.version});
  out.set("snp.guest_svn", std::int64_t{r.guest_svn});
  out.set("snp.policy", static_cast<std::int64_t>(r.policy));
  out.set("snp.policy.abi_major", std::int64_t{pol.abi_major});
  out.set("snp.policy.abi_minor", std::int64_t{pol.abi_minor});
  out.set("snp.policy.smt", pol.smt);
  out.set("snp.policy.migrate_ma", pol.migrate_ma);
  out.set("snp.policy.debug", pol.debug);
  out.set("snp.policy.single_socket", pol.single_socket);
  out.set("snp.policy.cxl_allowed", pol.cxl_allowed);
  out.set("snp.policy.mem_aes_256_xts", pol.mem_aes_256_xts);
  out.set("snp.policy.rapl_dis", pol.rapl_dis);
  out.set("snp.policy.ciphertext_hiding", pol.ciphertext_hiding);
  out.set("snp.policy.page_swap_disable", pol.page_swap_disable);
  out.set("snp.family_id", bytes(r.family_id));
  out.set("snp.image_id", bytes(r.image_id));
  out.set("snp.vmpl", std::int64_t{r.vmpl});
  out.set("snp.signature_algo", std::int64_t{r.signature_algo});
  out.set("snp.platform_info", be64(r.platform_info));
  out.set("snp.platform_info.smt_enabled", pi.smt_enabled);
  out.set("snp.platform_info.tsme_enabled", pi.tsme_enabled);
  out.set("snp.platform_info.ecc_enabled", pi.ecc_enabled);
  out.set("snp.platform_info.rapl_disabled", pi.rapl_disabled);
  out.set("snp.platform_info.ciphertext_hiding_enabled", pi.ciphertext_hiding_enabled);
  out.set("snp.platform_info.alias_check_complete", pi.alias_check_complete);
  out.set("snp.signing_key", std::string(collateral::amd_key_kind_name(v.vek_kind())));
  out.set("snp.mask_chip_key", si.mask_chip_key);
  out.set("snp.author_key_en", si.author_key_en);
  out.set("snp.report_data", bytes(r.report_data));
  out.set("snp.measurement", bytes(r.measurement));
  out.set("snp.host_data", bytes(r.host_data));
  out.set("snp.id_key_digest", bytes(r.id_key_digest));
  out.set("snp.author_key_digest", bytes(r.author_key_digest));
  out.set("snp.report_id", bytes(r.report_id));
  out.set("snp.report_id_ma", bytes(r.report_id_ma));
  out.set("snp.chip_id", bytes(r.chip_id));
  out.set("snp.tcb.reported", tcb_claim(product, r.reported_tcb));
  out.set("snp.tcb.current", tcb_claim(product, r.current_tcb));
  out.set("snp.tcb.committed", tcb_claim(product, r.committed_tcb));
  out.set("snp.tcb.launch", tcb_claim(product, r.launch_tcb));
  out.set("snp.firmware.current", version_string(r.current_version));
  out.set("snp.firmware.committed", version_string(r.committed_version));
  if (r.cpuid) {
    out.set("snp.cpuid.family", std::int64_t{r.cpuid->family});
    out.set("snp.cpuid.model", std::int64_t{r.cpuid->model});
    out.set("snp.cpuid.stepping", std::int64_t{r.cpuid->stepping});
  }
  if (r.launch_mit_vector && r.current_mit_vector) {
    out.set("snp.mit_vector.launch", be64(*r.launch_mit_vector));
    out.set("snp.mit_vector.current", be64(*r.current_mit_vector));
  }
  out.set("snp.product", std::string(collateral::amd_product_name(product)));
  out.set("snp.product.source", std::string(product_source_name(v.product_source())));
  out.set("snp.vek.kind", std::string(collateral::amd_key_kind_name(v.vek_kind())));
  out.set("snp.vek.source", std::string(collateral::amd_source_name(v.vek_source())));
  out.set("snp.vek.product_name", v.vek().product_name);
  out.set("snp.vek.not_after", format_rfc3339(v.vek_not_after()));
  if (v.vek().csp_id) {
    out.set("snp.vek.csp_id", *v.vek().csp_id);
  }
  out.set("snp.report_data.binding", v.report_data_bound() ? "exact" : "not_required");
  out.set("snp.revocation.mode", std::string(revocation_mode_name(v.revocation_mode())));
  out.set("snp.revocation.checked", v.revocation_checked());
  out.set("snp.host_data.binding", v.init_data() ? "init_data" : "none");
  if (v.init_data()) {
    out.set("snp.cc_policy.digest", crypto::digest(crypto::HashAlg::kSha256, *v.init_data()));
    if (is_text(*v.init_data())) {
      out.set("snp.cc_policy.text", std::string(v.init_data()->begin(), v.init_data()->end()));
    }
  }
  for (auto& [name, value] : maa_claims(v)) {
    out.set(name, value);
  }
  return out;
}

}  // namespace vouch::sevsnp
