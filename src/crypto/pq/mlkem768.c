/*
 * ML-KEM-768 (FIPS 203, section 8: k = 3, eta1 = eta2 = 2, du = 10,
 * dv = 4); the algorithms themselves are mlkem_kem.inc, shared with
 * ML-KEM-1024.
 */
#include "mlkem768.h"

#define K 3
#define DU 10u
#define DV 4u
#define PK_BYTES MLKEM768_PK_BYTES
#define SK_BYTES MLKEM768_SK_BYTES
#define CT_BYTES MLKEM768_CT_BYTES
#define KEYPAIR_DERAND mlkem768_keypair_derand
#define ENCAPS_DERAND mlkem768_encaps_derand
#define DECAPS mlkem768_decaps

#include "mlkem_kem.inc"
