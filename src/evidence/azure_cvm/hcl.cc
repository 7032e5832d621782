#include "evidence/azure_cvm/hcl.h"

#include <algorithm>
#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/checked.h"
#include "evidence/azure_cvm/check_ids.h"

namespace vouch::azure_cvm {
namespace {

Error header(std::string detail) {
  return Error{ErrorKind::kMalformedEvidence, checks::kHclHeader, std::move(detail)};
}

Status zeros(ByteReader& r, std::size_t n, const std::string& what) {
  if (r.zeros(n)) {
    return ok();
  }
  if (r.last_need() != 0) {
    return fail(r.truncated(checks::kHclSize, what));
  }
  return malformed(checks::kHclMbz,
                   what + ": byte at offset " + std::to_string(r.nonzero_at()) + " is not zero");
}

std::uint32_t hash_type(crypto::HashAlg h) {
  switch (h) {
    case crypto::HashAlg::kSha384:
      return 2;
    case crypto::HashAlg::kSha512:
      return 3;
    case crypto::HashAlg::kSha1:
    case crypto::HashAlg::kSha256:
    case crypto::HashAlg::kSm3:
      return 1;
  }
  return 1;
}

}  // namespace

Result<HclReport> parse_hcl_report(ByteSpan raw) {
  ByteReader r(raw);
  std::uint32_t signature = 0;
  std::uint32_t report_size = 0;
  std::uint32_t status = 0;
  HclReport out;
  if (!(r.u32le(signature) && r.u32le(out.version) && r.u32le(report_size) &&
        r.u32le(out.request_type) && r.u32le(status))) {
    return fail(r.truncated(checks::kHclSize, "HCL header"));
  }
  if (signature != kHclSignature) {
    return fail(header("offset 0x0: signature is not 'HCLA'"));
  }
  if (out.version != 1 && out.version != 2) {
    return fail(
        header("offset 0x4: HCL report version " + std::to_string(out.version) + " is not 1 or 2"));
  }
  if (out.request_type != 2) {
    return fail(header("offset 0xc: request type " + std::to_string(out.request_type) +
                       " is not 2 (attestation report)"));
  }
  if (status != 0) {
    return fail(header("offset 0x10: status " + std::to_string(status) + " reports an error"));
  }
  VOUCH_RETURN_IF_ERROR(zeros(r, 12, "HCL header reserved"));
  ByteSpan area;
  if (!r.bytes(kHwReportArea, area)) {
    return fail(r.truncated(checks::kHclSize, "hardware report"));
  }
  std::uint32_t data_size = 0;
  std::uint32_t type = 0;
  std::uint32_t hash = 0;
  std::uint32_t var_size = 0;
  if (!(r.u32le(data_size) && r.u32le(out.igvm_version) && r.u32le(type) && r.u32le(hash) &&
        r.u32le(var_size))) {
    return fail(r.truncated(checks::kHclSize, "IGVM request data"));
  }
  if (type == static_cast<std::uint32_t>(HwReportType::kSnp)) {
    out.report_type = HwReportType::kSnp;
    out.hw_report.assign(area.begin(), area.end());
  } else if (type == static_cast<std::uint32_t>(HwReportType::kTdx)) {
    out.report_type = HwReportType::kTdx;
    out.hw_report.assign(area.begin(), area.begin() + kTdReportSize);
    ByteReader pad(area.subspan(kTdReportSize), kHclHeaderSize + kTdReportSize);
    VOUCH_RETURN_IF_ERROR(zeros(pad, kHwReportArea - kTdReportSize, "TDREPORT padding"));
  } else {
    return malformed(checks::kHclReportType, "offset 0x4c8: report type " + std::to_string(type) +
                                                 " is not 2 (SNP) or 4 (TDX)");
  }
  if (out.igvm_version != 1) {
    return fail(header("offset 0x4c4: IGVM request data version " +
                       std::to_string(out.igvm_version) + " is not 1"));
  }
  switch (hash) {
    case 1:
      out.hash = crypto::HashAlg::kSha256;
      break;
    case 2:
      out.hash = crypto::HashAlg::kSha384;
      break;
    case 3:
      out.hash = crypto::HashAlg::kSha512;
      break;
    default:
      return fail(header("offset 0x4cc: hash type " + std::to_string(hash) + " is not 1-3"));
  }
  std::uint32_t expected_data = 0;
  std::uint32_t expected_report = 0;
  if (!checked_add<std::uint32_t>(var_size, kIgvmHeaderSize, expected_data) ||
      data_size != expected_data ||
      !checked_add<std::uint32_t>(data_size, kIgvmOffset, expected_report) ||
      report_size != expected_report) {
    return fail(header("sizes disagree: report_size " + std::to_string(report_size) +
                       ", data_size " + std::to_string(data_size) + ", variable data " +
                       std::to_string(var_size)));
  }
  if (!r.copy(var_size, out.runtime_claims)) {
    return fail(r.truncated(checks::kHclSize, "runtime claims"));
  }
  out.padding = r.remaining();
  VOUCH_RETURN_IF_ERROR(zeros(r, out.padding, "padding after the runtime claims"));
  return out;
}

Bytes serialize(const HclReport& rep) {
  const auto var_size = static_cast<std::uint32_t>(rep.runtime_claims.size());
  const auto data_size = static_cast<std::uint32_t>(var_size + kIgvmHeaderSize);
  ByteWriter w;
  w.u32le(kHclSignature)
      .u32le(rep.version)
      .u32le(static_cast<std::uint32_t>(data_size + kIgvmOffset))
      .u32le(rep.request_type)
      .u32le(0)
      .zeros(12)
      .bytes(rep.hw_report)
      .zeros(kHwReportArea - std::min(rep.hw_report.size(), kHwReportArea))
      .u32le(data_size)
      .u32le(rep.igvm_version)
      .u32le(static_cast<std::uint32_t>(rep.report_type))
      .u32le(hash_type(rep.hash))
      .u32le(var_size)
      .bytes(rep.runtime_claims)
      .zeros(rep.padding);
  return std::move(w).take();
}

Bytes expected_report_data(const HclReport& report) {
  Bytes out = crypto::digest(report.hash, report.runtime_claims);
  out.resize(64, 0);
  return out;
}

}  // namespace vouch::azure_cvm
