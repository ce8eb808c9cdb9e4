// Known answers for ML-KEM-768 (or, given the argument 1024, ML-KEM-1024)
// from an independent implementation, the npm package @noble/post-quantum,
// written as the C header mlkem_vectors.h (mlkem1024_vectors.h) for
// tests/unit/crypto/test_mlkem.c (test_mlkem1024.c). The headers are kept
// in the tree; the tests never run this script.
//
// Usage, from any scratch directory:
//
//     npm init -y && npm install @noble/post-quantum
//     node <tree>/tests/unit/crypto/vectors/gen_mlkem.mjs > <tree>/tests/unit/crypto/vectors/mlkem_vectors.h
//     node <tree>/tests/unit/crypto/vectors/gen_mlkem.mjs 1024 > <tree>/tests/unit/crypto/vectors/mlkem1024_vectors.h
//
// The package is looked up from the current directory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const req = createRequire(pathToFileURL(process.cwd() + '/'));
const kemPath = req.resolve('@noble/post-quantum/ml-kem.js');
const P = process.argv[2] === '1024' ? '1024' : '768';
const kem = (await import(pathToFileURL(kemPath).href))[`ml_kem${P}`];
// Names in the header: ML-KEM-768's keep their first spelling.
const pre = P === '768' ? 'mlkem' : 'mlkem1024';
const guard = P === '768' ? 'MLKEM_VECTORS_H' : 'MLKEM1024_VECTORS_H';
const pkgPath = kemPath.replace(/ml-kem\.js$/, 'package.json');
const version = JSON.parse(readFileSync(pkgPath, 'utf8')).version;

const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());
const label = (s) => sha256(new TextEncoder().encode(s));
const fill = (v) => new Uint8Array(32).fill(v);
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Seeds: the two extremes, then pseudo-random ones from SHA-256 of a label.
const seeds = [
  { d: fill(0), z: fill(0), m: fill(0) },
  { d: fill(0xff), z: fill(0xff), m: fill(0xff) },
];
for (let i = 2; i < 8; i++)
  seeds.push({ d: label(`mlkem${P} d ${i}`), z: label(`mlkem${P} z ${i}`),
               m: label(`mlkem${P} m ${i}`) });

function hex(b, indent) {
  const parts = [];
  for (let i = 0; i < b.length; i += 12)
    parts.push(indent + Array.from(b.slice(i, i + 12),
      (x) => '0x' + x.toString(16).padStart(2, '0')).join(', ') + ',');
  return parts.join('\n');
}

const vecs = seeds.map((s, i) => {
  const seed = new Uint8Array(64);
  seed.set(s.d, 0);
  seed.set(s.z, 32);
  const { publicKey: pk, secretKey: sk } = kem.keygen(seed);
  const { cipherText: ct, sharedSecret: ss } = kem.encapsulate(pk, s.m);
  const ssDec = kem.decapsulate(ct, sk);
  if (!eq(ss, ssDec))
    throw new Error(`vector ${i}: decapsulation differs`);
  // One flipped bit: decapsulation must return the rejection value.
  const badByte = (i * 131 + 7) % ct.length, badBit = i % 8;
  const bad = Uint8Array.from(ct);
  bad[badByte] ^= 1 << badBit;
  const ssRej = kem.decapsulate(bad, sk);
  if (eq(ssRej, ss))
    throw new Error(`vector ${i}: rejection gave the real secret`);
  return { ...s, pk, sk, ct, ss, badByte, badBit, ssRej };
});

const out = [];
out.push(`/* ML-KEM-${P} known answers computed by @noble/post-quantum ${version}`);
out.push(` * with tests/unit/crypto/vectors/gen_mlkem.mjs${P === '768' ? '' : ' ' + P}. Do not edit.`);
out.push(' *');
out.push(' * For each (d, z, m): SHA-256 of the keys and ciphertext from');
out.push(' * keygen(d || z) and encapsulate(pk, m), the shared secret (which');
out.push(' * decapsulate also returned), and the implicit-rejection secret of');
out.push(' * the ciphertext with bit bad_bit of byte bad_byte flipped. The first');
out.push(' * vector is also given in full. */');
out.push(`#ifndef ${guard}`);
out.push(`#define ${guard}`);
out.push('');
out.push('#include <stdint.h>');
out.push('');
out.push(`typedef struct ${pre}_kat {`);
out.push('    uint8_t d[32], z[32], m[32];');
out.push('    uint8_t pk_sha256[32], sk_sha256[32], ct_sha256[32];');
out.push('    uint8_t ss[32];');
out.push('    uint16_t bad_byte;');
out.push('    uint8_t bad_bit;');
out.push('    uint8_t ss_reject[32];');
out.push(`} ${pre}_kat;`);
out.push('');
out.push(`static const ${pre}_kat ${pre}_kats[] = {`);
for (const v of vecs) {
  out.push('    {');
  for (const [name, val] of [['d', v.d], ['z', v.z], ['m', v.m],
       ['pk_sha256', sha256(v.pk)], ['sk_sha256', sha256(v.sk)],
       ['ct_sha256', sha256(v.ct)], ['ss', v.ss]]) {
    out.push(`        .${name} = {`);
    out.push(hex(val, '            '));
    out.push('        },');
  }
  out.push(`        .bad_byte = ${v.badByte},`);
  out.push(`        .bad_bit = ${v.badBit},`);
  out.push('        .ss_reject = {');
  out.push(hex(v.ssRej, '            '));
  out.push('        },');
  out.push('    },');
}
out.push('};');
for (const [name, val] of [['pk', vecs[0].pk], ['sk', vecs[0].sk],
     ['ct', vecs[0].ct]]) {
  out.push('');
  out.push(`static const uint8_t ${pre}_kat0_${name}[${val.length}] = {`);
  out.push(hex(val, '    '));
  out.push('};');
}
out.push('');
out.push('#endif');
console.log(out.join('\n'));
