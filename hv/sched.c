/*
 * Round-robin scheduling of all VMs' vCPUs on this CPU (see hv/sched.h), and the host work
 * done between and during slices. Stopped VMs give their memory back as soon as they leave
 * the CPU.
 */
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/pv.h>
#include <hv/sched.h>
#include <hv/vm.h>

void sched_host_work(void)
{
	console_poll();
}

void sched_run(void)
{
	/* Every VM starts now: its PV clock counts from here, not from its creation. */
	for (unsigned int i = 0; i < vm_count(); i++)
		vm_at(i)->start_cycles = arch_cycles();
	for (;;) {
		unsigned int runnable = 0;

		for (unsigned int i = 0; i < vm_count(); i++) {
			struct vm *vm = vm_at(i);

			if (arch_cycles() >= sched_host_work_due())
				sched_host_work();
			if (vm->state != VM_RUNNING)
				continue;
			runnable++;
			vcpu_account_run_start(&vm->vcpu);
			arch_vcpu_run(&vm->vcpu, SCHED_SLICE_CYCLES);
			vcpu_account_run_end(&vm->vcpu);
			vm_release_if_stopped(vm);
		}
		if (!runnable)
			return;
	}
}
