/*
 * A ticket spinlock: CPUs get the lock in the order they asked for it, so none starves
 * while others keep taking it. Each lock's declaration says what it guards. Nothing here
 * masks interrupts: no interrupt handler of Shunt's takes a lock (the APIC timer's only
 * acknowledges), and one that does must mask them around the lock first.
 *
 * hv/LOCKING.md lists every structure shared between CPUs with its lock (or why it needs
 * none) and the order locks are taken in: a new lock, or a structure a second CPU starts to
 * touch, goes there in the same change.
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <arch/relax.h>
#include <stdint.h>

struct spinlock {
	uint32_t next;	/* the ticket the next CPU to ask draws */
	uint32_t owner; /* the ticket whose holder has the lock */
};

#define SPINLOCK_INIT                                                                              \
	{                                                                                          \
		0, 0                                                                               \
	}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_relax();
}

/* Takes the lock only if no one holds it or waits for it; 1 if taken. */
static inline int spin_trylock(struct spinlock *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_ACQUIRE);
	uint32_t expected = owner;

	return __atomic_compare_exchange_n(&l->next, &expected, owner + 1, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	/* Only the holder writes owner: a plain read of it is exact. */
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
