/*
 * Direct hardware promises at their edges (SPEC.md §12), with grant=ports:0x2f8-0x2ff:io
 * grant=pci:00:02.0:mmio (the PCI VGA's 16 MiB framebuffer) and grant=ports:0x1ce-0x1d0:io
 * (its VBE registers, to turn the linear framebuffer on):
 * - port windows are exact: single ops on 0x2f8 and 0x2ff pass, on 0x2f7 and 0x300 are
 *   PV_EACCES; a 2-byte op at 0x2fe passes and at 0x2ff is refused, a 4-byte op at 0x2fc
 *   passes and at 0x2fd is refused; a trapped 16-bit IN at 0x2ff does not reach the device;
 * - MMIO mappings: one that overlaps another (in guest-physical space) is PV_EINVAL, a
 *   fifth is PV_E2BIG, an unmapped slot can be used again;
 * - last, and judged by the scenario: a mapped BAR is never executable. The guest writes a
 *   RET into the framebuffer and calls it; Shunt must stop the VM (an EPT violation on the
 *   instruction fetch), so "MMIO executed" must never be printed. The mapping is left in
 *   place, for Shunt to remove when the VM stops. (Bochs can not fetch from device memory:
 *   with an executable mapping the emulator itself stops, "running in bogus memory", and the
 *   scenario fails on the missing stop line; on hardware the RET would run.)
 */
#include "guest.h"

#define FB_GPA 0x40000000ull /* 1 GiB: far above this VM's RAM */
#define FB_SIZE 0x1000000ull

static struct gk_hw_stats stats;

static int64_t batch1(uint16_t port, uint8_t width, uint8_t write, uint32_t value)
{
	static struct pv_port_op op;

	op = (struct pv_port_op){ port, width, write, value };
	return gk_hw_port_batch(&op, 1, &stats);
}

/* 640x480, 8 bits per pixel, linear framebuffer on, through the VBE index/data ports. */
static int64_t set_vbe_mode(void)
{
	static const uint16_t regs[][2] = {
		{ 4, 0 }, { 1, 640 }, { 2, 480 }, { 3, 8 }, { 4, 0x41 }
	};
	static struct pv_port_op ops[10];

	for (int i = 0; i < 5; i++) {
		ops[2 * i] = (struct pv_port_op){ 0x1ce, 2, 1, regs[i][0] };
		ops[2 * i + 1] = (struct pv_port_op){ 0x1cf, 2, 1, regs[i][1] };
	}
	return gk_hw_port_batch(ops, 10, &stats);
}

static void check_port_bounds(int *failures)
{
	struct pv_hw_resource com2 = { 0 };
	int64_t r;
	uint16_t v;

	r = gk_hw_open(PV_HW_KIND_PORTS, 0x2f8, &com2, &stats);
	check_val(failures, r == 0, "COM2 granted", r);
	check_val(failures, com2.port_count == 8, "the grant reports 8 ports", com2.port_count);
	r = batch1(0x2f8, 1, 0, 0);
	check_val(failures, r == 1, "IN 0x2f8 (first port) passes", r);
	r = batch1(0x2ff, 1, 1, 0x5a); /* the scratch register */
	check_val(failures, r == 1, "OUT 0x2ff (last port) passes", r);
	r = batch1(0x300, 1, 0, 0);
	check_val(failures, r == PV_EACCES, "IN 0x300 (one past the window) is PV_EACCES", r);
	r = batch1(0x2f7, 1, 0, 0);
	check_val(failures, r == PV_EACCES, "IN 0x2f7 (one before the window) is PV_EACCES", r);
	r = batch1(0x2fe, 2, 0, 0);
	check_val(failures, r == 1, "16-bit IN at 0x2fe passes", r);
	r = batch1(0x2ff, 2, 0, 0);
	check_val(failures, r == PV_EACCES, "16-bit IN at 0x2ff (one byte out) is PV_EACCES", r);
	r = batch1(0x2fc, 4, 0, 0);
	check_val(failures, r == 1, "32-bit IN at 0x2fc passes", r);
	r = batch1(0x2fd, 4, 0, 0);
	check_val(failures, r == PV_EACCES, "32-bit IN at 0x2fd is PV_EACCES", r);
	/* Trapped: a 16-bit IN at 0x2ff would read the scratch register (0x5a) and 0x300. */
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"((uint16_t)0x2ff));
	check_val(failures, v == 0xffff, "trapped 16-bit IN at 0x2ff reads all ones, untouched", v);
	__asm__ volatile("inb %1, %b0" : "=a"(v) : "Nd"((uint16_t)0x2ff));
	check_val(failures, (v & 0xff) == 0x5a, "trapped IN 0x2ff reads the scratch register",
		  v & 0xff);
}

/* A page of this VM's RAM that a BAR must never be mapped over. */
static volatile uint64_t ram_canary[512] __attribute__((aligned(4096))) = { 0x5157a11ed };

static void check_mmio_maps(int *failures, uint32_t id)
{
	uint64_t ram_page = (uint64_t)(uintptr_t)ram_canary;
	int64_t r;

	/* SPEC §12: only above the VM's RAM; RAM stays RAM (and stays this VM's). */
	r = gk_hw_mmio_map(id, 0, ram_page, &stats);
	check_val(failures, r == PV_EINVAL, "a map over the guest's own RAM is PV_EINVAL", r);
	/* The scenario gives this VM exactly the BAR's 16 MiB: this would cover all its RAM. */
	r = gk_hw_mmio_map(id, 0, 0, &stats);
	check_val(failures, r == PV_EINVAL, "a map over all of RAM (at 0) is PV_EINVAL", r);
	check_val(failures, ram_canary[0] == 0x5157a11ed, "the RAM under a refused map is intact",
		  (int64_t)ram_canary[0]);
	r = gk_hw_mmio_map(id, 0, FB_GPA, &stats);
	check_val(failures, r == 0, "BAR0 mapped at 1 GiB", r);
	r = gk_hw_mmio_map(id, 0, FB_GPA, &stats);
	check_val(failures, r == PV_EINVAL, "a second map at the same address is PV_EINVAL", r);
	r = gk_hw_mmio_map(id, 0, FB_GPA + FB_SIZE / 2, &stats);
	check_val(failures, r == PV_EINVAL, "a map over the upper half is PV_EINVAL", r);
	r = gk_hw_mmio_map(id, 0, FB_GPA - FB_SIZE / 2, &stats);
	check_val(failures, r == PV_EINVAL, "a map over the lower half is PV_EINVAL", r);
	r = gk_hw_mmio_map(id, 0, FB_GPA - FB_SIZE + 0x1000, &stats);
	check_val(failures, r == PV_EINVAL, "a map overlapping by one page is PV_EINVAL", r);
	for (uint64_t i = 1; i < 4; i++) {
		r = gk_hw_mmio_map(id, 0, FB_GPA + i * FB_SIZE, &stats);
		check_val(failures, r == 0, "mappings 2 to 4 (adjacent) are made", r);
	}
	r = gk_hw_mmio_map(id, 0, FB_GPA + 8 * FB_SIZE, &stats);
	check_val(failures, r == PV_E2BIG, "a fifth mapping is PV_E2BIG", r);
	r = gk_hw_mmio_unmap(FB_GPA + 3 * FB_SIZE, &stats);
	check_val(failures, r == 0, "the fourth unmapped", r);
	r = gk_hw_mmio_map(id, 0, FB_GPA + 8 * FB_SIZE, &stats);
	check_val(failures, r == 0, "its slot can be used again", r);
	for (uint64_t i = 1; i < 3; i++) {
		r = gk_hw_mmio_unmap(FB_GPA + i * FB_SIZE, &stats);
		check_val(failures, r == 0, "mappings 2 and 3 unmapped", r);
	}
	r = gk_hw_mmio_unmap(FB_GPA + 8 * FB_SIZE, &stats);
	check_val(failures, r == 0, "the fifth unmapped", r);
}

int64_t guest_main(const struct pv_start_info *si)
{
	struct pv_hw_resource vga;
	volatile uint8_t *fb = (volatile uint8_t *)(uintptr_t)FB_GPA;
	int failures = 0;
	int64_t r;

	if (guest_open())
		return 99;
	check_port_bounds(&failures);
	r = gk_hw_open(PV_HW_KIND_PCI, 0x10 /* 00:02.0 */, &vga, &stats);
	check_val(&failures, r == 0, "display granted for MMIO", r);
	if (r)
		return report(si, failures, 0);
	r = set_vbe_mode();
	check_val(&failures, r == 10, "VBE mode set (linear framebuffer on)", r);
	check_mmio_maps(&failures, vga.id);
	/* Still mapped at FB_GPA: readable and writable. */
	guest_map_2m(FB_GPA);
	fb[0] = 0xc3; /* RET */
	fb[1] = 0xa5;
	check_val(&failures, fb[0] == 0xc3 && fb[1] == 0xa5, "the framebuffer reads back", fb[0]);
	if (failures)
		return report(si, failures, 0);
	say("hwcheck: port windows and MMIO maps hold; now jumping into the framebuffer\n");
	report(si, failures, 0);
	((void (*)(void))(uintptr_t)FB_GPA)();
	say("check failed: MMIO executed: a RET in the mapped framebuffer ran and returned\n");
	return 1;
}
