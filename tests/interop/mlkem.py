"""ML-KEM-768 (FIPS 203) in plain Python, for the raw test client.

Slow and not constant-time: it only has to act as an independent client
for mlkem768x25519-sha256, a key exchange no packaged client of Debian 12
speaks. Section numbers are those of FIPS 203.
"""
import hashlib
import os

Q = 3329
N = 256
K = 3            # ML-KEM-768 (section 8, table 2)
ETA1 = ETA2 = 2
DU, DV = 10, 4
EK_LEN = 384 * K + 32
DK_LEN = 768 * K + 96
CT_LEN = 32 * (DU * K + DV)


def _bitrev7(i):
    return int(f"{i:07b}"[::-1], 2)


ZETAS = [pow(17, _bitrev7(i), Q) for i in range(128)]
GAMMAS = [pow(17, 2 * _bitrev7(i) + 1, Q) for i in range(128)]


# ---- Hash functions (section 4.1) ------------------------------------------

def _h(s):
    return hashlib.sha3_256(s).digest()


def _g(s):
    d = hashlib.sha3_512(s).digest()
    return d[:32], d[32:]


def _j(s):
    return hashlib.shake_256(s).digest(32)


def _prf(eta, s, b):
    return hashlib.shake_256(s + bytes([b])).digest(64 * eta)


# ---- Encodings (section 4.2.1) ---------------------------------------------

def byte_encode(f, d):
    bits = 0
    nbits = 0
    out = bytearray()
    for a in f:
        bits |= (a % (1 << d)) << nbits
        nbits += d
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    return bytes(out)


def byte_decode(b, d):
    m = Q if d == 12 else 1 << d
    v = int.from_bytes(b, "little")
    return [((v >> (d * i)) & ((1 << d) - 1)) % m for i in range(N)]


def compress(x, d):
    # round(2^d / q * x) mod 2^d, rounding halves up
    return ((x << (d + 1)) + Q) // (2 * Q) % (1 << d)


def decompress(y, d):
    return (Q * y * 2 + (1 << d)) >> (d + 1)


# ---- Sampling (section 4.2.2) ----------------------------------------------

def sample_ntt(seed):
    """Algorithm 7: a uniform polynomial in NTT form from 34 seed bytes."""
    xof = hashlib.shake_128(seed)
    want = 840
    while True:
        stream = xof.digest(want)
        a, pos = [], 0
        while len(a) < N and pos + 3 <= len(stream):
            c0, c1, c2 = stream[pos:pos + 3]
            pos += 3
            d1 = c0 + 256 * (c1 % 16)
            d2 = c1 // 16 + 16 * c2
            if d1 < Q:
                a.append(d1)
            if d2 < Q and len(a) < N:
                a.append(d2)
        if len(a) == N:
            return a
        want *= 2


def sample_cbd(b, eta):
    """Algorithm 8."""
    bits = int.from_bytes(b, "little")
    f = []
    for i in range(N):
        x = sum((bits >> (2 * i * eta + j)) & 1 for j in range(eta))
        y = sum((bits >> (2 * i * eta + eta + j)) & 1 for j in range(eta))
        f.append((x - y) % Q)
    return f


# ---- NTT (section 4.3) -----------------------------------------------------

def ntt(f):
    """Algorithm 9."""
    f = list(f)
    i, length = 1, 128
    while length >= 2:
        for start in range(0, N, 2 * length):
            z = ZETAS[i]
            i += 1
            for j in range(start, start + length):
                t = z * f[j + length] % Q
                f[j + length] = (f[j] - t) % Q
                f[j] = (f[j] + t) % Q
        length //= 2
    return f


def ntt_inv(f):
    """Algorithm 10."""
    f = list(f)
    i, length = 127, 2
    while length <= 128:
        for start in range(0, N, 2 * length):
            z = ZETAS[i]
            i -= 1
            for j in range(start, start + length):
                t = f[j]
                f[j] = (t + f[j + length]) % Q
                f[j + length] = z * (f[j + length] - t) % Q
        length *= 2
    return [x * 3303 % Q for x in f]


def mul_ntt(f, g):
    """Algorithms 11 and 12."""
    h = [0] * N
    for i in range(128):
        a0, a1, b0, b1 = f[2 * i], f[2 * i + 1], g[2 * i], g[2 * i + 1]
        h[2 * i] = (a0 * b0 + a1 * b1 * GAMMAS[i]) % Q
        h[2 * i + 1] = (a0 * b1 + a1 * b0) % Q
    return h


def _add(f, g):
    return [(a + b) % Q for a, b in zip(f, g)]


def _sub(f, g):
    return [(a - b) % Q for a, b in zip(f, g)]


def _matrix(rho):
    """A-hat[i][j] = SampleNTT(rho || j || i)."""
    return [[sample_ntt(rho + bytes([j, i])) for j in range(K)] for i in range(K)]


def _dot(row, vec):
    acc = [0] * N
    for a, b in zip(row, vec):
        acc = _add(acc, mul_ntt(a, b))
    return acc


# ---- K-PKE (section 5) -----------------------------------------------------

def pke_keygen(d):
    """Algorithm 13."""
    rho, sigma = _g(d + bytes([K]))
    a = _matrix(rho)
    s = [ntt(sample_cbd(_prf(ETA1, sigma, n), ETA1)) for n in range(K)]
    e = [ntt(sample_cbd(_prf(ETA1, sigma, K + n), ETA1)) for n in range(K)]
    t = [_add(_dot(a[i], s), e[i]) for i in range(K)]
    ek = b"".join(byte_encode(p, 12) for p in t) + rho
    dk = b"".join(byte_encode(p, 12) for p in s)
    return ek, dk


def pke_encrypt(ek, m, r):
    """Algorithm 14."""
    t = [byte_decode(ek[384 * i:384 * (i + 1)], 12) for i in range(K)]
    a = _matrix(ek[384 * K:])
    y = [ntt(sample_cbd(_prf(ETA1, r, n), ETA1)) for n in range(K)]
    e1 = [sample_cbd(_prf(ETA2, r, K + n), ETA2) for n in range(K)]
    e2 = sample_cbd(_prf(ETA2, r, 2 * K), ETA2)
    at = [[a[j][i] for j in range(K)] for i in range(K)]
    u = [_add(ntt_inv(_dot(at[i], y)), e1[i]) for i in range(K)]
    mu = [decompress(b, 1) for b in byte_decode(m, 1)]
    v = _add(_add(ntt_inv(_dot(t, y)), e2), mu)
    c1 = b"".join(byte_encode([compress(x, DU) for x in p], DU) for p in u)
    return c1 + byte_encode([compress(x, DV) for x in v], DV)


def pke_decrypt(dk, c):
    """Algorithm 15."""
    n1 = 32 * DU
    u = [[decompress(x, DU) for x in byte_decode(c[n1 * i:n1 * (i + 1)], DU)]
         for i in range(K)]
    v = [decompress(x, DV) for x in byte_decode(c[n1 * K:], DV)]
    s = [byte_decode(dk[384 * i:384 * (i + 1)], 12) for i in range(K)]
    w = _sub(v, ntt_inv(_dot(s, [ntt(p) for p in u])))
    return byte_encode([compress(x, 1) for x in w], 1)


# ---- ML-KEM (section 6 and 7) ----------------------------------------------

def keygen(d=None, z=None):
    """Algorithms 16 and 19: (encapsulation key, decapsulation key)."""
    d = d or os.urandom(32)
    z = z or os.urandom(32)
    ek, dk_pke = pke_keygen(d)
    return ek, dk_pke + ek + _h(ek) + z


def encaps(ek, m=None):
    """Algorithms 17 and 20: (shared secret, ciphertext)."""
    m = m or os.urandom(32)
    key, r = _g(m + _h(ek))
    return key, pke_encrypt(ek, m, r)


def decaps(dk, c):
    """Algorithms 18 and 21, with implicit rejection."""
    assert len(c) == CT_LEN, f"ML-KEM-768 ciphertext of {len(c)} bytes"
    dk_pke, ek = dk[:384 * K], dk[384 * K:768 * K + 32]
    h, z = dk[768 * K + 32:768 * K + 64], dk[768 * K + 64:]
    m = pke_decrypt(dk_pke, c)
    key, r = _g(m + h)
    if pke_encrypt(ek, m, r) != c:
        return _j(z + c)
    return key
