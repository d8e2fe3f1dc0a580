/*
 * The 16550 UART's registers (offsets from its base port) and the bits Shunt uses: shared by
 * the hypervisor's console (arch/x86_64/uart.c), the UEFI loader's (boot/efi/console.c) and
 * the UART Shunt emulates for guests (hv/devices/uart16550.c).
 */
#ifndef HV_DEVICES_UART16550_REGS_H
#define HV_DEVICES_UART16550_REGS_H

#define UART_COM1 0x3f8

#define UART_DATA 0    /* RBR/THR, or the divisor's low byte (DLL) with DLAB */
#define UART_IER 1     /* or the divisor's high byte (DLM) with DLAB */
#define UART_IIR_FCR 2 /* IIR when read, FCR when written */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_LSR_THRE 0x20 /* the transmitter can take a byte */
#define UART_LSR_TEMT 0x40

#endif
