#include "evidence/dcap/pck.h"

#include <string>

#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/der.h"

namespace vouch::dcap {
namespace {

// DER contents of OID 1.2.840.113741.1.13.1.
constexpr std::array<std::uint8_t, 9> kBaseOid = {0x2a, 0x86, 0x48, 0x86, 0xf8,
                                                  0x4d, 0x01, 0x0d, 0x01};

Bytes oid(std::initializer_list<std::uint8_t> arcs) {
  Bytes out;
  out.reserve(kBaseOid.size() + arcs.size());
  for (std::uint8_t b : kBaseOid) {
    out.push_back(b);
  }
  for (std::uint8_t a : arcs) {
    out.push_back(a);
  }
  return out;
}

std::string arc_name(std::initializer_list<std::uint8_t> arcs) {
  std::string s(kSgxExtensionOid);
  for (std::uint8_t a : arcs) {
    s += "." + std::to_string(a);
  }
  return s;
}

// Reads SEQUENCE { OID <expected>, value } and returns a reader positioned at the value (the
// remainder of the SEQUENCE, which the caller must consume exactly).
Status read_member(ByteReader& in, std::initializer_list<std::uint8_t> arcs, ByteReader& value) {
  const std::string name = arc_name(arcs);
  VOUCH_RETURN_IF_ERROR(der::read_tlv(in, der::kSequence, value, name, checks::kPckExtensions));
  ByteReader id;
  const std::size_t at = value.offset();
  VOUCH_RETURN_IF_ERROR(der::read_tlv(value, der::kOid, id, name + " OID", checks::kPckExtensions));
  if (!equal_bytes(id.rest(), oid(arcs))) {
    return malformed(checks::kPckExtensions,
                     "member at offset " + std::to_string(at) + " is not " + name);
  }
  return ok();
}

// True when the next member of `in` (a SEQUENCE starting with an OID) has the given arcs.
bool next_is(const ByteReader& in, std::initializer_list<std::uint8_t> arcs) {
  ByteReader r = in;
  ByteReader seq;
  ByteReader id;
  if (!der::read_tlv(r, der::kSequence, seq, "", checks::kPckExtensions) ||
      !der::read_tlv(seq, der::kOid, id, "", checks::kPckExtensions)) {
    return false;
  }
  return equal_bytes(id.rest(), oid(arcs));
}

Status end_of(const ByteReader& r, std::string_view what) {
  if (!r.empty()) {
    return fail(r.trailing(checks::kPckExtensions, what));
  }
  return ok();
}

template <std::size_t N>
Status octets_member(ByteReader& in, std::initializer_list<std::uint8_t> arcs,
                     std::array<std::uint8_t, N>& out) {
  ByteReader v;
  VOUCH_RETURN_IF_ERROR(read_member(in, arcs, v));
  VOUCH_TRY(ByteSpan s, der::read_octets(v, N, arc_name(arcs), checks::kPckExtensions));
  std::copy(s.begin(), s.end(), out.begin());
  return end_of(v, arc_name(arcs));
}

Result<PckTcb> read_tcb(ByteReader& in) {
  ByteReader v;
  VOUCH_RETURN_IF_ERROR(read_member(in, {2}, v));
  ByteReader seq;
  VOUCH_RETURN_IF_ERROR(
      der::read_tlv(v, der::kSequence, seq, arc_name({2}) + " value", checks::kPckExtensions));
  VOUCH_RETURN_IF_ERROR(end_of(v, arc_name({2})));
  PckTcb tcb;
  for (std::uint8_t i = 1; i <= 16; ++i) {
    ByteReader m;
    VOUCH_RETURN_IF_ERROR(read_member(seq, {2, i}, m));
    VOUCH_TRY(std::uint64_t svn,
              der::read_uint(m, der::kInteger, 255, arc_name({2, i}), checks::kPckExtensions));
    tcb.sgx_svns[i - 1u] = static_cast<std::uint8_t>(svn);
    VOUCH_RETURN_IF_ERROR(end_of(m, arc_name({2, i})));
  }
  ByteReader m;
  VOUCH_RETURN_IF_ERROR(read_member(seq, {2, 17}, m));
  VOUCH_TRY(std::uint64_t pce_svn,
            der::read_uint(m, der::kInteger, 65535, arc_name({2, 17}), checks::kPckExtensions));
  tcb.pce_svn = static_cast<std::uint16_t>(pce_svn);
  VOUCH_RETURN_IF_ERROR(end_of(m, arc_name({2, 17})));
  VOUCH_RETURN_IF_ERROR(octets_member(seq, {2, 18}, tcb.cpu_svn));
  VOUCH_RETURN_IF_ERROR(end_of(seq, arc_name({2})));
  return tcb;
}

Result<std::optional<bool>> optional_bool(ByteReader& in, std::uint8_t arc) {
  if (!next_is(in, {7, arc})) {
    return std::optional<bool>();
  }
  ByteReader m;
  VOUCH_RETURN_IF_ERROR(read_member(in, {7, arc}, m));
  VOUCH_TRY(bool b, der::read_bool(m, arc_name({7, arc}), checks::kPckExtensions));
  VOUCH_RETURN_IF_ERROR(end_of(m, arc_name({7, arc})));
  return std::optional<bool>(b);
}

Result<PlatformConfiguration> read_configuration(ByteReader& in) {
  ByteReader v;
  VOUCH_RETURN_IF_ERROR(read_member(in, {7}, v));
  ByteReader seq;
  VOUCH_RETURN_IF_ERROR(
      der::read_tlv(v, der::kSequence, seq, arc_name({7}) + " value", checks::kPckExtensions));
  VOUCH_RETURN_IF_ERROR(end_of(v, arc_name({7})));
  PlatformConfiguration c;
  VOUCH_TRY(c.dynamic_platform, optional_bool(seq, 1));
  VOUCH_TRY(c.cached_keys, optional_bool(seq, 2));
  VOUCH_TRY(c.smt_enabled, optional_bool(seq, 3));
  VOUCH_RETURN_IF_ERROR(end_of(seq, arc_name({7})));
  return c;
}

void write_member(ByteWriter& out, std::initializer_list<std::uint8_t> arcs, ByteSpan value_tlvs) {
  ByteWriter seq;
  der::write_tlv(seq, der::kOid, oid(arcs));
  seq.bytes(value_tlvs);
  der::write_tlv(out, der::kSequence, seq.data());
}

void write_octets_member(ByteWriter& out, std::initializer_list<std::uint8_t> arcs, ByteSpan v) {
  ByteWriter value;
  der::write_tlv(value, der::kOctetString, v);
  write_member(out, arcs, value.data());
}

}  // namespace

std::string_view sgx_type_name(SgxType t) noexcept {
  switch (t) {
    case SgxType::kStandard:
      return "Standard";
    case SgxType::kScalable:
      return "Scalable";
    case SgxType::kScalableWithIntegrity:
      return "ScalableWithIntegrity";
  }
  return "Standard";
}

std::string_view pck_ca_name(PckCaType t) noexcept {
  switch (t) {
    case PckCaType::kProcessor:
      return "processor";
    case PckCaType::kPlatform:
      return "platform";
  }
  return "processor";
}

Result<PckExtensions> parse_pck_extensions(ByteSpan data) {
  ByteReader outer(data);
  ByteReader in;
  VOUCH_RETURN_IF_ERROR(
      der::read_tlv(outer, der::kSequence, in, "SGX extension", checks::kPckExtensions));
  VOUCH_RETURN_IF_ERROR(end_of(outer, "the SGX extension"));
  PckExtensions ext;
  VOUCH_RETURN_IF_ERROR(octets_member(in, {1}, ext.ppid));
  VOUCH_TRY(ext.tcb, read_tcb(in));
  VOUCH_RETURN_IF_ERROR(octets_member(in, {3}, ext.pce_id));
  VOUCH_RETURN_IF_ERROR(octets_member(in, {4}, ext.fmspc));
  ByteReader v;
  VOUCH_RETURN_IF_ERROR(read_member(in, {5}, v));
  VOUCH_TRY(std::uint64_t type,
            der::read_uint(v, der::kEnumerated, 2, arc_name({5}), checks::kPckExtensions));
  ext.sgx_type = static_cast<SgxType>(type);
  VOUCH_RETURN_IF_ERROR(end_of(v, arc_name({5})));
  if (next_is(in, {6})) {
    std::array<std::uint8_t, 16> id{};
    VOUCH_RETURN_IF_ERROR(octets_member(in, {6}, id));
    ext.platform_instance_id = id;
  }
  if (next_is(in, {7})) {
    VOUCH_TRY(ext.configuration, read_configuration(in));
  }
  if (!in.empty()) {
    return malformed(checks::kPckExtensions,
                     "unexpected or out-of-order member at offset " + std::to_string(in.offset()));
  }
  return ext;
}

Bytes serialize(const PckExtensions& ext) {
  ByteWriter members;
  write_octets_member(members, {1}, ext.ppid);
  ByteWriter tcb;
  for (std::uint8_t i = 1; i <= 16; ++i) {
    ByteWriter value;
    der::write_uint(value, der::kInteger, ext.tcb.sgx_svns[i - 1u]);
    write_member(tcb, {2, i}, value.data());
  }
  {
    ByteWriter value;
    der::write_uint(value, der::kInteger, ext.tcb.pce_svn);
    write_member(tcb, {2, 17}, value.data());
  }
  write_octets_member(tcb, {2, 18}, ext.tcb.cpu_svn);
  ByteWriter tcb_value;
  der::write_tlv(tcb_value, der::kSequence, tcb.data());
  write_member(members, {2}, tcb_value.data());
  write_octets_member(members, {3}, ext.pce_id);
  write_octets_member(members, {4}, ext.fmspc);
  {
    ByteWriter value;
    der::write_uint(value, der::kEnumerated, static_cast<std::uint8_t>(ext.sgx_type));
    write_member(members, {5}, value.data());
  }
  if (ext.platform_instance_id) {
    write_octets_member(members, {6}, *ext.platform_instance_id);
  }
  if (ext.configuration) {
    ByteWriter config;
    const std::optional<bool>* flags[] = {&ext.configuration->dynamic_platform,
                                          &ext.configuration->cached_keys,
                                          &ext.configuration->smt_enabled};
    std::uint8_t arc = 1;
    for (const std::optional<bool>* f : flags) {
      if (*f) {
        ByteWriter value;
        der::write_bool(value, **f);
        write_member(config, {7, arc}, value.data());
      }
      ++arc;
    }
    ByteWriter config_value;
    der::write_tlv(config_value, der::kSequence, config.data());
    write_member(members, {7}, config_value.data());
  }
  ByteWriter out;
  der::write_tlv(out, der::kSequence, members.data());
  return std::move(out).take();
}

std::string common_name(std::string_view dn) {
  std::size_t pos = 0;
  while (pos < dn.size()) {
    if (dn.substr(pos, 3) == "CN=") {
      std::string out;
      for (std::size_t i = pos + 3; i < dn.size(); ++i) {
        if (dn[i] == '\\' && i + 1 < dn.size()) {
          out += dn[++i];
        } else if (dn[i] == ',' || dn[i] == '+') {
          break;
        } else {
          out += dn[i];
        }
      }
      return out;
    }
    // Skip to the next RDN (unescaped comma).
    while (pos < dn.size() && dn[pos] != ',') {
      pos += (dn[pos] == '\\') ? 2 : 1;
    }
    ++pos;
  }
  return {};
}

Result<PckCertificate> read_pck_certificate(const crypto::Certificate& cert) {
  const std::string subject_cn = common_name(cert.subject());
  if (subject_cn.find("SGX PCK Certificate") == std::string::npos) {
    return rejected(checks::kPckCertificate, "the PCK certificate's subject CN is '" + subject_cn +
                                                 "', which does not contain 'SGX PCK Certificate'");
  }
  const std::string issuer_cn = common_name(cert.issuer());
  PckCaType ca = PckCaType::kProcessor;
  if (issuer_cn.find("SGX PCK Processor CA") != std::string::npos) {
    ca = PckCaType::kProcessor;
  } else if (issuer_cn.find("SGX PCK Platform CA") != std::string::npos) {
    ca = PckCaType::kPlatform;
  } else {
    return rejected(checks::kPckCertificate,
                    "the PCK certificate's issuer CN is '" + issuer_cn +
                        "', neither the PCK Processor CA nor the PCK Platform CA");
  }
  auto key = cert.public_key();
  if (!key || key->type() != crypto::KeyType::kEc || key->curve() != crypto::Curve::kP256) {
    return rejected(checks::kPckCertificate, "the PCK certificate's key is not an EC P-256 key");
  }
  const std::optional<Bytes> value = cert.extension_value(kSgxExtensionOid);
  if (!value) {
    return rejected(checks::kPckCertificate, "the PCK certificate has no SGX extension (" +
                                                 std::string(kSgxExtensionOid) + ")");
  }
  VOUCH_TRY(PckExtensions ext, parse_pck_extensions(*value));
  return PckCertificate{cert, std::move(ext), ca};
}

}  // namespace vouch::dcap
