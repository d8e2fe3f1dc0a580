/*
 * The MOV to CR4 decoder for SVM without decode assists (svm_decode.h). The legacy prefixes
 * an instruction may carry are skipped (at most 14, so that the instruction stays within 15
 * bytes), then an optional REX.
 */
#include "svm_decode.h"

static int is_legacy_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x36 ||
	       b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65;
}

unsigned int svm_decode_mov_to_cr4(const uint8_t *b, unsigned int n, unsigned int *gpr)
{
	unsigned int i = 0, rex = 0;

	if (n > 15)
		n = 15; /* an x86 instruction is at most 15 bytes */
	while (i < n && is_legacy_prefix(b[i]))
		i++;
	if (i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 3 > n || b[i] != 0x0f || b[i + 1] != 0x22)
		return 0;
	/* mod 11 (a register), reg 4 without REX.R (CR4, not CR12) */
	if ((b[i + 2] >> 6) != 3 || ((b[i + 2] >> 3) & 7) != 4 || (rex & 0x4))
		return 0;
	*gpr = (b[i + 2] & 7) | ((rex & 1) << 3);
	return i + 3;
}
