/*
 * A guest granted the PCI display for MMIO and its VBE ports for I/O: it sets a mode by
 * port batch, maps the framebuffer BAR above its RAM, writes and reads it back with no
 * exits, and unmaps it. Also: mapping over its own RAM,
 * misaligned, a non-memory BAR, and a second unmap are refused. With unmap_bench=N it then
 * maps and unmaps the BAR N more times and prints the fewest ticks an unmap took
 * ("bench: mmio_unmap: T ticks"): with vcpus=2 and its second vCPU on another CPU, each
 * unmap waits for that CPU's TLB flush (make bench's remote_tlb_flush).
 */
#include "guest.h"

#define FB_GPA 0x40000000ull /* 1 GiB: far above this VM's RAM */

static struct gk_hw_stats stats;

static void map_2m(uint64_t gpa)
{
	uint64_t *pd = guest_page_directory((unsigned int)(gpa >> 30));

	/* Shunt's page tables cover RAM only: add a 2 MiB page for the BAR, uncached (PCD). */
	if (!pd) {
		/* That GiB has no page directory yet: use the spare last page of the boot area. */
		pd = (uint64_t *)(uintptr_t)0xf000;
		for (int i = 0; i < 512; i++)
			pd[i] = 0;
		guest_pdpt()[gpa >> 30] = 0xf000 | 3;
	}
	pd[(gpa >> 21) & 511] = gpa | 0x93; /* present, writable, PCD, 2 MiB */
	guest_flush_tlb();
}

/* 640x480, 8 bits per pixel, linear framebuffer on, through the VBE index/data ports. */
static int set_vbe_mode(void)
{
	static const uint16_t regs[][2] = {
		{ 4, 0 }, { 1, 640 }, { 2, 480 }, { 3, 8 }, { 4, 0x41 }
	};
	static struct pv_port_op ops[10];

	for (int i = 0; i < 5; i++) {
		ops[2 * i] = (struct pv_port_op){ 0x1ce, 2, 1, regs[i][0] };
		ops[2 * i + 1] = (struct pv_port_op){ 0x1cf, 2, 1, regs[i][1] };
	}
	return gk_hw_port_batch(ops, 10, &stats) == 10;
}

/* The fewest ticks of n unmaps of BAR0, each after a map. */
static void unmap_bench(uint32_t id, uint64_t n, int *failures)
{
	uint64_t best = ~0ull;
	char buf[24];

	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0, t1;

		if (gk_hw_mmio_map(id, 0, FB_GPA, &stats) != 0) {
			check(failures, 0, "BAR0 mapped again");
			return;
		}
		t0 = gk_rdtsc();
		if (gk_hw_mmio_unmap(FB_GPA, &stats) != 0) {
			check(failures, 0, "unmapped again");
			return;
		}
		t1 = gk_rdtsc();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	say("bench: mmio_unmap: ");
	say(gk_fmt_u64(buf, best));
	say(" ticks\n");
}

int64_t guest_main(const struct pv_start_info *si)
{
	struct pv_hw_resource vga, dispi;
	volatile uint32_t *fb = (volatile uint32_t *)(uintptr_t)FB_GPA;
	int failures = 0;
	int64_t r;

	if (guest_open())
		return 99;
	r = gk_hw_open(PV_HW_KIND_PCI, 0x10 /* 00:02.0 */, &vga, &stats);
	check(&failures, r == 0, "display granted");
	if (r)
		return report(si, failures, 0);
	check(&failures, (vga.bars[0].flags & PV_HW_BAR_MEM) && vga.bars[0].size >= 0x100000,
	      "BAR0 is memory");
	check(&failures, gk_hw_mmio_map(vga.id, 0, 0x100000, &stats) == PV_EINVAL,
	      "mapping over RAM refused");
	check(&failures, gk_hw_mmio_map(vga.id, 0, FB_GPA + 8, &stats) == PV_EINVAL,
	      "misaligned refused");
	check(&failures, gk_hw_mmio_map(vga.id, 5, FB_GPA, &stats) == PV_EINVAL, "empty BAR");
	check(&failures, gk_hw_open(PV_HW_KIND_PORTS, 0x1ce, &dispi, &stats) == 0,
	      "VBE display interface granted");
	check(&failures, set_vbe_mode(), "display mode set in one batch");
	check(&failures, gk_hw_mmio_map(vga.id, 0, FB_GPA, &stats) == 0, "BAR0 mapped");
	map_2m(FB_GPA);
	fb[0] = 0x12345678;
	fb[1000] = 0x9abcdef0;
	check(&failures, fb[0] == 0x12345678 && fb[1000] == 0x9abcdef0,
	      "framebuffer reads back what was written");
	check(&failures, gk_hw_mmio_unmap(FB_GPA, &stats) == 0, "unmapped");
	check(&failures, gk_hw_mmio_unmap(FB_GPA, &stats) == PV_EINVAL, "second unmap refused");
	if (!failures)
		say("hwmmio: framebuffer mapped, written and read back\n");
	if (!failures && guest_arg(si->cmdline, "unmap_bench", 0))
		unmap_bench(vga.id, guest_arg(si->cmdline, "unmap_bench", 0), &failures);
	return report(si, failures, 0);
}
