/*
 * This CPU's fields of struct cpu_tables (arch/cpu.h) through GS base, which points at them
 * on every CPU: one instruction per access, as a global's would be, for the run loop's
 * per-CPU state. Only the CPU itself reads and writes these fields. Not in code an AMD-V
 * fast exit may reach (hypercalls, CPUID, port I/O and all they call), which runs with the
 * guest's GS base: use cpu_this() there.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/cpu.h>

#include <stddef.h>

#define this_cpu_read(field)                                                                       \
	({                                                                                         \
		__typeof__(((struct cpu_tables *)0)->field) value_;                                \
		__asm__ volatile("mov %%gs:%c1, %0"                                                \
				 : "=r"(value_)                                                    \
				 : "i"(offsetof(struct cpu_tables, field)));                       \
		value_;                                                                            \
	})

#define this_cpu_write(field, value)                                                               \
	do {                                                                                       \
		__typeof__(((struct cpu_tables *)0)->field) value_ = (value);                      \
		__asm__ volatile("mov %0, %%gs:%c1"                                                \
				 :                                                                 \
				 : "r"(value_), "i"(offsetof(struct cpu_tables, field))            \
				 : "memory");                                                      \
	} while (0)

#endif
