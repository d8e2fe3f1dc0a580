/*
 * The console multiplexer (hv/console.c) and a VM's console policy (hv/vm_console.c):
 * queues that never block their writers, a drain that never waits for the line, moves at
 * most what the line takes, keeps lines whole, serves Shunt's log first and VMs in turn,
 * breaks overlong lines and makes every byte printable; and per VM, print (wait for room),
 * lossy (drop and count) and discard, all-or-nothing and partial writes, the byte rate;
 * and writers on other threads (a VM's vCPUs on other CPUs, Shunt's log) beside the drain:
 * every write comes out whole, once, in its writer's order, and the counters are exact.
 */
#define _POSIX_C_SOURCE 200809L
#include "unit.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include <hv/arch.h>
#include <hv/console.h>
#include <hv/hypercall.h>
#include <hv/log.h>
#include <hv/vm.h>

/* --- A fake serial line: takes line_room bytes in all until it is refilled (its FIFO). --- */

static char line[65536];
static size_t line_len;
static size_t line_room; /* what the next arch_console_write_nowait() call takes */
static unsigned int nowait_calls;
static uint64_t fake_cycles;

size_t arch_console_write_nowait(const char *s, size_t len)
{
	size_t n = len < line_room ? len : line_room;

	line_room -= n;
	nowait_calls++;
	assert_true(line_len + n < sizeof(line));
	memcpy(line + line_len, s, n);
	line_len += n;
	line[line_len] = '\0';
	return n;
}

/* The PC platform's IRQ lines, as the VM console's input drives them. */
static int irq_level = -1;

void vm_platform_set_irq(struct vm *vm, unsigned int irq, int level)
{
	(void)vm;
	assert_int_equal(irq, 4);
	irq_level = level;
}

void arch_console_write(const char *s, size_t len)
{
	assert_true(line_len + len < sizeof(line));
	memcpy(line + line_len, s, len);
	line_len += len;
	line[line_len] = '\0';
}

uint64_t arch_cycles(void)
{
	return fake_cycles;
}

uint64_t arch_tsc_hz(void)
{
	return 1152000; /* 10 cycles per bit at 115200 baud: 100 cycles per byte */
}

/* The log: vm_console_init() says so when a VM gets no console source. */
static char last_log[256];
static unsigned int log_lines;

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}

void *vm_gpa_to_hva(struct vm *vm, gpa_t gpa, uint64_t len)
{
	return gpa < vm->ram_size && len <= vm->ram_size - gpa
		       ? (uint8_t *)(uintptr_t)vm->ram_hpa + gpa
		       : NULL;
}

static struct vm vms[3];

static int setup(void **state)
{
	(void)state;
	line_len = 0;
	line[0] = '\0';
	line_room = 16;
	nowait_calls = 0;
	fake_cycles = 1000;
	return 0;
}

/* Polls until the drain has nothing left, as the scheduler would. */
static void drain(void)
{
	for (int i = 0; i < 100000 && console_poll_due() != UINT64_MAX; i++) {
		line_room = 16; /* the FIFO emptied since the last poll */
		console_poll();
	}
	assert_int_equal(console_poll_due(), UINT64_MAX);
}

static void vm_setup(struct vm *vm, const char *name, enum vm_console_policy policy)
{
	memset(vm, 0, sizeof(*vm));
	strcpy(vm->name, name);
	bucket_init(&vm->buckets[PV_RATE_CONSOLE], 0, 1, 0, arch_tsc_hz()); /* unlimited */
	vm_console_init(vm, policy);
}

static int64_t put(struct vm *vm, const char *s, int partial)
{
	uint64_t retry = 0;
	int64_t r = vm_console_put(vm, s, (uint32_t)strlen(s), partial, &retry);

	if (r == -EAGAIN)
		assert_true(retry > 0);
	return r;
}

/*
 * One test drives the whole multiplexer, since its sources are registered for good: the
 * order matters and is the point (it is what an admin reads).
 */
static void test_multiplexer(void **state)
{
	(void)state;
	vm_setup(&vms[0], "a", VM_CONSOLE_PRINT);
	vm_setup(&vms[1], "b", VM_CONSOLE_PRINT);
	vm_setup(&vms[2], "quiet", VM_CONSOLE_DISCARD);

	/* Before the scheduler runs, the log goes straight out. */
	assert_int_equal(console_log_write("boot\n", 5), 0);
	assert_string_equal(line, "boot\n");
	assert_int_equal(console_poll_due(), UINT64_MAX);

	console_start_async();
	line_len = 0;
	/* Two VMs write lines in pieces, interleaved; the log writes too. */
	assert_int_equal(put(&vms[0], "a1 hel", 0), 6);
	assert_int_equal(put(&vms[1], "b1\nb2\n", 0), 6);
	assert_int_equal(put(&vms[0], "lo\na2\n", 0), 6);
	assert_int_equal(put(&vms[2], "never shown\n", 0), 12);
	assert_int_equal(console_log_write("shunt line\n", 11), 0);
	assert_int_equal(line_len, 0); /* nothing was written by the writers */
	assert_int_equal(console_poll_due(), 0);

	/* One poll moves what the line takes, 16 bytes, and no more. */
	console_poll();
	assert_int_equal(line_len, 16);
	assert_int_equal(console_poll_due(), fake_cycles + 16 * 100); /* when they are sent */
	/* While the line is busy, a poll writes nothing and returns. */
	console_poll();
	assert_int_equal(line_len, 16);
	drain();
	/* The log first, then one line per VM in turn, each whole, with its prefix. */
	assert_string_equal(line, "shunt line\r\n[a] a1 hello\r\n[b] b1\r\n[a] a2\r\n[b] b2\r\n");
	assert_int_equal(vms[2].stats.console_bytes, 12);

	/* A partial line waits for its end; closing it (the VM stopped) prints it. */
	line_len = 0;
	assert_int_equal(put(&vms[0], "no newline yet", 0), 14);
	drain();
	assert_int_equal(line_len, 0);
	vm_console_close(&vms[0]);
	drain();
	assert_string_equal(line, "[a] no newline yet\r\n");

	/* Bytes outside printable ASCII show as '?'; an overlong line is broken. */
	line_len = 0;
	assert_int_equal(put(&vms[1], "x\x1b[2J\xc3\xa9\r\n", 0), 9);
	drain();
	assert_string_equal(line, "[b] x?[2J??\r\n");
	line_len = 0;
	{
		char text[401];

		memset(text, 'z', 400);
		text[400] = '\0';
		assert_int_equal(put(&vms[1], text, 0), 400);
		drain(); /* two full lines of 159; the rest waits for its end */
		assert_int_equal(line_len, 2 * (4 + 159 + 2));
		vm_console_close(&vms[1]);
		drain();
		assert_int_equal(line_len, 2 * (4 + 159 + 2) + 4 + 82 + 2);
	}

	/* print: a write that does not fit waits, all or nothing; partial takes what fits. */
	line_len = 0;
	{
		static char big[CONSOLE_QUEUE_SIZE];
		uint64_t retry = 0;

		memset(big, 'q', sizeof(big));
		assert_int_equal(vm_console_put(&vms[0], big, 4096, 0, &retry), 4096);
		assert_int_equal(vm_console_put(&vms[0], big, 4095, 0, &retry), 4095);
		assert_int_equal(vm_console_put(&vms[0], big, 1, 0, &retry), -EAGAIN);
		assert_true(retry >= console_line_ns(1));
		assert_int_equal(vms[0].stats.console_waits, 1);
		assert_int_equal(vm_console_is_full(&vms[0]), 1);
		assert_int_equal(vm_console_put(&vms[0], big, 5, 1, &retry), -EAGAIN);
		/* A little drained (the staged piece of a line): partial takes exactly that. */
		line_room = 16;
		console_poll();
		assert_int_equal(vm_console_is_full(&vms[0]), 0);
		/* "[a] " and 58 bytes were staged for the line: room for 58. */
		assert_int_equal(vm_console_put(&vms[0], big, 100, 1, &retry), 58);
		assert_int_equal(vm_console_put(&vms[0], big, 100, 0, &retry), -EAGAIN);
		assert_int_equal(retry, console_line_ns(100));
		vm_console_close(&vms[0]);
		drain();
	}

	/*
	 * The VM with the input focus is eager: its partial lines (echo, prompts) go out as they
	 * come, with the controls of line editing; another source's line ends one first, on a
	 * line of its own.
	 */
	line_len = 0;
	vms[0].console.eager = 1;
	assert_int_equal(put(&vms[0], "$ ", 0), 2);
	drain();
	assert_string_equal(line, "[a] $ ");
	assert_int_equal(put(&vms[0], "ex\b\x1b[K\r", 0), 7);
	drain();
	assert_string_equal(line, "[a] $ ex\b\x1b[K\r");
	assert_int_equal(put(&vms[1], "b3\n", 0), 3);
	drain();
	assert_int_equal(put(&vms[0], "cho\n", 0), 4);
	drain();
	assert_string_equal(line, "[a] $ ex\b\x1b[K\r\r\n[b] b3\r\n[a] cho\r\n");
	vms[0].console.eager = 0;
	console_stop_async();
}

/* Input typed to a VM: queued, into its UART's FIFO as it has room, its IRQ raised. */
static void test_input(void **state)
{
	static struct vm vm;
	uint8_t text[VM_INPUT_QUEUE + 10];
	uint32_t v = 0;

	(void)state;
	vm_setup(&vm, "in", VM_CONSOLE_PRINT);
	vm.state = VM_RUNNING;
	vm.uart.irq_changed = vm_console_uart_irq; /* as vm_build() wires it */
	vm.uart.owner = &vm;
	uart16550_reset(&vm.uart);
	v = 0x08; /* OUT2 */
	uart16550_access(&vm.uart, UART_MCR, 1, &v);
	v = 0x01; /* received data */
	uart16550_access(&vm.uart, UART_IER, 1, &v);
	memset(text, 'k', sizeof(text));
	text[0] = 'h';
	text[1] = 'i';
	irq_level = -1;
	vm_console_input(&vm, text, 2);
	assert_int_equal(irq_level, 1);
	assert_int_equal(vm.uart.rx_count, 1); /* FIFOs off: one byte, one waiting */
	assert_int_equal(uart16550_access(&vm.uart, UART_DATA, 0, &v), 0);
	assert_int_equal(v, 'h'); /* read empty: the line fell, and 'i' came in, raising it */
	assert_int_equal(irq_level, 1);
	assert_int_equal(vm.uart.rx_count, 1);
	assert_int_equal(uart16550_access(&vm.uart, UART_DATA, 0, &v), 0);
	assert_int_equal(v, 'i');
	assert_int_equal(irq_level, 0);
	/* More than the queue holds: the rest is dropped and counted. */
	vm_console_input(&vm, text, sizeof(text));
	assert_int_equal(vm.stats.input_dropped, sizeof(text) - VM_INPUT_QUEUE);
	/* A stopped VM takes nothing. */
	vm.state = VM_STOPPED;
	vm_console_input(&vm, text, 1);
	assert_int_equal(vm.stats.input_dropped, sizeof(text) - VM_INPUT_QUEUE);
}

/*
 * Typed input (CPU 0's host work) and a vCPU reading COM1 on another CPU at once, as a VM
 * placed off CPU 0 or with several vCPUs has them (uart_shared): every byte arrives once, in
 * order. Without the UART's lock both change the FIFO's count, and bytes go twice or never.
 */
#define TYPED_BYTES 20000
static struct vm typed_vm;
static int typed_done;

static void *typist(void *arg)
{
	uint32_t sent = 0;

	(void)arg;
	while (sent < TYPED_BYTES) {
		uint8_t b = (uint8_t)(sent * 7);

		if (typed_vm.input.tail - __atomic_load_n(&typed_vm.input.head, __ATOMIC_RELAXED) <
		    VM_INPUT_QUEUE) {
			vm_console_input(&typed_vm, &b, 1);
			sent++;
		}
		vm_console_input_refill(&typed_vm); /* as console_input_poll() does */
	}
	while (!__atomic_load_n(&typed_done, __ATOMIC_ACQUIRE))
		vm_console_input_refill(&typed_vm);
	return NULL;
}

static void *type_one(void *arg)
{
	(void)arg;
	vm_console_input(&typed_vm, (const uint8_t *)"y", 1);
	return NULL;
}

static void test_input_from_another_cpu(void **state)
{
	pthread_t thread;
	uint32_t got = 0, v;
	time_t deadline = time(NULL) + 60;

	(void)state;
	memset(&typed_vm, 0, sizeof(typed_vm));
	vm_setup(&typed_vm, "typed", VM_CONSOLE_PRINT);
	typed_vm.state = VM_RUNNING;
	typed_vm.uart_shared = 1;
	typed_vm.uart.irq_changed = vm_console_uart_irq;
	typed_vm.uart.owner = &typed_vm;
	uart16550_reset(&typed_vm.uart);
	v = 0x01; /* FIFOs on: 16 bytes at a time */
	uart16550_access(&typed_vm.uart, UART_IIR_FCR, 1, &v);
	assert_int_equal(pthread_create(&thread, NULL, typist, NULL), 0);
	while (got < TYPED_BYTES) {
		int taken = vm_uart_lock(&typed_vm), ready;

		/* The COM1 handler's part: LSR, then RBR while data is ready. */
		uart16550_access(&typed_vm.uart, UART_LSR, 0, &v);
		ready = v & 0x01;
		if (ready)
			uart16550_access(&typed_vm.uart, UART_DATA, 0, &v);
		vm_uart_unlock(&typed_vm, taken);
		if (ready) {
			if (v != (uint8_t)(got * 7))
				fail_msg("byte %u is 0x%x, not 0x%x", got, v, (uint8_t)(got * 7));
			got++;
		}
		if (time(NULL) > deadline)
			fail_msg("only %u of %u typed bytes arrived", got, TYPED_BYTES);
	}
	__atomic_store_n(&typed_done, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_u64_equal(vm_stat_read(&typed_vm.stats.input_dropped), 0);
	assert_u64_equal(typed_vm.uart.rx_overruns, 0);
	/* While a vCPU holds the UART (its lock), typed input waits for it, then goes in. */
	typed_done = 0;
	spin_lock(&typed_vm.uart_lock);
	assert_int_equal(pthread_create(&thread, NULL, type_one, NULL), 0);
	nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	assert_int_equal(typed_vm.uart.rx_count, 0);
	assert_int_equal(typed_vm.input.tail, typed_vm.input.head);
	spin_unlock(&typed_vm.uart_lock);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(typed_vm.uart.rx_count, 1);
	uart16550_access(&typed_vm.uart, UART_DATA, 0, &v);
	assert_int_equal(v, 'y');
	/* Reaped (or being rebuilt): the input is kept out of its UART. */
	typed_vm.reaping = 1;
	v = 'x';
	vm_console_input(&typed_vm, (const uint8_t *)&v, 1);
	assert_int_equal(typed_vm.uart.rx_count, 0);
	assert_int_equal(typed_vm.input.tail, typed_vm.input.head);
}

/* lossy: never waits; what does not fit is counted as dropped. The byte rate limits all. */
static void test_lossy_and_rate(void **state)
{
	static struct vm vm;
	static char big[CONSOLE_QUEUE_SIZE + 100];
	uint64_t retry = 0;

	(void)state;
	memset(big, 'l', sizeof(big));
	vm_setup(&vm, "lossy", VM_CONSOLE_LOSSY); /* not drained: never registered as a source */
	assert_int_equal(vm_console_put(&vm, big, 4096, 0, &retry), 4096);
	assert_int_equal(vm_console_put(&vm, big, 4096, 0, &retry), 4096);
	assert_int_equal(vm.stats.console_dropped, 1); /* 8191 fit */
	assert_int_equal(vm_console_put(&vm, big, 4096, 0, &retry), 4096);
	assert_int_equal(vm.stats.console_dropped, 4097);
	assert_int_equal(vm.stats.console_bytes, 3 * 4096);
	assert_int_equal(vm.stats.console_waits, 0);

	/* 1000 bytes/s, burst 100: an all-or-nothing write over the tokens waits for them. */
	vm_setup(&vm, "rated", VM_CONSOLE_DISCARD);
	bucket_init(&vm.buckets[PV_RATE_CONSOLE], 1000, 100, fake_cycles, arch_tsc_hz());
	assert_int_equal(vm_console_put(&vm, big, 60, 0, &retry), 60);
	assert_int_equal(vm_console_put(&vm, big, 60, 0, &retry), -EAGAIN);
	assert_int_equal(retry, 20000000); /* 20 bytes missing at 1000/s: 20 ms */
	assert_int_equal(vm.stats.console_throttled, 1);
	/* Partial: the 40 tokens there are, then nothing until the clock moves. */
	assert_int_equal(vm_console_put(&vm, big, 60, 1, &retry), 40);
	assert_int_equal(vm_console_put(&vm, big, 60, 1, &retry), -EAGAIN);
	assert_int_equal(retry, 1000000);
	fake_cycles += arch_tsc_hz() / 10; /* 100 ms: 100 tokens, the burst */
	assert_int_equal(vm_console_put(&vm, big, 500, 0, &retry), 500); /* a full bucket */
	assert_int_equal(vm.stats.console_bytes, 600);
}

/*
 * Every VM Shunt can run has a console source: the earlier tests registered some, VMs take
 * the rest up to CONSOLE_SOURCES_MAX (at least VM_MAX), and only one past it is told "no
 * console source" (in the log). Last: the sources stay registered.
 */
#define RACE_WRITERS 3 /* two vCPUs of one VM, and Shunt's log */
#define RACE_LINES 20000

static struct vm race_vm;
static int race_left = RACE_WRITERS;
static uint64_t race_bytes; /* what the VM's writers had taken */

/* Writer w's line i: "w<w>-<i>:" then i % 20 + 1 letters 'a' + i % 26, and its newline. */
static size_t race_text(char *buf, size_t size, unsigned int w, unsigned int i)
{
	int len = snprintf(buf, size, "w%u-%u:", w, i);

	for (unsigned int k = 0; k <= i % 20; k++)
		buf[len++] = (char)('a' + i % 26);
	buf[len++] = '\n';
	return (size_t)len;
}

static void *race_writer(void *arg)
{
	unsigned int w = (unsigned int)(uintptr_t)arg;
	char text[64];

	for (unsigned int i = 0; i < RACE_LINES; i++) {
		size_t len = race_text(text, sizeof(text), w, i);
		uint64_t retry;

		if (w == RACE_WRITERS - 1) { /* the log: hv/log.c's log_lock makes it one writer */
			while (console_log_write(text, len))
				sched_yield();
			continue;
		}
		while (vm_console_put(&race_vm, text, (uint32_t)len, 0, &retry) == -EAGAIN)
			sched_yield(); /* no room: the vCPU would wait retry ns */
		__atomic_fetch_add(&race_bytes, len, __ATOMIC_RELAXED);
	}
	__atomic_fetch_sub(&race_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Takes the whole lines the fake serial line got off it: each must be one write whole, its
 * writer's next, behind its source's prefix (the VM's "[r] ", none for the log).
 */
static void race_check_lines(unsigned int next[RACE_WRITERS])
{
	char *l = line, *end;

	while ((end = strstr(l, "\r\n"))) {
		char want[80];
		unsigned int w;
		size_t len;
		int vm_line = !strncmp(l, "[r] ", 4);

		*end = '\0';
		if (vm_line)
			l += 4;
		if (sscanf(l, "w%u-", &w) != 1 || w >= RACE_WRITERS || next[w] >= RACE_LINES)
			fail_msg("a line no writer wrote: \"%s\"", l);
		len = race_text(want, sizeof(want), w, next[w]) - 1;
		if (strlen(l) != len || memcmp(l, want, len) || vm_line != (w < RACE_WRITERS - 1))
			fail_msg("\"%s\" where writer %u's line %u was due", l, w, next[w]);
		next[w]++;
		l = end + 2;
	}
	line_len -= (size_t)(l - line);
	memmove(line, l, line_len + 1);
}

static void test_writers_on_other_cpus(void **state)
{
	pthread_t threads[RACE_WRITERS];
	unsigned int next[RACE_WRITERS] = { 0 };
	time_t deadline = time(NULL) + 60; /* a few seconds when the locks work */

	(void)state;
	vm_setup(&race_vm, "r", VM_CONSOLE_PRINT);
	console_start_async();
	for (uintptr_t w = 0; w < RACE_WRITERS; w++)
		assert_int_equal(pthread_create(&threads[w], NULL, race_writer, (void *)w), 0);
	/* The drain, as CPU 0 runs it: whenever it is due, a FIFO's worth each time. */
	while (__atomic_load_n(&race_left, __ATOMIC_ACQUIRE) || console_poll_due() != UINT64_MAX) {
		if (time(NULL) > deadline)
			fail_msg("the writers or the drain are stuck (%d writers left)", race_left);
		if (console_poll_due() == UINT64_MAX) {
			sched_yield();
			continue;
		}
		line_room = 4096; /* a fast line: the writers seldom wait, and meet often */
		console_poll();
		race_check_lines(next);
	}
	for (int w = 0; w < RACE_WRITERS; w++)
		assert_int_equal(pthread_join(threads[w], NULL), 0);
	drain();
	console_stop_async();
	race_check_lines(next);
	/* The log's lines refused for a full queue (sent again here) are counted at the end. */
	if (line_len &&
	    !(strstr(line, "warning: log: ") == line && strstr(line, "(log queue full)\n")))
		fail_msg("left on the line: \"%s\"", line);
	for (int w = 0; w < RACE_WRITERS; w++)
		assert_int_equal(next[w], RACE_LINES);
	assert_u64_equal(vm_stat_read(&race_vm.stats.console_bytes), race_bytes);
}

static void test_a_source_for_every_vm(void **state)
{
	static struct vm many[CONSOLE_SOURCES_MAX + 1];
	unsigned int i, before = log_lines;

	(void)state;
	for (i = 0; i <= CONSOLE_SOURCES_MAX && log_lines == before; i++) {
		char name[16];

		snprintf(name, sizeof(name), "v%u", i);
		vm_setup(&many[i], name, VM_CONSOLE_PRINT);
	}
	assert_int_equal(log_lines, before + 1);
	assert_true(i > CONSOLE_SOURCES_MAX - 8); /* the earlier tests took a few */
	assert_non_null(strstr(last_log, "no console source left"));
	assert_true(CONSOLE_SOURCES_MAX >= VM_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_multiplexer, setup),
		cmocka_unit_test_setup(test_lossy_and_rate, setup),
		cmocka_unit_test_setup(test_input, setup),
		cmocka_unit_test_setup(test_input_from_another_cpu, setup),
		cmocka_unit_test_setup(test_writers_on_other_cpus, setup),
		cmocka_unit_test_setup(test_a_source_for_every_vm, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
