#include "token/status_list.h"

#include <zlib.h>

#include <limits>

#include "base/encoding.h"
#include "jose/signature.h"
#include "token/check_ids.h"
#include "token/profiles.h"

namespace vouch::token {
namespace {

tl::unexpected<Error> bad_list(std::string detail) {
  return malformed(checks::kStatusList, std::move(detail));
}

bool valid_bits(int bits) {
  return bits == 1 || bits == 2 || bits == 4 || bits == 8;
}

Result<Bytes> deflate_zlib(const Bytes& in) {
  uLongf len = compressBound(static_cast<uLong>(in.size()));
  Bytes out(len);
  if (compress2(out.data(), &len, in.data(), static_cast<uLong>(in.size()), Z_BEST_COMPRESSION) !=
      Z_OK) {
    return fail(ErrorKind::kInternal, checks::kStatusList, "zlib compression failed");
  }
  out.resize(len);
  return out;
}

// Inflates one complete zlib stream into at most max_out bytes; trailing input is an error.
Result<Bytes> inflate_zlib(const Bytes& in, std::size_t max_out) {
  if (in.size() > std::numeric_limits<uInt>::max()) {
    return bad_list("compressed status list too large");
  }
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) {
    return fail(ErrorKind::kInternal, checks::kStatusList, "zlib init failed");
  }
  Bytes out;
  std::array<Bytef, 16384> chunk{};
  Bytes input = in;  // zlib's next_in is not const
  zs.next_in = input.data();
  zs.avail_in = static_cast<uInt>(input.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - zs.avail_out;
    if (out.size() + produced > max_out) {
      inflateEnd(&zs);
      return bad_list("the status list inflates to more than " + std::to_string(max_out) +
                      " bytes");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      break;  // truncated stream
    }
    if (rc == Z_BUF_ERROR) {
      rc = Z_OK;
    }
  }
  const bool complete = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  if (!complete) {
    return bad_list("\"lst\" is not one complete zlib stream");
  }
  return out;
}

}  // namespace

StatusList::StatusList(std::size_t size, int bits)
    : bytes_((size * static_cast<std::size_t>(valid_bits(bits) ? bits : 1) + 7) / 8, 0),
      size_(size),
      bits_(valid_bits(bits) ? bits : 1) {}

StatusList::StatusList(Bytes bytes, int bits)
    : bytes_(std::move(bytes)),
      size_(bytes_.size() * 8 / static_cast<std::size_t>(bits)),
      bits_(bits) {}

Status StatusList::set(std::uint64_t idx, std::uint8_t status) {
  if (idx >= size_ || status >= (1u << bits_)) {
    return fail(ErrorKind::kInvalidArgument, checks::kStatusIndex,
                "status list entry " + std::to_string(idx) + " or value out of range");
  }
  const std::uint64_t bit = idx * static_cast<std::uint64_t>(bits_);
  const auto shift = static_cast<unsigned>(bit % 8);
  const auto mask = static_cast<std::uint8_t>(((1u << bits_) - 1) << shift);
  std::uint8_t& byte = bytes_[static_cast<std::size_t>(bit / 8)];
  byte = static_cast<std::uint8_t>((byte & ~mask) | (status << shift));
  return ok();
}

Result<std::uint8_t> StatusList::get(std::uint64_t idx) const {
  if (idx >= size_) {
    return fail(
        ErrorKind::kMalformedEvidence, checks::kStatusIndex,
        "index " + std::to_string(idx) + " is outside the status list of " + std::to_string(size_));
  }
  const std::uint64_t bit = idx * static_cast<std::uint64_t>(bits_);
  const std::uint8_t byte = bytes_[static_cast<std::size_t>(bit / 8)];
  return static_cast<std::uint8_t>((byte >> (bit % 8)) & ((1u << bits_) - 1));
}

Result<nlohmann::json> StatusList::to_json() const {
  VOUCH_TRY(const Bytes compressed, deflate_zlib(bytes_));
  return nlohmann::json{{"bits", bits_}, {"lst", base64url_encode(compressed)}};
}

Result<StatusList> StatusList::from_json(const nlohmann::json& json, std::size_t max_bytes) {
  if (!json.is_object()) {
    return bad_list("\"status_list\" is not an object");
  }
  const auto bits = json.find("bits");
  const auto lst = json.find("lst");
  if (bits == json.end() || !bits->is_number_integer() || !valid_bits(bits->get<int>())) {
    return bad_list("\"bits\" must be 1, 2, 4 or 8");
  }
  if (lst == json.end() || !lst->is_string()) {
    return bad_list("\"lst\" is missing or not a string");
  }
  auto compressed = base64url_decode(lst->get<std::string>());
  if (!compressed) {
    return bad_list("\"lst\": " + compressed.error().detail);
  }
  VOUCH_TRY(Bytes raw, inflate_zlib(*compressed, max_bytes));
  return StatusList(std::move(raw), bits->get<int>());
}

nlohmann::json status_claim(const StatusReference& ref) {
  return {{"status_list", {{"idx", ref.idx}, {"uri", ref.uri}}}};
}

Result<std::optional<StatusReference>> parse_status_claim(const nlohmann::json& claims) {
  const auto status = claims.find("status");
  if (status == claims.end()) {
    return std::optional<StatusReference>();
  }
  const auto bad = [] {
    return fail(ErrorKind::kMalformedEvidence, checks::kResultStatusClaim,
                "\"status\" must be {\"status_list\": {\"idx\": n, \"uri\": \"...\"}}");
  };
  if (!status->is_object() || !status->contains("status_list")) {
    return bad();
  }
  const nlohmann::json& sl = (*status)["status_list"];
  if (!sl.is_object() || !sl.contains("idx") || !sl["idx"].is_number_unsigned() ||
      !sl.contains("uri") || !sl["uri"].is_string() || sl["uri"].get<std::string>().empty()) {
    return bad();
  }
  return std::optional<StatusReference>(
      StatusReference{sl["idx"].get<std::uint64_t>(), sl["uri"].get<std::string>()});
}

Result<std::string> issue_status_list_token(const Signer& signer, const StatusList& list,
                                            const StatusListTokenOptions& options) {
  if (options.uri.empty() || options.issuer.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kInput,
                "a status list token needs its uri and issuer");
  }
  VOUCH_TRY(nlohmann::json lst, list.to_json());
  const std::int64_t iat = unix_seconds(options.issued_at);
  nlohmann::json claims = {
      {"sub", options.uri}, {"iss", options.issuer}, {"iat", iat}, {"status_list", std::move(lst)}};
  if (options.lifetime) {
    claims["exp"] = iat + options.lifetime->count();
  }
  if (options.ttl) {
    claims["ttl"] = options.ttl->count();
  }
  return issue_jwt(signer, {{"typ", kStatusListTyp}}, claims);
}

Result<StatusList> verify_status_list_token(std::string_view token, const jose::JwkSet& keys,
                                            std::string_view uri, std::string_view issuer,
                                            Timestamp now, std::chrono::seconds skew) {
  jose::VerifyOptions options;
  options.required_typ = std::string(kStatusListTyp);
  VOUCH_TRY(const jose::VerifiedJwt jwt, jose::jwt_verify_compact(token, keys, options));
  const nlohmann::json& c = jwt.claims;
  if (!c.contains("sub") || c["sub"] != uri) {
    return bad_list("the status list token's \"sub\" is not " + std::string(uri));
  }
  if (!issuer.empty() && (!c.contains("iss") || c["iss"] != issuer)) {
    return bad_list("the status list token's \"iss\" is not " + std::string(issuer));
  }
  const std::int64_t t = unix_seconds(now);
  if (!c.contains("iat") || !c["iat"].is_number_integer() ||
      c["iat"].get<std::int64_t>() > t + skew.count()) {
    return bad_list("the status list token's \"iat\" is missing or in the future");
  }
  if (c.contains("exp") &&
      (!c["exp"].is_number_integer() || c["exp"].get<std::int64_t>() + skew.count() <= t)) {
    return bad_list("the status list token has expired");
  }
  if (!c.contains("status_list")) {
    return bad_list("the status list token has no \"status_list\"");
  }
  return StatusList::from_json(c["status_list"]);
}

}  // namespace vouch::token
