#include <cstdint>
#include <utility>

#include "evidence/tpm/eventlog/eventlog.h"

namespace vouch::tpm::eventlog {
namespace {

claims::ClaimList index_list(const std::vector<std::uint32_t>& pcrs) {
  claims::ClaimList out;
  out.reserve(pcrs.size());
  for (std::uint32_t p : pcrs) {
    out.emplace_back(p);
  }
  return out;
}

}  // namespace

void add_claims(const VerifiedLog& log, claims::ClaimSet& out) {
  out.set("tpm.eventlog.events", static_cast<std::int64_t>(log.num_events()));
  out.set("tpm.eventlog.pcrs_verified", index_list(log.pcrs_verified()));
  out.set("tpm.eventlog.pcrs_not_covered", index_list(log.pcrs_not_covered()));
  out.set("tpm.eventlog.separators", index_list(log.separators()));
  out.set("tpm.eventlog.error_separators", index_list(log.error_separators()));
  out.set("tpm.eventlog.exit_boot_services_unlogged", log.exit_boot_services_unlogged());
  // Facts whose PCR the quote did not verify are left out rather than guessed.
  if (log.secure_boot()) {
    out.set("tpm.eventlog.secure_boot", *log.secure_boot());
  }
  if (const auto& vars = log.secure_boot_variables()) {
    claims::ClaimMap m;
    for (const auto& [name, digest] : *vars) {
      m.emplace(name, digest);
    }
    out.set("tpm.eventlog.secure_boot_variables", std::move(m));
  }
  if (const auto& apps = log.boot_applications()) {
    claims::ClaimList l;
    l.reserve(apps->size());
    for (const Bytes& d : *apps) {
      l.emplace_back(d);
    }
    out.set("tpm.eventlog.boot_applications", std::move(l));
  }
}

}  // namespace vouch::tpm::eventlog
