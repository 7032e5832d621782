#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "crypto/digest.h"

namespace vouch::testing {

// EventLogBuilder writes real TCG PC Client event logs (PFP section 10) for tests: crypto-agile
// (a Spec ID Event03 header listing the chosen banks, then TCG_PCR_EVENT2 records) or legacy SHA-1
// (TCG_PCR_EVENT records). By default every measuring event's digest is H(data) in each bank and
// EV_NO_ACTION digests are zero. It reports the per-bank digests to extend into a (software) TPM
// and the PCR values a correct replay reaches, computed independently of the production parser.
// It depends only on base and crypto, so the benchmark can compile it in.
class EventLogBuilder {
 public:
  // One record to append. Banks named in `digests` use that value instead of the default (a
  // wrong or foreign digest); banks in `omit` are left out of TPML_DIGEST_VALUES.
  struct Event {
    std::uint32_t pcr = 0;
    std::uint32_t type = 0;
    Bytes data;
    std::map<crypto::HashAlg, Bytes> digests;
    std::vector<crypto::HashAlg> omit;
  };

  // The digests one measuring event extends into `pcr`, by bank.
  struct Extension {
    std::uint32_t pcr = 0;
    std::map<crypto::HashAlg, Bytes> digests;
  };

  // A crypto-agile log whose header declares `banks`, in this order.
  static EventLogBuilder crypto_agile(std::span<const crypto::HashAlg> banks);
  static EventLogBuilder crypto_agile(std::initializer_list<crypto::HashAlg> banks);
  // A legacy log: TCG_PCR_EVENT records with one SHA-1 digest each, no header.
  static EventLogBuilder legacy_sha1();

  // Declares one more bank in the header, after those declared so far (crypto-agile only).
  EventLogBuilder& bank(crypto::HashAlg alg);
  // Declares an algorithm Vouch does not compute, with its digest size, after those declared so
  // far; every event then carries a filler digest of that size for it (crypto-agile only).
  EventLogBuilder& unknown_algorithm(std::uint16_t alg_id, std::uint16_t digest_size);
  // Sets the Spec ID header's vendorInfo bytes (at most 255).
  EventLogBuilder& vendor_info(ByteSpan info);
  // Sets the PCR index field of the Spec ID header record (CCEL logs use 0 or 1).
  EventLogBuilder& header_pcr(std::uint32_t pcr);

  EventLogBuilder& add(Event e);
  // Appends an event measuring its own data.
  EventLogBuilder& event(std::uint32_t pcr, std::uint32_t type, ByteSpan data);
  EventLogBuilder& event(std::uint32_t pcr, std::uint32_t type, std::string_view data);
  // Appends an event that logs `data` but whose digests are H(measured): a measurement of
  // something the log does not show (e.g. a PE image for a boot application event).
  EventLogBuilder& event_measuring(std::uint32_t pcr, std::uint32_t type, ByteSpan data,
                                   ByteSpan measured);
  // Appends the EV_NO_ACTION StartupLocality event (PCR 0).
  EventLogBuilder& startup_locality(std::uint8_t locality);
  // Appends an EV_SEPARATOR with the 4-byte little-endian `value` (0, or 0xFFFFFFFF for an
  // error) to `pcr`.
  EventLogBuilder& separator(std::uint32_t pcr, std::uint32_t value = 0);
  // Appends an EV_SEPARATOR with data 00000000 to each of PCRs 0-7.
  EventLogBuilder& separators();
  // Appends an EV_EFI_VARIABLE_DRIVER_CONFIG event in PCR 7 for a secure boot variable:
  // SecureBoot, PK and KEK use EFI_GLOBAL_VARIABLE, any other name the image security database.
  EventLogBuilder& secure_boot_variable(std::string_view name, ByteSpan value);
  // Appends raw bytes after the last record (padding or garbage).
  EventLogBuilder& tail(ByteSpan bytes);

  // The log bytes.
  Bytes build() const;
  // Byte offset in build() of each record; [0] is the first record (the Spec ID header of a
  // crypto-agile log). The tail is not a record.
  std::vector<std::size_t> record_offsets() const;
  // Number of records, including the Spec ID header of a crypto-agile log.
  std::size_t num_events() const;
  // The digests of every measuring (not EV_NO_ACTION) event, in log order: what to extend into a
  // TPM so that its PCRs match this log.
  std::vector<Extension> extensions() const;
  // The PCR values after extending extensions() into zeroed PCRs (PCR 0 starting at the
  // StartupLocality value), per declared bank. Indices never extended are absent.
  std::map<crypto::HashAlg, std::map<std::uint32_t, Bytes>> pcrs() const;

 private:
  struct Algorithm {
    std::uint16_t alg_id = 0;
    std::uint16_t digest_size = 0;
    bool known = false;
    crypto::HashAlg hash = crypto::HashAlg::kSha1;
  };

  explicit EventLogBuilder(bool agile) : agile_(agile) {}
  Bytes digest_for(const Event& e, const Algorithm& a) const;

  bool agile_;
  std::uint32_t header_pcr_ = 0;
  std::vector<Algorithm> algorithms_;
  Bytes vendor_info_;
  std::vector<Event> events_;
  Bytes tail_;
  std::uint8_t locality_ = 0;
};

// UEFI_VARIABLE_DATA (PFP 10.4.6) for a variable: the GUID, the ASCII name as UTF-16LE, the value.
Bytes uefi_variable_data(const std::array<std::uint8_t, 16>& guid, std::string_view name,
                         ByteSpan value);

}  // namespace vouch::testing
