#!/usr/bin/env python3
"""Derive the tower-field AES S-box of src/crypto/compact/aes_ct.c.

Finds GF(16) = GF(2)[z]/(z^4 + z + 1), Y^2 = Y + nu irreducible over it,
a root beta of the AES polynomial in that tower and so the change of
basis T; builds the bitsliced circuit (five GF(16) products, the linear
maps) while evaluating every gate on all 256 inputs at once, checks the
result against the S-box computed from FIPS 197's definition, and prints
the linear maps as they appear in aes_ct.c.

Run:  python3 tools/gen_aes_sbox.py
"""
import itertools
def gmul(a,b,poly=0x11b,n=8):
    r=0
    while b:
        if b&1: r^=a
        a<<=1
        if a>>n: a^=poly
        b>>=1
    return r
def ginv(a):
    return 0 if a==0 else next(x for x in range(1,256) if gmul(a,x)==1)
def sbox(x):
    b=ginv(x); s=0x63
    for i in range(8):
        bit=((b>>i)^(b>>((i+4)%8))^(b>>((i+5)%8))^(b>>((i+6)%8))^(b>>((i+7)%8)))&1
        s^=bit<<i
    return s
SB=[sbox(x) for x in range(256)]
assert SB[0]==0x63 and SB[1]==0x7c and SB[0x53]==0xed
# GF(16) = GF(2)[z]/(z^4+z+1)
def m16(a,b): return gmul(a,b,0x13,4)
def inv16(a): return 0 if a==0 else next(x for x in range(1,16) if m16(a,x)==1)
# pick nu with Y^2+Y+nu irreducible over GF(16): no root t with t^2+t+nu=0
nus=[nu for nu in range(1,16) if all((m16(t,t)^t^nu)!=0 for t in range(16))]
# tower element (a1,a0) as byte a1<<4|a0 ; mult: (a1Y+a0)(b1Y+b0) = a1b1 Y^2 + (a1b0+a0b1)Y + a0b0, Y^2=Y+nu
def mt(a,b,nu):
    a1,a0,b1,b0=a>>4,a&15,b>>4,b&15
    hh=m16(a1,b1)
    c1=hh^m16(a1,b0)^m16(a0,b1)
    c0=m16(hh,nu)^m16(a0,b0)
    return c1<<4|c0
def powt(a,e,nu):
    r=1
    while e:
        if e&1: r=mt(r,a,nu)
        a=mt(a,a,nu); e>>=1
    return r
best=None
for nu in nus:
    # find beta: root of x^8+x^4+x^3+x+1 in tower
    for beta in range(2,256):
        val=powt(beta,8,nu)^powt(beta,4,nu)^powt(beta,3,nu)^beta^1
        if val==0:
            # T columns beta^i
            cols=[powt(beta,i,nu) for i in range(8)]
            def T(x):
                r=0
                for i in range(8):
                    if (x>>i)&1: r^=cols[i]
                return r
            # check homomorphism
            ok=all(T(gmul(a,b))==mt(T(a),T(b),nu) for a,b in [(3,7),(0x53,0xca),(0xff,0x12)])
            if ok:
                best=(nu,beta,cols); break
    if best: break
nu,beta,cols=best
print("nu",nu,"beta",beta)
def T(x):
    r=0
    for i in range(8):
        if (x>>i)&1: r^=cols[i]
    return r
Tinv={T(x):x for x in range(256)}
assert len(Tinv)==256
# --- program builder with bitsliced simulation over 256 inputs ---
FULL=(1<<256)-1
lines=[]; vals={}; cnt=[0]
ops={'xor':0,'and':0}
def newv(prefix='t'):
    cnt[0]+=1; return "%s%d"%(prefix,cnt[0])
def XOR(a,b):
    v=newv(); vals[v]=vals[a]^vals[b]; lines.append("%s = %s ^ %s;"%(v,a,b)); ops['xor']+=1; return v
def AND(a,b):
    v=newv(); vals[v]=vals[a]&vals[b]; lines.append("%s = %s & %s;"%(v,a,b)); ops['and']+=1; return v
def XORS(lst):
    lst=list(lst)
    if not lst: return None
    r=lst[0]
    for x in lst[1:]: r=XOR(r,x)
    return r
# inputs u0..u7 : bit i of input byte
for i in range(8):
    vals["u%d"%i]=sum(((x>>i)&1)<<x for x in range(256))
U=["u%d"%i for i in range(8)]
# linear map helper: out bit k = XOR of inputs where matrix[k][i]=1; share nothing (simple)
def linmap(inp, f):
    # f: function on byte -> byte (linear)
    outs=[]
    for k in range(8):
        srcs=[inp[i] for i in range(len(inp)) if (f(1<<i)>>k)&1]
        outs.append(srcs)
    return outs
def apply_lin(inp,f,nbits_in=8,nbits_out=8):
    res=[]
    for k in range(nbits_out):
        srcs=[inp[i] for i in range(nbits_in) if (f(1<<i)>>k)&1]
        if len(srcs)==0:
            raise Exception("zero row")
        res.append(XORS(srcs) if len(srcs)>1 else srcs[0])
    return res
# tower coordinates
A=apply_lin(U,T)            # A[0..3]=a0 bits, A[4..7]=a1 bits
a0=A[0:4]; a1=A[4:8]
def add4(x,y): return [XOR(x[i],y[i]) for i in range(4)]
def mul4(x,y):
    p=[None]*7
    for k in range(7):
        terms=[AND(x[i],y[k-i]) for i in range(4) if 0<=k-i<4]
        p[k]=XORS(terms)
    # z^4 = z+1 ; z^5 = z^2+z ; z^6 = z^3+z^2
    c0=XOR(p[0],p[4]); c1=XORS([p[1],p[4],p[5]]); c2=XORS([p[2],p[5],p[6]]); c3=XOR(p[3],p[6])
    return [c0,c1,c2,c3]
def lin4(x,f):
    res=[]
    for k in range(4):
        srcs=[x[i] for i in range(4) if (f(1<<i)>>k)&1]
        res.append(XORS(srcs) if len(srcs)>1 else (srcs[0] if srcs else None))
    return res
sq4=lambda v: m16(v,v)
# d = nu*a1^2 + a1*a0 + a0^2
t1=lin4(a1,lambda v: m16(sq4(v),nu))
t2=mul4(a1,a0)
t3=lin4(a0,sq4)
d=[XORS([t1[i],t2[i],t3[i]]) for i in range(4)]
# d^-1 = d^14 = d^2 * d^4 * d^8
d2=lin4(d,sq4); d4=lin4(d2,sq4); d8=lin4(d4,sq4)
di=mul4(mul4(d2,d4),d8)
# inverse: (a1*di) Y + (a0+a1)*di
r1=mul4(a1,di)
r0=mul4(add4(a0,a1),di)
R=r0+r1
# back to polynomial basis then affine
def back_aff(x):
    p=Tinv[x]
    b=p; s=0
    for i in range(8):
        bit=((b>>i)^(b>>((i+4)%8))^(b>>((i+5)%8))^(b>>((i+6)%8))^(b>>((i+7)%8)))&1
        s^=bit<<i
    return s
OUT=apply_lin(R,back_aff)
# verify (constant 0x63 applied at the end as NOT)
for i in range(8):
    v=vals[OUT[i]]
    if (0x63>>i)&1: v^=FULL
    want=sum(((SB[x]>>i)&1)<<x for x in range(256))
    assert v==want,(i)
print("verified; ops",ops, "lines",len(lines))

# ---- the linear maps as C, for aes_ct.c ----
def lin_rows(f, nin, nout):
    rows=[]
    for k in range(nout):
        rows.append([i for i in range(nin) if (f(1<<i)>>k)&1])
    return rows
def expr(names, idx):
    return " ^ ".join(names[i] for i in idx)
out=[]
# to tower: A = T(u)
rows=lin_rows(T,8,8)
names=["u%d"%i for i in range(8)]
out.append("    /* to the tower field: a = T u (a[0..3] = a0, a[4..7] = a1) */")
for k in range(8):
    out.append("    a[%d] = %s;"%(k, expr(names, rows[k])))
# d = nu*a1^2 + a1*a0 + a0^2 ; linear parts: L1(a1)=nu*a1^2, L0(a0)=a0^2
r1=lin_rows(lambda v: m16(m16(v,v),nu),4,4)
r0=lin_rows(lambda v: m16(v,v),4,4)
out.append("    /* d = nu a1^2 + a1 a0 + a0^2 (nu = %d) */" % nu)
out.append("    gf16_mul(d, a + 4, a);")
an=["a[%d]"%(4+i) for i in range(4)]; a0n=["a[%d]"%i for i in range(4)]
for k in range(4):
    terms=[an[i] for i in r1[k]]+[a0n[i] for i in r0[k]]
    out.append("    d[%d] ^= %s;"%(k, " ^ ".join(terms)))
sq=lin_rows(lambda v: m16(v,v),4,4)
out.append("    /* d^-1 = d^14 = d^2 d^4 d^8 (squaring is linear) */")
for src,dst in (("d","d2"),("d2","d4"),("d4","d8")):
    for k in range(4):
        out.append("    %s[%d] = %s;"%(dst,k," ^ ".join("%s[%d]"%(src,i) for i in sq[k])))
# final: back to poly basis and affine
def back_aff(x):
    p=Tinv[x]; b=p; s=0
    for i in range(8):
        bit=((b>>i)^(b>>((i+4)%8))^(b>>((i+5)%8))^(b>>((i+6)%8))^(b>>((i+7)%8)))&1
        s^=bit<<i
    return s
rows=lin_rows(back_aff,8,8)
rn=["r[%d]"%i for i in range(8)]
fin=[]
for k in range(8):
    neg=(0x63>>k)&1
    e=expr(rn,rows[k])
    fin.append("    q[%d] = %s%s%s;"%(k, "~(" if neg else "", e, ")" if neg else ""))
print("\n".join(out)); print("----"); print("\n".join(fin))
