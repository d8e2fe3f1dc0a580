/*
 * What a CPU does while it spins on a lock or a flag another CPU will change: PAUSE, which
 * tells the core (and a hypervisor below, by pause-loop exiting) that it only waits.
 */
#ifndef ARCH_RELAX_H
#define ARCH_RELAX_H

static inline void arch_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
