// Shared helpers for the third-party client tests. run-clients copies these files next to the
// npm cache's node_modules and sets the environment described in run-clients.

import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export function env(name, fallback = undefined) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw new Error(`${name} is not set (run this through tests/clients/run-clients)`);
  }
  return v;
}

export const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
export const b64 = (bytes) => Buffer.from(bytes).toString('base64');
export const fromB64url = (text) => Buffer.from(text, 'base64url');

export function decodeJwt(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(fromB64url(h).toString('utf8')),
    payload: JSON.parse(fromB64url(p).toString('utf8')),
    signature: s,
  };
}

// --- shared vectors (../shared/vectors, MANIFEST.md) ---

export const vectorsDir = process.env.VOUCH_VECTORS_DIR || '';

export function vector(relative) {
  return path.join(vectorsDir, relative);
}

// Why a case that needs vectors cannot run, or '' when it can.
export function missingVectors(...relatives) {
  if (!vectorsDir || !fs.existsSync(vectorsDir)) {
    return 'shared vectors not found (set VOUCH_VECTORS_DIR or place ../shared/vectors next to the checkout)';
  }
  for (const r of relatives) {
    if (!fs.existsSync(vector(r))) return `vector ${r} not found`;
  }
  return '';
}

const GCE = 'tpm/go-tpm-tools-gce-cos85/';
export const TPM_FILES = [
  `${GCE}gce-cos-85-no-nonce.quote_sha256.derived.bin`,
  `${GCE}gce-cos-85-no-nonce.quote_sha256_sig.derived.bin`,
  `${GCE}gce-cos-85-no-nonce.pcrs_sha256.derived.json`,
  `${GCE}gce-cos-85.ak_pub.derived.bin`,
  `${GCE}gce-cos-85.ak_cert.derived.der`,
  `${GCE}tpm_ek_intermediate_2.crt`,
  `${GCE}tpm_ek_root_1.cer`,
];

// The GCE vTPM quote (no nonce, SHA-256 bank) as Vouch's TPM bundle (evidence/tpm/bundle.h).
// withCertificate: carry the AK certificate chain (trusted through the tenant's TPM CA anchors);
// otherwise only the AK public area (trusted through enrolment).
export function tpmBundle({ withCertificate = true, tamper = false } = {}) {
  const read = (f) => fs.readFileSync(vector(GCE + f));
  const signature = Buffer.from(read('gce-cos-85-no-nonce.quote_sha256_sig.derived.bin'));
  if (tamper) signature[signature.length - 1] ^= 0x01;
  const bundle = {
    quote: b64(read('gce-cos-85-no-nonce.quote_sha256.derived.bin')),
    signature: b64(signature),
    ak_public: b64(read('gce-cos-85.ak_pub.derived.bin')),
    pcrs: { sha256: JSON.parse(read('gce-cos-85-no-nonce.pcrs_sha256.derived.json').toString('utf8')) },
  };
  if (withCertificate) {
    bundle.ak_certificate_chain = [b64(read('gce-cos-85.ak_cert.derived.der')),
                                   b64(read('tpm_ek_intermediate_2.crt'))];
  }
  return JSON.stringify(bundle);
}

export function tpmRootPem() {
  return new crypto.X509Certificate(fs.readFileSync(vector(`${GCE}tpm_ek_root_1.cer`))).toString();
}

export function tpmAkPublicBase64() {
  return b64(fs.readFileSync(vector(`${GCE}gce-cos-85.ak_pub.derived.bin`)));
}

const SNP = 'snp/go-sev-guest/';
export const SNP_FILES = [`${SNP}attestation.bin`, `${SNP}vcek.testcer`, `${SNP}ask_ark_milan.pem`];
export const SNP_MEASUREMENT =
  'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01';

// POST /attest/SevSnpVm body: {"report": b64url(JSON {SnpReport: b64url(report),
// VcekCertChain: b64(PEM VCEK + ASK + ARK)})}.
export function snpBody() {
  const report = fs.readFileSync(vector(`${SNP}attestation.bin`));
  const vcekPem = new crypto.X509Certificate(fs.readFileSync(vector(`${SNP}vcek.testcer`))).toString();
  const chain = vcekPem + fs.readFileSync(vector(`${SNP}ask_ark_milan.pem`), 'utf8');
  const wrapper = JSON.stringify({ SnpReport: b64url(report), VcekCertChain: b64(Buffer.from(chain)) });
  return JSON.stringify({ report: b64url(Buffer.from(wrapper)) });
}

// --- plain HTTP(S) calls (Node's fetch; https trusts NODE_EXTRA_CA_CERTS) ---

export async function call(base, method, route, { key, body, type = 'application/json' } = {}) {
  const headers = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = type;
  const res = await fetch(base + route, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// Adds the GCE TPM root to the tenant's tpm_ca_certificates (PUT replaces all settings).
export async function trustGceTpmRoot(base, key) {
  const got = await call(base, 'GET', '/admin/settings', { key });
  if (got.status !== 200) throw new Error(`GET /admin/settings: ${got.status} ${got.text}`);
  const settings = got.json.settings;
  const root = tpmRootPem();
  settings.tpm_ca_certificates = [...(settings.tpm_ca_certificates ?? []).filter((p) => p !== root), root];
  const put = await call(base, 'PUT', '/admin/settings', { key, body: settings });
  if (put.status !== 200) throw new Error(`PUT /admin/settings: ${put.status} ${put.text}`);
}

// --- Token Status List (draft-ietf-oauth-status-list): lst = base64url(zlib(DEFLATE(bits))) ---

export function statusOf(statusList, idx) {
  const { bits, lst } = statusList;
  if (![1, 2, 4, 8].includes(bits)) throw new Error(`status_list.bits ${bits} is not 1, 2, 4 or 8`);
  const raw = fromB64url(lst);
  if ((raw[0] & 0x0f) !== 8 || ((raw[0] << 8) | raw[1]) % 31 !== 0) {
    throw new Error('status_list.lst is not in the ZLIB format (RFC 1950)');
  }
  const bytes = zlib.inflateSync(raw);
  const bit = idx * bits;
  if ((bit >> 3) >= bytes.length) throw new Error(`index ${idx} is outside the list (${bytes.length} bytes)`);
  return (bytes[bit >> 3] >> (bit & 7)) & ((1 << bits) - 1);
}
