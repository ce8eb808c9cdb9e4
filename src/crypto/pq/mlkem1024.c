/*
 * ML-KEM-1024 (FIPS 203, section 8: k = 4, eta1 = eta2 = 2, du = 11,
 * dv = 5); the algorithms themselves are mlkem_kem.inc, shared with
 * ML-KEM-768.
 */
#include "mlkem1024.h"

#define K 4
#define DU 11u
#define DV 5u
#define PK_BYTES MLKEM1024_PK_BYTES
#define SK_BYTES MLKEM1024_SK_BYTES
#define CT_BYTES MLKEM1024_CT_BYTES
#define KEYPAIR_DERAND mlkem1024_keypair_derand
#define ENCAPS_DERAND mlkem1024_encaps_derand
#define DECAPS mlkem1024_decaps

#include "mlkem_kem.inc"
