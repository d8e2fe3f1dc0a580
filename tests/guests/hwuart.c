/*
 * The example driver for direct hardware calls: it writes a line to a real UART when Shunt
 * granted it one, and falls back to the emulated UART (its console) when not. Which path
 * depends only on what the VM was granted:
 *   io           a line goes out by HW_PORT_BATCH, a second one through trapped OUTs;
 *                a batch with one bad op must run none of them
 *   passthrough  a line goes out by HW_PORT_BATCH (the ports are granted), a second one
 *                with plain OUTs that never exit
 *   nothing      gk_hw_open() says why, and the line goes to the emulated UART instead
 */
#include "guest.h"

#define THR 0
#define DLL 0
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define SCRATCH 7
#define LSR_TEMT 0x40
#define FIFO_DEPTH 16

/* 115200 8N1, FIFOs on: the register writes every 16550 driver starts with. */
static const uint8_t uart_init[][2] = {
	{ LCR, 0x80 }, { DLL, 1 }, { DLM, 0 }, { LCR, 0x03 }, { FCR, 0xc7 }, { MCR, 0x03 },
};

static struct gk_hw_stats stats;

static int append(char *line, int n, const char *s)
{
	while (*s)
		line[n++] = *s++;
	return n;
}

static int make_line(char *line, const struct pv_start_info *si, const char *how)
{
	int n = append(line, 0, "hello from VM ");

	n = append(line, n, si->vm_name);
	n = append(line, n, " via ");
	n = append(line, n, how);
	line[n++] = '\n';
	return n;
}

/* Finds the first UART-like port range granted to this VM; its verdict, or why none. */
static int64_t open_uart(struct pv_hw_resource *uart)
{
	struct pv_hw_resource all[4];
	int64_t n = gk_hw_query(all, 4, &stats);

	if (n < 0)
		return n;
	for (int64_t i = 0; i < n && i < 4; i++)
		if (all[i].kind == PV_HW_KIND_PORTS)
			return gk_hw_open(PV_HW_KIND_PORTS, all[i].port_base, uart, &stats);
	return PV_EACCES;
}

/* Waits until the transmitter is empty, polling LSR one batched read at a time. */
static int wait_tx_empty(uint16_t base)
{
	struct pv_port_op op = { (uint16_t)(base + LSR), 1, 0, 0 };

	for (int spins = 0; spins < 100000; spins++)
		if (gk_hw_port_batch(&op, 1, &stats) == 1 && (op.value & LSR_TEMT))
			return 1;
	return 0;
}

static int write_batch(const struct pv_hw_resource *uart, const char *line, int n, int *failures)
{
	static struct pv_port_op ops[PV_PORT_BATCH_MAX];
	unsigned int k = 0;

	for (; k < sizeof(uart_init) / sizeof(uart_init[0]); k++)
		ops[k] = (struct pv_port_op){ (uint16_t)(uart->port_base + uart_init[k][0]), 1, 1,
					      uart_init[k][1] };
	check(failures, gk_hw_port_batch(ops, k, &stats) == (int64_t)k, "UART set up in one batch");
	/* A FIFO's worth per batch, each time the transmitter has emptied. */
	for (int done = 0; done < n;) {
		int chunk = n - done < FIFO_DEPTH ? n - done : FIFO_DEPTH;

		check(failures, wait_tx_empty(uart->port_base), "transmitter empties");
		for (int i = 0; i < chunk; i++)
			ops[i] = (struct pv_port_op){ (uint16_t)(uart->port_base + THR), 1, 1,
						      (uint8_t)line[done + i] };
		check(failures, gk_hw_port_batch(ops, (uint32_t)chunk, &stats) == chunk,
		      "batch ran every op");
		done += chunk;
	}
	wait_tx_empty(uart->port_base);

	/* One op on a port Shunt keeps (PCI configuration; its console's UART may be this
	 * VM's own when the console is elsewhere): the whole batch is refused, nothing written. */
	ops[0] = (struct pv_port_op){ (uint16_t)(uart->port_base + THR), 1, 1, 'R' };
	ops[1] = (struct pv_port_op){ (uint16_t)(uart->port_base + THR), 1, 1, '!' };
	ops[2] = (struct pv_port_op){ 0xcf8, 1, 1, 'X' };
	check(failures, gk_hw_port_batch(ops, 3, &stats) == PV_EACCES, "bad batch refused");
	ops[0] = (struct pv_port_op){ 0xcf8, 4, 0, 0 };
	check(failures, gk_hw_port_batch(ops, 1, &stats) == PV_EACCES, "PCI config ports refused");
	ops[0] = (struct pv_port_op){ (uint16_t)(uart->port_base + SCRATCH), 3, 1, 0 };
	check(failures, gk_hw_port_batch(ops, 1, &stats) == PV_EINVAL, "width 3 refused");
	ops[0] = (struct pv_port_op){ (uint16_t)(uart->port_base + SCRATCH), 1, 1, 0x5a };
	ops[1] = (struct pv_port_op){ (uint16_t)(uart->port_base + SCRATCH), 1, 0, 0 };
	check(failures, gk_hw_port_batch(ops, 2, &stats) == 2 && ops[1].value == 0x5a,
	      "batch reads come back");
	return 0;
}

int64_t guest_main(const struct pv_start_info *si)
{
	struct pv_hw_resource uart = { 0 };
	static char line[80];
	int failures = 0, n;
	int64_t r;

	if (guest_open())
		return 99;
	r = open_uart(&uart);
	if (r == 0 && uart.mode == PV_HW_MODE_IO) {
		write_batch(&uart, line, make_line(line, si, "batch"), &failures);
		n = make_line(line, si, "trap");
		for (int i = 0; i < n; i++)
			gk_uart_putc(uart.port_base,
				     line[i]); /* each IN/OUT exits, Shunt forwards */
	} else if (r == 0 && uart.mode == PV_HW_MODE_PASSTHROUGH) {
		write_batch(&uart, line, make_line(line, si, "batch"), &failures);
		n = make_line(line, si, "passthrough");
		for (int i = 0; i < n; i++)
			gk_uart_putc(uart.port_base, line[i]); /* no exits at all */
		/*
		 * The window is exact: the ports just outside it still exit, and Shunt counts
		 * them as unclaimed (the scenario checks its summary says 2).
		 */
		(void)gk_inb((uint16_t)(uart.port_base - 1));
		(void)gk_inb((uint16_t)(uart.port_base + uart.port_count));
	} else {
		say("fallback: ");
		say(gk_hw_describe(r));
		say("; using the emulated UART\n");
		n = make_line(line, si, "the emulated UART");
		gk_uart_puts(GK_UART_COM1, line);
		/* Without a grant, the real COM2 is out of reach: reads see no device. */
		gk_outb(0x2f8 + SCRATCH, 0x5a);
		check(&failures, gk_inb(0x2f8 + SCRATCH) == 0xff, "ungranted port reads as absent");
	}
	say_num("hwuart: hardware calls made ", (int64_t)stats.calls);
	return report(si, failures, 0);
}
