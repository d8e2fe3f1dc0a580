/*
 * CPU bring-up for the hypervisor: each CPU's GDT with a TSS (whose IST stacks make a double
 * fault or NMI land on a known-good stack) and its per-CPU data behind GS base, and the
 * CPU's identity for the banner.
 */
#include <arch/cpu.h>
#include <arch/x86.h>
#include <hv/arch.h>
#include <hv/fmt.h>
#include <hv/string.h>

#include <stddef.h>

extern char boot_stack_guard[]; /* boot64.S: the unmapped page under the boot stack */

#define MSR_GS_BASE 0xc0000101

static struct cpu_tables bsp_tables __attribute__((aligned(64)));
/* Every CPU's tables by index, each entry written once by that CPU as it loads them. */
static struct cpu_tables *tables_by_index[64];

struct cpu_tables *cpu_tables_of(unsigned int index)
{
	return index < 64 ? __atomic_load_n(&tables_by_index[index], __ATOMIC_ACQUIRE) : NULL;
}

static void gdt_set_tss(uint64_t *slot, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	/* 64-bit TSS descriptor, type 9 (available), present (SDM Vol. 3A 8.2.3). */
	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

static void load_tables(struct cpu_tables *t)
{
	struct descriptor_pointer gdtr = { sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt };

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_CODE64), "r"(SEL_DATA), "r"(SEL_TSS)
			 : "rax", "memory");
}

void cpu_tables_load(struct cpu_tables *t, unsigned int index, uint32_t apic_id)
{
	t->self = t;
	t->index = index;
	t->apic_id = apic_id;
	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9a000000ffffull; /* code, 64-bit, DPL 0 */
	t->gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	gdt_set_tss(&t->gdt[3], &t->tss);
	t->tss.iomap_base = sizeof(t->tss); /* no I/O permission bitmap */
	t->tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)(t->ist_stacks[0] + IST_STACK_SIZE);
	t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)(t->ist_stacks[1] + IST_STACK_SIZE);
	t->tss.ist[IST_MACHINE_CHECK - 1] =
		(uint64_t)(uintptr_t)(t->ist_stacks[2] + IST_STACK_SIZE);
	load_tables(t);
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)t);
	if (index < 64)
		__atomic_store_n(&tables_by_index[index], t, __ATOMIC_RELEASE);
}

uint64_t arch_stack_guard(void)
{
	return cpu_this()->stack_guard;
}

void arch_cpu_init(void)
{
	cpu_tables_load(&bsp_tables, 0, cpu_initial_apic_id());
	bsp_tables.stack_guard = (uint64_t)(uintptr_t)boot_stack_guard;
	traps_init();
	/* Shunt takes no device interrupts yet: keep the legacy PICs quiet (OCW1, all masked). */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void brand_string(char *out, size_t size)
{
	char brand[49] = { 0 };
	const char *p = brand;

	if (cpuid(0x80000000, 0).eax < 0x80000004) {
		strlcpy(out, "no brand string", size);
		return;
	}
	for (uint32_t i = 0; i < 3; i++) {
		struct cpuid_regs r = cpuid(0x80000002 + i, 0);

		memcpy(brand + 16 * i, &r, 16);
	}
	while (*p == ' ')
		p++;
	strlcpy(out, p, size);
}

void arch_cpu_describe(char *buf, size_t size)
{
	struct cpuid_regs r = cpuid(0, 0);
	struct cpuid_regs sig = cpuid(1, 0);
	char vendor[13];
	char brand[49];
	uint32_t family = (sig.eax >> 8) & 0xf, model = (sig.eax >> 4) & 0xf;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	/* Extended family/model (SDM Vol. 2A, CPUID leaf 01H, figure 3-6). */
	if (family == 0xf)
		family += (sig.eax >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((sig.eax >> 16) & 0xf) << 4;
	brand_string(brand, sizeof(brand));
	fmt_snprintf(buf, size, "%s family %u model %u stepping %u \"%s\"", vendor, family, model,
		     sig.eax & 0xf, brand);
}

void arch_cpu_names(char *vendor, size_t vendor_size, char *model, size_t model_size)
{
	struct cpuid_regs r = cpuid(0, 0);
	char v[13];

	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = '\0';
	strlcpy(vendor, v, vendor_size);
	brand_string(model, model_size);
}

void arch_zero_pages(void *p, uint64_t count)
{
	uint64_t words = count * PAGE_SIZE / 8;

	/* The direction flag is clear: every entry into Shunt (boot, traps) clears it. */
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(words) : "a"(0ull) : "memory");
}

uint64_t arch_cycles(void)
{
	return rdtsc();
}

struct cpu_tables *cpu_this(void)
{
	struct descriptor_pointer gdtr;

	/*
	 * Through the GDT, not GS base: a VM exit always loads the host's GDTR, but AMD-V's
	 * fast exits run Shunt's code with the guest's GS base until their VMLOAD (svm/).
	 */
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	return (struct cpu_tables *)(uintptr_t)(gdtr.base - offsetof(struct cpu_tables, gdt));
}

uint64_t cpu_tss_base(void)
{
	return (uint64_t)(uintptr_t)&cpu_this()->tss;
}

unsigned int arch_cpu_index(void)
{
	return cpu_this()->index;
}

uint32_t cpu_initial_apic_id(void)
{
	/* Leaf 0BH with EBX 0 at subleaf 0 is not there (SDM Vol. 2A, CPUID). */
	if (cpuid(0, 0).eax >= 0xb) {
		struct cpuid_regs r = cpuid(0xb, 0);

		if (r.ebx)
			return r.edx;
	}
	return cpuid(1, 0).ebx >> 24;
}

uint32_t arch_cpu_hw_id(void)
{
	return cpu_initial_apic_id();
}
