/*
 * The input focus's pure part (see hv/console_input.h): the Ctrl-A sequence that switches it
 * and the order it goes round in. Host-tested.
 */
#include <hv/console_input.h>

int console_keys_feed(struct console_keys *k, uint8_t c, uint8_t out[CONSOLE_KEYS_OUT_MAX])
{
	unsigned int n = 0;

	if (c == CONSOLE_FOCUS_KEY) {
		if (++k->held < CONSOLE_FOCUS_PRESSES)
			return 0;
		k->held = 0;
		return CONSOLE_KEYS_SWITCH;
	}
	/* Not the sequence after all: the held presses go on, then this byte. */
	while (k->held) {
		out[n++] = CONSOLE_FOCUS_KEY;
		k->held--;
	}
	out[n++] = c;
	return (int)n;
}

int console_focus_next(int current, const uint8_t *eligible, unsigned int n)
{
	unsigned int from = current < 0 ? 0 : (unsigned int)current + 1;

	for (unsigned int i = from; i < n; i++)
		if (eligible[i])
			return (int)i;
	return CONSOLE_FOCUS_SHUNT;
}
