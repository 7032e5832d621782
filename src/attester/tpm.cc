#include "attester/tpm.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "attester/check_ids.h"
#include "base/file.h"

namespace vouch::attester {
namespace {

constexpr std::size_t kMaxEventLogBytes = std::size_t{16} << 20;

auto bad_selection(std::string_view text, const std::string& why) {
  return fail(ErrorKind::kInvalidArgument, checks::kTpmPcrSelection,
              "PCR selection '" + std::string(text) + "': " + why);
}

std::optional<std::uint32_t> parse_index(std::string_view s) {
  std::uint32_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty() || v > 23) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::vector<tpm::PcrSelection> default_pcr_selection() {
  tpm::PcrSelection s;
  s.bank = crypto::HashAlg::kSha256;
  s.pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
  return {s};
}

Result<std::vector<tpm::PcrSelection>> parse_pcr_selection(std::string_view text) {
  std::vector<tpm::PcrSelection> out;
  std::set<crypto::HashAlg> banks;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t plus = text.find('+', pos);
    if (plus == std::string_view::npos) {
      plus = text.size();
    }
    const std::string_view part = text.substr(pos, plus - pos);
    pos = plus + 1;
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return bad_selection(text, "expected BANK:INDICES, e.g. sha256:0,1,2");
    }
    auto bank = crypto::hash_from_name(part.substr(0, colon));
    if (!bank) {
      return bad_selection(text, "unknown bank '" + std::string(part.substr(0, colon)) + "'");
    }
    if (!banks.insert(*bank).second) {
      return bad_selection(text, "bank listed twice");
    }
    std::set<std::uint32_t> pcrs;
    std::string_view list = part.substr(colon + 1);
    std::size_t p = 0;
    while (p <= list.size()) {
      std::size_t comma = list.find(',', p);
      if (comma == std::string_view::npos) {
        comma = list.size();
      }
      const std::string_view item = list.substr(p, comma - p);
      p = comma + 1;
      const std::size_t dash = item.find('-');
      auto lo = parse_index(item.substr(0, dash));
      auto hi = dash == std::string_view::npos ? lo : parse_index(item.substr(dash + 1));
      if (!lo || !hi || *hi < *lo) {
        return bad_selection(text, "'" + std::string(item) + "' is not an index or range in 0..23");
      }
      for (std::uint32_t i = *lo; i <= *hi; ++i) {
        pcrs.insert(i);
      }
    }
    tpm::PcrSelection s;
    s.bank = *bank;
    s.pcrs.assign(pcrs.begin(), pcrs.end());
    out.push_back(std::move(s));
  }
  return out;
}

Result<tpm::TpmBundle> collect_bundle(TpmDevice& tpm,
                                      const std::vector<tpm::PcrSelection>& selection,
                                      ByteSpan extra_data, const std::string& event_log_path) {
  VOUCH_TRY(TpmDevice::Quote q, tpm.quote(selection, extra_data));
  // Read after quoting: a PCR extended in between makes the pcrDigest check fail visibly at the
  // verifier rather than hide.
  VOUCH_TRY(tpm::PcrValues pcrs, tpm.read_pcrs(selection));
  VOUCH_TRY(Bytes ak, tpm.ak_public());
  tpm::TpmBundle bundle;
  bundle.quote = std::move(q.attest);
  bundle.signature = std::move(q.signature);
  bundle.ak_public = std::move(ak);
  bundle.pcrs = std::move(pcrs);
  struct stat st {};
  if (!event_log_path.empty() && ::stat(event_log_path.c_str(), &st) == 0) {
    auto log = read_file(event_log_path, kMaxEventLogBytes);
    if (!log) {
      return fail(ErrorKind::kUnavailable, checks::kEventLog,
                  "event log " + event_log_path + ": " + log.error().detail);
    }
    if (!log->empty()) {
      bundle.event_log = std::move(*log);
    }
  }
  return bundle;
}

}  // namespace vouch::attester
