// Fuzzes the relying party's and KBS mode's request parsers (service/rp_request.h): any bytes
// must give a parsed body or an error with a check id, never a crash, and what parses must keep
// the bounds the header promises.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/json_depth.h"
#include "service/rp_request.h"

namespace {

namespace svc = vouch::service;

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

template <typename T>
void expect_check_id(const vouch::Result<T>& r) {
  if (!r) {
    check(!r.error().check.str().empty());
  }
}

void evidence_for_both(const nlohmann::json& ev) {
  for (std::string_view tee : {"tpm", "snp"}) {
    auto bytes = svc::kbs_evidence(tee, ev);
    expect_check_id(bytes);
  }
  expect_check_id(svc::kbs_evidence("sgx", ev));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte picks the parser; the rest is its input.
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);  // NOLINT
  switch (data[0] % 8) {
    case 0: {
      auto r = svc::parse_rp_attest(text);
      expect_check_id(r);
      if (r) {
        check(!r->media_type.empty() && r->media_type.size() <= svc::kMaxRpMediaType);
        if (r->runtime_key) {
          (void)r->runtime_key->dump();
        }
      }
      break;
    }
    case 1: {
      auto r = svc::parse_rp_release(text);
      expect_check_id(r);
      if (r) {
        check(r->token.size() <= svc::kMaxRpToken);
        check(!r->key || r->key->is_object());
      }
      break;
    }
    case 2: {
      auto r = svc::parse_rp_rules(text);
      expect_check_id(r);
      if (r) {
        check(r->trusted_issuers.size() <= svc::kMaxRpIssuers);
        check(r->release_policy.size() <= svc::kMaxRpPolicyText);
      }
      break;
    }
    case 3: {
      auto r = svc::parse_rp_secret(text);
      expect_check_id(r);
      break;
    }
    case 4: {
      auto r = svc::parse_kbs_auth(text);
      expect_check_id(r);
      if (r) {
        check(!r->media_type.empty() && r->media_type == svc::kbs_media_type(r->tee));
      }
      break;
    }
    case 5: {
      auto r = svc::parse_kbs_attest(text);
      expect_check_id(r);
      if (r) {
        // The canonical runtime data is itself a JSON object.
        check(nlohmann::json::accept(r->runtime_data));
        evidence_for_both(r->tee_evidence);
      }
      break;
    }
    case 6: {
      // tee-evidence on its own: the text as a JSON value, and as a JSON string.
      if (vouch::json_nesting_depth(text) <= vouch::kMaxUntrustedJsonDepth) {
        const nlohmann::json ev = nlohmann::json::parse(text, nullptr, false);
        if (!ev.is_discarded()) {
          evidence_for_both(ev);
        }
      }
      evidence_for_both(nlohmann::json(std::string(text)));
      break;
    }
    default: {
      const std::string id = svc::kbs_session_cookie(text);
      check(id.size() <= svc::kMaxKbsSessionId);
      check(id.empty() || text.find(id) != std::string_view::npos);
      break;
    }
  }
  return 0;
}
