/*
 * The management network's command-line words (hv/net/mgmt_options.c) and how the command
 * line takes them: every word, the defaults, bounds, malformed addresses, sizes and modes,
 * and the checks across words (static without an address, a gateway outside the subnet).
 */
#include "unit.h"

#include <hv/mgmt.h>

static struct mgmt_options o;
static char why[200];

static int apply(const char *word)
{
	memset(why, 0, sizeof(why));
	return mgmt_option_apply(word, &o, why, sizeof(why));
}

static int setup(void **state)
{
	(void)state;
	mgmt_options_default(&o);
	return 0;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(o.mode, MGMT_DHCP);
	assert_int_equal(o.ip, 0);
	assert_int_equal(o.gw, 0);
	assert_u64_equal(o.pool_bytes, 256 * 1024);
	assert_int_equal(o.metrics, MGMT_METRICS_SIGNED);
}

static void test_modes(void **state)
{
	(void)state;
	assert_int_equal(apply("mgmt=off"), 0);
	assert_int_equal(o.mode, MGMT_OFF);
	assert_int_equal(apply("mgmt=static"), 0);
	assert_int_equal(o.mode, MGMT_STATIC);
	assert_int_equal(apply("mgmt=dhcp"), 0);
	assert_int_equal(o.mode, MGMT_DHCP);
	static const char *const bad[] = { "mgmt=",	 "mgmt=on",   "mgmt=DHCP",
					   "mgmt=dhcp ", "mgmt=offf", "mgmt=static=1" };
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i]), -EINVAL);
		assert_contains(why, "off, dhcp, static");
		assert_int_equal(o.mode, MGMT_DHCP);
	}
}

static void test_not_mine(void **state)
{
	(void)state;
	assert_int_equal(apply("loglevel=debug"), 1);
	assert_int_equal(apply("mgmtx=1"), 1);
	assert_int_equal(apply("mgmt"), 1);
	assert_int_equal(apply(""), 1);
	/* A misspelt management word is reported, not passed on as unknown elsewhere. */
	assert_int_equal(apply("mgmt.ipaddr=1.2.3.4"), -EINVAL);
	assert_contains(why, "unknown option \"mgmt.ipaddr=1.2.3.4\"");
}

static void test_ip(void **state)
{
	(void)state;
	assert_int_equal(apply("mgmt.ip=192.168.1.20/24"), 0);
	assert_int_equal(o.ip, 0xc0a80114);
	assert_int_equal(o.prefix, 24);
	assert_int_equal(apply("mgmt.ip=10.0.0.1/8"), 0);
	assert_int_equal(o.ip, 0x0a000001);
	assert_int_equal(o.prefix, 8);
	assert_int_equal(apply("mgmt.ip=255.255.255.254/30"), 0);
	static const char *const bad[] = {
		"mgmt.ip=",
		"mgmt.ip=10.0.0.1",
		"mgmt.ip=10.0.0.1/",
		"mgmt.ip=10.0.0.1/0",
		"mgmt.ip=10.0.0.1/31",
		"mgmt.ip=10.0.0.1/32",
		"mgmt.ip=10.0.0.1/33",
		"mgmt.ip=10.0.0/24",
		"mgmt.ip=10.0.0.1.2/24",
		"mgmt.ip=256.0.0.1/24",
		"mgmt.ip=10.0.0.01/24",
		"mgmt.ip=10..0.1/24",
		"mgmt.ip=-1.0.0.1/24",
		"mgmt.ip=10.0.0.1/24x",
		"mgmt.ip= 10.0.0.1/24",
		"mgmt.ip=0x0a.0.0.1/8",
		"mgmt.ip=99999999999.0.0.1/8",
		"mgmt.ip=10.0.0.1/+8",
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i]), -EINVAL);
		assert_contains(why, "A.B.C.D/N");
		assert_int_equal(o.ip, 0xfffffffe); /* unchanged */
	}
}

static void test_gw(void **state)
{
	(void)state;
	assert_int_equal(apply("mgmt.gw=10.0.2.2"), 0);
	assert_int_equal(o.gw, 0x0a000202);
	static const char *const bad[] = {
		"mgmt.gw=",	   "mgmt.gw=10.0.2",	 "mgmt.gw=10.0.2.2/24",
		"mgmt.gw=0.0.0.0", "mgmt.gw=10.0.2.256", "mgmt.gw=a.b.c.d"
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i]), -EINVAL);
		assert_contains(why, "mgmt.gw");
		assert_int_equal(o.gw, 0x0a000202);
	}
}

static void test_pool(void **state)
{
	(void)state;
	assert_int_equal(apply("mgmt.pool=64K"), 0);
	assert_u64_equal(o.pool_bytes, 64 * 1024);
	assert_int_equal(apply("mgmt.pool=16M"), 0);
	assert_u64_equal(o.pool_bytes, 16 * 1024 * 1024);
	assert_int_equal(apply("mgmt.pool=1m"), 0);
	assert_u64_equal(o.pool_bytes, 1024 * 1024);
	assert_int_equal(apply("mgmt.pool=100001"), 0); /* bytes, rounded up to pages */
	assert_u64_equal(o.pool_bytes, 102400);
	static const char *const bad[] = {
		"mgmt.pool=",	   "mgmt.pool=63K", "mgmt.pool=17M",
		"mgmt.pool=1G",	   "mgmt.pool=0",   "mgmt.pool=-1",
		"mgmt.pool=256KB", "mgmt.pool=K",   "mgmt.pool=99999999999999M"
	};
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i]), -EINVAL);
		assert_contains(why, "64K to 16M");
		assert_u64_equal(o.pool_bytes, 102400);
	}
}

static void test_metrics(void **state)
{
	(void)state;
	assert_int_equal(apply("mgmt.metrics=public"), 0);
	assert_int_equal(o.metrics, MGMT_METRICS_PUBLIC);
	assert_int_equal(apply("mgmt.metrics=token"), 0);
	assert_int_equal(o.metrics, MGMT_METRICS_TOKEN);
	assert_int_equal(apply("mgmt.metrics=signed"), 0);
	assert_int_equal(o.metrics, MGMT_METRICS_SIGNED);
	static const char *const bad[] = { "mgmt.metrics=",	    "mgmt.metrics=Public",
					   "mgmt.metrics=open",	    "mgmt.metrics=token ",
					   "mgmt.metrics=signed=1", "mgmt.metrics=none" };
	assert_int_equal(apply("mgmt.metrics=token"), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(apply(bad[i]), -EINVAL);
		assert_contains(why, "signed, token, public");
		assert_int_equal(o.metrics, MGMT_METRICS_TOKEN);
	}
	/* A misspelt word is told with the list, which names mgmt.metrics= too. */
	assert_int_equal(apply("mgmt.metric=public"), -EINVAL);
	assert_contains(why, "mgmt.metrics=)");
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), 0); /* dhcp */
	apply("mgmt=static");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	assert_contains(why, "mgmt=static needs mgmt.ip=");
	apply("mgmt.ip=10.0.2.0/24");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	assert_contains(why, "network address");
	apply("mgmt.ip=10.0.2.255/24");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	assert_contains(why, "broadcast address");
	apply("mgmt.ip=10.0.2.15/24");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), 0); /* no gateway: fine */
	apply("mgmt.gw=10.0.3.1");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	assert_contains(why, "mgmt.gw=10.0.3.1 is not another host of 10.0.2.15/24");
	apply("mgmt.gw=10.0.2.15");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	apply("mgmt.gw=10.0.2.255");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), -EINVAL);
	apply("mgmt.gw=10.0.2.2");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), 0);
	apply("mgmt=off"); /* an off network needs nothing */
	apply("mgmt.gw=10.9.9.9");
	assert_int_equal(mgmt_options_check(&o, why, sizeof(why)), 0);
}

static void test_format_ip(void **state)
{
	char buf[16];

	(void)state;
	mgmt_format_ip(buf, sizeof(buf), 0xffffffff);
	assert_string_equal(buf, "255.255.255.255");
	mgmt_format_ip(buf, sizeof(buf), 0x0a00020f);
	assert_string_equal(buf, "10.0.2.15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_modes, setup),
		cmocka_unit_test_setup(test_not_mine, setup),
		cmocka_unit_test_setup(test_ip, setup),
		cmocka_unit_test_setup(test_gw, setup),
		cmocka_unit_test_setup(test_pool, setup),
		cmocka_unit_test_setup(test_metrics, setup),
		cmocka_unit_test_setup(test_check, setup),
		cmocka_unit_test_setup(test_format_ip, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
