// @azure/attestation 1.0.0's AttestationAdministrationClient against `vouch serve` over HTTPS
// (the SDK's bearer-token policy refuses http:, so the server runs with [server.tls] mode =
// "files" and Node trusts the test CA through NODE_EXTRA_CA_CERTS). The TokenCredential hands
// out the bootstrap verifier-owner API key as the bearer token.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import test from 'node:test';

import { AttestationAdministrationClient, AttestationClient, createAttestationPolicyToken } from '@azure/attestation';

import { env, missingVectors, TPM_FILES, tpmBundle, trustGceTpmRoot, decodeJwt } from './common.mjs';

const base = env('VOUCH_BASE_URL');
const adminKey = env('VOUCH_ADMIN_KEY');
assert.ok(base.startsWith('https:'), 'the administration client needs an https URL');

const credential = (token) => ({
  getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600 * 1000 }),
});
const strict = {
  validateToken: true,
  validateExpirationTime: true,
  validateNotBeforeTime: true,
  validateIssuer: true,
  expectedIssuer: base,
  timeValidationSlack: 5,
};
const admin = new AttestationAdministrationClient(base, credential(adminKey), { validationOptions: strict });
const attest = new AttestationClient(base);

const CLAIM = 'vouch-client-test';
const policy = (value) => `version=1.0;
authorizationrules
{
    => permit();
};
issuancerules
{
    => issue(type="${CLAIM}", value="${value}");
};
`;

const sha256 = (text) => crypto.createHash('sha256').update(text).digest();

// Claims the TPM policy issued: MAA puts them in "x-ms-policy" (the SDK's policyClaims).
async function tpmPolicyClaims() {
  const reply = JSON.parse(await attest.attestTpm(tpmBundle({ withCertificate: true })));
  return decodeJwt(reply.report).payload['x-ms-policy'] ?? {};
}

test('getPolicy (Tpm): the default policy, in a token the SDK validated', async () => {
  const res = await admin.getPolicy('Tpm');
  assert.match(res.body, /authorizationrules/);
  assert.equal(res.token.issuer, base);
});

test('setPolicy unsigned, getPolicy, attestTpm issues the new claim, resetPolicy removes it', async (t) => {
  const text = policy('unsigned');
  const set = await admin.setPolicy('Tpm', text);
  assert.equal(set.body.policyResolution, 'Updated');
  // x-ms-policy-token-hash is SHA-256 of the JWS the SDK sent (alg none, hence deterministic).
  const sent = createAttestationPolicyToken(text).serialize();
  assert.deepEqual(Buffer.from(set.body.policyTokenHash), sha256(sent));
  assert.equal(set.body.policySigner, undefined);

  const got = await admin.getPolicy('Tpm');
  assert.equal(got.body, text);

  const vectorsMissing = missingVectors(...TPM_FILES);
  if (vectorsMissing) {
    t.diagnostic(`attestTpm part skipped: ${vectorsMissing}`);
  } else {
    await trustGceTpmRoot(base, adminKey);
    assert.equal((await tpmPolicyClaims())[CLAIM], 'unsigned');
  }

  const reset = await admin.resetPolicy('Tpm');
  assert.equal(reset.body.policyResolution, 'Removed');
  const after = await admin.getPolicy('Tpm');
  assert.notEqual(after.body, text);
  assert.match(after.body, /authorizationrules/);
  if (!vectorsMissing) {
    assert.equal((await tpmPolicyClaims())[CLAIM], undefined);
  }
});

test('setPolicy signed (ES256 with x5c): the result names the signer', async () => {
  const key = fs.readFileSync(env('VOUCH_POLICY_SIGNER_KEY'), 'utf8');
  const cert = fs.readFileSync(env('VOUCH_POLICY_SIGNER_CERT'), 'utf8');
  const text = policy('signed');
  const set = await admin.setPolicy('SgxEnclave', text, { privateKey: key, certificate: cert });
  assert.equal(set.body.policyResolution, 'Updated');
  assert.ok(set.body.policySigner, 'no x-ms-policy-signer in the result');
  const der = (pem) => new crypto.X509Certificate(pem).raw;
  assert.deepEqual(der(set.body.policySigner.certificates[0]), der(cert));
  // The signer JWK's members must describe the key it carries (RFC 7517 4.4, RFC 7518 3.1).
  const jwk = set.token.getBody()['x-ms-policy-signer'];
  assert.equal(jwk.kty, 'EC');
  assert.ok(jwk.alg === undefined || jwk.alg === 'ES256',
    `x-ms-policy-signer names alg ${jwk.alg} for a ${jwk.kty} ${jwk.crv} key`);
  assert.equal((await admin.getPolicy('SgxEnclave')).body, text);
  assert.equal((await admin.resetPolicy('SgxEnclave')).body.policyResolution, 'Removed');
});

test('setPolicy with a policy that does not compile is refused (400)', async () => {
  await assert.rejects(admin.setPolicy('Tpm', 'version=1.0; authorizationrules { => permit( };'), (err) => {
    assert.equal(err.statusCode, 400, String(err));
    return true;
  });
});

test('getPolicyManagementCertificates: none in open mode', async () => {
  const res = await admin.getPolicyManagementCertificates();
  assert.deepEqual(res.body, []);
});

test('a wrong bearer key is refused (401)', async () => {
  const wrong = new AttestationAdministrationClient(base, credential('vouch_0000_not-a-key'));
  await assert.rejects(wrong.getPolicy('Tpm'), (err) => {
    assert.equal(err.statusCode, 401, String(err));
    return true;
  });
});
