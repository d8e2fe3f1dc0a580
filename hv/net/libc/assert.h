/*
 * <assert.h> for the outside sources built into Shunt (lwIP, mbedTLS): C11's static_assert,
 * which mbedTLS's common.h uses, and assert() as a host invariant, which they do not use in
 * the configuration built here.
 */
#ifndef SHUNT_LIBC_ASSERT_H
#define SHUNT_LIBC_ASSERT_H

#define static_assert _Static_assert
#define assert(x) ((void)sizeof(x))

#endif
