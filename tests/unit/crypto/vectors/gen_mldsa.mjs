// Known answers for ML-DSA-44 and for the composite signature of
// ssh-mldsa44-ed25519@openssh.com from independent implementations, the
// npm packages @noble/post-quantum (ML-DSA) and @noble/curves (Ed25519),
// written as the C header mldsa_vectors.h for
// tests/unit/crypto/test_mldsa.c and test_sig_mldsa.c. The header is kept
// in the tree; the tests never run this script.
//
// Usage, from any scratch directory:
//
//     npm init -y && npm install @noble/post-quantum @noble/curves
//     node <tree>/tests/unit/crypto/vectors/gen_mldsa.mjs > <tree>/tests/unit/crypto/vectors/mldsa_vectors.h
//
// The packages are looked up from the current directory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const req = createRequire(pathToFileURL(process.cwd() + '/'));
const dsaPath = req.resolve('@noble/post-quantum/ml-dsa.js');
const { ml_dsa44 } = await import(pathToFileURL(dsaPath).href);
const { ed25519 } = await import(pathToFileURL(req.resolve('@noble/curves/ed25519.js')).href);
const version = (p) => JSON.parse(readFileSync(p, 'utf8')).version;
const pqVer = version(dsaPath.replace(/ml-dsa\.js$/, 'package.json'));
const edVer = version(req.resolve('@noble/curves/ed25519.js').replace(/ed25519\.js$/, 'package.json'));

const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());
const sha512 = (b) => new Uint8Array(createHash('sha512').update(b).digest());
const label = (s) => sha256(new TextEncoder().encode(s));
const text = (s) => new TextEncoder().encode(s);
const fill = (n, v) => new Uint8Array(n).fill(v);
const cat = (...a) => {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) { out.set(x, o); o += x.length; }
  return out;
};

// Seeds and messages: extremes, then pseudo-random ones from SHA-256 of a
// label; contexts of length 0, 1 and 255; rnd zero (deterministic) or not
// (hedged).
const cases = [];
for (let i = 0; i < 8; i++) {
  const xi = i === 0 ? fill(32, 0) : i === 1 ? fill(32, 0xff) : label(`mldsa44 xi ${i}`);
  const msgLen = [0, 1, 33, 200, 1000, 64, 3, 517][i];
  const msg = Uint8Array.from({ length: msgLen }, (_, j) => (j * 7 + i * 13) & 0xff);
  const ctx = i % 3 === 0 ? new Uint8Array(0)
    : i % 3 === 1 ? Uint8Array.of(i) : Uint8Array.from({ length: 255 }, (_, j) => j ^ i);
  const rnd = i % 2 === 0 ? fill(32, 0) : label(`mldsa44 rnd ${i}`);
  cases.push({ xi, msg, ctx, rnd });
}

function hex(b, indent) {
  const parts = [];
  for (let i = 0; i < b.length; i += 12)
    parts.push(indent + Array.from(b.slice(i, i + 12),
      (x) => '0x' + x.toString(16).padStart(2, '0')).join(', ') + ',');
  return parts.join('\n');
}

const vecs = cases.map((c, i) => {
  const { publicKey: pk, secretKey: sk } = ml_dsa44.keygen(c.xi);
  const zero = c.rnd.every((x) => x === 0);
  const sig = ml_dsa44.sign(c.msg, sk, { context: c.ctx, extraEntropy: zero ? false : c.rnd });
  if (!ml_dsa44.verify(sig, c.msg, pk, { context: c.ctx }))
    throw new Error(`vector ${i}: does not verify`);
  return { ...c, pk, sk, sig };
});

// ssh-mldsa44-ed25519@openssh.com (draft-miller-sshm-mldsa44-ed25519-
// composite-sigs, draft-ietf-lamps-pq-composite-sigs): both halves sign
// M' = Prefix || Label || len(ctx) || ctx || SHA-512(M) with ctx empty;
// ML-DSA with Label as its context.
const prefix = text('CompositeAlgorithmSignatures2025');
const clabel = text('COMPSIG-MLDSA44-Ed25519-SHA512');
const comp = (() => {
  const mlSeed = label('composite mldsa seed');
  const edSeed = label('composite ed25519 seed');
  const rnd = label('composite rnd');
  const msg = text('the data an SSH signature covers');
  const { publicKey: mpk, secretKey: msk } = ml_dsa44.keygen(mlSeed);
  const epk = ed25519.getPublicKey(edSeed);
  const mprime = cat(prefix, clabel, Uint8Array.of(0), sha512(msg));
  const msig = ml_dsa44.sign(mprime, msk, { context: clabel, extraEntropy: rnd });
  const esig = ed25519.sign(mprime, edSeed);
  return { mlSeed, edSeed, rnd, msg, pk: cat(mpk, epk), sig: cat(msig, esig) };
})();

const out = [];
out.push(`/* ML-DSA-44 known answers computed by @noble/post-quantum ${pqVer}`);
out.push(` * (Ed25519: @noble/curves ${edVer}) with`);
out.push(' * tests/unit/crypto/vectors/gen_mldsa.mjs. Do not edit.');
out.push(' *');
out.push(' * For each seed xi: SHA-256 of the keys from keygen(xi) and of the');
out.push(' * signature of msg under ctx with rnd (all zero: deterministic).');
out.push(' * The first vector is also given in full; mldsa_comp_* is one');
out.push(' * ssh-mldsa44-ed25519@openssh.com composite signature. */');
out.push('#ifndef MLDSA_VECTORS_H');
out.push('#define MLDSA_VECTORS_H');
out.push('');
out.push('#include <stddef.h>');
out.push('#include <stdint.h>');
out.push('');
out.push('typedef struct mldsa_kat {');
out.push('    uint8_t xi[32], rnd[32];');
out.push('    uint8_t pk_sha256[32], sk_sha256[32], sig_sha256[32];');
out.push('    size_t msg_len, ctx_len;');
out.push('    uint8_t msg[1000], ctx[255];');
out.push('} mldsa_kat;');
out.push('');
out.push('static const mldsa_kat mldsa_kats[] = {');
for (const v of vecs) {
  out.push('    {');
  for (const [name, val] of [['xi', v.xi], ['rnd', v.rnd], ['pk_sha256', sha256(v.pk)],
       ['sk_sha256', sha256(v.sk)], ['sig_sha256', sha256(v.sig)]]) {
    out.push(`        .${name} = {`);
    out.push(hex(val, '            '));
    out.push('        },');
  }
  out.push(`        .msg_len = ${v.msg.length},`);
  out.push(`        .ctx_len = ${v.ctx.length},`);
  if (v.msg.length) { out.push('        .msg = {'); out.push(hex(v.msg, '            ')); out.push('        },'); }
  if (v.ctx.length) { out.push('        .ctx = {'); out.push(hex(v.ctx, '            ')); out.push('        },'); }
  out.push('    },');
}
out.push('};');
const arrays = [['mldsa_kat0_pk', vecs[0].pk], ['mldsa_kat0_sk', vecs[0].sk],
  ['mldsa_kat0_sig', vecs[0].sig], ['mldsa_comp_mldsa_seed', comp.mlSeed],
  ['mldsa_comp_ed25519_seed', comp.edSeed], ['mldsa_comp_rnd', comp.rnd],
  ['mldsa_comp_msg', comp.msg], ['mldsa_comp_pk', comp.pk], ['mldsa_comp_sig', comp.sig]];
for (const [name, val] of arrays) {
  out.push('');
  out.push(`static const uint8_t ${name}[${val.length}] = {`);
  out.push(hex(val, '    '));
  out.push('};');
}
out.push('');
out.push('#endif');
console.log(out.join('\n'));
