#include "evidence/tpm/eventlog/log_reader.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"

namespace vouch::tpm::eventlog::internal {
namespace {

std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%04x", static_cast<unsigned>(v));
  return buf;
}

std::string hex32(std::uint32_t v) {
  char buf[12];
  std::snprintf(buf, sizeof(buf), "0x%08x", static_cast<unsigned>(v));
  return buf;
}

std::string record_label(std::size_t index, std::size_t offset) {
  return "event " + std::to_string(index) + " (record at offset " + std::to_string(offset) + ")";
}

bool starts_with(ByteSpan data, std::span<const std::uint8_t> prefix) {
  return data.size() >= prefix.size() && equal_bytes(data.first(prefix.size()), prefix);
}

// Where the trailing run of identical 0x00 or 0xFF bytes starts (log.size() when there is none).
// Computed once, so checking for padding at each record boundary stays linear in the log size.
std::size_t find_padding_start(ByteSpan log) {
  if (log.empty()) {
    return 0;
  }
  const std::uint8_t last = log.back();
  if (last != 0x00 && last != 0xFF) {
    return log.size();
  }
  std::size_t start = log.size();
  while (start > 0 && log[start - 1] == last) {
    --start;
  }
  return start;
}

// Reads eventSize and the event data it bounds (both record formats end this way).
Status read_event_data(ByteReader& r, RawEvent& out) {
  std::uint32_t event_size = 0;
  if (!r.u32le(event_size)) {
    return fail(r.truncated(checks::kTruncated, "eventSize"));
  }
  if (event_size > kMaxEventDataSize) {
    return malformed(checks::kLimit, "eventSize " + std::to_string(event_size) + " at offset " +
                                         std::to_string(r.offset() - 4) + " exceeds the " +
                                         std::to_string(kMaxEventDataSize) + "-byte bound");
  }
  out.data_offset = r.offset();
  if (!r.bytes(event_size, out.data)) {
    return fail(r.truncated(checks::kTruncated, "event data"));
  }
  return ok();
}

// Reads one TCG_PCR_EVENT (PFP 10.2.1): pcrIndex, eventType, SHA-1 digest, eventSize, event.
Status read_legacy_record(ByteReader& r, RawEvent& out) {
  ByteSpan digest;
  if (!r.u32le(out.pcr)) {
    return fail(r.truncated(checks::kTruncated, "pcrIndex"));
  }
  if (!r.u32le(out.type)) {
    return fail(r.truncated(checks::kTruncated, "eventType"));
  }
  if (!r.bytes(kSha1DigestSize, digest)) {
    return fail(r.truncated(checks::kTruncated, "SHA-1 digest"));
  }
  VOUCH_RETURN_IF_ERROR(read_event_data(r, out));
  out.digests[slot(crypto::HashAlg::kSha1)] = digest;
  return ok();
}

// Reads one TCG_PCR_EVENT2 (PFP 10.2.2): pcrIndex, eventType, TPML_DIGEST_VALUES, eventSize,
// event. Digest sizes come from the Spec ID header; digests of algorithms Vouch cannot compute are
// skipped by their declared size.
Status read_agile_record(ByteReader& r, std::span<const DeclaredAlgorithm> algorithms,
                         RawEvent& out) {
  std::uint32_t count = 0;
  if (!r.u32le(out.pcr)) {
    return fail(r.truncated(checks::kTruncated, "pcrIndex"));
  }
  if (!r.u32le(out.type)) {
    return fail(r.truncated(checks::kTruncated, "eventType"));
  }
  if (!r.u32le(count)) {
    return fail(r.truncated(checks::kTruncated, "digests.count"));
  }
  if (count > algorithms.size()) {
    return malformed(checks::kDigest, "digests.count " + std::to_string(count) + " at offset " +
                                          std::to_string(r.offset() - 4) + " exceeds the " +
                                          std::to_string(algorithms.size()) +
                                          " algorithms of the Spec ID header");
  }
  std::uint32_t seen = 0;  // bit k: algorithms[k] already present (kMaxAlgorithms <= 32)
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint16_t alg_id = 0;
    const std::size_t at = r.offset();
    const std::string field = "digests[" + std::to_string(i) + "]";
    if (!r.u16le(alg_id)) {
      return fail(r.truncated(checks::kTruncated, field + ".hashAlg"));
    }
    std::size_t k = 0;
    while (k < algorithms.size() && algorithms[k].alg_id != alg_id) {
      ++k;
    }
    if (k == algorithms.size()) {
      return malformed(checks::kDigest, field + " at offset " + std::to_string(at) +
                                            ": algorithm " + hex16(alg_id) +
                                            " is not declared in the Spec ID header");
    }
    if ((seen & (1u << k)) != 0) {
      return malformed(checks::kDigest, field + " at offset " + std::to_string(at) +
                                            ": algorithm " + hex16(alg_id) + " appears twice");
    }
    seen |= 1u << k;
    ByteSpan value;
    if (!r.bytes(algorithms[k].digest_size, value)) {
      return fail(r.truncated(checks::kTruncated, field + ".digest (" + hex16(alg_id) + ")"));
    }
    if (algorithms[k].hash) {
      out.digests[slot(*algorithms[k].hash)] = value;
    }
  }
  VOUCH_RETURN_IF_ERROR(read_event_data(r, out));
  return ok();
}

// Parses TCG_EfiSpecIDEvent (PFP 10.4.5.1) from the first record's data; the signature has been
// matched already. Appends the declared algorithms to `out`.
Status parse_spec_id(ByteSpan data, std::size_t data_offset, std::vector<DeclaredAlgorithm>& out) {
  ByteReader s(data, data_offset);
  std::uint32_t platform_class = 0;
  std::uint8_t version_minor = 0;
  std::uint8_t version_major = 0;
  std::uint8_t errata = 0;
  std::uint8_t uintn_size = 0;
  std::uint32_t num_algorithms = 0;
  if (!s.skip(kSpecIdSignature03.size()) || !s.u32le(platform_class) || !s.u8(version_minor) ||
      !s.u8(version_major) || !s.u8(errata) || !s.u8(uintn_size)) {
    return fail(s.truncated(checks::kSpecId, "Spec ID header"));
  }
  if (version_major != kSpecVersionMajor || version_minor != kSpecVersionMinor) {
    return malformed(checks::kSpecId, "Spec ID version " + std::to_string(version_major) + "." +
                                          std::to_string(version_minor) + " at offset " +
                                          std::to_string(data_offset + 20) + ", expected 2.0");
  }
  // uintnSize: 1 means UINTN is 32 bits, 2 means 64 bits; nothing else is defined.
  if (uintn_size != 1 && uintn_size != 2) {
    return malformed(checks::kSpecId, "Spec ID uintnSize " + std::to_string(uintn_size) +
                                          " at offset " + std::to_string(s.offset() - 1) +
                                          ", expected 1 or 2");
  }
  if (!s.u32le(num_algorithms)) {
    return fail(s.truncated(checks::kSpecId, "Spec ID numberOfAlgorithms"));
  }
  if (num_algorithms == 0 || num_algorithms > kMaxAlgorithms) {
    return malformed(checks::kSpecId, "Spec ID numberOfAlgorithms " +
                                          std::to_string(num_algorithms) + " at offset " +
                                          std::to_string(s.offset() - 4) + " is not in 1.." +
                                          std::to_string(kMaxAlgorithms));
  }
  for (std::uint32_t i = 0; i < num_algorithms; ++i) {
    DeclaredAlgorithm a;
    const std::size_t at = s.offset();
    if (!s.u16le(a.alg_id) || !s.u16le(a.digest_size)) {
      return fail(s.truncated(checks::kSpecId, "Spec ID digestSizes[" + std::to_string(i) + "]"));
    }
    const std::string where =
        "Spec ID digestSizes[" + std::to_string(i) + "] at offset " + std::to_string(at);
    if (a.alg_id == 0 || a.alg_id == alg::kNull) {
      return malformed(checks::kSpecId,
                       where + ": algorithm " + hex16(a.alg_id) + " is not a hash");
    }
    for (const DeclaredAlgorithm& prev : out) {
      if (prev.alg_id == a.alg_id) {
        return malformed(checks::kSpecId,
                         where + ": algorithm " + hex16(a.alg_id) + " listed twice");
      }
    }
    a.hash = hash_from_tpm_alg(a.alg_id);
    if (a.hash) {
      if (a.digest_size != crypto::digest_size(*a.hash)) {
        return malformed(checks::kSpecId, where + ": " + std::string(crypto::hash_name(*a.hash)) +
                                              " declared with digest size " +
                                              std::to_string(a.digest_size) + ", expected " +
                                              std::to_string(crypto::digest_size(*a.hash)));
      }
    } else if (a.digest_size == 0 || a.digest_size > kMaxDigestSize) {
      // An algorithm we cannot compute is skipped by its declared size, which must be sane.
      return malformed(checks::kSpecId, where + ": algorithm " + hex16(a.alg_id) +
                                            " declared with digest size " +
                                            std::to_string(a.digest_size) + ", not in 1.." +
                                            std::to_string(kMaxDigestSize));
    }
    out.push_back(a);
  }
  std::uint8_t vendor_info_size = 0;
  if (!s.u8(vendor_info_size)) {
    return fail(s.truncated(checks::kSpecId, "Spec ID vendorInfoSize"));
  }
  if (!s.skip(vendor_info_size)) {
    return fail(s.truncated(checks::kSpecId, "Spec ID vendorInfo"));
  }
  if (!s.empty()) {
    return fail(s.trailing(checks::kSpecId, "the Spec ID header"));
  }
  return ok();
}

}  // namespace

std::string event_label(const RawEvent& e) {
  return record_label(e.index, e.offset);
}

std::string event_type_name(std::uint32_t type) {
  switch (type) {
    case ev::kPrebootCert:
      return "EV_PREBOOT_CERT";
    case ev::kPostCode:
      return "EV_POST_CODE";
    case ev::kUnused:
      return "EV_UNUSED";
    case ev::kNoAction:
      return "EV_NO_ACTION";
    case ev::kSeparator:
      return "EV_SEPARATOR";
    case ev::kAction:
      return "EV_ACTION";
    case ev::kEventTag:
      return "EV_EVENT_TAG";
    case ev::kSCrtmContents:
      return "EV_S_CRTM_CONTENTS";
    case ev::kSCrtmVersion:
      return "EV_S_CRTM_VERSION";
    case ev::kCpuMicrocode:
      return "EV_CPU_MICROCODE";
    case ev::kPlatformConfigFlags:
      return "EV_PLATFORM_CONFIG_FLAGS";
    case ev::kTableOfDevices:
      return "EV_TABLE_OF_DEVICES";
    case ev::kCompactHash:
      return "EV_COMPACT_HASH";
    case ev::kIpl:
      return "EV_IPL";
    case ev::kIplPartitionData:
      return "EV_IPL_PARTITION_DATA";
    case ev::kNonhostCode:
      return "EV_NONHOST_CODE";
    case ev::kNonhostConfig:
      return "EV_NONHOST_CONFIG";
    case ev::kNonhostInfo:
      return "EV_NONHOST_INFO";
    case ev::kOmitBootDeviceEvents:
      return "EV_OMIT_BOOT_DEVICE_EVENTS";
    case ev::kEfiVariableDriverConfig:
      return "EV_EFI_VARIABLE_DRIVER_CONFIG";
    case ev::kEfiVariableBoot:
      return "EV_EFI_VARIABLE_BOOT";
    case ev::kEfiBootServicesApplication:
      return "EV_EFI_BOOT_SERVICES_APPLICATION";
    case ev::kEfiBootServicesDriver:
      return "EV_EFI_BOOT_SERVICES_DRIVER";
    case ev::kEfiRuntimeServicesDriver:
      return "EV_EFI_RUNTIME_SERVICES_DRIVER";
    case ev::kEfiGptEvent:
      return "EV_EFI_GPT_EVENT";
    case ev::kEfiAction:
      return "EV_EFI_ACTION";
    case ev::kEfiPlatformFirmwareBlob:
      return "EV_EFI_PLATFORM_FIRMWARE_BLOB";
    case ev::kEfiHandoffTables:
      return "EV_EFI_HANDOFF_TABLES";
    case ev::kEfiPlatformFirmwareBlob2:
      return "EV_EFI_PLATFORM_FIRMWARE_BLOB2";
    case ev::kEfiHandoffTables2:
      return "EV_EFI_HANDOFF_TABLES2";
    case ev::kEfiVariableBoot2:
      return "EV_EFI_VARIABLE_BOOT2";
    case ev::kEfiHcrtmEvent:
      return "EV_EFI_HCRTM_EVENT";
    case ev::kEfiVariableAuthority:
      return "EV_EFI_VARIABLE_AUTHORITY";
    case ev::kEfiSpdmFirmwareBlob:
      return "EV_EFI_SPDM_FIRMWARE_BLOB";
    case ev::kEfiSpdmFirmwareConfig:
      return "EV_EFI_SPDM_FIRMWARE_CONFIG";
    default:
      return "event type " + hex32(type);  // the type is untrusted; unknown ones are just named
  }
}

LogReader::LogReader(ByteSpan log, const ReplayOptions& options)
    : reader_(log),
      log_size_(log.size()),
      padding_start_(find_padding_start(log)),
      allow_padding_(options.allow_trailing_padding) {}

bool LogReader::has_bank(crypto::HashAlg h) const noexcept {
  return std::find(banks_.begin(), banks_.end(), h) != banks_.end();
}

Result<LogReader> LogReader::open(ByteSpan log, const ReplayOptions& options) {
  LogReader lr(log, options);
  if (lr.padding_start_ == 0) {
    return malformed(checks::kTruncated, log.empty()
                                             ? std::string("empty event log")
                                             : "event log of " + std::to_string(log.size()) +
                                                   " bytes holds only padding and no event");
  }
  // Every log starts with a TCG_PCR_EVENT. A crypto-agile log's first record is an EV_NO_ACTION
  // whose data is the Spec ID Event03 header; any other first record is a legacy SHA-1 event.
  ByteReader first = lr.reader_;
  RawEvent header;
  if (Status s = read_legacy_record(first, header); !s) {
    return fail(std::move(s).error().with_context(record_label(0, 0)));
  }
  static constexpr std::array<std::uint8_t, 13> kSpecIdPrefix = {'S', 'p', 'e', 'c', ' ', 'I', 'D',
                                                                 ' ', 'E', 'v', 'e', 'n', 't'};
  if (header.type == ev::kNoAction && starts_with(header.data, kSpecIdPrefix)) {
    if (starts_with(header.data, kSpecIdSignature03)) {
      const std::size_t data_offset = first.offset() - header.data.size();
      if (Status s = parse_spec_id(header.data, data_offset, lr.algorithms_); !s) {
        return fail(std::move(s).error().with_context(record_label(0, 0)));
      }
      // The header's SHA-1 digest field is reserved and zero (PFP 10.4.5.1).
      for (std::uint8_t b : header.digest(crypto::HashAlg::kSha1)) {
        if (b != 0) {
          return malformed(checks::kSpecId,
                           record_label(0, 0) + ": Spec ID event digest at offset 8 is not zero");
        }
      }
      lr.format_ = LogFormat::kCryptoAgile;
      lr.reader_ = first;
      lr.num_events_ = 1;
    } else {
      // TCG 1.2 logs may start with "Spec ID Event00" (TCG_EfiSpecIdEventStruct) and stay in the
      // SHA-1 format; any other version is a format we do not know.
      static constexpr std::array<std::uint8_t, 16> kSpecId00 = {
          'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '0', '\0'};
      if (!starts_with(header.data, kSpecId00)) {
        return malformed(checks::kSpecId, record_label(0, 0) +
                                              ": unsupported Spec ID signature at offset " +
                                              std::to_string(kLegacyHeaderSize));
      }
    }
  }
  if (lr.format_ == LogFormat::kLegacySha1) {
    lr.algorithms_.push_back(
        DeclaredAlgorithm{alg::kSha1, kSha1DigestSize, crypto::HashAlg::kSha1});
  }
  for (const DeclaredAlgorithm& a : lr.algorithms_) {
    if (a.hash) {
      lr.banks_.push_back(*a.hash);
    }
  }
  return lr;
}

Result<bool> LogReader::next(RawEvent& out) {
  if (reader_.empty()) {
    return false;
  }
  const std::size_t offset = reader_.offset();
  if (offset >= padding_start_) {
    if (allow_padding_) {
      return false;
    }
    return malformed(checks::kTrailing,
                     std::to_string(log_size_ - offset) + " trailing bytes of 0x" +
                         (reader_.rest().front() == 0 ? "00" : "ff") + " padding at offset " +
                         std::to_string(offset) + " after event " +
                         std::to_string(num_events_ - 1) +
                         " (padding is accepted only with allow_trailing_padding)");
  }
  if (num_events_ >= kMaxEvents) {
    return malformed(checks::kLimit, "more than " + std::to_string(kMaxEvents) +
                                         " events; record at offset " + std::to_string(offset));
  }
  out = RawEvent{};
  out.index = num_events_;
  out.offset = offset;
  Status s = format_ == LogFormat::kLegacySha1 ? read_legacy_record(reader_, out)
                                               : read_agile_record(reader_, algorithms_, out);
  if (!s) {
    return fail(std::move(s).error().with_context(record_label(out.index, offset)));
  }
  ++num_events_;
  return true;
}

Bytes extend(crypto::HashAlg bank, ByteSpan old_value, ByteSpan digest) {
  crypto::Hasher h(bank);
  h.update(old_value).update(digest);
  return h.finish();
}

Replayer::Replayer(std::span<const crypto::HashAlg> banks) : banks_(banks.begin(), banks.end()) {
  for (crypto::HashAlg b : banks_) {
    values_[b];
  }
}

Status Replayer::apply(const RawEvent& e) {
  if (e.type == ev::kNoAction) {
    // Not extended. A StartupLocality event in PCR 0 sets PCR 0's initial value; it must come
    // before anything is extended into PCR 0 and appear once (PFP 10.4.5.3).
    if (e.pcr == 0 && starts_with(e.data, kStartupLocalitySignature)) {
      if (e.data.size() != kStartupLocalitySignature.size() + 1) {
        return malformed(checks::kEventData, event_label(e) + ": StartupLocality data is " +
                                                 std::to_string(e.data.size()) +
                                                 " bytes, expected 17");
      }
      if (pcr0_extended_ || locality_seen_) {
        return malformed(checks::kEventData,
                         event_label(e) + ": StartupLocality " +
                             (locality_seen_ ? "repeated" : "after PCR 0 was extended"));
      }
      locality_ = e.data.back();
      locality_seen_ = true;
    }
    return ok();
  }
  if (e.pcr >= kNumPcrs) {
    return malformed(checks::kPcrIndex, event_label(e) + ": " + event_type_name(e.type) +
                                            " extends PCR " + std::to_string(e.pcr) +
                                            ", outside 0.." + std::to_string(kNumPcrs - 1));
  }
  for (crypto::HashAlg b : banks_) {
    const ByteSpan d = e.digest(b);
    if (d.empty()) {
      return malformed(checks::kBankMissing, event_label(e) + ": " + event_type_name(e.type) +
                                                 " for PCR " + std::to_string(e.pcr) + " has no " +
                                                 std::string(crypto::hash_name(b)) +
                                                 " digest although the log declares that bank");
    }
    PcrBank& bank = values_[b];
    auto it = bank.find(e.pcr);
    if (it == bank.end()) {
      Bytes initial(crypto::digest_size(b), 0);
      if (e.pcr == 0) {
        initial.back() = locality_;
      }
      it = bank.emplace(e.pcr, std::move(initial)).first;
    }
    it->second = extend(b, it->second, d);
  }
  if (e.pcr == 0) {
    pcr0_extended_ = true;
  }
  return ok();
}

const PcrBank& Replayer::values(crypto::HashAlg bank) const {
  return values_.at(bank);
}

std::map<crypto::HashAlg, PcrBank> Replayer::take_banks() && {
  return std::move(values_);
}

}  // namespace vouch::tpm::eventlog::internal
