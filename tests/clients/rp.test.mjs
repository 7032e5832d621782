// jose (panva) 5.x as the TEE's independent JWE implementation: real relying-party releases from
// `vouch serve` (docs/relying-party.md), each secret decrypted with jose.compactDecrypt (or
// flattenedDecrypt for KBS), for an EC P-256 TEE key (ECDH-ES+A256KW) and an RSA-2048 TEE key
// (RSA-OAEP-256).
//
// Node has no TPM, so the evidence comes from a software TPM written here: an ECC P-256 AK pinned
// through POST /admin/tpm/aks, and TPMS_ATTEST quotes marshalled and signed exactly as a TPM does
// (TPM 2.0 Part 2; the same construction as testing/tpm_quote_builder.cc), whose extraData binds
// the TEE key: SHA-256(nonce || runtime data), runtime data = compact JSON {"jwk": <public JWK>}.
// The service verifies those quotes with its production TPM verifier and issues an EAR whose
// "cnf" holds the TEE key; the relying party encrypts to that key and only jose decrypts.

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import test from 'node:test';

import * as jose from 'jose';

import { b64, b64url, call, decodeJwt, env } from './common.mjs';

const base = env('VOUCH_BASE_URL');
const adminKey = env('VOUCH_ADMIN_KEY');
const TPM_MEDIA_TYPE = 'application/vnd.vouch.tpm-quote+json';

// --- a software TPM (ECC P-256 AK, ECDSA-SHA256, one SHA-256 PCR bank) ---------------------

const u16 = (v) => Buffer.from([(v >> 8) & 0xff, v & 0xff]);
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return b; };
const tpm2b = (bytes) => Buffer.concat([u16(bytes.length), Buffer.from(bytes)]);
const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();

const TPM_ALG = { ECC: 0x0023, SHA256: 0x000b, NULL: 0x0010, ECDSA: 0x0018 };
const TPM_ECC_NIST_P256 = 0x0003;
// fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | restricted | sign (tpm2_createak)
const AK_ATTRIBUTES = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 16) | (1 << 18);

class SoftwareTpm {
  constructor() {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.akKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // TPMT_PUBLIC of a restricted ECDSA-SHA256 signing key.
    this.akPublic = Buffer.concat([
      u16(TPM_ALG.ECC), u16(TPM_ALG.SHA256), u32(AK_ATTRIBUTES), tpm2b([]),
      u16(TPM_ALG.NULL), u16(TPM_ALG.ECDSA), u16(TPM_ALG.SHA256), u16(TPM_ECC_NIST_P256),
      u16(TPM_ALG.NULL), tpm2b(Buffer.from(jwk.x, 'base64url')), tpm2b(Buffer.from(jwk.y, 'base64url')),
    ]);
    // TPM2B_NAME: nameAlg || SHA-256(TPMT_PUBLIC).
    this.akName = Buffer.concat([u16(TPM_ALG.SHA256), sha256(this.akPublic)]);
    this.pcrs = {};
    for (let i = 0; i < 8; i++) this.pcrs[i] = Buffer.alloc(32, 0xb0 + i);
  }

  // For POST /admin/tpm/aks: base64 of TPM2B_PUBLIC.
  akPublicBase64() {
    return b64(tpm2b(this.akPublic));
  }

  // The bundle (application/vnd.vouch.tpm-quote+json) of a quote over PCRs 0-7 with extraData.
  bundle(extraData) {
    const indices = Object.keys(this.pcrs).map(Number).sort((a, b) => a - b);
    const select = Buffer.alloc(3);
    for (const i of indices) select[i >> 3] |= 1 << (i & 7);
    const pcrDigest = sha256(...indices.map((i) => this.pcrs[i]));
    // TPMS_ATTEST with TPMS_QUOTE_INFO.
    const quote = Buffer.concat([
      u32(0xff544347), u16(0x8018), tpm2b(this.akName), tpm2b(extraData),
      u64(987654), u32(2), u32(1), Buffer.from([1]), u64(0x2023101900163636n),
      u32(1), u16(TPM_ALG.SHA256), Buffer.from([3]), select, tpm2b(pcrDigest),
    ]);
    const raw = crypto.sign('sha256', quote, { key: this.akKey, dsaEncoding: 'ieee-p1363' });
    // TPMT_SIGNATURE (TPMS_SIGNATURE_ECDSA).
    const signature = Buffer.concat([u16(TPM_ALG.ECDSA), u16(TPM_ALG.SHA256),
      tpm2b(raw.subarray(0, 32)), tpm2b(raw.subarray(32))]);
    const pcrs = Object.fromEntries(indices.map((i) => [String(i), this.pcrs[i].toString('hex')]));
    return JSON.stringify({
      quote: b64(quote), signature: b64(signature), ak_public: b64(this.akPublic), pcrs: { sha256: pcrs },
    });
  }
}

// --- the TEE keys, generated and held by jose ----------------------------------------------

const TEE_KEYS = [
  { label: 'EC P-256', alg: 'ECDH-ES+A256KW', options: { crv: 'P-256' } },
  { label: 'RSA-2048', alg: 'RSA-OAEP-256', options: { modulusLength: 2048 } },
];

async function makeTeeKey({ alg, options }) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { ...options, extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  // The runtime data: these exact bytes are hashed into the binding and sent in the header.
  const runtime = JSON.stringify({ jwk });
  return { privateKey, jwk, runtime };
}

const binding = (nonce, runtime) => sha256(Buffer.from(nonce), Buffer.from(runtime, 'utf8'));

// Passport steps 1-4: a RATS session, evidence bound to the TEE key, the EAR.
async function passportToken(tpm, tee) {
  const session = await call(base, 'POST', '/challenge-response/v1/newSession');
  assert.equal(session.status, 201, `newSession: ${session.status} ${session.text}`);
  const location = session.headers.get('location');
  assert.ok(location, 'newSession answered without a Location');
  const nonce = Buffer.from(session.json.nonce, 'base64');
  const res = await fetch(new URL(location, base), {
    method: 'POST',
    headers: { 'content-type': TPM_MEDIA_TYPE, 'vouch-runtime-data': b64url(tee.runtime) },
    body: tpm.bundle(binding(nonce, tee.runtime)),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `evidence: ${res.status} ${text}`);
  const done = JSON.parse(text);
  assert.equal(done.appraisal?.verdict, 'permit', text);
  assert.equal(typeof done.result, 'string', text);
  return done.result;
}

const releasePolicy = {
  version: '1.0.0',
  anyOf: [{ authority: base, allOf: [{ claim: 'ear_status', equals: 'affirming' }] }],
};

async function putSecret(name, value) {
  const res = await call(base, 'PUT', `/rp/v1/secrets/${name}`, {
    key: adminKey,
    body: { value: b64(Buffer.from(value, 'utf8')), releasePolicy, trustedIssuers: [base] },
  });
  assert.ok(res.status === 201 || res.status === 200, `PUT secret ${name}: ${res.status} ${res.text}`);
}

async function deleteSecret(name) {
  const res = await call(base, 'DELETE', `/rp/v1/secrets/${name}`, { key: adminKey });
  assert.equal(res.status, 204, `DELETE secret ${name}: ${res.status} ${res.text}`);
}

const decryptOptions = (alg) => ({ keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: ['A256GCM'] });

function checkHeader(protectedHeader, alg, kid) {
  assert.equal(protectedHeader.alg, alg);
  assert.equal(protectedHeader.enc, 'A256GCM');
  assert.equal(protectedHeader.kid, kid);
  if (alg === 'ECDH-ES+A256KW') {
    assert.equal(protectedHeader.epk?.kty, 'EC');
    assert.equal(protectedHeader.epk?.crv, 'P-256');
  }
}

test('relying party: secrets released to a TEE key are decrypted by jose', async (t) => {
  const tpm = new SoftwareTpm();
  const pin = await call(base, 'POST', '/admin/tpm/aks', { key: adminKey, body: { ak_public: tpm.akPublicBase64() } });
  assert.equal(pin.status, 201, `pin AK: ${pin.status} ${pin.text}`);
  assert.equal(pin.json.ak_name, tpm.akName.toString('hex'));

  for (const spec of TEE_KEYS) {
    const suffix = spec.alg === 'RSA-OAEP-256' ? 'rsa' : 'ec';

    await t.test(`passport release to an ${spec.label} key (${spec.alg}, A256GCM)`, async () => {
      const name = `clients-rp-${suffix}`;
      const value = `passport secret for ${spec.label}: ${crypto.randomUUID()}`;
      await putSecret(name, value);
      try {
        const tee = await makeTeeKey(spec);
        const token = await passportToken(tpm, tee);
        const claims = decodeJwt(token).payload;
        assert.equal(claims.ear_status, 'affirming');
        assert.deepEqual(claims.cnf?.jwk, tee.jwk, 'the EAR does not bind the TEE key in cnf.jwk');

        const res = await call(base, 'POST', `/rp/v1/secrets/${name}:release`, { body: { token } });
        assert.equal(res.status, 200, `release: ${res.status} ${res.text}`);
        assert.equal(res.json.name, name);
        assert.equal(res.json.version, 1);
        assert.equal(res.json.issuer, base);
        assert.equal(res.json.jwe.split('.').length, 5, 'not a compact JWE');

        const { plaintext, protectedHeader } =
          await jose.compactDecrypt(res.json.jwe, tee.privateKey, decryptOptions(spec.alg));
        assert.equal(Buffer.from(plaintext).toString('utf8'), value);
        checkHeader(protectedHeader, spec.alg, name);

        // Another key of the same kind cannot open it ...
        const other = await makeTeeKey(spec);
        await assert.rejects(jose.compactDecrypt(res.json.jwe, other.privateKey, decryptOptions(spec.alg)),
          (err) => err.code === 'ERR_JWE_DECRYPTION_FAILED');
        // ... nor is another key management algorithm accepted for it.
        const otherAlg = spec.alg === 'RSA-OAEP-256' ? 'ECDH-ES+A256KW' : 'RSA-OAEP-256';
        await assert.rejects(jose.compactDecrypt(res.json.jwe, tee.privateKey, decryptOptions(otherAlg)),
          (err) => err.code === 'ERR_JOSE_ALG_NOT_ALLOWED');
        // ... and a token binding another key cannot be redeemed with this key presented.
        const mismatch = await call(base, 'POST', `/rp/v1/secrets/${name}:release`,
          { body: { token: await passportToken(tpm, other), key: tee.jwk } });
        assert.equal(mismatch.status, 403, mismatch.text);
        assert.equal(mismatch.json.check, 'rp.tee_key.mismatch');
      } finally {
        await deleteSecret(name);
      }
    });

    await t.test(`background check to an ${spec.label} key (${spec.alg})`, async () => {
      const name = `clients-bg-${suffix}`;
      const value = `background-check secret for ${spec.label}`;
      await putSecret(name, value);
      try {
        const tee = await makeTeeKey(spec);
        const challenge = await call(base, 'POST', '/rp/v1/challenge');
        assert.equal(challenge.status, 201, `challenge: ${challenge.status} ${challenge.text}`);
        const nonce = Buffer.from(challenge.json.nonce, 'base64url');
        const bundle = tpm.bundle(binding(nonce, tee.runtime));
        const res = await call(base, 'POST', `/rp/v1/secrets/${name}:attest`, {
          body: {
            nonce: challenge.json.nonce,
            evidence: { type: TPM_MEDIA_TYPE, value: b64(Buffer.from(bundle, 'utf8')) },
            runtimeData: b64url(tee.runtime),
          },
        });
        assert.equal(res.status, 200, `attest: ${res.status} ${res.text}`);
        const { plaintext, protectedHeader } =
          await jose.compactDecrypt(res.json.jwe, tee.privateKey, decryptOptions(spec.alg));
        assert.equal(Buffer.from(plaintext).toString('utf8'), value);
        checkHeader(protectedHeader, spec.alg, name);
      } finally {
        await deleteSecret(name);
      }
    });
  }

  await t.test('KBS resource as a flattened JWE (jose.flattenedDecrypt)', async () => {
    const name = 'clients/key/rp';
    const value = 'kbs resource value';
    await putSecret(name, value);
    try {
      const tee = await makeTeeKey(TEE_KEYS[0]);
      const auth = await call(base, 'POST', '/kbs/v0/auth', { body: { version: '0.1.1', tee: 'tpm', 'extra-params': '' } });
      assert.equal(auth.status, 200, `auth: ${auth.status} ${auth.text}`);
      const cookie = (auth.headers.get('set-cookie') ?? '').split(';')[0];
      assert.match(cookie, /^kbs-session-id=/);
      // Compact JSON with sorted keys: {"nonce", "tee-pubkey"} and jose's JWK members sorted.
      const sorted = Object.fromEntries(Object.entries(tee.jwk).sort(([a], [b]) => (a < b ? -1 : 1)));
      const runtime = { nonce: auth.json.nonce, 'tee-pubkey': sorted };
      const digest = sha256(Buffer.from(JSON.stringify(runtime), 'utf8'));
      const attest = await fetch(`${base}/kbs/v0/attest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ 'runtime-data': runtime, 'tee-evidence': JSON.parse(tpm.bundle(digest)) }),
      });
      assert.equal(attest.status, 200, `attest: ${attest.status} ${await attest.clone().text()}`);
      const resource = await fetch(`${base}/kbs/v0/resource/${name}`, { headers: { cookie } });
      const text = await resource.text();
      assert.equal(resource.status, 200, `resource: ${resource.status} ${text}`);
      const { plaintext, protectedHeader } =
        await jose.flattenedDecrypt(JSON.parse(text), tee.privateKey, decryptOptions(TEE_KEYS[0].alg));
      assert.equal(Buffer.from(plaintext).toString('utf8'), value);
      checkHeader(protectedHeader, TEE_KEYS[0].alg, name);
    } finally {
      await deleteSecret(name);
    }
  });
});
