#include "store/sql/sql_store.h"

#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

// SqlStore owns the database and one implementation of each concern over it.
class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<Database> db, std::int64_t schema_version)
      : db_(std::move(db)),
        schema_version_(schema_version),
        tenants_(make_tenant_store(*db_)),
        policies_(make_policy_store(*db_)),
        keys_(make_key_store(*db_)),
        reference_values_(make_reference_value_store(*db_)),
        deny_list_(make_deny_list_store(*db_)),
        api_keys_(make_api_key_store(*db_)),
        sessions_(make_session_store(*db_)),
        token_status_(make_token_status_store(*db_)),
        audit_(make_audit_log(*db_)),
        collateral_(make_collateral_cache(*db_)),
        secrets_(make_secret_store(*db_)),
        enrollment_(make_enrollment_store(*db_)) {}

  TenantStore& tenants() noexcept override { return *tenants_; }
  PolicyStore& policies() noexcept override { return *policies_; }
  KeyStore& keys() noexcept override { return *keys_; }
  ReferenceValueStore& reference_values() noexcept override { return *reference_values_; }
  DenyListStore& deny_list() noexcept override { return *deny_list_; }
  ApiKeyStore& api_keys() noexcept override { return *api_keys_; }
  SessionStore& sessions() noexcept override { return *sessions_; }
  TokenStatusStore& token_status() noexcept override { return *token_status_; }
  AuditLog& audit() noexcept override { return *audit_; }
  CollateralCache& collateral() noexcept override { return *collateral_; }
  SecretStore& secrets() noexcept override { return *secrets_; }
  EnrollmentStore& enrollment() noexcept override { return *enrollment_; }

  std::string_view backend() const noexcept override { return db_->backend(); }
  std::int64_t schema_version() const noexcept override { return schema_version_; }

  Status ping() override {
    return db_->transaction(Access::kRead, [](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(c.query("SELECT 1"));
      return ok();
    });
  }

  Status check_integrity() override { return db_->check_integrity(); }
  void wait_for_writes() override { db_->wait_for_writes(); }

 private:
  std::unique_ptr<Database> db_;  // declared first: destroyed after the stores that use it
  std::int64_t schema_version_;
  std::unique_ptr<TenantStore> tenants_;
  std::unique_ptr<PolicyStore> policies_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<ReferenceValueStore> reference_values_;
  std::unique_ptr<DenyListStore> deny_list_;
  std::unique_ptr<ApiKeyStore> api_keys_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<TokenStatusStore> token_status_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<CollateralCache> collateral_;
  std::unique_ptr<SecretStore> secrets_;
  std::unique_ptr<EnrollmentStore> enrollment_;
};

}  // namespace

StorePtr make_sql_store(std::unique_ptr<Database> db, std::int64_t schema_version) {
  return std::make_unique<SqlStore>(std::move(db), schema_version);
}

}  // namespace vouch::store::sql
