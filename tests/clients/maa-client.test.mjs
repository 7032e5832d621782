// @azure/attestation 1.0.0's AttestationClient (the real Azure SDK for JavaScript) against
// `vouch serve`: OpenID metadata, signers, attestTpm with the GCE vTPM vector, attestSgxEnclave
// with the dcap-qvl SGX vector. Over plain HTTP (allowInsecureConnection) or HTTPS
// (NODE_EXTRA_CA_CERTS), depending on VOUCH_BASE_URL.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import test from 'node:test';

import { AttestationClient, createAttestationPolicyToken } from '@azure/attestation';

import {
  call, decodeJwt, env, missingVectors, TPM_FILES, tpmAkPublicBase64, tpmBundle,
  trustGceTpmRoot, vector,
} from './common.mjs';

const base = env('VOUCH_BASE_URL');
const adminKey = env('VOUCH_ADMIN_KEY');
const plain = base.startsWith('http:');
const client = new AttestationClient(base, plain ? { allowInsecureConnection: true } : {});

// The SDK's token validator (AttestationTokenImpl.getTokenProblems: jsrsasign against the x5c of
// the signer whose kid matches). The class is internal; a policy token is an instance of it.
const AttestationToken = Object.getPrototypeOf(createAttestationPolicyToken('x')).constructor;
// Set when this server's clock is shifted: only the SGX cases are meant for it.
const serverTime = process.env.VOUCH_SERVER_TIME || '';
const notHere = serverTime ? `this server's clock is shifted to ${serverTime} for the SGX cases` : false;
const strict = {
  validateToken: true,
  validateExpirationTime: true,
  validateNotBeforeTime: true,
  validateIssuer: true,
  expectedIssuer: base,
  timeValidationSlack: 5,
};

test('getOpenIdMetadata: issuer and jwks_uri name this service', { skip: notHere }, async () => {
  const md = await client.getOpenIdMetadata();
  assert.equal(md.issuer, base);
  assert.equal(md.jwks_uri, `${base}/certs`);
  assert.ok(Array.isArray(md.id_token_signing_alg_values_supported));
});

test('getAttestationSigners: every key has a kid and an x5c certificate', { skip: notHere },
  async () => {
  const signers = await client.getAttestationSigners();
  assert.ok(signers.length >= 1, 'no signers');
  for (const s of signers) {
    assert.ok(s.keyId, 'signer without kid');
    assert.ok(s.certificates.length >= 1, `signer ${s.keyId} has no x5c`);
    assert.match(s.certificates[0], /^-----BEGIN CERTIFICATE-----/);
  }
});

test('attestTpm (GCE vTPM quote, AK certificate chained to the tenant TPM CA): the SDK validates the token',
  { skip: notHere || missingVectors(...TPM_FILES) || false }, async () => {
    await trustGceTpmRoot(base, adminKey);
    const reply = JSON.parse(await client.attestTpm(tpmBundle({ withCertificate: true })));
    assert.equal(typeof reply.report, 'string', `no report in ${JSON.stringify(reply)}`);
    const signers = await client.getAttestationSigners();
    const token = new AttestationToken(reply.report);
    assert.deepEqual(token.getTokenProblems(signers, strict), []);
    const claims = token.getBody();
    assert.equal(claims['x-ms-attestation-type'], 'tpm');
    assert.equal(claims.iss, base);
    assert.equal(claims['tpm.pcr_bank'], 'sha256');
    assert.ok(claims.jti, 'no jti');
    // The same validator must refuse the token once its body is changed.
    const { header, payload, signature } = decodeJwt(reply.report);
    payload['x-ms-attestation-type'] = 'sgx';
    const forged = [header, payload].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'));
    const problems = new AttestationToken(`${forged.join('.')}.${signature}`).getTokenProblems(signers, strict);
    assert.ok(problems.length > 0, 'a forged token passed the SDK validator');
  });

test('attestTpm with a broken quote signature is refused (400, no token)',
  { skip: notHere || missingVectors(...TPM_FILES) || false }, async () => {
    await trustGceTpmRoot(base, adminKey);
    await assert.rejects(client.attestTpm(tpmBundle({ withCertificate: true, tamper: true })),
      (err) => {
        assert.equal(err.statusCode, 400, String(err));
        return true;
      });
  });

test('POST /admin/tpm/aks pins an AK without a certificate; attestTpm then succeeds with the AK alone',
  { skip: notHere || missingVectors(...TPM_FILES) || false }, async () => {
    const pin = await call(base, 'POST', '/admin/tpm/aks', { key: adminKey, body: { ak_public: tpmAkPublicBase64() } });
    assert.equal(pin.status, 201, `pin AK: ${pin.status} ${pin.text}`);
    assert.match(pin.json.ak_name, /^000bf175bdb5/);
    const reply = JSON.parse(await client.attestTpm(tpmBundle({ withCertificate: false })));
    const claims = decodeJwt(reply.report).payload;
    assert.equal(claims['x-ms-attestation-type'], 'tpm');
  });

// The SGX vector's collateral (sgx/dcap-qvl) was current 2025-06-19 .. 2025-07-19; the service
// appraises at its clock. run-clients also starts a server whose clock libfaketime sets inside
// that window (VOUCH_SERVER_TIME); against it only the SGX cases run, and the SDK validates the
// token's signature and issuer but not its times (they are the server's, months ago).
const sgxWindow = process.env.VOUCH_SGX_COLLATERAL_WINDOW ? JSON.parse(process.env.VOUCH_SGX_COLLATERAL_WINDOW) : null;
const sgxMissing = missingVectors('sgx/dcap-qvl/sgx_quote') ||
  (sgxWindow ? '' : 'no offline Intel collateral configured for the server');
const serverNow = serverTime ? Date.parse(serverTime) : Date.now();
const sgxCurrent = sgxWindow && serverNow >= Date.parse(sgxWindow.not_before) &&
  serverNow < Date.parse(sgxWindow.not_after);
const sgxValidation = serverTime
  ? { ...strict, validateExpirationTime: false, validateNotBeforeTime: false }
  : strict;

test('attestSgxEnclave (dcap-qvl SGX quote) with current collateral: token with MRENCLAVE',
  { skip: sgxMissing || (!sgxCurrent && `the vector's Intel collateral is valid ${sgxWindow.not_before} .. ${sgxWindow.not_after}, not at this server's time (${new Date(serverNow).toISOString()}); the shifted-clock server runs this case`) || false },
  async () => {
    // A policy that issues a claim: MAA puts SGX policy claims in x-ms-policy and at top level.
    const mrsigner = '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6';
    const text = 'version=1.0; authorizationrules { => permit(); }; issuancerules { ' +
      'c:[type=="x-ms-sgx-mrsigner"] => issue(type="sgx-mrsigner", value=c.value); };';
    const route = '/policies/SgxEnclave';
    const set = await call(base, 'PUT', `${route}?api-version=2020-10-01`,
      { key: adminKey, body: createAttestationPolicyToken(text).serialize(), type: 'text/plain' });
    assert.equal(set.status, 200, `set the SGX policy: ${set.status} ${set.text}`);
    try {
      const res = await client.attestSgxEnclave(fs.readFileSync(vector('sgx/dcap-qvl/sgx_quote')),
        { validationOptions: sgxValidation });
      assert.equal(res.body.verifierType, 'sgx');
      assert.equal(res.body.issuer, base);
      assert.equal(String(res.body.mrEnclave).toLowerCase(),
        '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb');
      assert.equal(String(res.body.mrSigner).toLowerCase(), mrsigner);
      assert.equal(res.body.isDebuggable, false);
      assert.equal(res.body.policyClaims?.['sgx-mrsigner'], mrsigner);
      assert.equal(res.token.getBody()['sgx-mrsigner'], mrsigner,
        'SGX policy claims must also appear at top level, as Azure Attestation issues them');
    } finally {
      await call(base, 'POST', `${route}:reset?api-version=2020-10-01`,
        { key: adminKey, body: 'eyJhbGciOiJub25lIn0..', type: 'text/plain' });
    }
  });

test('attestSgxEnclave with expired Intel collateral is refused (400, no token)',
  { skip: sgxMissing || (sgxCurrent && 'the collateral is current') || false }, async () => {
    await assert.rejects(client.attestSgxEnclave(fs.readFileSync(vector('sgx/dcap-qvl/sgx_quote'))),
      (err) => {
        assert.equal(err.statusCode, 400, String(err));
        return true;
      });
  });
