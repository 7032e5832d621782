#include "base/encoding.h"
#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kAkColumns =
    "tenant, ak_name, ak_public, ek_certificate_digest, enrolled_at";
constexpr std::string_view kChallengeColumns =
    "tenant, id, ak_name, ak_public, ek_certificate_digest, expected, created_at, expires_at";

Result<EnrolledAk> decode_ak(const Row& row) {
  RowReader rd(row);
  EnrolledAk a;
  a.tenant = rd.text();
  a.ak_name = rd.blob();
  a.ak_public = rd.blob();
  a.ek_certificate_digest = rd.blob();
  a.enrolled_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return a;
}

Result<CredentialChallenge> decode_challenge(const Row& row) {
  RowReader rd(row);
  CredentialChallenge ch;
  ch.tenant = rd.text();
  ch.id = rd.text();
  ch.ak_name = rd.blob();
  ch.ak_public = rd.blob();
  ch.ek_certificate_digest = rd.blob();
  ch.expected = rd.blob();
  ch.created_at = rd.time();
  ch.expires_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return ch;
}

Status check_ak_key(std::string_view tenant, ByteSpan ak_name) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  return check_blob("AK name", ak_name, limits::kMaxId, true);
}

Status check_ak_material(ByteSpan ak_public, ByteSpan ek_certificate_digest) {
  VOUCH_RETURN_IF_ERROR(check_blob("AK public", ak_public, limits::kMaxBlob, true));
  return check_blob("EK certificate digest", ek_certificate_digest, limits::kMaxBlob, true);
}

tl::unexpected<Error> no_ak(ByteSpan ak_name) {
  return not_found(checks::kAkNotFound, "AK " + hex_encode(ak_name) + " is not enrolled");
}

class SqlEnrollmentStore final : public EnrollmentStore {
 public:
  explicit SqlEnrollmentStore(Database& db) : db_(db) {}

  Status add_challenge(const CredentialChallenge& ch) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", ch.tenant));
    VOUCH_RETURN_IF_ERROR(check_id("challenge id", ch.id));
    VOUCH_RETURN_IF_ERROR(check_blob("AK name", ch.ak_name, limits::kMaxId, true));
    VOUCH_RETURN_IF_ERROR(check_ak_material(ch.ak_public, ch.ek_certificate_digest));
    VOUCH_RETURN_IF_ERROR(check_blob("expected answer", ch.expected, limits::kMaxBlob, true));
    if (!(ch.created_at < ch.expires_at)) {
      return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                  "a challenge must expire after it is created");
    }
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, ch.tenant));
      VOUCH_RETURN_IF_ERROR(
          c.execute("INSERT INTO credential_challenges (" + std::string(kChallengeColumns) +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    {ch.tenant, ch.id, ch.ak_name, ch.ak_public, ch.ek_certificate_digest,
                     ch.expected, ch.created_at, ch.expires_at})
              .map_error(relabel_unique(checks::kChallengeExists)));
      return ok();
    });
  }

  Result<CredentialChallenge> take_challenge(std::string_view tenant, std::string_view id,
                                             Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("challenge id", id));
    // The DELETE commits even when the challenge turns out to be expired: expiry is judged
    // after the transaction, so an expired challenge is gone too.
    VOUCH_TRY(std::optional<CredentialChallenge> taken,
              write(db_, [&](Connection& c) -> Result<std::optional<CredentialChallenge>> {
                VOUCH_TRY(const std::vector<Row> rows,
                          c.query("DELETE FROM credential_challenges WHERE tenant = ? AND id = ? "
                                  "RETURNING " +
                                      std::string(kChallengeColumns),
                                  {tenant, id}));
                if (rows.empty()) {
                  return std::optional<CredentialChallenge>();
                }
                VOUCH_TRY(CredentialChallenge ch, decode_challenge(rows.front()));
                return std::optional<CredentialChallenge>(std::move(ch));
              }));
    if (!taken) {
      return not_found(checks::kChallengeNotFound,
                       "no pending challenge '" + std::string(id) + "'");
    }
    if (now >= taken->expires_at) {
      return fail(ErrorKind::kFailedPrecondition, checks::kChallengeExpired,
                  "challenge '" + taken->id + "' expired at " + format_rfc3339(taken->expires_at));
    }
    return std::move(*taken);
  }

  Status register_ak(const EnrolledAk& ak) override {
    VOUCH_RETURN_IF_ERROR(check_ak_key(ak.tenant, ak.ak_name));
    VOUCH_RETURN_IF_ERROR(check_ak_material(ak.ak_public, ak.ek_certificate_digest));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, ak.tenant));
      VOUCH_RETURN_IF_ERROR(
          c.execute(
               "INSERT INTO enrolled_aks (" + std::string(kAkColumns) + ") VALUES (?, ?, ?, ?, ?)",
               {ak.tenant, ak.ak_name, ak.ak_public, ak.ek_certificate_digest, ak.enrolled_at})
              .map_error(relabel_unique(checks::kAkExists)));
      return ok();
    });
  }

  Result<EnrolledAk> get_ak(std::string_view tenant, ByteSpan ak_name) override {
    VOUCH_RETURN_IF_ERROR(check_ak_key(tenant, ak_name));
    return read(db_, [&](Connection& c) -> Result<EnrolledAk> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional("SELECT " + std::string(kAkColumns) +
                                     " FROM enrolled_aks WHERE tenant = ? AND ak_name = ?",
                                 {tenant, ak_name}));
      if (!row) {
        return no_ak(ak_name);
      }
      return decode_ak(*row);
    });
  }

  Result<std::vector<EnrolledAk>> list_aks(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<EnrolledAk>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query("SELECT " + std::string(kAkColumns) +
                            " FROM enrolled_aks WHERE tenant = ? ORDER BY enrolled_at, ak_name",
                        {tenant}));
      return decode_rows(rows, decode_ak);
    });
  }

  Status remove_ak(std::string_view tenant, ByteSpan ak_name) override {
    VOUCH_RETURN_IF_ERROR(check_ak_key(tenant, ak_name));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM enrolled_aks WHERE tenant = ? AND ak_name = ?",
                          {tenant, ak_name}));
      if (n == 0) {
        return no_ak(ak_name);
      }
      return ok();
    });
  }

  Result<std::size_t> purge_challenges(Timestamp before) override {
    return write(db_, [&](Connection& c) -> Result<std::size_t> {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM credential_challenges WHERE expires_at < ?", {before}));
      return to_size(n);
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<EnrollmentStore> make_enrollment_store(Database& db) {
  return std::make_unique<SqlEnrollmentStore>(db);
}

}  // namespace vouch::store::sql
