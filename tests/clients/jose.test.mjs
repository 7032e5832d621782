// jose (panva) 5.x as an independent relying party: it fetches the JWKS from /certs, verifies a
// token issued for the real go-sev-guest SEV-SNP vector, refuses forged, expired and foreign
// tokens, and reads the token's revocation bit from the signed Token Status List.

import assert from 'node:assert/strict';
import test from 'node:test';

import * as jose from 'jose';

import { b64url, call, decodeJwt, env, missingVectors, SNP_FILES, SNP_MEASUREMENT, snpBody, statusOf } from './common.mjs';

const base = env('VOUCH_BASE_URL');
const adminKey = env('VOUCH_ADMIN_KEY');
// Without the SEV-SNP vector the signature checks use a policy token (GET /policies/Tpm, also
// signed with the attestation key) and the revocation case is skipped.
const snpMissing = missingVectors(...SNP_FILES) || false;

const JWKS = jose.createRemoteJWKSet(new URL(`${base}/certs`));
let metadata;
const verifyOptions = () => ({
  issuer: base,
  algorithms: metadata.id_token_signing_alg_values_supported,
});

async function issueSnpToken() {
  const res = await call(base, 'POST', '/attest/SevSnpVm?api-version=2022-08-01', { body: snpBody() });
  assert.equal(res.status, 200, `attest SevSnpVm: ${res.status} ${res.text}`);
  assert.equal(typeof res.json.token, 'string');
  return res.json.token;
}

const codeIs = (...codes) => (err) => {
  assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')}, got ${err.code}: ${err.message}`);
  return true;
};

async function policyToken() {
  const res = await call(base, 'GET', '/policies/Tpm?api-version=2020-10-01', { key: adminKey });
  assert.equal(res.status, 200, `GET /policies/Tpm: ${res.status} ${res.text}`);
  return res.json.token;
}

test('jose', async (t) => {
  metadata = (await call(base, 'GET', '/.well-known/openid-configuration')).json;
  assert.equal(metadata.jwks_uri, `${base}/certs`);

  const token = snpMissing ? await policyToken() : await issueSnpToken();
  const { payload: claims, protectedHeader } = await jose.jwtVerify(token, JWKS, verifyOptions());

  await t.test('a token for the go-sev-guest report verifies against the published JWKS', { skip: snpMissing }, () => {
    assert.equal(claims.iss, base);
    assert.equal(claims['x-ms-attestation-type'], 'sevsnpvm');
    assert.equal(claims['x-ms-sevsnpvm-launchmeasurement'], SNP_MEASUREMENT);
    assert.match(claims['x-ms-sevsnpvm-reportdata'], /^0102030405(00)+$/);
    assert.ok(claims.jti, 'no jti');
    assert.ok(claims.exp > claims.iat, 'exp is not after iat');
    assert.ok(protectedHeader.kid, 'no kid');
  });

  await t.test('alg "none" is refused', async () => {
    const unsigned = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${token.split('.')[1]}.`;
    await assert.rejects(jose.jwtVerify(unsigned, JWKS, verifyOptions()),
      codeIs('ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JWS_INVALID', 'ERR_JOSE_NOT_SUPPORTED'));
  });

  await t.test('a token re-signed by an attacker key (unknown kid, key in the header) is refused', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256');
    const forged = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'attacker', jwk: await jose.exportJWK(publicKey) })
      .sign(privateKey);
    await assert.rejects(jose.jwtVerify(forged, JWKS, verifyOptions()), codeIs('ERR_JWKS_NO_MATCHING_KEY'));
    // ... and with the service's kid it fails on the signature.
    const sameKid = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: protectedHeader.alg, typ: 'JWT', kid: protectedHeader.kid })
      .sign((await jose.generateKeyPair(protectedHeader.alg)).privateKey);
    await assert.rejects(jose.jwtVerify(sameKid, JWKS, verifyOptions()),
      codeIs('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'));
  });

  await t.test('a changed payload under the original signature is refused', async () => {
    const [h, , s] = token.split('.');
    const changed = `${h}.${b64url(JSON.stringify({ ...claims, 'x-ms-sevsnpvm-is-debuggable': false }))}.${s}`;
    await assert.rejects(jose.jwtVerify(changed, JWKS, verifyOptions()),
      codeIs('ERR_JWS_SIGNATURE_VERIFICATION_FAILED'));
  });

  await t.test('an expired token is refused', async () => {
    await assert.rejects(
      jose.jwtVerify(token, JWKS, { ...verifyOptions(), currentDate: new Date((claims.exp + 24 * 3600) * 1000) }),
      codeIs('ERR_JWT_EXPIRED'));
  });

  await t.test('a token from another issuer is refused', async () => {
    await assert.rejects(jose.jwtVerify(token, JWKS, { ...verifyOptions(), issuer: 'https://attacker.example' }),
      codeIs('ERR_JWT_CLAIM_VALIDATION_FAILED'));
  });

  await t.test('revocation: the revoked token\'s bit is set in the signed status list, another token\'s is not',
    { skip: snpMissing }, async () => {
    assert.ok(claims.status?.status_list, `no status claim in ${JSON.stringify(claims.status)}`);
    const { idx, uri } = claims.status.status_list;
    assert.ok(Number.isInteger(idx) && idx >= 0, `bad idx ${idx}`);
    assert.ok(uri.startsWith(`${base}/status-lists/`), `status list ${uri} is not on ${base}`);
    const other = decodeJwt(await issueSnpToken()).payload.status.status_list;
    assert.notEqual(other.idx === idx && other.uri === uri, true, 'two tokens share a status entry');

    const denied = await call(base, 'POST', `/admin/tokens/${claims.jti}:revoke`);
    assert.equal(denied.status, 401, `revoke without a key: ${denied.status} ${denied.text}`);
    const revoked = await call(base, 'POST', `/admin/tokens/${claims.jti}:revoke`, { key: adminKey });
    assert.equal(revoked.status, 200, `revoke: ${revoked.status} ${revoked.text}`);
    assert.equal(revoked.json.jti, claims.jti);
    assert.equal(revoked.json.idx, idx);
    assert.equal(`${base}/status-lists/${revoked.json.status_list}`, uri);

    const res = await fetch(uri);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/statuslist\+jwt/);
    const listToken = await res.text();
    const { payload: list, protectedHeader: listHeader } = await jose.jwtVerify(listToken, JWKS, {
      ...verifyOptions(),
      typ: 'statuslist+jwt',
      subject: uri,
    });
    assert.equal(listHeader.typ, 'statuslist+jwt');
    assert.equal(statusOf(list.status_list, idx), 1, `bit ${idx} is not set after revocation`);
    if (other.uri === uri) {
      assert.equal(statusOf(list.status_list, other.idx), 0, `bit ${other.idx} of a live token is set`);
    }
  });
});
