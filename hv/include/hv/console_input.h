/*
 * Input from Shunt's console (README.md, "The console"): bytes typed on its serial line go to
 * the VM that has the input focus, into that VM's emulated 16550. Three Ctrl-A in a row move
 * the focus to the next running VM with an emulated UART, and after the last one to Shunt
 * itself; Shunt prints who has it. The focus starts on the first Linux VM (the PC platform);
 * without one the console is not read at all. The key sequence and the order of focus are pure code, host-tested
 * (tests/unit/test_console_input.c); hv/console_input.c polls the line and moves the bytes.
 */
#ifndef HV_CONSOLE_INPUT_H
#define HV_CONSOLE_INPUT_H

#include <hv/types.h>

struct vm;

#define CONSOLE_FOCUS_KEY 0x01 /* Ctrl-A */
#define CONSOLE_FOCUS_PRESSES 3
#define CONSOLE_FOCUS_SHUNT (-1) /* the focus is on Shunt itself */
#define CONSOLE_KEYS_SWITCH (-1)
#define CONSOLE_KEYS_OUT_MAX CONSOLE_FOCUS_PRESSES

/* The focus key sequence as typed so far: Ctrl-A presses held back from the focus. */
struct console_keys {
	uint8_t held;
};

/*
 * Feeds one typed byte. Returns CONSOLE_KEYS_SWITCH when it completes the sequence, else
 * how many bytes (0 to CONSOLE_KEYS_OUT_MAX) go to the focus, in out: a Ctrl-A is held back
 * until the next byte shows it was not part of the sequence, then passed on before it.
 */
int console_keys_feed(struct console_keys *k, uint8_t c, uint8_t out[CONSOLE_KEYS_OUT_MAX]);

/*
 * The focus after current (a VM index, or CONSOLE_FOCUS_SHUNT) among n VMs, of which those
 * with eligible[i] may have it: the next eligible one in order, Shunt after the last.
 */
int console_focus_next(int current, const uint8_t *eligible, unsigned int n);

/* Starts polling the console for input (if it can be read and a Linux VM runs) and prints
 * where the focus is. Called once, before the scheduler runs. */
void console_input_start(void);
/* Host work: reads what was typed (at most every 1/CONSOLE_INPUT_POLL_HZ s), bounded. */
void console_input_poll(void);
/* 1 if typed input could still reach vm, so that its HLT without a timer may sleep. */
int console_input_can_reach(const struct vm *vm);

#define CONSOLE_INPUT_POLL_HZ 50

#endif
