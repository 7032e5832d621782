-- Vouch store schema, version 1. Portable SQL for SQLite and PostgreSQL: ${int64}, ${bytes} and
-- ${table_options} are expanded by the dialect (src/store/sql/dialect.h). Times are Unix seconds.
-- Every tenant-owned table cascades from tenants; the audit log deliberately does not.

CREATE TABLE tenants (
  name TEXT NOT NULL PRIMARY KEY,
  issuer TEXT NOT NULL,
  settings TEXT NOT NULL,
  revision ${int64} NOT NULL,
  created_at ${int64} NOT NULL,
  updated_at ${int64} NOT NULL
) ${table_options};

CREATE TABLE policies (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  attestation_type TEXT NOT NULL,
  version ${int64} NOT NULL,
  text TEXT NOT NULL,
  hash ${bytes} NOT NULL,
  author TEXT NOT NULL,
  is_default ${int64} NOT NULL CHECK (is_default IN (0, 1)),
  created_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, attestation_type, version)
) ${table_options};

CREATE TABLE signing_keys (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  kid TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  private_key ${bytes} NOT NULL,
  public_jwk TEXT NOT NULL,
  certificate ${bytes} NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
  created_at ${int64} NOT NULL,
  not_after ${int64},
  retired_at ${int64},
  PRIMARY KEY (tenant, kid)
) ${table_options};
-- At most one active key per tenant, whatever the writers do.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (tenant) WHERE state = 'active';

CREATE TABLE reference_values (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  metadata TEXT NOT NULL,
  not_before ${int64},
  not_after ${int64},
  created_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, kind, value)
) ${table_options};

CREATE TABLE deny_list (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  metadata TEXT NOT NULL,
  not_before ${int64},
  not_after ${int64},
  created_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, kind, value)
) ${table_options};

CREATE TABLE api_keys (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  key_id TEXT NOT NULL,
  salt ${bytes} NOT NULL,
  secret_hash ${bytes} NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('verifier-owner', 'rp-owner', 'auditor', 'attester')),
  label TEXT NOT NULL,
  created_at ${int64} NOT NULL,
  expires_at ${int64},
  revoked_at ${int64},
  PRIMARY KEY (tenant, key_id)
) ${table_options};

CREATE TABLE sessions (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  nonce ${bytes} NOT NULL,
  context TEXT NOT NULL,
  created_at ${int64} NOT NULL,
  expires_at ${int64} NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'consumed', 'complete', 'failed')),
  consumed_at ${int64},
  result TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
) ${table_options};
-- A nonce is issued once per tenant.
CREATE UNIQUE INDEX sessions_nonce ON sessions (tenant, nonce);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE status_lists (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  list_id ${int64} NOT NULL,
  capacity ${int64} NOT NULL CHECK (capacity > 0),
  next_index ${int64} NOT NULL CHECK (next_index >= 0 AND next_index <= capacity),
  PRIMARY KEY (tenant, list_id)
) ${table_options};

CREATE TABLE token_status (
  tenant TEXT NOT NULL,
  jti TEXT NOT NULL,
  list_id ${int64} NOT NULL,
  idx ${int64} NOT NULL,
  issued_at ${int64} NOT NULL,
  expires_at ${int64} NOT NULL,
  revoked_at ${int64},
  PRIMARY KEY (tenant, jti),
  UNIQUE (tenant, list_id, idx),
  FOREIGN KEY (tenant, list_id) REFERENCES status_lists (tenant, list_id) ON DELETE CASCADE
) ${table_options};
CREATE INDEX token_status_expiry ON token_status (expires_at);

CREATE TABLE audit_log (
  tenant TEXT NOT NULL,
  seq ${int64} NOT NULL CHECK (seq > 0),
  time ${int64} NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash ${bytes} NOT NULL,
  hash ${bytes} NOT NULL,
  PRIMARY KEY (tenant, seq)
) ${table_options};

CREATE TABLE collateral_cache (
  key TEXT NOT NULL PRIMARY KEY,
  body ${bytes} NOT NULL,
  issuer_chain ${bytes} NOT NULL,
  fetched_at ${int64} NOT NULL,
  next_update ${int64},
  source TEXT NOT NULL
) ${table_options};

CREATE TABLE secrets (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  release_policy TEXT NOT NULL,
  release_policy_kind TEXT NOT NULL,
  trusted_issuers TEXT NOT NULL,
  current_version ${int64} NOT NULL,
  deleted ${int64} NOT NULL CHECK (deleted IN (0, 1)),
  deleted_at ${int64},
  created_at ${int64} NOT NULL,
  updated_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, name)
) ${table_options};

CREATE TABLE secret_versions (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  version ${int64} NOT NULL,
  wrapped_key ${bytes} NOT NULL,
  ciphertext ${bytes} NOT NULL,
  kek_id TEXT NOT NULL,
  created_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, name, version),
  FOREIGN KEY (tenant, name) REFERENCES secrets (tenant, name) ON DELETE CASCADE
) ${table_options};

CREATE TABLE enrolled_aks (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  ak_name ${bytes} NOT NULL,
  ak_public ${bytes} NOT NULL,
  ek_certificate_digest ${bytes} NOT NULL,
  enrolled_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, ak_name)
) ${table_options};

CREATE TABLE credential_challenges (
  tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
  id TEXT NOT NULL,
  ak_name ${bytes} NOT NULL,
  ak_public ${bytes} NOT NULL,
  ek_certificate_digest ${bytes} NOT NULL,
  expected ${bytes} NOT NULL,
  created_at ${int64} NOT NULL,
  expires_at ${int64} NOT NULL,
  PRIMARY KEY (tenant, id)
) ${table_options};
CREATE INDEX credential_challenges_expiry ON credential_challenges (expires_at);
