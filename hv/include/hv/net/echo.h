/*
 * ICMP echo (RFC 792) as Shunt's management network uses it to check its gateway: the
 * request it builds, and the check of a packet that may be the reply, which comes from the
 * network and so is read with every length checked. Pure code (hv/net/echo.c), host-tested
 * and fuzzed (tests/fuzz/fuzz_net.c).
 */
#ifndef HV_NET_ECHO_H
#define HV_NET_ECHO_H

#include <hv/types.h>

#define ECHO_HEADER_LEN 8
#define ECHO_PAYLOAD_LEN 16
#define ECHO_REQUEST_LEN (ECHO_HEADER_LEN + ECHO_PAYLOAD_LEN)

/* The Internet checksum (RFC 1071) of len bytes. */
uint16_t echo_checksum(const uint8_t *data, size_t len);
/* Writes an echo request of ECHO_REQUEST_LEN bytes (id, seq) into out, checksum included. */
void echo_build_request(uint8_t *out, uint16_t id, uint16_t seq);
/*
 * 1 if packet (an IPv4 datagram as received, len bytes) is an echo reply from src (network
 * byte order as in the header) to id and seq with a good checksum and the request's payload.
 */
int echo_is_reply(const uint8_t *packet, size_t len, uint32_t src, uint16_t id, uint16_t seq);

#endif
