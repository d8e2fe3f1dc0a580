/*
 * ICMP echo requests and the check of their replies (see hv/net/echo.h). Pure code.
 */
#include <hv/net/echo.h>
#include <hv/string.h>

#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define IP_PROTO_ICMP 1

uint16_t echo_checksum(const uint8_t *data, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)data[i] << 8 | data[i + 1];
	if (len & 1)
		sum += (uint32_t)data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void payload(uint8_t *out, uint16_t seq)
{
	for (unsigned int i = 0; i < ECHO_PAYLOAD_LEN; i++)
		out[i] = (uint8_t)("shunt-mgmt-echo!"[i] ^ seq);
}

void echo_build_request(uint8_t *out, uint16_t id, uint16_t seq)
{
	uint16_t sum;

	out[0] = ICMP_ECHO_REQUEST;
	out[1] = 0;
	out[2] = out[3] = 0;
	out[4] = (uint8_t)(id >> 8);
	out[5] = (uint8_t)id;
	out[6] = (uint8_t)(seq >> 8);
	out[7] = (uint8_t)seq;
	payload(out + ECHO_HEADER_LEN, seq);
	sum = echo_checksum(out, ECHO_REQUEST_LEN);
	out[2] = (uint8_t)(sum >> 8);
	out[3] = (uint8_t)sum;
}

int echo_is_reply(const uint8_t *packet, size_t len, uint32_t src, uint16_t id, uint16_t seq)
{
	uint8_t want[ECHO_PAYLOAD_LEN];
	size_t ihl, total;
	const uint8_t *icmp;
	uint32_t from;

	if (len < 20 || packet[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(packet[0] & 0xf) * 4;
	total = (size_t)packet[2] << 8 | packet[3];
	if (ihl < 20 || total < ihl || total > len || packet[9] != IP_PROTO_ICMP)
		return 0;
	memcpy(&from, packet + 12, 4);
	if (from != src)
		return 0;
	icmp = packet + ihl;
	if (total - ihl != ECHO_REQUEST_LEN || icmp[0] != ICMP_ECHO_REPLY || icmp[1] != 0 ||
	    echo_checksum(icmp, ECHO_REQUEST_LEN) != 0)
		return 0;
	if ((icmp[4] << 8 | icmp[5]) != id || (icmp[6] << 8 | icmp[7]) != seq)
		return 0;
	payload(want, seq);
	return !memcmp(icmp + ECHO_HEADER_LEN, want, ECHO_PAYLOAD_LEN);
}
