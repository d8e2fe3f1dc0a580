/*
 * Decoding what SVM without decode assists does not say (svm_decode.c): pure, tested on the
 * host.
 */
#ifndef SVM_DECODE_H
#define SVM_DECODE_H

#include <stdint.h>

/*
 * MOV CR4, reg: [legacy prefixes] [REX] 0F 22 ModRM with mod 11 and reg 4 (Intel SDM Vol. 2B,
 * MOV—Move to/from Control Registers; AMD APM Vol. 3 "MOV CRn"), in the n bytes at b.
 * Returns its length and the source register's number (0 = RAX ... 15 = R15) in *gpr, or 0
 * for anything else (another instruction, CR12 through REX.R, a memory operand, too short).
 */
unsigned int svm_decode_mov_to_cr4(const uint8_t *b, unsigned int n, unsigned int *gpr);

#endif
