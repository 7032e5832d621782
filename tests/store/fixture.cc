#include "tests/store/fixture.h"

namespace vouch::store::testing {

Bytes bytes_of(const std::string& s) {
  return to_bytes(as_bytes(s));
}

Tenant make_tenant(const std::string& name) {
  Tenant t;
  t.name = name;
  t.issuer = "https://vouch.example/" + name;
  t.settings = {{"token_lifetime_s", 3600}, {"audience", "rp"}, {"alg", "ES256"}};
  t.created_at = kT0;
  return t;
}

NewPolicy make_policy(const std::string& type, const std::string& text) {
  NewPolicy p;
  p.tenant = kTenant;
  p.attestation_type = type;
  p.text = text;
  p.hash = bytes_of("hash:" + text);
  p.author = "admin";
  p.created_at = kT0;
  return p;
}

SigningKey make_key(const std::string& kid, KeyState state) {
  SigningKey k;
  k.tenant = kTenant;
  k.kid = kid;
  k.algorithm = "ES256";
  k.private_key = bytes_of("encrypted:" + kid);
  k.public_jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"kid", kid}};
  k.certificate_der = bytes_of("cert:" + kid);
  k.state = state;
  k.created_at = kT0;
  if (state == KeyState::kRetiring) {
    k.not_after = at(3600);
  }
  return k;
}

ListEntry make_entry(const std::string& kind, const std::string& value) {
  ListEntry e;
  e.tenant = kTenant;
  e.kind = kind;
  e.value = value;
  e.reason = "test";
  e.metadata = {{"source", "unit test"}};
  e.created_at = kT0;
  return e;
}

ApiKey make_api_key(const std::string& key_id, Role role) {
  ApiKey k;
  k.tenant = kTenant;
  k.key_id = key_id;
  k.salt = bytes_of("salt:" + key_id);
  k.secret_hash = bytes_of("hash:" + key_id);
  k.role = role;
  k.label = "key " + key_id;
  k.created_at = kT0;
  return k;
}

Session make_session(const std::string& id, const std::string& nonce, std::int64_t ttl) {
  Session s;
  s.tenant = kTenant;
  s.id = id;
  s.kind = "rats";
  s.nonce = bytes_of(nonce);
  s.context = {{"accept", {"application/eat+jwt"}}};
  s.created_at = kT0;
  s.expires_at = at(ttl);
  return s;
}

StatusAllocation make_allocation(const std::string& jti, std::uint32_t capacity) {
  StatusAllocation a;
  a.tenant = kTenant;
  a.jti = jti;
  a.issued_at = kT0;
  a.expires_at = at(3600);
  a.list_capacity = capacity;
  return a;
}

NewSecret make_secret(const std::string& name) {
  NewSecret s;
  s.tenant = kTenant;
  s.name = name;
  s.release_policy = R"({"anyOf": []})";
  s.release_policy_kind = "key-release";
  s.trusted_issuers = {"https://vouch.example/t1"};
  s.wrapped_key = bytes_of("wrapped:" + name);
  s.ciphertext = bytes_of("ciphertext:" + name);
  s.kek_id = "kek-1";
  s.created_at = kT0;
  return s;
}

EnrolledAk make_ak(const std::string& name) {
  EnrolledAk a;
  a.tenant = kTenant;
  a.ak_name = bytes_of("name:" + name);
  a.ak_public = bytes_of("public:" + name);
  a.ek_certificate_digest = bytes_of("ek-digest:" + name);
  a.enrolled_at = kT0;
  return a;
}

CredentialChallenge make_challenge(const std::string& id, std::int64_t ttl) {
  CredentialChallenge c;
  c.tenant = kTenant;
  c.id = id;
  c.ak_name = bytes_of("name:" + id);
  c.ak_public = bytes_of("public:" + id);
  c.ek_certificate_digest = bytes_of("ek-digest:" + id);
  c.expected = bytes_of("secret-digest:" + id);
  c.created_at = kT0;
  c.expires_at = at(ttl);
  return c;
}

void StoreTest::SetUp() {
  if (const std::string why = skip_reason(backend()); !why.empty()) {
    GTEST_SKIP() << why;
  }
  auto opened = backend().open(dir_.path());
  ASSERT_THAT(opened, Succeeds());
  store_ = std::move(*opened);
  ASSERT_THAT(store_->tenants().create(make_tenant(kTenant)), Succeeds());
}

void StoreTest::reopen() {
  store_.reset();
  auto opened = backend().open(dir_.path());
  ASSERT_THAT(opened, Succeeds());
  store_ = std::move(*opened);
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace vouch::store::testing
