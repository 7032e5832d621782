#include "testing/eventlog_builder.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "base/byte_writer.h"
#include "evidence/tpm/eventlog/constants.h"

namespace vouch::testing {
namespace el = ::vouch::tpm::eventlog;

EventLogBuilder EventLogBuilder::crypto_agile(std::span<const crypto::HashAlg> banks) {
  EventLogBuilder b(true);
  for (crypto::HashAlg h : banks) {
    b.bank(h);
  }
  return b;
}

EventLogBuilder EventLogBuilder::crypto_agile(std::initializer_list<crypto::HashAlg> banks) {
  return crypto_agile(std::span<const crypto::HashAlg>(banks.begin(), banks.size()));
}

EventLogBuilder EventLogBuilder::legacy_sha1() {
  EventLogBuilder b(false);
  b.algorithms_.push_back(Algorithm{tpm::alg::kSha1, 20, true, crypto::HashAlg::kSha1});
  return b;
}

EventLogBuilder& EventLogBuilder::bank(crypto::HashAlg alg) {
  if (!agile_) {
    std::abort();  // a legacy log has exactly one SHA-1 bank
  }
  algorithms_.push_back(Algorithm{tpm::tpm_alg_id(alg),
                                  static_cast<std::uint16_t>(crypto::digest_size(alg)), true, alg});
  return *this;
}

EventLogBuilder& EventLogBuilder::unknown_algorithm(std::uint16_t alg_id,
                                                    std::uint16_t digest_size) {
  if (!agile_) {
    std::abort();
  }
  algorithms_.push_back(Algorithm{alg_id, digest_size, false, crypto::HashAlg::kSha1});
  return *this;
}

EventLogBuilder& EventLogBuilder::vendor_info(ByteSpan info) {
  if (info.size() > 255) {
    std::abort();
  }
  vendor_info_ = to_bytes(info);
  return *this;
}

EventLogBuilder& EventLogBuilder::header_pcr(std::uint32_t pcr) {
  header_pcr_ = pcr;
  return *this;
}

EventLogBuilder& EventLogBuilder::add(Event e) {
  events_.push_back(std::move(e));
  return *this;
}

EventLogBuilder& EventLogBuilder::event(std::uint32_t pcr, std::uint32_t type, ByteSpan data) {
  return add(Event{pcr, type, to_bytes(data), {}, {}});
}

EventLogBuilder& EventLogBuilder::event(std::uint32_t pcr, std::uint32_t type,
                                        std::string_view data) {
  return event(pcr, type, as_bytes(data));
}

EventLogBuilder& EventLogBuilder::event_measuring(std::uint32_t pcr, std::uint32_t type,
                                                  ByteSpan data, ByteSpan measured) {
  Event e{pcr, type, to_bytes(data), {}, {}};
  for (const Algorithm& a : algorithms_) {
    if (a.known) {
      e.digests[a.hash] = crypto::digest(a.hash, measured);
    }
  }
  return add(std::move(e));
}

EventLogBuilder& EventLogBuilder::startup_locality(std::uint8_t locality) {
  Bytes data(el::kStartupLocalitySignature.begin(), el::kStartupLocalitySignature.end());
  data.push_back(locality);
  locality_ = locality;
  return add(Event{0, el::ev::kNoAction, std::move(data), {}, {}});
}

EventLogBuilder& EventLogBuilder::separator(std::uint32_t pcr, std::uint32_t value) {
  ByteWriter w;
  w.u32le(value);
  return event(pcr, el::ev::kSeparator, w.data());
}

EventLogBuilder& EventLogBuilder::separators() {
  for (std::uint32_t pcr = 0; pcr < 8; ++pcr) {
    separator(pcr);
  }
  return *this;
}

EventLogBuilder& EventLogBuilder::secure_boot_variable(std::string_view name, ByteSpan value) {
  const bool global = name == "SecureBoot" || name == "PK" || name == "KEK";
  return event(
      7, el::ev::kEfiVariableDriverConfig,
      uefi_variable_data(global ? el::kEfiGlobalVariableGuid : el::kEfiImageSecurityDatabaseGuid,
                         name, value));
}

EventLogBuilder& EventLogBuilder::tail(ByteSpan bytes) {
  append(tail_, bytes);
  return *this;
}

Bytes EventLogBuilder::digest_for(const Event& e, const Algorithm& a) const {
  if (a.known) {
    if (const auto it = e.digests.find(a.hash); it != e.digests.end()) {
      return it->second;
    }
  }
  if (e.type == el::ev::kNoAction) {
    return Bytes(a.digest_size, 0);  // EV_NO_ACTION digests are zero (PFP 10.4.5)
  }
  if (!a.known) {
    return Bytes(a.digest_size, static_cast<std::uint8_t>(a.alg_id));  // filler
  }
  return crypto::digest(a.hash, e.data);
}

Bytes EventLogBuilder::build() const {
  ByteWriter w;
  if (agile_) {
    // TCG_EfiSpecIDEvent: signature, platformClass, specVersionMinor/Major, specErrata,
    // uintnSize, numberOfAlgorithms, digestSizes[], vendorInfoSize, vendorInfo.
    ByteWriter spec;
    spec.bytes(el::kSpecIdSignature03).u32le(0).u8(el::kSpecVersionMinor).u8(el::kSpecVersionMajor);
    spec.u8(0).u8(2).u32le(static_cast<std::uint32_t>(algorithms_.size()));
    for (const Algorithm& a : algorithms_) {
      spec.u16le(a.alg_id).u16le(a.digest_size);
    }
    spec.u8(static_cast<std::uint8_t>(vendor_info_.size())).bytes(vendor_info_);
    w.u32le(header_pcr_).u32le(el::ev::kNoAction).zeros(20);
    w.u32le(static_cast<std::uint32_t>(spec.data().size())).bytes(spec.data());
  }
  for (const Event& e : events_) {
    w.u32le(e.pcr).u32le(e.type);
    if (agile_) {
      std::vector<const Algorithm*> present;
      for (const Algorithm& a : algorithms_) {
        if (!a.known || std::find(e.omit.begin(), e.omit.end(), a.hash) == e.omit.end()) {
          present.push_back(&a);
        }
      }
      w.u32le(static_cast<std::uint32_t>(present.size()));
      for (const Algorithm* a : present) {
        w.u16le(a->alg_id).bytes(digest_for(e, *a));
      }
    } else {
      w.bytes(digest_for(e, algorithms_.front()));
    }
    w.u32le(static_cast<std::uint32_t>(e.data.size())).bytes(e.data);
  }
  w.bytes(tail_);
  return std::move(w).take();
}

std::vector<std::size_t> EventLogBuilder::record_offsets() const {
  // Recomputed from the sizes build() writes, so it cannot drift from it.
  std::vector<std::size_t> out;
  std::size_t at = 0;
  if (agile_) {
    out.push_back(0);
    at = 32 + 16 + 4 + 4 + 4 + 4 * algorithms_.size() + 1 + vendor_info_.size();
  }
  for (const Event& e : events_) {
    out.push_back(at);
    std::size_t size = 4 + 4 + 4 + e.data.size();
    if (agile_) {
      size += 4;
      for (const Algorithm& a : algorithms_) {
        if (!a.known || std::find(e.omit.begin(), e.omit.end(), a.hash) == e.omit.end()) {
          size += 2 + a.digest_size;
        }
      }
    } else {
      size += 20;
    }
    at += size;
  }
  return out;
}

std::size_t EventLogBuilder::num_events() const {
  return events_.size() + (agile_ ? 1 : 0);
}

std::vector<EventLogBuilder::Extension> EventLogBuilder::extensions() const {
  std::vector<Extension> out;
  for (const Event& e : events_) {
    if (e.type == el::ev::kNoAction) {
      continue;
    }
    Extension x{e.pcr, {}};
    for (const Algorithm& a : algorithms_) {
      if (a.known && std::find(e.omit.begin(), e.omit.end(), a.hash) == e.omit.end()) {
        x.digests[a.hash] = digest_for(e, a);
      }
    }
    out.push_back(std::move(x));
  }
  return out;
}

std::map<crypto::HashAlg, std::map<std::uint32_t, Bytes>> EventLogBuilder::pcrs() const {
  std::map<crypto::HashAlg, std::map<std::uint32_t, Bytes>> out;
  for (const Algorithm& a : algorithms_) {
    if (a.known) {
      out[a.hash];
    }
  }
  for (const Extension& x : extensions()) {
    for (const auto& [alg, d] : x.digests) {
      auto& bank = out[alg];
      auto it = bank.find(x.pcr);
      if (it == bank.end()) {
        Bytes initial(crypto::digest_size(alg), 0);
        if (x.pcr == 0) {
          initial.back() = locality_;
        }
        it = bank.emplace(x.pcr, std::move(initial)).first;
      }
      crypto::Hasher h(alg);
      h.update(it->second).update(d);
      it->second = h.finish();
    }
  }
  return out;
}

Bytes uefi_variable_data(const std::array<std::uint8_t, 16>& guid, std::string_view name,
                         ByteSpan value) {
  ByteWriter w;
  w.bytes(guid).u64le(name.size()).u64le(value.size());
  for (char c : name) {
    w.u16le(static_cast<std::uint8_t>(c));
  }
  w.bytes(value);
  return std::move(w).take();
}

}  // namespace vouch::testing
