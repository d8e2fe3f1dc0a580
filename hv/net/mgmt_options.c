/*
 * The management network's command-line words (see hv/mgmt.h): their grammar, bounds and
 * the checks across words. Pure code, tested on the host (tests/unit/test_mgmt_options.c).
 */
#include <hv/fmt.h>
#include <hv/mgmt.h>
#include <hv/parse.h>
#include <hv/string.h>

void mgmt_options_default(struct mgmt_options *o)
{
	*o = (struct mgmt_options){ .mode = MGMT_DHCP, .pool_bytes = MGMT_POOL_DEFAULT };
}

void mgmt_format_ip(char *buf, size_t size, uint32_t ip)
{
	fmt_snprintf(buf, size, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		     ip & 0xff);
}

/* One decimal part of a dotted quad: 0-255, no sign, no leading zero (010 is ambiguous). */
static int parse_octet(const char **p, uint32_t *out)
{
	const char *start = *p;
	uint64_t v;

	if (parse_uint(p, 10, 255, &v))
		return -1;
	if (*p - start > 1 && *start == '0')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A.B.C.D, then *p at what follows. */
static int parse_ip(const char **p, uint32_t *out)
{
	uint32_t ip = 0, octet;

	for (int i = 0; i < 4; i++) {
		if (i && *(*p)++ != '.')
			return -1;
		if (parse_octet(p, &octet))
			return -1;
		ip = ip << 8 | octet;
	}
	*out = ip;
	return 0;
}

static int parse_pool(const char *s, uint64_t *out)
{
	uint64_t v;

	if (parse_uint(&s, 10, MGMT_POOL_MAX, &v))
		return -1;
	if (*s == 'K' || *s == 'k')
		v *= KIB, s++;
	else if (*s == 'M' || *s == 'm')
		v *= MIB, s++;
	if (*s || v < MGMT_POOL_MIN || v > MGMT_POOL_MAX)
		return -1;
	*out = ALIGN_UP(v, PAGE_SIZE);
	return 0;
}

int mgmt_option_apply(const char *word, struct mgmt_options *o, char *why, size_t why_size)
{
	const char *v;

	if (!strncmp(word, "mgmt=", 5)) {
		v = word + 5;
		if (!strcmp(v, "off"))
			o->mode = MGMT_OFF;
		else if (!strcmp(v, "dhcp"))
			o->mode = MGMT_DHCP;
		else if (!strcmp(v, "static"))
			o->mode = MGMT_STATIC;
		else
			goto bad_mode;
		return 0;
	}
	if (!strncmp(word, "mgmt.ip=", 8)) {
		uint32_t ip;
		uint64_t prefix;

		v = word + 8;
		if (parse_ip(&v, &ip) || *v++ != '/' || parse_uint(&v, 10, 32, &prefix) || *v ||
		    prefix < 1 || prefix > 30) {
			fmt_snprintf(why, why_size,
				     "\"%s\": mgmt.ip is an IPv4 address and prefix length, "
				     "A.B.C.D/N with N from 1 to 30",
				     word);
			return -EINVAL;
		}
		o->ip = ip;
		o->prefix = (uint8_t)prefix;
		return 0;
	}
	if (!strncmp(word, "mgmt.gw=", 8)) {
		uint32_t gw;

		v = word + 8;
		if (parse_ip(&v, &gw) || *v || !gw) {
			fmt_snprintf(why, why_size,
				     "\"%s\": mgmt.gw is the gateway's IPv4 address, A.B.C.D",
				     word);
			return -EINVAL;
		}
		o->gw = gw;
		return 0;
	}
	if (!strncmp(word, "mgmt.pool=", 10)) {
		if (parse_pool(word + 10, &o->pool_bytes)) {
			fmt_snprintf(why, why_size,
				     "\"%s\": mgmt.pool is a size from 64K to 16M (K or M suffix)",
				     word);
			return -EINVAL;
		}
		return 0;
	}
	if (!strncmp(word, "mgmt.metrics=", 13)) {
		v = word + 13;
		if (!strcmp(v, "signed"))
			o->metrics = MGMT_METRICS_SIGNED;
		else if (!strcmp(v, "token"))
			o->metrics = MGMT_METRICS_TOKEN;
		else if (!strcmp(v, "public"))
			o->metrics = MGMT_METRICS_PUBLIC;
		else {
			fmt_snprintf(why, why_size,
				     "\"%s\": mgmt.metrics is one of signed, token, public", word);
			return -EINVAL;
		}
		return 0;
	}
	if (strncmp(word, "mgmt", 4) || (word[4] != '=' && word[4] != '.'))
		return 1;
	fmt_snprintf(why, why_size,
		     "unknown option \"%s\" (the management words are mgmt=, mgmt.ip=, "
		     "mgmt.gw=, mgmt.pool=, mgmt.metrics=)",
		     word);
	return -EINVAL;
bad_mode:
	fmt_snprintf(why, why_size, "\"%s\": mgmt is one of off, dhcp, static", word);
	return -EINVAL;
}

int mgmt_options_check(const struct mgmt_options *o, char *why, size_t why_size)
{
	uint32_t mask, host;
	char ip[16], gw[16];

	if (o->mode != MGMT_STATIC)
		return 0;
	if (!o->ip) {
		fmt_snprintf(why, why_size, "mgmt=static needs mgmt.ip=A.B.C.D/N");
		return -EINVAL;
	}
	mask = ~0u << (32 - o->prefix);
	host = o->ip & ~mask;
	mgmt_format_ip(ip, sizeof(ip), o->ip);
	if (host == 0 || host == ~mask) {
		fmt_snprintf(why, why_size,
			     "mgmt.ip=%s/%u is the %s address of its subnet, not a host's", ip,
			     o->prefix, host ? "broadcast" : "network");
		return -EINVAL;
	}
	if (o->gw && ((o->gw ^ o->ip) & mask || o->gw == o->ip || !(o->gw & ~mask) ||
		      (o->gw & ~mask) == ~mask)) {
		mgmt_format_ip(gw, sizeof(gw), o->gw);
		fmt_snprintf(why, why_size, "mgmt.gw=%s is not another host of %s/%u", gw, ip,
			     o->prefix);
		return -EINVAL;
	}
	return 0;
}
