// Lays out the Intel collateral of ../shared/vectors/sgx/dcap-qvl (a dcap-qvl QuoteCollateralV3)
// as the offline PCS directory `vouch serve` reads from collateral.intel_dir
// (src/collateral/intel_pcs_sources.h, OfflineIntelPcs). Prints {"not_before", "not_after"}: the
// window in which the whole set (TCB info, QE identity) is current.
//
//   node make-intel-collateral.mjs <vectors dir> <output dir>

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [vectors, out] = process.argv.slice(2);
if (!vectors || !out) {
  console.error('usage: make-intel-collateral.mjs <vectors dir> <output dir>');
  process.exit(2);
}
const c = JSON.parse(fs.readFileSync(path.join(vectors, 'sgx/dcap-qvl/sgx_quote_collateral.json'), 'utf8'));

function put(relative, data, chain) {
  const file = path.join(out, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  if (chain !== undefined) fs.writeFileSync(`${file}.chain.pem`, chain);
}

// The PCK CRL's issuer is the first certificate of its chain: the Processor or the Platform CA.
const crlIssuer = new crypto.X509Certificate(c.pck_crl_issuer_chain);
const ca = /Platform CA/.test(crlIssuer.subject) ? 'platform' : 'processor';
put(`sgx/certification/v4/pckcrl/${ca}.der`, Buffer.from(c.pck_crl, 'hex'), c.pck_crl_issuer_chain);
put('rootcacrl.der', Buffer.from(c.root_ca_crl, 'hex'));

// PCS bodies, keeping the signed JSON byte for byte.
const tcb = JSON.parse(c.tcb_info);
put(`sgx/certification/v4/tcb/${tcb.fmspc.toLowerCase()}.json`,
    `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`, c.tcb_info_issuer_chain);
const qe = JSON.parse(c.qe_identity);
put('sgx/certification/v4/qe/identity.json',
    `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`,
    c.qe_identity_issuer_chain);

const times = (f) => [tcb[f], qe[f]].map((t) => Date.parse(t));
console.log(JSON.stringify({
  not_before: new Date(Math.max(...times('issueDate'))).toISOString(),
  not_after: new Date(Math.min(...times('nextUpdate'))).toISOString(),
}));
