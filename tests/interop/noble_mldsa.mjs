// ssh-mldsa44-ed25519@openssh.com done by independent implementations,
// @noble/post-quantum (ML-DSA-44) and @noble/curves (Ed25519), for
// test_mldsa_noble.py. Reads one JSON request on stdin, writes one JSON
// answer; byte strings are hex. The packages are looked up in the folder
// named by NSSH_NOBLE (tools/noble.sh installs them there).
//
//   {"op": "public", "seeds": S}              -> {"pk": P}
//   {"op": "sign", "seeds": S, "msg": M}       -> {"sig": G}   (hedged)
//   {"op": "verify", "pk": P, "msg": M, "sig": G} -> {"ok": true|false}
//
// The composite (draft-miller-sshm-mldsa44-ed25519-composite-sigs, as
// OpenSSH 10.5 does it): M' = Prefix || Label || 0 || SHA-512(M); ML-DSA-44
// signs M' with context Label, Ed25519 signs M'; pk and sig are the
// ML-DSA part then the Ed25519 part; seeds are ML-DSA's then Ed25519's.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const base = process.env.NSSH_NOBLE;
if (!base) throw new Error('NSSH_NOBLE is not set');
const req = createRequire(pathToFileURL(base + '/'));
const load = async (m) => import(pathToFileURL(req.resolve(m)).href);
const { ml_dsa44 } = await load('@noble/post-quantum/ml-dsa.js');
const { ed25519 } = await load('@noble/curves/ed25519.js');

const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));
const text = (s) => new TextEncoder().encode(s);
const label = text('COMPSIG-MLDSA44-Ed25519-SHA512');
const mprime = (msg) => new Uint8Array(Buffer.concat([
  text('CompositeAlgorithmSignatures2025'), label, Buffer.of(0),
  createHash('sha512').update(msg).digest()]));

const q = JSON.parse(readFileSync(0, 'utf8'));
let out;
if (q.op === 'public') {
  const s = bytes(q.seeds);
  out = { pk: hex(ml_dsa44.keygen(s.slice(0, 32)).publicKey) +
              hex(ed25519.getPublicKey(s.slice(32))) };
} else if (q.op === 'sign') {
  const s = bytes(q.seeds), m = mprime(bytes(q.msg));
  const { secretKey } = ml_dsa44.keygen(s.slice(0, 32));
  out = { sig: hex(ml_dsa44.sign(m, secretKey, { context: label })) +
               hex(ed25519.sign(m, s.slice(32))) };
} else if (q.op === 'verify') {
  const pk = bytes(q.pk), sig = bytes(q.sig), m = mprime(bytes(q.msg));
  out = { ok: sig.length === 2484 && pk.length === 1344 &&
              ml_dsa44.verify(sig.slice(0, 2420), m, pk.slice(0, 1312), { context: label }) &&
              ed25519.verify(sig.slice(2420), m, pk.slice(1312)) };
} else {
  throw new Error(`unknown op ${q.op}`);
}
process.stdout.write(JSON.stringify(out));
