# The system test scenarios, as data: what image each one boots (command line, modules, menu
# default), on which firmware and emulator, and which serial output lines make it pass or fail.
# tests/system/run-all reads SCENARIOS; add a scenario by adding an entry.
"""Fields of a scenario (only name, firmware and expect are required):

  name          unique; also names the log, DIR/system-logs/<name>.log
  firmware      "bios" | "uefi"
  emulator      "bochs" | "qemu" (default: bochs for bios, qemu for uefi)
  disk          True: boot the image as a raw disk instead of a CD
  cmdline       hypervisor command line (keep the word `test`: Shunt then powers off at the end)
  uefi_default  "efi" (Shunt's own loader) | "multiboot2": the menu entry UEFI boots
  modules       [(file, module command line)], file may use {build} for the build directory;
                tools/mkimage writes them into the medium's shunt.cfg as vm lines
  config_lines  lines added to that shunt.cfg as written (an admin's mistakes)
  files         more files put in the medium's /guests/ (mkimage --add), e.g. an initrd
  legacy_menu   True: no shunt.cfg entry but a GRUB menu of one's own, each module a VM
  memory, cpus  the machine (default 256 MiB, 1 CPU); QEMU takes cpus as its -smp text too,
                e.g. "2,maxcpus=4" (2 CPUs present, 4 in the MADT)
  timeout       seconds before the emulator is killed (CI is a slow 2-core machine)
  expect        regexes that must all match, in this order (each after the previous match)
  expect_any    regexes that must match anywhere, in any order
  forbid        regexes that must not match anywhere (default: FORBID)
  stop          regex that ends the run as soon as it appears (default: POWER_OFF)
  abort         regexes that end the run early as a failure (default: ABORT)
  expect_joined regexes that must match anywhere in the serial log and the com_files logs joined
                (COM1 first, then the others in port order, one newline between): one regex
                can tie what a guest wrote on its own port to Shunt's summary on COM1
  explicit      True: run only when named on run-all's command line (long runs: `make fuzz`)
  screen        "text" | "framebuffer" (QEMU only): when the stop line appears, the screen is
                saved through QEMU's monitor into the logs (NAME.screen.text.bin, the VGA text
                buffer; NAME.screen.ppm, a screendump) and must show the last rows of the
                serial log from the banner on: text as it is, a framebuffer cell by cell
                against the glyphs of build/font/screen_font.bin. Use a cmdline without
                `test` (on-all-stopped=halt) and a stop on the halted line, so that the
                machine is still there.
  serial_input  [(regex, text)]: COM1 is a pseudo-terminal the harness types into; each text
                is typed (a byte at a time) once its regex matches the serial log after the
                previous one's match, e.g. [(r"# $", "echo hi\r")]
  kernel        (kernel, initrd, command line): QEMU (BIOS) boots this Linux kernel directly
                with -kernel, -initrd and -append, with no image and no Shunt at all
  cpu           the CPU model: Bochs's (default corei7_skylake_x, VT-x; "ryzen": AMD-V) or
                QEMU's -cpu (default max: AMD-V with NPT; "max,-svm": no hardware virtualization)
  icount        QEMU's TCG: `-icount` options (e.g. "shift=3,sleep=off"): guest time counted in
                instructions, not the host's real time (the timing scenarios on AMD-V)
  exit_status   the emulator's exit status the run must end with (QEMU's isa-debug-exit:
                Shunt's exit code N gives (N << 1) | 1), e.g. when Shunt prints nothing

Devices for guests that drive hardware directly (default: none; COM1 is always Shunt's console):
  com_files     extra serial ports, e.g. [2, 3]: COM2 (I/O 0x2F8), COM3 (0x3E8), COM4 (0x2E8),
                each writing to DIR/system-logs/<name>.com2.log etc.
  com_expect    {port: regexes} that must all match, in this order, in that port's log
  com_forbid    {port: regexes} that must not match anywhere in that port's log
                (ports named in com_expect and com_forbid must be in com_files)
  pci_vga       True: Bochs gets a PCI VGA card (1234:1111, class 0300) instead of the ISA one;
                its BAR0 is the 16 MiB linear framebuffer (the Bochs BIOS puts it at 0xC0000000)

  key_text      the medium's /shunt.key, as written (default: none), e.g. a good key file
                or a malformed one (tools/mkimage --key-text)

A network card for Shunt's management network (default: none, QEMU's default NIC too):
  nic           {"model": "e1000"|"e1000e"|..., "slot": N, "mac": "52:54:00:.."}: QEMU `-device`
                at 00:N.0 on user networking (slirp: DHCP, gateway 10.0.2.2); Bochs: an e1000
                on its slirp (model e1000 only, at 00:02.0)
  net_probe     "A.B.C.D" (QEMU): when the stop line appears, the harness, another host on that
                network (tests/system/netprobe.py, through a UDP socket on QEMU's hub), asks
                A.B.C.D's MAC by ARP and sends it ICMP echo requests; what it saw goes to
                NAME.net.log ("net-probe: ..." lines), which net_expect checks
  net_expect    regexes that must all match, in this order, in that log
  api_test      the name of a function of tests/system/api_checks.py (with a nic): a
                free TCP port of 127.0.0.1 is forwarded to Shunt's port 80 (the management
                API) and, when the stop line appears, the function talks to it as a client
                (it may wait for more serial output); what it saw goes to NAME.api.log
                ("api: ..." lines), which api_expect checks
  api_expect    regexes that must all match, in this order, in that log
  mgmt_suite    "security" | "bad-input" | "load" | "e2e": the emulator forwards a free port of
                127.0.0.1 to Shunt's port 80 (nic "hostfwd"), and when the stop line appears the
                harness runs that suite of tests/system/mgmtsuite.py against the management API
                while the machine runs; its lines go to NAME.net.log, which net_expect checks.
                The suite waits for the run's last line before it returns.

Regexes are Python `re` patterns applied with re.MULTILINE to the serial log (and to the
com_files logs), after escape sequences and carriage returns are removed, so ^ and $ anchor a
line. `(?s)` lets one span lines. A failing com check reads "COM2: missing /regex/".
Runs never use KVM, so that what Shunt finds (VT-x in Bochs, AMD-V in QEMU) depends on the
scenario only.
"""

import os
import re

BOCHS_TIMEOUT = 60
OVMF_TIMEOUT = 90
SEABIOS_TIMEOUT = 60

# --- Shunt's serial output, one regex per line; adjust here when the text changes.
BANNER = r"^Shunt \d+\.\d+\.\d+ \(x86_64\) paravirtualizing microhypervisor$"
MEM = r"^mem: usable \d+ MiB in \d+ regions?, \d+ modules?\b"
CPU = r'^cpu: \S+ family \d+ model \d+ stepping \d+ ".*"$'
POWER_OFF = r"^shunt: powering off\b"       # ends every run (the word `test`)
HALTED = r"^shunt: halted \(exit code \d+\)$"  # ends a run with on-all-stopped=halt
POWER_OFF_OK = r"^shunt: powering off \(exit code 0\)$"  # and every VM exited with code 0
# A run in which some VM was refused, stopped by Shunt or exited with another code.
POWER_OFF_FAILED = r"^shunt: powering off \(exit code 1\)$"


def boot_line(firmware, cmdline=""):
    """The boot report: firmware is BIOS/multiboot2, UEFI/multiboot2 or UEFI/shunt-loader;
    cmdline the words the loader passed (a scenario's own go into shunt.cfg: config_line)."""
    loader = r'GRUB 2\.[^"]*' if firmware.endswith("multiboot2") else r'Shunt UEFI loader [^"]+'
    words = r"\s+".join(cmdline.split())
    return rf'^boot: firmware={firmware} loader="{loader}" cmdline="{words}"$'


def config_line(vms, cmdline="test"):
    """What Shunt read from the medium's shunt.cfg (tools/mkimage writes it)."""
    words = r"\s+".join(cmdline.split())
    return rf'^config: shunt\.cfg: {vms} VMs?, command line "{words}"$'


# Where a refused VM was asked for: its line in shunt.cfg, or its module in a menu of one's own.
ORIGIN = r"(?:shunt\.cfg:\d+|boot module \d+)"


VTX_READY = [
    r"^virt: VMX: yes\b",
    r"^virt: EPT: yes\b",
    r"^virt: VPID: yes\b",
    r"^virt: unrestricted guest: yes\b",
    r"^virt: VMX preemption timer: yes\b",
    r"^virtualization: ready \(VT-x\)$",
]
# QEMU's TCG (-cpu max) emulates AMD-V with nested paging: the SVM backend runs guests there.
SVM_READY = [
    r"^virt: AMD-V \(SVM\): yes\b",
    r"^virt: NPT: yes$",
    r"^virtualization: ready \(AMD-V\)$",
]
VIRT_ABSENT = [r"^virtualization: not available: .+$"]

# What no guest scenario may print: a crash, a panic, a failed guest or guest check.
GUEST_FORBID = [r"FATAL", r"(?i)panic", r"GUEST-FAIL", r"check failed",
                r"host's caches were off"]

# A crash anywhere, Shunt's error-level messages, GRUB's complaints.
FORBID = [
    r"FATAL",
    r"(?i)exception",
    r"(?i)panic",
    r"^error: ",               # GRUB, and Shunt's error-level log lines
    r"^virtualization: failed",
]

# Output after which nothing good can come: the run ends at once instead of at the timeout.
ABORT = [
    r"Failed to boot both default and fallback entries",   # GRUB gave up
    r"Press any key to continue",                          # GRUB shows an error
    r"^grub> ",                                            # GRUB fell into its shell
    r"^Shell> ",                                           # OVMF found nothing to boot
]

EXCEPTION_DUMP = [
    r"FATAL: exception #UD \(vector 6\)",
    r"RIP=[0-9a-fA-Fx]+",
    r"CR2=[0-9a-fA-Fx]+",
    r"RAX=[0-9a-fA-Fx]+",
]


CONSOLE_COM1 = r"^console: serial COM1 \(port 0x3f8, 115200 baud\), screen "


def standard_boot(firmware, vtx, cmdline="test"):
    """expect for a boot that goes all the way to the test-mode power-off."""
    return [BANNER, CONSOLE_COM1, boot_line(firmware), MEM, CPU, config_line(0, cmdline)] + vtx + [
        POWER_OFF_OK]


SCENARIOS = [
    {
        "name": "bios-cd-bochs",
        "firmware": "bios", "emulator": "bochs",
        "timeout": BOCHS_TIMEOUT,
        "expect": standard_boot("BIOS/multiboot2", VTX_READY),
    },
    {
        "name": "uefi-cd-multiboot2",
        "firmware": "uefi", "uefi_default": "multiboot2",
        "timeout": OVMF_TIMEOUT,
        "expect": standard_boot("UEFI/multiboot2", SVM_READY),
    },
    {
        "name": "uefi-cd-efiloader",
        "firmware": "uefi", "uefi_default": "efi",
        "timeout": OVMF_TIMEOUT,
        "expect": standard_boot("UEFI/shunt-loader", SVM_READY),
        # Each loader line once: OVMF copies ConOut to COM1, so the loader must not too.
        "forbid": FORBID + [r"^(shunt-efi: [^\n]*)\n\1$"],
    },
    {
        "name": "uefi-disk",
        "firmware": "uefi", "disk": True,
        "timeout": OVMF_TIMEOUT,
        "expect": standard_boot("UEFI/shunt-loader", SVM_READY),
    },
    {
        "name": "bios-disk-qemu",
        "firmware": "bios", "emulator": "qemu", "disk": True,
        "timeout": SEABIOS_TIMEOUT,
        "expect": standard_boot("BIOS/multiboot2", SVM_READY),
        "expect_any": [r"^mgmt: off: no network controller$"],  # a machine without a NIC
    },
    {
        # `crashtest` makes Shunt execute ud2 once it is up: the dump must come out whole,
        # and the test-mode power-off only after it.
        "name": "crash-dump",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "test crashtest",
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, boot_line("BIOS/multiboot2"), config_line(0, "test crashtest")]
        + EXCEPTION_DUMP + [POWER_OFF],
        "forbid": [r"(?i)panic", r"(?s)powering off.*FATAL: exception"],
    },
]

# --- The screen console: Shunt's log on the screen too, read back after its last line (the
# machine halts instead of powering off, so that it is still there): the VGA text buffer on
# BIOS (GRUB's EGA text framebuffer tag), and on UEFI the GOP framebuffer, decoded cell by
# cell with the font the build converted.
SCENARIOS += [
    {
        "name": "bios-screen-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt",
        "timeout": SEABIOS_TIMEOUT,
        "screen": "text",
        "stop": HALTED,
        "expect": [BANNER, r"^console: serial COM1 \(port 0x3f8, 115200 baud\), screen VGA "
                   r"text 80x25$", boot_line("BIOS/multiboot2"),
                   config_line(0, "on-all-stopped=halt"),
                   r"^virtualization: ready \(AMD-V\)$", r"^shunt: halted \(exit code 0\)$"],
    },
    {
        "name": "uefi-screen-efiloader",
        "firmware": "uefi", "uefi_default": "efi",
        "cmdline": "on-all-stopped=halt",
        "timeout": OVMF_TIMEOUT,
        "screen": "framebuffer",
        "stop": HALTED,
        "expect": [r"^shunt-efi: screen: \d+x\d+ framebuffer at 0x[0-9a-f]+$", BANNER,
                   r"^console: serial COM1 \(port 0x3f8, 115200 baud\), screen framebuffer "
                   r"\d+x\d+, 32 bits per pixel \(\d+x\d+ characters\)$",
                   boot_line("UEFI/shunt-loader"), config_line(0, "on-all-stopped=halt"),
                   r"^virtualization: ready \(AMD-V\)$", r"^shunt: halted \(exit code 0\)$"],
    },
]

# --- Guests under VT-x (Bochs): good ones finish, bad ones are stopped alone, with reasons.
GUEST_MODULES = [
    ("{build}/guests/hello.elf", "hello.elf mem=4M -- demo args"),
    ("{build}/guests/counter.elf", "counter.elf"),
    ("{build}/guests/badcalls.elf", "badcalls.elf"),
    ("{build}/guests/triplefault.elf", "triplefault.elf"),
    ("{build}/guests/oob.elf", "oob.elf mem=2M"),
    ("tests/guests/badimage.elf.txt", "badimage.elf.txt name=badimage"),
    ("{build}/guests/lowload.elf", "lowload.elf grant=ports:0x2f8-0x2ff:io"),
    ("{build}/guests/fpu.elf", "fpu.elf name=fpu-a -- A"),
    ("{build}/guests/fpu.elf", "fpu-b.elf name=fpu-b -- B"),
]


def counter_expected():
    """What counter.c must print, computed apart from its C code: its loop, in Python."""
    acc, mask = 0, (1 << 64) - 1
    for i in range(3000000):
        acc = (acc + (i ^ (acc >> 3))) & mask
    return acc


COUNTER_DONE = rf"^\[counter\] counter done: {counter_expected():#x}$"


def vm_transcript(vm, lines):
    """One regex for every line VM vm printed, exactly these, in this order: other VMs'
    lines may come in between (the console interleaves whole lines), none of vm's own."""
    prefix = re.escape(f"[{vm}] ")
    other = rf"(?:(?!{prefix}).*\n)*"
    return "(?m)" + other.join(rf"^{prefix}{re.escape(line)}\n" for line in lines)


def preempted(vm):
    """The VM's own summary counts at least one preemption-timer exit."""
    return (rf"(?m)^summary: vm={vm} .*\n(?:(?!summary: ).*\n)*?"
            r"    preemption timer +[1-9]\d*$")


def summary(vm, state, reason, code=None):
    tail = rf" exit_code={code}$" if code is not None else r" exit_code=-?\d+$"
    return rf"^summary: vm={vm} state={state} reason={reason}{tail}"


SCENARIOS.append({
    "name": "bios-guests-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": GUEST_MODULES,
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^error: vm badimage: refused: " + ORIGIN + r": bad guest image: not an ELF file",
               r"^error: vm lowload: refused: " + ORIGIN + r": bad guest image: segment 0 at \[0x8000, 0x[0-9a-f]+\) "
               r"is outside the guest's loadable RAM \[0x10000, 0x400000\): link with "
               r"guest-kit's linker script, shunt-guest\.ld$",
               r"^shunt: running 7 VMs",
               r"^summary: 9 VMs$",
               summary("hello", "stopped", "exit", 0),
               summary("counter", "stopped", "exit", 0),
               summary("badcalls", "stopped", "exit", 0),
               r"^  hypercalls refused for CPL > 0: 1$",
               summary("triplefault", "stopped", "triple-fault"),
               summary("oob", "stopped", "bad-memory-access"),
               summary("badimage", "refused", "refused"),
               summary("lowload", "refused", "refused"),
               r"^shunt: 4 of 9 VMs did not end cleanly \(refused, stopped by Shunt, or exited with a "
               r"code other than 0\)$",
               POWER_OFF_FAILED],
    "expect_any": [
        r"^\[hello\] hello from the PV console$",
        r"^\[hello\] hello from the emulated UART$",
        r"^\[hello\] cmdline: demo args$",
        r"^\[hello\] GUEST-PASS hello$",
        COUNTER_DONE,
        r"^\[counter\] GUEST-PASS counter$",
        r"^\[badcalls\] GUEST-PASS badcalls$",
        r"^\[fpu-a\] GUEST-PASS fpu-a$",
        r"^\[fpu-b\] GUEST-PASS fpu-b$",
        r"^vm triplefault: stopped: triple-fault \(exit code -1\): triple fault at RIP "
        r"0x[0-9a-f]+: an exception with no IDT loaded \(built without guest-kit's flags\? see "
        r'guest-kit/README\.md, "Building a guest"\)$',
        r"^vm oob: stopped: bad-memory-access \(exit code -1\): EPT violation: read at "
        r"guest-physical 0x3fe00000",
        preempted("counter"),  # the compute-bound guest was time-sliced
    ],
    "forbid": GUEST_FORBID,
})

# --- The start state of SPEC §8: registers at the entry point and the start-info page, as
# tests/guests/startstate.c expects them (module 1, mem=6M, this name and command line).
SCENARIOS.append({
    "name": "bios-startstate-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/hello.elf", "hello.elf"),
        ("{build}/guests/startstate.elf",
         "startstate.elf name=start-state_1.x mem=6M -- alpha beta=2 gamma"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 2 VMs$",
               summary("hello", "stopped", "exit", 0),
               summary("start-state_1.x", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r'^\[start-state_1\.x\] startstate: cmdline "alpha beta=2 gamma"$',
        r"^\[start-state_1\.x\] GUEST-PASS start-state_1\.x$",
    ],
    "forbid": GUEST_FORBID,
})

# --- Every register survives every kind of exit (tests/guests/regkeep.c): two copies, each
# with its own patterns, preempt and yield to each other; each must have been preempted by
# the VMX timer.
SCENARIOS.append({
    "name": "bios-regkeep-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/regkeep.elf", "regkeep.elf name=regs-a"),
        ("{build}/guests/regkeep.elf", "regkeep-b.elf name=regs-b"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 2 VMs$",
               summary("regs-a", "stopped", "exit", 0),
               summary("regs-b", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[regs-a\] regkeep: spins preempted [1-9]\d*$",
        r"^\[regs-b\] regkeep: spins preempted [1-9]\d*$",
        r"^\[regs-a\] regkeep: yields that switched [1-9]\d*$",
        r"^\[regs-b\] regkeep: yields that switched [1-9]\d*$",
        r"^\[regs-a\] GUEST-PASS regs-a$",
        r"^\[regs-b\] GUEST-PASS regs-b$",
        preempted("regs-a"), preempted("regs-b"),
    ],
    "forbid": GUEST_FORBID,
})

# --- HLT: with interrupts on it sleeps until an event and resumes; with interrupts off the VM
# is stopped for good, reason halted, at the HLT whose address the guest printed.
SCENARIOS.append({
    "name": "bios-halt-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/halt.elf", "halt.elf"),
        ("{build}/guests/hello.elf", "hello.elf"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 2 VMs$",
               summary("halt", "stopped", "halted", -1),
               r"^  detail: HLT with interrupts disabled at RIP 0x[0-9a-f]+: nothing can wake it$",
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_FAILED],
    "expect_any": [
        r"^\[halt\] GUEST-PASS halt$",
        r"(?s)(?=.*^\[halt\] halt: HLT with interrupts off at (0x[0-9a-f]+)$)"
        r"(?=.*^vm halt: stopped: halted \(exit code -1\): HLT with interrupts disabled at "
        r"RIP \1: nothing can wake it$)",
    ],
    "forbid": GUEST_FORBID,
})

# --- The loader refuses what SPEC §8 forbids, with a reason, and the other VMs run: a
# segment that runs past the end of RAM, one linked at another address than it loads at, a PIE;
# each with advice on how to build a guest that loads.
SCENARIOS.append({
    "name": "bios-loader-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/hello-highload.elf", "highload.elf mem=4M"),
        ("{build}/guests/hello-splitload.elf", "splitload.elf mem=4M"),
        ("{build}/guests/hello-pie.elf", "pie.elf mem=4M"),
        ("{build}/guests/hello.elf", "hello.elf"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^error: vm highload: refused: " + ORIGIN + r": bad guest image: segment 0 at \[0x3ffc00, "
               r"0x4[0-9a-f]{5}\) is outside the guest's loadable RAM \[0x10000, 0x400000\): "
               r"link at 1 MiB with guest-kit's linker script, shunt-guest\.ld, or give the VM "
               r"more mem=$",
               r"^error: vm splitload: refused: " + ORIGIN + r": bad guest image: segment 0 is linked at "
               r"0x100000 but loads at 0x200000: Shunt guests start identity-mapped: link with "
               r"guest-kit's linker script, shunt-guest\.ld$",
               r"^error: vm pie: refused: " + ORIGIN + r": bad guest image: ELF type 3 is not an executable \(2\): "
               r'a PIE or shared object: link with -static -no-pie \(see guest-kit/README\.md, '
               r'"Building a guest"\)$',
               r"^summary: 4 VMs$",
               summary("highload", "refused", "refused"),
               summary("splitload", "refused", "refused"),
               summary("pie", "refused", "refused"),
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_FAILED],
    "expect_any": [r"^\[hello\] GUEST-PASS hello$"],
    "forbid": GUEST_FORBID + [r"^\[(highload|splitload|pie)\] "],
})

# --- Hostile-guest review: CPUID shows only what Shunt lets a guest use; a MOV to CR0 that
# Shunt emulates faults where the CPU's would.
SCENARIOS.append({
    "name": "bios-cpu-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/cpuid.elf", "cpuid.elf"),
        ("{build}/guests/cr0.elf", "cr0.elf"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 2 VMs$",
               summary("cpuid", "stopped", "exit", 0),
               summary("cr0", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[cpuid\] GUEST-PASS cpuid$",
        r"^\[cr0\] GUEST-PASS cr0$",
    ],
    "forbid": GUEST_FORBID,
})

# --- Boot modules that are refused one by one while the good ones run: a command line too
# long for the handoff, an empty file, a second VM of one name, options with raw bytes (which
# must reach the log escaped), a module past the 64-VM cap and modules past the 66th the
# handoff takes. Every summary name is unique, and a name like "vm4" is free for a module even
# when module 4's options failed. (A GRUB menu of the admin's own: each module is a VM.)
LONG_OPTIONS = "long.elf name=long -- " + "x" * 278          # 300 bytes as Shunt sees it
RAW_OPTIONS = "bad.elf name=caf\u00e9 \x1b[31m"          # UTF-8 and an escape sequence
BAD_MODULES = (
    [("{build}/guests/hello.elf", "hello.elf"),
     ("{build}/guests/hello.elf", LONG_OPTIONS),
     ("tests/guests/empty.elf", "empty.elf"),
     ("{build}/guests/hello.elf", "hello3.elf name=hello"),
     ("{build}/guests/hello.elf", RAW_OPTIONS),
     ("{build}/guests/hello.elf", "vm4.elf")]
    + [("tests/guests/empty.elf", f"e{i}.elf") for i in range(6, 68)])


# --- More VMs than there were console sources (16 once): every running VM's output is
# drained, the 17th's on as the first's. Twenty small VMs, each printing its GUEST-PASS line.
MANY_VMS = 20
SCENARIOS.append({
    "name": "bios-many-vms-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/guests/hello.elf", f"m{i}.elf mem=2M")
                for i in range(MANY_VMS)],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$", rf"^shunt: running {MANY_VMS} VMs",
               rf"^summary: {MANY_VMS} VMs$", POWER_OFF],
    "expect_any": [rf"^\[m{i}\] GUEST-PASS m{i}$" for i in range(MANY_VMS)]
                  + [summary(f"m{i}", "stopped", "exit", 0) for i in range(MANY_VMS)],
    "forbid": GUEST_FORBID,
})


def refused_module(n, name, why):
    return rf'^error: vm {name}: refused: boot module {n}: {why}$'


SCENARIOS.append({
    "name": "bios-bad-modules-bochs",
    "firmware": "bios", "emulator": "bochs", "legacy_menu": True,
    "cmdline": "test caf\u00e9",
    "modules": BAD_MODULES,
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER,
               r'^warning: cmdline: unknown option "caf\\xc3\\xa9" \(ignored\)$',
               r'^boot: firmware=BIOS/multiboot2 loader="GRUB 2\.[^"]*" '
               r'cmdline="test caf\\xc3\\xa9"$',
               r"^virtualization: ready \(VT-x\)$",
               r"^error: boot: 2 modules past the 66th ignored: Shunt takes at most 66$",
               r"^vm hello: created: id 0,",
               refused_module(1, "long", r"command line is 300 bytes, at most 255"),
               refused_module(2, "empty", "empty file"),
               r'^error: vm hello#3: refused: boot module 3: the name "hello" is taken by '
               r"vm hello \(boot module 0\)$",
               r'^error: vm bad: refused: boot module 4: "name=caf\\xc3\\xa9": a name is '
               r"1-31 letters",
               r"^vm vm4: created: id 5,",
               refused_module(6, "e6", "empty file"),
               refused_module(63, "e63", "empty file"),
               r'^error: vm: more than 64 VMs: boot module 64 \("e64\.elf"\) ignored$',
               r"^shunt: running 2 VMs",
               r"^summary: 64 VMs$",
               summary("hello", "stopped", "exit", 0),
               summary("long", "refused", "refused", -1),
               r"^  detail: boot module 1: command line is 300 bytes, at most 255$",
               summary("empty", "refused", "refused", -1),
               r"^  detail: boot module 2: empty file$",
               summary(r"hello#3", "refused", "refused", -1),
               summary("bad", "refused", "refused", -1),
               summary("vm4", "stopped", "exit", 0),
               summary("e63", "refused", "refused", -1),
               r"^shunt: 66 of 68 VMs did not end cleanly ",
               POWER_OFF_FAILED],
    "expect_any": [r"^\[hello\] GUEST-PASS hello$", r"^\[vm4\] GUEST-PASS vm4$"],
    "forbid": GUEST_FORBID + [
        r"[^\x00-\x7f]",                                  # a raw byte reached the console
        r"not in RAM",
        r"(?ms)^summary: vm=(\S+) .*^summary: vm=\1 ",     # two VMs of one name
    ],
})

# --- shunt.cfg as an admin gets it wrong: each bad line costs itself alone, reported with its
# line number, while the good VMs (two of them from one file) run. mkimage writes lines 1-4.
SCENARIOS.append({
    "name": "bios-config-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/guests/hello.elf", "hello.elf"),
                ("{build}/guests/counter.elf", "counter.elf")],
    "config_lines": ["vm ghost.elf mem=4M",
                     "vm counter.elf name=counter2 frob=1",
                     "cmdline test",
                     "vm dir/x.elf",
                     "shunt loglevel=debug",
                     "vm hello.elf name=hello2 -- second"],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, boot_line("BIOS/multiboot2"),
               r"^error: shunt\.cfg:7: unknown directive 'cmdline' \(expected 'shunt', 'vm' or a "
               r"'#' comment\): line ignored$",
               r"^error: shunt\.cfg:9: a second 'shunt' line \(the first is line 2\) is ignored$",
               config_line(6),
               r"^virtualization: ready \(VT-x\)$",
               r"^vm hello: created: id 0,",
               r"^vm counter: created: id 1,",
               r"^error: vm ghost: refused: shunt\.cfg:5: guests/ghost\.elf: no such file on the "
               r"boot medium$",
               r'^error: vm counter#6: refused: shunt\.cfg:6: unknown option "frob=1"',
               r'^error: vm line#8: refused: shunt\.cfg:8: guest file "dir/x\.elf": name a file '
               r"directly in /guests/",
               r"^vm hello2: created: id 5,",
               r"^shunt: running 3 VMs",
               r"^summary: 6 VMs$",
               summary("hello", "stopped", "exit", 0),
               summary("counter", "stopped", "exit", 0),
               summary("ghost", "refused", "refused", -1),
               summary(r"counter#6", "refused", "refused", -1),
               summary(r"line#8", "refused", "refused", -1),
               summary("hello2", "stopped", "exit", 0),
               r"^shunt: 3 of 6 VMs did not end cleanly ",
               POWER_OFF_FAILED],
    "expect_any": [r"^\[hello2\] cmdline: second$", r"^\[hello\] GUEST-PASS hello$"],
    "forbid": GUEST_FORBID + [r"^\[ghost\]", r"(?i)grub.*error"],
})

# --- The UEFI loader passes modules too (shunt.cfg and the two guests), which run on QEMU's
# AMD-V.
SCENARIOS.append({
    "name": "uefi-efiloader-modules",
    "firmware": "uefi", "uefi_default": "efi",
    "modules": GUEST_MODULES[:2],
    "timeout": OVMF_TIMEOUT,
    "expect": [BANNER, boot_line("UEFI/shunt-loader"),
               r"^mem: usable \d+ MiB in \d+ regions?, 3 modules",
               r"^pci: ECAM at 0x[0-9a-f]+ for buses 0-255 \(ACPI MCFG\)$",
               r"^virtualization: ready \(AMD-V\)$",
               summary("hello", "stopped", "exit", 0),
               summary("counter", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [r"^\[hello\] GUEST-PASS hello$", COUNTER_DONE,
                   r"^\[counter\] GUEST-PASS counter$"],
    "forbid": GUEST_FORBID,
})

# --- ABI v1 under VT-x: negotiation, PV clock, events, console ring; and the v1.0 guest.
# The ring guest's whole output: three lines in one kick, then 600 bytes through its 256-byte
# ring (byte i is 'a' + i % 26, every 60th a newline): every byte that crossed the wrap.
RING_LONG = "".join("\n" if i % 60 == 59 else chr(ord("a") + i % 26) for i in range(600))
RING_TRANSCRIPT = vm_transcript("ring", ["ring line 0", "ring line 1", "ring line 2"]
                                + RING_LONG.splitlines() + ["GUEST-PASS ring"])
SCENARIOS.append({
    "name": "bios-abi-v1-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/negotiate.elf", "negotiate.elf"),
        ("{build}/guests/clock.elf", "clock.elf"),
        ("{build}/guests/events.elf", "events.elf"),
        ("{build}/guests/ring.elf", "ring.elf"),
        ("{build}/guests/abi10.elf", "abi10.elf"),
        ("{build}/example/minimal-kernel.elf", "minimal-kernel.elf mem=4M"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^warning: vm negotiate: HELLO for ABI 2\.0 refused: Shunt speaks 1\.\d+$",
               r"^vm abi10: opened ABI 1\.0 \(guest built for 1\.0,",
               r"^summary: 6 VMs$",
               summary("negotiate", "stopped", "exit", 0),
               summary("clock", "stopped", "exit", 0),
               summary("events", "stopped", "exit", 0),
               r"^  events raised 4, upcalls injected 4, ",
               summary("ring", "stopped", "exit", 0),
               r"^shunt: all 6 VMs exited cleanly$",
               POWER_OFF_OK],
    "expect_any": [
        r"^\[negotiate\] GUEST-PASS negotiate$",
        r"^\[clock\] GUEST-PASS clock$",
        r"^\[events\] GUEST-PASS events$",
        RING_TRANSCRIPT,
        r"^\[abi10\] abi10: hello through the 1\.0 ring$",
        r"^\[abi10\] GUEST-PASS abi10$",
        r"^summary: vm=abi10 state=stopped reason=exit exit_code=0$",
        r"^\[minimal-kernel\] minimal-kernel: hello from VM minimal-kernel$",
        r"^\[minimal-kernel\] minimal-kernel: timer event \d+ us after its deadline; bye$",
        r"^summary: vm=minimal-kernel state=stopped reason=exit exit_code=0$",
        r"^warning: vm ring: console ring indexes are inconsistent",
    ],
    "forbid": GUEST_FORBID,
})

# --- Direct hardware calls under VT-x: COM2 and COM3 are real devices (files), the PCI
# display's framebuffer a real BAR. Granted guests reach them by batch, trapped OUTs,
# passthrough and MMIO; others are refused with distinct reasons and fall back.
HW_MODULES = [
    ("{build}/guests/hwuart.elf", "hwuart.elf name=hwcom2 grant=ports:0x2f8-0x2ff:passthrough"),
    ("{build}/guests/hwuart.elf", "hwpass.elf name=hwcom3 grant=ports:0x3e8-0x3ef:io"),
    ("{build}/guests/hwuart.elf", "hwdenied.elf"),
    ("{build}/guests/hwbad.elf", "hwbad.elf grant=ports:0x3f8-0x3ff:io grant=pci:00:01.1:io "
     "grant=pci:00:00.0:io grant=ports:0x2e8-0x2ef:io grant=ports:0x2f8-0x2ff:io "
     "grant=pci:00:02.0:io"),
    ("{build}/guests/hwmmio.elf", "hwmmio.elf grant=pci:00:02.0:mmio grant=ports:0x1ce-0x1d0:io"),
]

SCENARIOS.append({
    "name": "bios-hw-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": HW_MODULES,
    "com_files": [2, 3],
    "pci_vga": True,
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER,
               r"^hw: pci:00:02\.0 +1234:1111 class 030000 standard VGA \(emulated\) +grantable$",
               r"^hw: ports:0x2f8-0x2ff +16550 UART +grantable$",
               r"^hw: ports:0x1ce-0x1d0 +VBE display interface +grantable$",
               r"^virtualization: ready \(VT-x\)$",
               r"^vm hwcom2: granted ports:0x2f8-0x2ff \(16550 UART\) for passthrough$",
               r"^vm hwcom3: granted ports:0x3e8-0x3ef \(16550 UART\) for port I/O$",
               r"^error: vm hwbad: grant ports:0x3f8-0x3ff refused: it is Shunt's own console",
               r"^error: vm hwbad: grant pci:00:01\.1 refused: mass storage \(8086:[0-9a-f]{4}\) "
               r"can do DMA and Shunt can not confine it \(no IOMMU\)$",
               r"^error: vm hwbad: grant pci:00:00\.0 refused: foreign hardware \(8086:",
               r"^error: vm hwbad: grant ports:0x2e8-0x2ef refused: no such device",
               r"^error: vm hwbad: grant ports:0x2f8-0x2ff refused: already granted to vm hwcom2$",
               r"^error: vm hwbad: grant pci:00:02\.0 refused: a standard VGA \(emulated\) does not "
               r"allow that access mode$",
               r"^vm hwmmio: granted pci:00:02\.0 \(standard VGA \(emulated\)\) for MMIO$",
               r"^summary: 5 VMs$",
               summary("hwcom2", "stopped", "exit", 0),
               # its two INs just outside the passthrough window exited (no more, no fewer)
               r"^  ABI 1\.\d+, hypercalls \d+ \(errors \d+\), console bytes \d+, UART bytes 0, "
               r"unclaimed port accesses 2$",
               r"^  hw: calls \d+, port operations \d+, refused 3, throttled \d+$",
               summary("hwcom3", "stopped", "exit", 0),
               r"^  hw: calls \d+, port operations \d+, refused 3, throttled \d+$",
               summary("hwdenied", "stopped", "exit", 0),
               summary("hwbad", "stopped", "exit", 0),
               summary("hwmmio", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[hwcom2\] GUEST-PASS hwcom2$",
        r"^\[hwcom3\] GUEST-PASS hwcom3$",
        r"^\[hwdenied\] fallback: no hardware is granted to this VM; using the emulated UART$",
        r"^\[hwdenied\] hello from VM hwdenied via the emulated UART$",
        r"^\[hwdenied\] GUEST-PASS hwdenied$",
        r"^\[hwbad\] GUEST-PASS hwbad$",
        r"^\[hwmmio\] hwmmio: framebuffer mapped, written and read back$",
        r"^\[hwmmio\] GUEST-PASS hwmmio$",
        r"^vm hwmmio: BAR0 of pci:00:02\.0 \(0xc0000000, 16384 KiB\) mapped at guest-physical "
        r"0x40000000$",
    ],
    # COM2: the batch line, then the passthrough line, in that order; nothing of the
    # refused batches ("R!", "X"), nothing of the VMs without COM2.
    "com_expect": {2: [r"^hello from VM hwcom2 via batch$", r"^hello from VM hwcom2 via passthrough$"],
                   3: [r"^hello from VM hwcom3 via batch$", r"^hello from VM hwcom3 via trap$"]},
    "com_forbid": {2: [r"R!", r"X", r"hwdenied", r"hwcom3"], 3: [r"R!", r"X", r"hwdenied", r"hwcom2"]},
    "forbid": GUEST_FORBID,
})

# --- "Done sparingly": a flooder is throttled, its neighbour keeps its share of the CPU, and
# Shunt's counters equal what the flooder counted itself.
SCENARIOS.append({
    "name": "bios-hw-fairness-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/flooder.elf", "flooder.elf grant=ports:0x2f8-0x2ff:io rate=hw:2000:10"),
        ("{build}/guests/worker.elf", "worker.elf"),
    ],
    "com_files": [2],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^hw: budget of 50000 direct hardware calls/s shared by 1 VMs: at most 50000/s",
               summary("flooder", "stopped", "exit", 0),
               summary("worker", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[worker\] GUEST-PASS worker$",
        r"^\[worker\] worker: slowdown in percent \d+$",
        # The flooder's own counts equal Shunt's: ok calls ran one port operation each.
        r"(?ms)^\[flooder\] flooder: ok (\d+) throttled ([1-9]\d*)$.*"
        r"^summary: vm=flooder .*?^  hw: calls \1, port operations \1, refused 0, "
        r"throttled \2$",
    ],
    "forbid": GUEST_FORBID,
})

# --- No guest can starve another: a latency victim beside each kind of flooder. The victim
# spins on the TSC and checks its longest time off the CPU against README's bound (one slice
# per other runnable VM, +10%); the flooder ignores every retry-after. Watch times are in TSC
# ticks, which Bochs advances one per instruction: 30 slices of the victim's time.
def _slice_cycles():
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                          "hv", "include", "hv", "sched.h")
    with open(header) as f:
        return int(re.search(r"#define SCHED_SLICE_CYCLES (\d+)ull", f.read()).group(1))


SLICE_CYCLES = _slice_cycles()
FLOOD_KINDS = ["console-write", "ring-kick", "uart", "hypercall", "port", "port-batch",
               "memory"]
CONSOLE_FLOOD_KINDS = FLOOD_KINDS[:3]


def latency_modules(kind, watch_slices=30):
    watch = watch_slices * SLICE_CYCLES
    return [
        ("{build}/guests/victim.elf", f"victim.elf -- slice={SLICE_CYCLES} others=1 watch={watch}"),
        ("{build}/guests/flood.elf", "flood.elf mem=4M"
         + (" grant=ports:0x2f8-0x2ff:io rate=hw:0:1" if kind == "port-batch" else "")
         + f" -- kind={kind} watch={2 * watch}"),
    ]


for _kind in FLOOD_KINDS:
    SCENARIOS.append({
        "name": f"bios-latency-{_kind}-bochs",
        "firmware": "bios", "emulator": "bochs",
        "modules": latency_modules(_kind),
        "com_files": [2] if _kind == "port-batch" else [],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
                   summary("victim", "stopped", "exit", 0),
                   summary("flood", "stopped", "exit", 0),
                   POWER_OFF_OK],
        "expect_any": [
            r"^\[victim\] victim: times off the CPU [1-9]\d*$",
            r"^\[victim\] victim: longest gap in slices [01]\.\d\d$",
            r"^\[victim\] GUEST-PASS victim$",
            r"^\[flood\] flood: operations [1-9]\d*$",
            r"^\[flood\] GUEST-PASS flood$",
        ],
        "forbid": GUEST_FORBID,
    })


# --- The hypercall fuzzer (tests/guests/fuzz.c): random and adversarial hypercalls from CPL 0,
# each answer checked against an oracle of SPEC.md, and from CPL 3, where each must raise #UD.
# Its CONSOLE_WRITEs are garbage, so its console is discarded and it reports on COM2, a real
# UART granted for passthrough (no hypercall: the figures it gives for Shunt's summary are
# exact). Its rate limits are tight, so that about half of its limited calls are throttled.
# The second one holds no grant (every HW call: PV_EPERM), keeps the default rate limits, and
# reports by exit code alone.
# Beside them, a well-behaved VM must finish as usual.
def fuzz_scenario(name, calls, ring3, timeout, explicit=False):
    shunt_counts = (r"(?ms)^summary: vm=fuzz state=stopped reason=exit exit_code=0$.*?"
                    r"^  ABI 1\.\d+, hypercalls (\d+) \(errors (\d+)\), console bytes (\d+),.*?"
                    r"^  hw: calls (\d+), port operations (\d+), refused (\d+), throttled (\d+)$"
                    r".*?^  hypercalls refused for CPL > 0: (\d+)$.*"
                    r"^fuzz: shunt counts: hypercalls \1 \(errors \2\), console bytes \3$\n"
                    r"fuzz: shunt counts: hw: calls \4, port operations \5, refused \6, "
                    r"throttled \7$\n"
                    r"fuzz: shunt counts: hypercalls refused for CPL > 0: \8$")
    return {
        "name": name,
        "firmware": "bios", "emulator": "bochs",
        "explicit": explicit,
        "modules": [
            ("{build}/guests/fuzz.elf",
             "fuzz.elf mem=8M console=discard grant=ports:0x2f8-0x2ff:passthrough "
             "rate=console:1000:16 rate=other:4000:32 rate=hw:2000:16 "
             f"-- seed=1 calls={calls} ring3={ring3} uart=0x2f8"),
            ("{build}/guests/fuzz.elf",
             "fuzz-nohw.elf name=fuzz-nohw mem=8M console=discard "
             f"-- seed=2 calls={calls // 5} ring3={ring3 // 5}"),
            ("{build}/guests/counter.elf", "counter.elf"),
        ],
        "com_files": [2],
        "timeout": timeout,
        "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
                   r"^vm fuzz: granted ports:0x2f8-0x2ff \(16550 UART\) for passthrough$",
                   r"^summary: 3 VMs$",
                   summary("fuzz", "stopped", "exit", 0),
                   rf"^  hypercalls refused for CPL > 0: {ring3}$",
                   summary("fuzz-nohw", "stopped", "exit", 0),
                   rf"^  hypercalls refused for CPL > 0: {ring3 // 5}$",
                   summary("counter", "stopped", "exit", 0),
                   POWER_OFF_OK],
        "expect_any": [COUNTER_DONE, r"^\[counter\] GUEST-PASS counter$"],
        "expect_joined": [shunt_counts],
        "com_expect": {2: [r"^fuzz: seed 1 calls \d+ ring3 \d+$",
                           rf"^fuzz: seed 1, calls {calls} at CPL 0, {ring3} at CPL 3$",
                           r"^fuzz: per call: VERSION \d+",
                           r"^fuzz: per result: ok \d+",
                           r"^fuzz: oracle failures 0$",
                           rf"^fuzz: {calls} calls in \d+ ticks \(tsc_khz \d+\)$",
                           r"^fuzz: calls per second of guest time: \d+$",
                           r"^GUEST-PASS fuzz$"]},
        "com_forbid": {2: [r"GUEST-FAIL", r"FAILED"]},
        "forbid": GUEST_FORBID,
    }


SCENARIOS.append(fuzz_scenario("bios-fuzz-bochs", 100000, 1000, BOCHS_TIMEOUT))
# `make fuzz`: a million calls; run-all skips it unless it is named.
SCENARIOS.append(fuzz_scenario("bios-fuzz-long-bochs", 1000000, 10000, 900, explicit=True))


# --- Issue 9: promises of Shunt checked in guests at their edges, each with a bug planted
# once to see the check fail. Time: the PV timer never fires early by the guest's own clock,
# a past deadline fires at once, steal time grows beside a busy VM, TSC_STABLE matches CPUID.
SCENARIOS.append({
    "name": "bios-time-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/ptimer.elf", f"ptimer.elf -- slice={SLICE_CYCLES} alone_ms=500"),
        ("{build}/guests/busy.elf", "busy.elf -- ms=400"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               summary("ptimer", "stopped", "exit", 0),
               summary("busy", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[ptimer\] ptimer: steal ns over 3 slices beside the busy VM: [1-9]\d*$",
        r"^\[ptimer\] ptimer alone: worst lateness ns \d+$",
        r"^\[ptimer\] GUEST-PASS ptimer$",
        r"^\[busy\] GUEST-PASS busy$",
    ],
    "forbid": GUEST_FORBID,
})

# Rate limits (retry-after in RDX, guest-kit's back-off), undoing (refused HELLO, page and
# vector unset), and direct hardware at its edges: exact port windows, MMIO overlap and
# count limits, never-executable MMIO (hwcheck is stopped when it jumps into its BAR, and
# its mapping is removed), bus mastering off on the granted PCI display.
SCENARIOS.append({
    "name": "bios-promises-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/guests/throttle.elf", "throttle.elf grant=ports:0x3e8-0x3ef:io "
         "rate=other:100:4 rate=hw:100:4 rate=console:4000:64"),
        ("{build}/guests/lifecycle.elf", "lifecycle.elf"),
        # 16 MiB of RAM, as large as the framebuffer BAR: a map over all of it is refused
        ("{build}/guests/hwcheck.elf", "hwcheck.elf mem=16M grant=ports:0x2f8-0x2ff:io "
         "grant=pci:00:02.0:mmio grant=ports:0x1ce-0x1d0:io"),
    ],
    "com_files": [2, 3],
    "pci_vga": True,
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm hwcheck: grant pci:00:02\.0: bus mastering off \(PCI command 0x[0-9a-f]{4}\)$",
               r"^vm hwcheck: granted pci:00:02\.0 \(standard VGA \(emulated\)\) for MMIO$",
               r"^vm hwcheck: stopped: bad-memory-access \(exit code -1\): EPT violation: "
               r"instruction fetch at guest-physical 0x40000000 \(RIP 0x40000000\)",
               r"^vm hwcheck: MMIO mapping at guest-physical 0x40000000 \(16384 KiB\) removed$",
               r"^summary: 3 VMs$",
               summary("throttle", "stopped", "exit", 0),
               summary("lifecycle", "stopped", "exit", 0),
               summary("hwcheck", "stopped", "bad-memory-access", -1),
               POWER_OFF_FAILED],
    "expect_any": [
        r"^\[throttle\] GUEST-PASS throttle$",
        r"^\[lifecycle\] lifecycle: still open after a refused HELLO$",
        r"^\[lifecycle\] GUEST-PASS lifecycle$",
        r"^\[hwcheck\] GUEST-PASS hwcheck$",
    ],
    # Only the one mapping left in place is removed at the stop: the others were unmapped.
    "forbid": GUEST_FORBID + [r"MMIO executed", r"bus mastering is still on",
                              r"MMIO mapping at guest-physical 0x4[1-9a-f]"],
})


# --- The serial console moved: console=com2 puts every line of Shunt's on COM2 (COM1 stays
# free of them, and can be granted); the UART the console uses is never granted. Then
# console=none: not a line anywhere, and the run still ends with Shunt's exit code.
SHUNT_LINES = [BANNER, r"^console: ", r"^boot: ", r"^virt", r"^vm ", r"^summary: ", r"^shunt: ",
               r"^error: ", r"^warning: ", r"^\["]
SCENARIOS += [
    {
        "name": "bios-console-com2-bochs",
        "firmware": "bios", "emulator": "bochs",
        "cmdline": "test console=com2",
        "modules": [
            # one port of the console's UART: no device of that range, refused all the same
            ("{build}/guests/hello.elf", "hello.elf grant=ports:0x2fc-0x2fc:passthrough"),
            ("{build}/guests/hwuart.elf",
             "hwcom1.elf name=hwcom1 grant=ports:0x3f8-0x3ff:io"),
            ("{build}/guests/hwuart.elf", "hwcom2.elf name=hwcom2 grant=ports:0x2f8-0x2ff:io"),
        ],
        "com_files": [2],
        "timeout": BOCHS_TIMEOUT,
        # COM1 carries only what the guest granted it wrote there itself.
        # io mode: the trapped OUTs reach the real COM1, not the VM's emulated UART there.
        "expect": [r"^hello from VM hwcom1 via batch$",
                   r"^hello from VM hwcom1 via trap$"],
        "forbid": SHUNT_LINES,
        "com_expect": {2: [
            BANNER,
            r"^console: serial COM2 \(port 0x2f8, 115200 baud\), screen VGA text 80x25$",
            boot_line("BIOS/multiboot2"), MEM, config_line(3, "test console=com2"),
            r"^hw: ports:0x3f8-0x3ff +16550 UART +grantable$",
            r"^hw: ports:0x2f8-0x2ff +16550 UART +Shunt's own$",
            r"^virtualization: ready \(VT-x\)$",
            r"^error: vm hello: grant ports:0x2fc-0x2fc refused: it is Shunt's own console "
            r"\(COM2\)$",
            r"^vm hwcom1: granted ports:0x3f8-0x3ff \(16550 UART\) for port I/O$",
            r"^error: vm hwcom2: grant ports:0x2f8-0x2ff refused: it is Shunt's own console "
            r"\(COM2\)$",
            r"^summary: 3 VMs$",
            summary("hello", "stopped", "exit", 0),
            summary("hwcom1", "stopped", "exit", 0),
            summary("hwcom2", "stopped", "exit", 0),
            POWER_OFF_OK]},
        "com_forbid": {2: GUEST_FORBID + [r"^hello from VM"]},
    },
    {
        "name": "bios-console-none-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "test console=none",
        "modules": [("{build}/guests/hello.elf", "hello.elf")],
        "timeout": SEABIOS_TIMEOUT,
        "expect": [],
        "forbid": SHUNT_LINES,
        "exit_status": (0 << 1) | 1,  # exit code 0: the guest ran (AMD-V) and exited cleanly
    },
]


# --- Linux (issue 12): Debian's cloud kernel (build/linux, `make linux`) entered through PVH
# with a busybox initramfs, beside a Shunt test guest. /init reports what Linux found
# ("SHUNT-LINUX:" lines, tests/linux/init) and powers the VM off through ACPI S5. The PVH and
# panic scenarios skip the kernel's crypto self-tests (cryptomgr.notests: two thirds of its
# boot in Bochs); the bzImage scenario boots the kernel as it comes.
LINUX_VM = ("{build}/linux/vmlinux",
            "vmlinux name=linux mem=128M initrd=initramfs.cpio -- console=ttyS0 "
            "printk.devkmsg=on panic=-1 cryptomgr.notests")
LINUX_FORBID = [r"FATAL", r"GUEST-FAIL", r"Kernel panic", r"^error: ", r"(?i)oops",
                r"host's caches were off"]
SCENARIOS.append({
    "name": "bios-linux-pvh-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [LINUX_VM, ("{build}/guests/hello.elf", "hello.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 900,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm linux: Linux through PVH: kernel \[0x1000000, 0x[0-9a-f]+\), initrd \d+ KiB",
               r"^vm linux: created: id 0, 128 MiB RAM",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "poweroff", 0),
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[linux\] .*SHUNT-LINUX: init started",
        r"^\[linux\] .*SHUNT-LINUX: uname -r 6\.1\.\S+-cloud-amd64$",
        r"^\[linux\] .*SHUNT-LINUX: hypervisor flag yes$",
        r"^\[linux\] .*SHUNT-LINUX: clocksource (kvm-clock|tsc)$",
        r"^\[linux\] .*SHUNT-LINUX: MemTotal: \d+ kB$",
        r"^vm linux: stopped: poweroff \(exit code 0\): powered off \(ACPI S5\)$",
        r"^\[hello\] GUEST-PASS hello$",
    ],
    "forbid": LINUX_FORBID,
})

# --- An SMP Linux guest (issue 16): vcpus=2, the MADT lists two local APICs; the kernel
# starts its second CPU through the emulated x2APIC (INIT, STARTUP: real mode at its
# trampoline below 1 MiB) and /proc/cpuinfo shows both. cpus=0 puts both vCPUs on the first
# CPU (round-robin there); the -smp2 variants give the machine two CPUs and let Shunt place
# them (one each once per-CPU scheduling runs them there).
LINUX_SMP_VM = ("{build}/linux/vmlinux",
                "vmlinux name=linux mem=128M vcpus=2 cpus=0 initrd=initramfs.cpio -- "
                "console=ttyS0 printk.devkmsg=on panic=-1 cryptomgr.notests")


def linux_smp(name, emulator, ready, vm=LINUX_SMP_VM, cpus=1, cpu=None, timeout=900):
    scenario = {
        "name": name,
        "firmware": "bios", "emulator": emulator, "cpus": cpus,
        "modules": [vm],
        "files": ["{build}/linux/initramfs.cpio"],
        "memory": 384,
        "timeout": timeout,
        "expect": [BANNER] + ready + [
                   r"^vm linux: created: id 0, 128 MiB RAM",
                   r"^vm linux: vCPU 1 started by a STARTUP IPI, in real mode at 0x[0-9a-f]+$",
                   r"^summary: 1 VMs$",
                   summary("linux", "stopped", "poweroff", 0),
                   POWER_OFF_OK],
        "expect_any": [
            r"^\[linux\] .*smpboot: Allowing 2 CPUs, 0 hotplug CPUs$",
            r"^\[linux\] .*smp: Brought up 1 node, 2 CPUs$",
            r"^\[linux\] .*SHUNT-LINUX: processors 2, online 0-1$",
            r"^vm linux: stopped: poweroff \(exit code 0\): powered off \(ACPI S5\)$",
        ],
        "forbid": LINUX_FORBID + [r"smpboot: do_boot_cpu failed", r"CPU\d+ failed to report",
                                  r"TSC synchronization .*failed", r"Clocksource .* unstable"],
    }
    if cpu:
        scenario["cpu"] = cpu
    return scenario


SCENARIOS.append(linux_smp("bios-linux-smp-svm-qemu", "qemu", SVM_READY))
# VT-x's real-mode AP start on one CPU: only when named (bios-linux-smp2-bochs below covers
# it, with the vCPUs on two CPUs, in make test).
SCENARIOS.append(dict(linux_smp("bios-linux-smp-bochs", "bochs",
                                [r"^virtualization: ready \(VT-x\)$"]), explicit=True))
SCENARIOS.append(linux_smp("bios-linux-smp2-svm-qemu", "qemu", SVM_READY,
                           vm=(LINUX_SMP_VM[0], LINUX_SMP_VM[1].replace(" cpus=0", "")),
                           cpus=2))
# A panicking SMP kernel (panic=-1, reboots=1): it stops its second CPU (which parks in HLT
# with interrupts off), resets, and is built again with both vCPUs: the second boot brings
# up vCPU 1 anew, panics again, and the VM stops as a reboot loop.
SCENARIOS.append({
    "name": "bios-linux-smp-reset-svm-qemu",
    "firmware": "bios", "emulator": "qemu",
    "modules": [("{build}/linux/vmlinux",
                 "vmlinux name=linux mem=128M vcpus=2 cpus=0 reboots=1 initrd=initramfs.cpio "
                 "-- console=ttyS0 panic=-1 cryptomgr.notests shunt.crash")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 300,
    "expect": [BANNER] + SVM_READY + [
               r"^vm linux: vCPU 1 started by a STARTUP IPI, in real mode at 0x[0-9a-f]+$",
               r"^\[linux\] .*smp: Brought up 1 node, 2 CPUs$",
               r"^vm linux: stopped: reboot \(exit code 0\): asked for a reset",
               r"^vm linux: restarting after a reset",
               r"^vm linux: vCPU 1 started by a STARTUP IPI, in real mode at 0x[0-9a-f]+$",
               r"^\[linux\] .*smp: Brought up 1 node, 2 CPUs$",
               r"^vm linux: stopped: reboot-loop \(exit code -1\)",
               summary("linux", "stopped", "reboot-loop", -1),
               r"^  boots 2: restarted 1 times after a reset",
               POWER_OFF_FAILED],
    "forbid": [r"FATAL", r"GUEST-FAIL", r"(?i)oops", r"host's caches were off",
               r"triple fault", r"halted"],
})

SCENARIOS.append(linux_smp("bios-linux-smp2-bochs", "bochs",
                           [r"^virtualization: ready \(VT-x\)$"],
                           vm=(LINUX_SMP_VM[0], LINUX_SMP_VM[1].replace(" cpus=0", "")),
                           cpus=2))

# --- The shunt module (issue 13, guest-kit/examples/linux-shunt): the same kernel with its
# initramfs's /init in shunt.module mode loads the module, which finds Shunt, opens ABI 1.5 as
# Linux, and brings up /sys/hypervisor, the PV clock, events and the PV timer, the hvc console
# on the PV console ring and the COM2 tty; /init checks each, writes through hvc0 and ttySH0,
# floods ttySH0 (shunt.flood), unloads and reloads it. The kernel's only console is hvc0:
# nothing of Linux shows until the module is loaded, then all of it (the console replays
# the kernel's log), and /init's own lines come through /dev/kmsg.
def eager_vm_line(vm, text, tail_rx):
    """A line of the VM that has the console's input focus: its bytes go out as they come
    (echo, prompts), so a line it writes slowly (its 8250 driver sends in bursts) may be
    closed early by Shunt's own lines and go on after them under its prefix again. Matches
    `[vm] ...text` + tail_rx whole, or cut anywhere in text and resumed."""
    pre = rf"\[{vm}\] "
    cuts = [re.escape(text)] + [re.escape(text[:i]) + rf"\n(?:(?!{pre}).*\n)*?{pre}"
                                 + re.escape(text[i:]) for i in range(1, len(text))]
    return rf"^{pre}.*(?:{'|'.join(cuts)}){tail_rx}$"


def linux_module_expect(clock):
    """What every loaded module shows; clock: the clocksource sysfs line's regex."""
    return [
        r"^\[linux\] .*shunt: Shunt ABI 1\.5 \(hypervisor 1\.5\), VM linux id 0, features 0x3f, "
        r"privileges 0x1?f$",
        r"^\[linux\] .*shunt: events: upcall on vector \d+ \(irq \d+\): guest event 32 "
        r"delivered, PV timer fired \d+ us after its deadline$",
        r"^\[linux\] .*shunt: hvc0: console on the PV console ring \(4096 bytes, one exit per "
        r"kick\)$",
        r"^\[linux\] .*SHUNT-LINUX: module loaded$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs type shunt$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs version/major 1$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs version/minor 5$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/abi 1\.5$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/features 0x3f vcpu_page events timer "
        r"console_ring event_send hw$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/vm_name linux$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/vm_id 0$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/clocksource " + clock + "$",
        r"^\[linux\] SHUNT-LINUX: hvc0 writes through the PV console ring$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/events vector \d+ upcalls [1-9]\d* timer "
        r"[1-9]\d* guest [1-9]\d* timer_late_us \d+$",
        r"^\[linux\] .*SHUNT-LINUX: module unloaded; /sys/hypervisor/type gone$",
        r"^\[linux\] .*SHUNT-LINUX: module loaded again$",
        r"^\[linux\] SHUNT-LINUX: hvc0 works after the reload$",
        r"^\[linux\] .*SHUNT-LINUX: module unloaded again$",
    ]


SCENARIOS.append({
    "name": "bios-linux-module-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/linux/vmlinux",
                 "vmlinux name=linux mem=128M initrd=initramfs.cpio grant=ports:0x2f8-0x2ff:io "
                 "rate=hw:200:10 -- console=hvc0 printk.devkmsg=on panic=-1 cryptomgr.notests "
                 "shunt.module shunt.flood=20"),
                ("{build}/guests/worker.elf", "worker.elf -- flood_at_ms=15000")],
    "files": ["{build}/linux/initramfs.cpio"],
    "com_files": [2],
    "memory": 384,
    "timeout": 900,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm linux: granted ports:0x2f8-0x2ff \(16550 UART\) for port I/O$",
               r"^vm linux: opened ABI 1\.5 \(guest built for 1\.5, OS kind 2 version 0x601",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "poweroff", 0),
               r"^  hw: calls \d+, port operations \d+, refused 0, throttled [1-9]\d*$",
               summary("worker", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": linux_module_expect(
        r"(kvm-clock \(shunt-pvclock not registered\)|"
        r"(tsc|kvm-clock) \(shunt-pvclock registered, rating 250\))") + [
        r"^\[linux\] .*Command line: console=hvc0 ",
        r"^\[linux\] .*SHUNT-LINUX: consoles hvc0 $",
        r"^\[linux\] .*shunt: com2: ttySH0 drives the granted UART at 0x2f8 by HW_PORT_BATCH$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/privileges 0x1f base console time events hw$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/com2 batch 0x2f8 bytes [1-9]\d* calls [1-9]\d* "
        r"throttled \d+ waits \d+$",
        r"^\[linux\] .*SHUNT-LINUX: bench flood /dev/ttySH0 [1-9]\d* bytes queued$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/com2 batch 0x2f8 bytes [1-9]\d* calls [1-9]\d* "
        r"throttled [1-9]\d* waits [1-9]\d*$",
        # Its neighbour times a workload at 15 s, in the middle of the 20 s flood (/init
        # starts it about 8 s after the VMs started): within the fairness test's 3x.
        r"^\[worker\] worker: slowdown in percent \d+$",
        r"^\[worker\] GUEST-PASS worker$",
    ],
    "com_expect": {2: [r"^SHUNT-LINUX: ttySH0 writes to COM2 through the shunt module\r?$"]},
    "forbid": LINUX_FORBID,
})

# The same without a grant: the COM2 driver says why and falls back to the emulated UART
# (this VM's console); with shunt.clocksource=on the module's clocksource takes over until
# it is unloaded. The console is the emulated 16550 (ttyS0) here.
SCENARIOS.append({
    "name": "bios-linux-module-fallback-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/linux/vmlinux",
                 "vmlinux name=linux mem=128M initrd=initramfs.cpio -- console=ttyS0 "
                 "printk.devkmsg=on panic=-1 cryptomgr.notests shunt.module shunt.clocksource=on"),
                ("{build}/guests/hello.elf", "hello.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 900,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm linux: opened ABI 1\.5 \(guest built for 1\.5, OS kind 2 version 0x601",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "poweroff", 0),
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": linux_module_expect(
        r"shunt-pvclock \(shunt-pvclock registered, rating 450\)") + [
        r"^\[linux\] .*shunt: com2: no usable grant for 0x2f8 \(no hardware is granted to this "
        r"VM\): ttySH0 falls back to the emulated UART at 0x3f8$",
        r"^\[linux\] .*shunt: clock: registered clocksource shunt-pvclock \(rating 450\); the "
        r"kernel is on shunt-pvclock$",
        r"^\[linux\] .*SHUNT-LINUX: clocksource now shunt-pvclock$",
        eager_vm_line("linux", "SHUNT-LINUX: clocksource after unload ", r"(tsc|kvm-clock)"),
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/privileges 0xf base console time events$",
        r"^\[linux\] SHUNT-LINUX: ttySH0 writes to COM2 through the shunt module$",
        r"^\[linux\] .*SHUNT-LINUX: sysfs shunt/com2 emulated 0x3f8 bytes [1-9]\d* calls 0 "
        r"throttled 0 waits 0$",
        r"^\[hello\] GUEST-PASS hello$",
    ],
    "forbid": LINUX_FORBID,
})

# The same kernel and initramfs on a machine without Shunt (QEMU, TCG, booting the kernel
# itself): the module refuses to load, with one clear line, and Linux goes on without it.
SCENARIOS.append({
    "name": "bios-linux-module-refused-qemu",
    "firmware": "bios", "emulator": "qemu",
    "kernel": ("{build}/linux/bzImage", "{build}/linux/initramfs.cpio",
               "console=ttyS0 printk.devkmsg=on panic=-1 cryptomgr.notests shunt.module"),
    "memory": 256,
    "timeout": 120,
    "stop": r"SHUNT-LINUX: powering off",
    "expect": [r"SHUNT-LINUX: init started",
               r"shunt: not loaded: found (no hypervisor|a hypervisor other than Shunt); this "
               r"module runs on the Shunt hypervisor only$",
               r"^SHUNT-LINUX: module refused: shunt: not loaded: found ",
               r"^SHUNT-LINUX: powering off$"],
    "forbid": [r"Kernel panic", r"(?i)oops", r"SHUNT-LINUX: module loaded", r"BUG:"],
})

# A kernel that panics (a bad /init, panic=-1) resets its VM through ACPI: Shunt starts it
# again from its modules, and after reboots=1 quick reset in a row stops it as a reboot
# loop, while a Shunt guest runs on.
SCENARIOS.append({
    "name": "bios-linux-panic-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/linux/vmlinux",
                 "vmlinux name=linux mem=128M reboots=1 initrd=initramfs.cpio -- "
                 "console=ttyS0 panic=-1 cryptomgr.notests shunt.crash"),
                ("{build}/guests/counter.elf", "counter.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 900,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm linux: created: id 0, 128 MiB RAM",
               r"^vm linux: stopped: reboot \(exit code 0\): asked for a reset \(ACPI reset "
               r"register\)$",
               r"^vm linux: restarting after a reset, \d+ ms after it started \(quick reset 1 "
               r"of at most 1 in a row\)$",
               r"^vm linux: created: id 0, 128 MiB RAM",
               r"^vm linux: stopped: reboot-loop \(exit code -1\): reset 2 times in a row, "
               r"each within 60 s of starting \(reboots=1\): not restarted$",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "reboot-loop", -1),
               r"^  boots 2: restarted 1 times after a reset",
               summary("counter", "stopped", "exit", 0),
               r"^shunt: 1 of 2 VMs did not end cleanly",
               POWER_OFF_FAILED],
    # The VM's console reaches the line after Shunt's own lines of the moment: unordered.
    "expect_any": [COUNTER_DONE,
                   r"(?s)^\[linux\] [^\n]*Kernel panic - not syncing: Attempted to kill init!"
                   r".*^\[linux\] [^\n]*Kernel panic - not syncing: Attempted to kill init!"],
    "forbid": [r"GUEST-FAIL", r"(?i)oops", r"^error: "],
})

# The same Debian kernel as users have it in /boot (its bzImage, compressed), entered through
# the x86 64-bit boot protocol (zero page, e820, command line, initrd, RSDP) beside a Shunt
# guest: the same facts as through PVH. It decompresses itself first, which is most of its
# time in Bochs.
SCENARIOS.append({
    "name": "bios-linux-bzimage-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/linux/bzImage",
                 "bzImage name=linux mem=128M initrd=initramfs.cpio -- console=ttyS0 "
                 "printk.devkmsg=on panic=-1"),
                ("{build}/guests/hello.elf", "hello.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 1200,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm linux: Linux bzImage \(boot protocol 2\.1[2-9]\): kernel at 0x1000000, "
               r"init_size \d+ KiB, initrd \d+ KiB at 0x[0-9a-f]+, command line "
               r"\"console=ttyS0 printk\.devkmsg=on panic=-1 noapic\"$",
               r"^vm linux: created: id 0, 128 MiB RAM",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "poweroff", 0),
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[linux\] .*Command line: console=ttyS0 printk\.devkmsg=on panic=-1 noapic$",
        r"^\[linux\] .*SHUNT-LINUX: init started",
        r"^\[linux\] .*SHUNT-LINUX: uname -r 6\.1\.\S+-cloud-amd64$",
        r"^\[linux\] .*SHUNT-LINUX: hypervisor flag yes$",
        r"^\[linux\] .*SHUNT-LINUX: clocksource (kvm-clock|tsc)$",
        r"^\[linux\] .*SHUNT-LINUX: MemTotal: \d+ kB$",
        r"^vm linux: stopped: poweroff \(exit code 0\): powered off \(ACPI S5\)$",
        r"^\[hello\] GUEST-PASS hello$",
    ],
    "forbid": LINUX_FORBID,
})

# A multiboot (v1) kernel (tests/guests/mb1.c, ELF32) entered as multiboot says (32-bit
# protected mode, paging off, EAX the magic, EBX the information) beside a Shunt guest: it
# checks the memory sizes and map, its command line's words and its module (the initramfs),
# then powers off through ACPI S5.
SCENARIOS.append({
    "name": "bios-multiboot1-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [("{build}/guests/mb1.elf",
                 "mb1.elf mem=8M initrd=initramfs.cpio -- mb1.word=one two mb1.module=cpio"),
                ("{build}/guests/hello.elf", "hello.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 128,
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^vm mb1: multiboot kernel \[0x100000, 0x[0-9a-f]+\), entry 0x10000c, module "
               r"\d+ KiB at 0x[0-9a-f]+000, command line \"mb1\.word=one two mb1\.module=cpio\"$",
               r"^vm mb1: created: id 0, 8 MiB RAM",
               r"^summary: 2 VMs$",
               summary("mb1", "stopped", "poweroff", 0),
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[mb1\] mb1: ok: boot magic 0x2badb002 in EAX$",
        r"^\[mb1\] mb1: ok: RAM from 1 MiB matches mem_upper$",
        r"^\[mb1\] mb1: RAM 7808 KiB$",
        r"^\[mb1\] mb1: ok: command line words mb1\.word=one and two$",
        r"^\[mb1\] mb1: ok: module starts with the newc cpio magic 070701$",
        r"^\[mb1\] mb1: module \d+ bytes: initramfs\.cpio$",
        r"^\[mb1\] GUEST-PASS mb1$",
        r"^vm mb1: stopped: poweroff \(exit code 0\): powered off \(ACPI S5\)$",
        r"^\[hello\] GUEST-PASS hello$",
    ],
    "forbid": GUEST_FORBID,
})

# bzImages and multiboot kernels Shunt refuses at load, each with its reason, while a Shunt
# guest runs on: a truncated bzImage, one of boot protocol 2.11, one without a 64-bit entry,
# one in a VM too small for its init_size, a multiboot header whose checksum is wrong.
SCENARIOS.append({
    "name": "bios-kernel-refused-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/linux/bzImage-truncated", "bzImage-truncated name=cut"),
        ("{build}/linux/bzImage-protocol-2.11", "bzImage-protocol-2.11 name=old mem=128M"),
        ("{build}/linux/bzImage-no64", "bzImage-no64 name=no64 mem=128M"),
        ("{build}/guests/mb1-badsum.elf", "mb1-badsum.elf name=badsum"),
        ("{build}/guests/counter.elf", "counter.elf"),
    ],
    "config_lines": ["vm bzImage name=small mem=32M"],
    "files": ["{build}/linux/bzImage"],
    "memory": 256,
    "timeout": 240,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 6 VMs$",
               summary("cut", "refused", "refused"),
               summary("old", "refused", "refused"),
               summary("no64", "refused", "refused"),
               summary("badsum", "refused", "refused"),
               summary("counter", "stopped", "exit", 0),
               summary("small", "refused", "refused"),
               r"^shunt: 5 of 6 VMs did not end cleanly",
               POWER_OFF_FAILED],
    "expect_any": [
        r"^error: vm cut: refused: shunt\.cfg:\d+: bad guest image: bzImage is truncated: "
        r"syssize says \d+ bytes of kernel, the file holds \d+$",
        r"^error: vm old: refused: shunt\.cfg:\d+: bad guest image: bzImage boot protocol "
        r"2\.11 is too old: the 64-bit entry needs 2\.12 or later$",
        r"^error: vm no64: refused: shunt\.cfg:\d+: bad guest image: bzImage has no 64-bit "
        r"entry \(XLF_KERNEL_64 not in xloadflags 0x7e\): a 32-bit kernel$",
        r"^error: vm small: refused: shunt\.cfg:\d+: bad guest image: bzImage needs memory up "
        r"to 0x[0-9a-f]+ \(load address \+ init_size\), past the VM's RAM: give it "
        r"mem=\d+M or more$",
        r"^error: vm badsum: refused: shunt\.cfg:\d+: bad guest image: multiboot header at "
        r"0x[0-9a-f]+: bad checksum \(magic \+ flags \+ checksum is 0x1, not 0\)$",
        COUNTER_DONE,
    ],
    "forbid": GUEST_FORBID,
})

# The Linux VM's shell through the serial console, interrupt-driven both ways: the harness
# types into Shunt's console (COM1, a pty), Shunt passes the bytes to the VM with the input
# focus (the Linux VM, first) through its emulated 16550 and the 8259A pair. A command's
# answer comes back; three Ctrl-A move the focus to Shunt (the other VM has finished), so a
# command typed then never reaches the shell; three more bring it back; poweroff -f ends it.
LINUX_PROMPT = r"\[linux\] [/~] # $"
SCENARIOS.append({
    "name": "bios-linux-shell-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [(LINUX_VM[0], LINUX_VM[1] + " shunt.shell"),
                ("{build}/guests/hello.elf", "hello.elf")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 900,
    "serial_input": [
        (LINUX_PROMPT, "echo $((6*7))\r"),
        (LINUX_PROMPT, "\x01\x01\x01"),
        (r"^console: input to Shunt \(Ctrl-A three times to switch\)$", "echo lost$((1+1))\r"),
        (r"^console: Shunt takes no commands yet", "\x01\x01\x01"),
        (r"^console: input to VM linux \(Ctrl-A three times to switch\)$",
         "echo back$((2+3))\r"),
        (LINUX_PROMPT, "poweroff -f\r"),
    ],
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^console: input to VM linux \(Ctrl-A three times to switch\)$",
               r"^\[linux\] .*SHUNT-LINUX: shell \(poweroff -f to stop the VM\)$",
               r"^\[linux\] [/~] # echo \$\(\(6\*7\)\)$",
               r"^\[linux\] 42$",
               r"^console: input to Shunt \(Ctrl-A three times to switch\)$",
               r"^console: Shunt takes no commands yet",
               r"^console: input to VM linux \(Ctrl-A three times to switch\)$",
               r"^\[linux\] back5$",
               r"^vm linux: stopped: poweroff \(exit code 0\): powered off \(ACPI S5\)$",
               r"^summary: 2 VMs$",
               summary("linux", "stopped", "poweroff", 0),
               r"^  console input: bytes \d+, UART overruns 0, dropped 0$",
               summary("hello", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [r"^\[hello\] GUEST-PASS hello$"],
    "forbid": LINUX_FORBID + [r"lost", r"SHUNT-LINUX: FAIL"],
})


def linux_smp_shell():
    """bios-linux-shell's typing, on AMD-V in QEMU with 2 CPUs and a 2-vCPU Linux VM on both:
    the bytes typed arrive on CPU 0 and go into the VM's emulated UART, which its vCPUs on
    CPUs 0 and 1 read and write at the same time (the UART's lock, hv/LOCKING.md)."""
    out = svm_variant(next(s for s in SCENARIOS if s["name"] == "bios-linux-shell-bochs"))
    out["name"] = "bios-linux-smp-shell-svm-qemu"
    out["cpus"] = 2
    out["modules"] = [(LINUX_VM[0], LINUX_VM[1].replace(" --", " vcpus=2 --") + " shunt.shell"),
                      ("{build}/guests/hello.elf", "hello.elf cpus=1")]
    ready = out["expect"].index(SVM_READY[-1]) + 1
    out["expect"][ready:ready] = [r"^vm linux: 2 vCPUs on CPUs 0 1$",
                                  r"^vm hello: 1 vCPU on CPU 1$"]
    out["expect_any"] = out["expect_any"] + [r"^\[linux\] .*smp: Brought up 1 node, 2 CPUs$"]
    return out


# Linux kernels Shunt refuses at load, each with its reason, while a Shunt guest runs on: a
# truncated vmlinux, a VM too small for the kernel, an initrd that does not fit, an initrd
# for a Shunt guest, a missing initrd.
SCENARIOS.append({
    "name": "bios-linux-refused-bochs",
    "firmware": "bios", "emulator": "bochs",
    "modules": [
        ("{build}/linux/vmlinux-truncated", "vmlinux-truncated name=cut mem=128M"),
        ("{build}/linux/vmlinux", "vmlinux name=small mem=32M initrd=initramfs.cpio"),
        ("{build}/guests/hello.elf", "hello.elf initrd=initramfs.cpio"),
        ("{build}/guests/counter.elf", "counter.elf"),
    ],
    "config_lines": ["vm vmlinux name=full mem=62M initrd=initramfs.cpio",
                     "vm vmlinux name=noinitrd mem=128M initrd=missing.cpio"],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 240,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^summary: 6 VMs$",
               summary("cut", "refused", "refused"),
               summary("small", "refused", "refused"),
               summary("hello", "refused", "refused"),
               summary("counter", "stopped", "exit", 0),
               summary("full", "refused", "refused"),
               summary("noinitrd", "refused", "refused"),
               r"^shunt: 5 of 6 VMs did not end cleanly",
               POWER_OFF_FAILED],
    "expect_any": [
        r"^error: vm cut: refused: shunt\.cfg:\d+: bad guest image: segment \d+: bytes at "
        r"offset 0x[0-9a-f]+ run past the end of the file$",
        r"^error: vm small: refused: shunt\.cfg:\d+: bad guest image: kernel image ends at "
        r"0x3e00000, past the VM's 32 MiB of RAM: give it mem=94M or more$",
        r"^error: vm full: refused: shunt\.cfg:\d+: initrd of \d+ KiB does not fit between "
        r"the kernel \(ending at 0x3e00000\) and the end of the VM's 62 MiB of RAM",
        r"^error: vm hello: refused: shunt\.cfg:\d+: initrd=initramfs\.cpio: only a Linux "
        r"kernel takes an initrd$",
        r"^error: vm noinitrd: refused: shunt\.cfg:\d+: initrd=missing\.cpio: "
        r"guests/missing\.cpio: no such file on the boot medium$",
        COUNTER_DONE,
    ],
    "forbid": GUEST_FORBID,
})

# HLT that costs nothing: a guest waiting for its PV timer in sti; hlt sleeps until the event
# (one HLT per timer), its sleep is not steal time (beside a busy VM and alone), and with
# nothing runnable Shunt's CPU waits for the deadline in HLT itself (the debug log says how).
SCENARIOS.append({
    "name": "bios-idle-bochs",
    "firmware": "bios", "emulator": "bochs",
    "cmdline": "test loglevel=debug",
    "modules": [
        ("{build}/guests/sleeper.elf",
         f"sleeper.elf -- timers=20 delay_us=2000 slice={SLICE_CYCLES} alone_ms=300"),
        ("{build}/guests/busy.elf", "busy.elf -- ms=150"),
    ],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
               r"^idle: HLT until the APIC's TSC-deadline timer$",
               r"^sched: CPU 0: nothing to run ([2-9]\d|\d{3,}) times, for [1-9]\d* ms in all$",
               summary("sleeper", "stopped", "exit", 0),
               # one HLT per timer of each phase, and a few while it waits for the second
               r"(?s)^  exits: \d+ total$(?:\n    .*)*?\n    HLT\s+(4\d|5\d)$",
               summary("busy", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [
        r"^\[sleeper\] sleeper beside busy: HLTs 20$",
        r"^\[sleeper\] sleeper alone: HLTs 20$",
        r"^\[sleeper\] GUEST-PASS sleeper$",
        r"^\[busy\] GUEST-PASS busy$",
    ],
    "forbid": GUEST_FORBID,
})


# --- AMD-V (issue 14): Shunt's SVM backend in QEMU's TCG (-cpu max: SVM with nested paging,
# no NRIP save, decode assists, flush by ASID or clean bits). The Bochs scenarios below run
# again there, their names ending in -svm-qemu instead of -bochs; what differs is only what
# names the backend: the verdict line, and how a slice's end and a bad guest-physical access
# read (the timer's "external interrupt" exit, "nested page fault:").
def svm_variant(entry, emulator="qemu"):
    """The Bochs scenario entry, as it must read on the SVM backend in QEMU or in Bochs with
    its AMD model (cpu: model=ryzen: SVM with nested paging, NRIP save and flush by ASID)."""
    out = dict(entry)
    out["name"] = entry["name"].replace("-bochs", f"-svm-{emulator}")
    out["emulator"] = emulator
    if emulator == "bochs":
        out["cpu"] = "ryzen"

    def rx(r):
        if r in VTX_READY[:-1]:
            return []
        if r == VTX_READY[-1]:
            return list(SVM_READY)
        r = r.replace(r"    preemption timer +[1-9]\d*$", r"    external interrupt +[1-9]\d*$")
        if emulator == "qemu":  # its TCG has no TSC-deadline mode: the one-shot timer
            r = r.replace("the APIC's TSC-deadline timer", r"the APIC's one-shot timer")
        # Shunt's feature leaf names VMMCALL as the hypercall instruction on AMD-V (ABI 1.4).
        r = r.replace("features 0x3f", "features 0x7f").replace(
            "event_send hw$", "event_send hw vmmcall$")
        return [r.replace("EPT violation: ", "nested page fault: ")]

    for field in ("expect", "expect_any", "expect_joined"):
        if field in entry:
            out[field] = [x for r in entry[field] for x in rx(r)]
    for field in ("com_expect", "com_forbid"):
        if field in entry:
            out[field] = {port: [x for r in rxs for x in rx(r)]
                          for port, rxs in entry[field].items()}
    # What the VMs do while they run comes in the order their slices fall, which follows the
    # emulator's speed: between the verdict and the summary, only that it came is checked.
    expect = out["expect"]
    ready = expect.index(SVM_READY[-1]) + 1 if SVM_READY[-1] in expect else 0
    summary_at = next((i for i, r in enumerate(expect) if r.startswith("^summary: ")),
                      len(expect))
    if ready < summary_at:
        out["expect_any"] = out.get("expect_any", []) + expect[ready:summary_at]
        out["expect"] = expect[:ready] + expect[summary_at:]
    return out


# QEMU runs guests fastest; its TCG lacks what some bad-guest checks need (#AC; #GP for
# leaving long mode by clearing CR0.PG; an MSR permission map looked up with RCX's upper half,
# which the CPU ignores: bios-regkeep's junk there lets its RDMSR pass the intercept) and has
# other devices than the Bochs PC the hardware scenarios grant:
# those run in Bochs's AMD model. Its timers are real time: the timing scenarios (bios-time,
# bios-idle, the latency ones) and those whose console lines depend on exact timing
# (bios-multiboot1) run with -icount (SVM_QEMU_ICOUNT below).
SVM_QEMU = ["bios-cd-bochs", "bios-startstate-bochs", "bios-halt-bochs", "bios-loader-bochs",
            "bios-config-bochs", "bios-linux-pvh-bochs", "bios-linux-bzimage-bochs",
            "bios-linux-panic-bochs", "bios-linux-refused-bochs", "bios-kernel-refused-bochs",
            "bios-linux-module-bochs", "bios-linux-module-fallback-bochs",
            "bios-linux-shell-bochs", "bios-console-com2-bochs", "bios-many-vms-bochs"]
# Bochs 2.7's SVM has faults of its own that keep some scenarios out of it: a guest running
# with RFLAGS.IF clear is never interrupted (V_INTR_MASKING's host IF is not honoured), and a
# triple fault in a guest panics the emulator instead of the shutdown intercept.
SVM_BOCHS = ["bios-hw-bochs", "bios-promises-bochs", "bios-fuzz-bochs", "bios-bad-modules-bochs"]
SCENARIOS += [svm_variant(s) for s in list(SCENARIOS) if s["name"] in SVM_QEMU]
SCENARIOS.append(linux_smp_shell())
# The timing scenarios on AMD-V: QEMU's clocks counted in instructions (-icount shift=3: 8 ns
# an instruction, fixed; "auto" would follow the host's speed again), so that a timer's
# lateness and a slice's length are the guest's, not the loaded host's. (Not
# bios-latency-ring-kick: its flood guest's last ring bytes may be drained after the report it
# writes by hypercall, and join its line.)
SVM_QEMU_ICOUNT = ["bios-time-bochs", "bios-idle-bochs", "bios-multiboot1-bochs",
                   "bios-hw-fairness-bochs", "bios-latency-console-write-bochs",
                   "bios-latency-uart-bochs", "bios-latency-hypercall-bochs",
                   "bios-latency-port-bochs", "bios-latency-port-batch-bochs",
                   "bios-latency-memory-bochs"]
SCENARIOS += [dict(svm_variant(s), icount="shift=3,sleep=off")
              for s in list(SCENARIOS) if s["name"] in SVM_QEMU_ICOUNT]
SCENARIOS += [svm_variant(s, "bochs") for s in list(SCENARIOS) if s["name"] in SVM_BOCHS]

# A CPU with neither VMX nor SVM: the boot report says so and no guest starts.
SCENARIOS.append({
    "name": "bios-novirt-qemu",
    "firmware": "bios", "emulator": "qemu", "cpu": "max,-svm",
    "modules": [("{build}/guests/hello.elf", "hello.elf")],
    "timeout": SEABIOS_TIMEOUT,
    "expect": [BANNER, r"^virt: VMX: no$", r"^virt: AMD-V \(SVM\): no$",
               r"^virtualization: not available: CPU has neither VMX nor SVM$",
               r"^error: shunt: 1 guest not started: hardware virtualization is not usable$",
               POWER_OFF_FAILED],
    "forbid": [r"FATAL", r"(?i)panic"],
})

# UEFI on AMD-V: the good guests through GRUB's multiboot2 entry and through Shunt's own
# loader (BOOTX64.EFI reading shunt.cfg), each with the demo guests and the FPU pair.
SVM_UEFI_MODULES = GUEST_MODULES[:2] + GUEST_MODULES[7:9]
for default, loader in (("multiboot2", "UEFI/multiboot2"), ("efi", "UEFI/shunt-loader")):
    SCENARIOS.append({
        "name": f"uefi-{'efiloader' if default == 'efi' else default}-guests-svm-qemu",
        "firmware": "uefi", "uefi_default": default,
        "modules": SVM_UEFI_MODULES,
        "timeout": OVMF_TIMEOUT,
        "expect": [BANNER, boot_line(loader)] + SVM_READY + [
            r"^shunt: running 4 VMs",
            summary("hello", "stopped", "exit", 0), summary("counter", "stopped", "exit", 0),
            summary("fpu-a", "stopped", "exit", 0), summary("fpu-b", "stopped", "exit", 0),
            r"^shunt: all 4 VMs exited cleanly$", POWER_OFF_OK],
        "expect_any": [r"^\[hello\] GUEST-PASS hello$", COUNTER_DONE,
                       r"^\[counter\] GUEST-PASS counter$", r"^\[fpu-a\] GUEST-PASS fpu-a$",
                       r"^\[fpu-b\] GUEST-PASS fpu-b$"],
        "forbid": GUEST_FORBID,
    })

# The guests of bios-guests-bochs on AMD-V in QEMU, but badcalls (QEMU's TCG raises no #AC).
SCENARIOS.append({
    "name": "bios-guests-svm-qemu",
    "firmware": "bios", "emulator": "qemu",
    "modules": [m for m in GUEST_MODULES if not m[1].startswith("badcalls")],
    "timeout": SEABIOS_TIMEOUT,
    "expect": [BANNER] + SVM_READY + [
        r"^error: vm badimage: refused: " + ORIGIN + r": bad guest image: not an ELF file",
        r"^error: vm lowload: refused: " + ORIGIN + r": bad guest image: segment 0 at ",
        r"^shunt: running 6 VMs",
        r"^summary: 8 VMs$",
        summary("hello", "stopped", "exit", 0),
        summary("counter", "stopped", "exit", 0),
        summary("triplefault", "stopped", "triple-fault"),
        summary("oob", "stopped", "bad-memory-access"),
        summary("badimage", "refused", "refused"),
        summary("lowload", "refused", "refused"),
        summary("fpu-a", "stopped", "exit", 0),
        summary("fpu-b", "stopped", "exit", 0),
        r"^shunt: 4 of 8 VMs did not end cleanly ",
        POWER_OFF_FAILED],
    "expect_any": [
        r"^\[hello\] hello from the PV console$",
        r"^\[hello\] hello from the emulated UART$",
        r"^\[hello\] cmdline: demo args$",
        r"^\[hello\] GUEST-PASS hello$",
        COUNTER_DONE,
        r"^\[counter\] GUEST-PASS counter$",
        r"^\[fpu-a\] GUEST-PASS fpu-a$",
        r"^\[fpu-b\] GUEST-PASS fpu-b$",
        r"^vm triplefault: stopped: triple-fault \(exit code -1\): triple fault at RIP "
        r"0x[0-9a-f]+: an exception with no IDT loaded",
        r"^vm oob: stopped: bad-memory-access \(exit code -1\): nested page fault: read at "
        r"guest-physical 0x3fe00000",
    ],
    "forbid": GUEST_FORBID,
})

# A guest that executes the SVM instructions (VMRUN ... INVLPGA) gets #UD for each, as on a
# CPU without SVM, on either backend; going on without a handler, it is stopped alone. With
# badcalls, the bad-guest checks that AMD-V runs in Bochs's AMD model (its #AC, CR4 decoding,
# VMCALL through #UD from ring 3).
SVMINSN_EXPECT = [r"^\[svminsn\] svminsn: #UD raised 7$",
                  r"^\[svminsn\] svminsn: all seven raised #UD; now one with no handler$",
                  r"^vm svminsn: stopped: triple-fault \(exit code -1\): triple fault at RIP "]
for name, emulator, cpu, ready in (("bios-svminsn-bochs", "bochs", None, VTX_READY[-1:]),
                                   ("bios-svminsn-svm-qemu", "qemu", None, SVM_READY)):
    SCENARIOS.append({
        "name": name, "firmware": "bios", "emulator": emulator,
        "modules": [("{build}/guests/svminsn.elf", "svminsn.elf")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER] + ready + [summary("svminsn", "stopped", "triple-fault"),
                                      POWER_OFF_FAILED],
        "expect_any": SVMINSN_EXPECT,
        "forbid": [r"FATAL", r"(?i)panic", r"check failed", r"still running"],
    })
SCENARIOS.append({
    "name": "bios-badcalls-svm-bochs",
    "firmware": "bios", "emulator": "bochs", "cpu": "ryzen",
    "modules": [("{build}/guests/badcalls.elf", "badcalls.elf")],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER] + SVM_READY + [summary("badcalls", "stopped", "exit", 0),
                                      r"^  hypercalls refused for CPL > 0: 1$", POWER_OFF_OK],
    "expect_any": [r"^\[badcalls\] GUEST-PASS badcalls$"],
    "forbid": GUEST_FORBID,
})

# A guest built against the frozen 1.0 headers makes its calls with VMCALL, which AMD-V takes
# through #UD (pv-abi/SPEC.md §3); beside it one of 1.4 that detects and uses VMMCALL.
SCENARIOS.append({
    "name": "bios-abi10-svm-qemu",
    "firmware": "bios", "emulator": "qemu",
    "modules": [("{build}/guests/abi10.elf", "abi10.elf"),
                ("{build}/guests/negotiate.elf", "negotiate.elf")],
    "timeout": SEABIOS_TIMEOUT,
    "expect": [BANNER] + SVM_READY + [
        summary("abi10", "stopped", "exit", 0), summary("negotiate", "stopped", "exit", 0),
        r"^shunt: all 2 VMs exited cleanly$", POWER_OFF_OK],
    "expect_any": [r"^vm abi10: opened ABI 1\.0 \(guest built for 1\.0,",
                   r"^\[abi10\] abi10: hello through the 1\.0 ring$",
                   r"^\[abi10\] GUEST-PASS abi10$", r"^\[negotiate\] GUEST-PASS negotiate$"],
    "forbid": GUEST_FORBID,
})


# --- The management network (README.md, "Management network"): Shunt's own e1000, its
# address by DHCP from the emulator's user network (slirp: 10.0.2.15/24, gateway 10.0.2.2),
# an ICMP echo to the gateway whose reply Shunt logs at loglevel=debug, and in QEMU another
# host on that network (the harness, net_probe) that finds Shunt by ARP and pings it. With
# no guests and on-all-stopped=halt the machine stays up for management after its last line.
MGMT_NIC = {"model": "e1000", "slot": 3}
MGMT_HW_OWN = r"^hw: pci:00:03\.0 +8086:100e class 020000 network controller +Shunt's own$"
MGMT_DHCP_LINE = (r"^mgmt: e1000 00:03\.0 52:54:00:12:34:56 link up; 10\.0\.2\.15/24 by DHCP, "
                  r"gateway 10\.0\.2\.2$")
MGMT_ECHO = r"^mgmt: echo reply from 10\.0\.2\.2 \(seq 1\) in \d+ ms$"
MGMT_STAYS_UP = r"^mgmt: the management network stays up$"
NET_PROBE_OK = [r"^net-probe: ARP: 10\.0\.2\.\d+ is at 52:54:00:12:34:56$"] + [
    rf"^net-probe: echo reply from 10\.0\.2\.\d+ seq {n} in [\d.]+ ms$" for n in range(1, 6)]

SCENARIOS += [
    {
        "name": "bios-mgmt-dhcp-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt loglevel=debug",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT,
        "stop": MGMT_ECHO,
        "net_probe": "10.0.2.15",
        "expect": [BANNER, MGMT_HW_OWN, r"^virtualization: ready \(AMD-V\)$", MGMT_DHCP_LINE,
                   r"^mgmt: pool 256 KiB, \d+ of it in use after start$",
                   r"^shunt: halted \(exit code 0\)$", MGMT_STAYS_UP, MGMT_ECHO],
        "net_expect": NET_PROBE_OK,
    },
    {
        # A static address, a pool of its own size, and a bad management word (reported,
        # ignored: the others hold).
        "name": "bios-mgmt-static-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt loglevel=debug mgmt=static mgmt.ip=10.0.2.20/24 "
                   "mgmt.gw=10.0.2.2 mgmt.pool=128K mgmt.pool=1K",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT,
        "stop": MGMT_ECHO,
        "net_probe": "10.0.2.20",
        "expect": [BANNER, r'^warning: shunt\.cfg:\d+: "mgmt\.pool=1K": mgmt\.pool is a size '
                   r"from 64K to 16M \(K or M suffix\) \(ignored\)$", MGMT_HW_OWN,
                   r"^mgmt: e1000 00:03\.0 52:54:00:12:34:56 link up; 10\.0\.2\.20/24 static, "
                   r"gateway 10\.0\.2\.2$", r"^mgmt: pool 128 KiB, ",
                   r"^shunt: halted \(exit code 1\)$", MGMT_STAYS_UP, MGMT_ECHO],
        "net_expect": NET_PROBE_OK,
    },
    {
        # mgmt=static without an address: management stays off and says why.
        "name": "bios-mgmt-bad-static-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "test mgmt=static mgmt.gw=10.0.2.2",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, MGMT_HW_OWN,
                   r"^error: mgmt: off: mgmt=static needs mgmt\.ip=A\.B\.C\.D/N$",
                   r"^shunt: powering off \(exit code 0\)$"],
        "forbid": [r"FATAL", r"(?i)panic", r"^mgmt: e1000"],
    },
    {
        # A NIC Shunt has no driver for (QEMU's e1000e, an 82574L): management stays off with
        # the reason, and the card is listed as any other device, not as Shunt's own.
        "name": "bios-mgmt-not-driven-qemu",
        "firmware": "bios", "emulator": "qemu",
        "nic": {"model": "e1000e", "slot": 3},
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^hw: pci:00:03\.0 +8086:10d3 class 020000 network controller +"
                   r"DMA-capable: not grantable without an IOMMU$",
                   r"^mgmt: off: no driver for the network controller 00:03\.0 \(8086:10d3\): "
                   r"Shunt drives the Intel 8254x \(e1000\) family$", POWER_OFF_OK],
    },
    {
        # mgmt=off: the e1000 is left alone (and so not Shunt's own).
        "name": "bios-mgmt-off-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "test mgmt=off",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^hw: pci:00:03\.0 +8086:100e class 020000 network controller +"
                   r"DMA-capable: not grantable without an IOMMU$", r"^mgmt: off \(mgmt=off\)$",
                   POWER_OFF_OK],
    },
    {
        # Bochs' e1000 on its slirp, with guests running: the lease and the gateway's echo
        # reply come while they run, their results are what they are without a network, and a
        # VM that asks for the management NIC is refused it with the reason.
        "name": "bios-mgmt-guests-bochs",
        "firmware": "bios", "emulator": "bochs",
        "cmdline": "test loglevel=debug",
        "nic": {"model": "e1000"},
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M grant=pci:00:02.0:mmio -- demo args"),
                    ("{build}/guests/counter.elf", "counter.elf"),
                    ("{build}/guests/fpu.elf", "fpu.elf name=fpu-a -- A"),
                    ("{build}/guests/fpu.elf", "fpu-b.elf name=fpu-b -- B")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER,
                   r"^hw: pci:00:02\.0 +8086:100e class 020000 network controller +Shunt's own$",
                   r"^virtualization: ready \(VT-x\)$",
                   r"^mgmt: e1000 00:02\.0 52:54:00:12:34:56 link up; 10\.0\.2\.15/24 by DHCP, "
                   r"gateway 10\.0\.2\.2$",
                   r"^error: vm hello: grant pci:00:02\.0 refused: it is Shunt's management NIC "
                   r"\(mgmt=off frees it\)$",
                   r"^shunt: running 4 VMs", MGMT_ECHO,
                   summary("hello", "stopped", "exit", 0),
                   summary("counter", "stopped", "exit", 0),
                   summary("fpu-a", "stopped", "exit", 0),
                   summary("fpu-b", "stopped", "exit", 0),
                   r"^shunt: all 4 VMs exited cleanly$", POWER_OFF_OK],
        "expect_any": [r"^\[hello\] GUEST-PASS hello$", r"^\[hello\] cmdline: demo args$",
                       COUNTER_DONE, r"^\[counter\] GUEST-PASS counter$",
                       r"^\[fpu-a\] GUEST-PASS fpu-a$", r"^\[fpu-b\] GUEST-PASS fpu-b$",
                       preempted("counter")],
        "forbid": GUEST_FORBID,
    },
]


# --- The management API (hv/net/API.md) as a client sees it through QEMU's hostfwd: what
# anyone may reach without the key, what is refused (401 without detail), and bad input
# answered with its 4xx and a closed connection, a slow client, pipelined requests, the 9th
# connection, a request left unfinished; five refusals (a missing signature counts too) make
# the address wait; the server still answers after all of it.
API_PUBLIC_CHECKS = (
    ["dashboard", "dashboard-head", "method-405", "method-405-allow"]
    + [f"{n}{suffix}" for n in ["malformed-line", "http2", "traversal", "double-slash",
                                "escape", "non-utf8", "both-lengths", "bad-chunk", "long-line",
                                "many-headers", "big-head", "big-body"]
       for suffix in ("", "-closed")]
    + ["slow-client", "half-close", "pipelined", "ninth-connection-429", "after-connections",
       "request-timeout-408", "request-timeout-time"]
    # five refusals (an unsigned request counts as one), then the address waits
    + ["unsigned-401", "wrong-key-401", "wrong-key-action-401", "metrics-unsigned-401",
       "slow-client-401", "unauthorized-slowed-429", "unauthorized-retry-after", "still-serving"])

SCENARIOS += [
    {
        "name": "bios-mgmt-api-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT + 30,
        "stop": MGMT_STAYS_UP,
        "api_test": "public",
        "expect": [BANNER, MGMT_HW_OWN, MGMT_DHCP_LINE, HALTED, MGMT_STAYS_UP],
        "api_expect": [rf"^api: {n}: ok$" for n in API_PUBLIC_CHECKS],
        "forbid": [r"FATAL", r"(?i)panic", r"^error: "],
    },
]

# With the key: the admin's actions end to end. A VM that exits at once and one that spins
# until it is stopped: listed, read, stopped (the last running: the summary says so and the
# machine stays up for management), started again (the scheduler runs again), restarted,
# the log read by pages. The key on the medium is tests/system/mgmt-test.key's.
API_ACTION_CHECKS = ["hello-exited", "list", "list-counters", "read", "read-404", "stop-409",
                     "start-409", "action-405", "action-body-400", "tampered-body-401",
                     "other-target-401", "stale-401", "replay-401", "metrics-token-action-403",
                     "peer-slowed-429", "peer-slowed-retry-after", "refusals-changed-nothing", "stop", "stop-summary",
                     "stays-up", "start", "start-runs", "running-again", "restart", "restart-steal",
                     "log-paged", "log-actions", "log-limit-400", "shuntctl-vms",
                     "shuntctl-vm-json", "shuntctl-not-found", "shuntctl-conflict",
                     "shuntctl-restart", "shuntctl-bad-key", "host", "stop-again",
                     "stopped-again"]
SCENARIOS += [
    {
        "name": "bios-mgmt-api-actions-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt mgmt.metrics=token",
        "nic": MGMT_NIC,
        # Two CPUs: spin runs on CPU 1, so the admin's actions (CPU 0's) reach across CPUs.
        "cpus": 2,
        "modules": [("{build}/guests/hello.elf", "hello.elf"),
                    ("{build}/guests/busy.elf", "busy.elf name=spin -- ms=600000")],
        "timeout": SEABIOS_TIMEOUT + 30,
        "stop": r"^shunt: running 2 VMs",
        "api_test": "actions",
        "key_text": open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "mgmt-test.key")).read(),
        "expect": [BANNER, MGMT_DHCP_LINE, r"^vm spin: 1 vCPU on CPU 1$",
                   r"^shunt: running 2 VMs",
                   r"^mgmt: vm spin stopped by admin \(from 10\.0\.2\.2\)$",
                   summary("hello", "stopped", "exit", 0),
                   r"^summary: vm=spin state=stopped reason=stopped by admin exit_code=-1$",
                   r"^  detail: stopped by admin over the management API \(from 10\.0\.2\.2\)$",
                   r"^shunt: halted \(exit code 1\)$", MGMT_STAYS_UP,
                   r"^mgmt: vm spin started by admin \(from 10\.0\.2\.2\)$",
                   r"^shunt: running 1 VMs again", r"^mgmt: vm spin stopped by admin",
                   r"^mgmt: vm spin started by admin", r"^mgmt: vm spin stopped by admin",
                   r"^summary: vm=spin state=stopped reason=stopped by admin exit_code=-1$",
                   r"^shunt: halted \(exit code 1\)$"],
        "api_expect": [rf"^api: {n}: ok$" for n in API_ACTION_CHECKS],
        "forbid": [r"FATAL", r"(?i)panic", r"^error: ", r"GUEST-FAIL"],
    },
]

# /metrics of 64 VMs (the most Shunt runs), larger than an answer buffer of lwIP's pool: sent
# whole from a buffer of Shunt's own frames, accepted by promtool, every VM in it; two asked
# at once: each whole, or one told to retry (503 with Retry-After).
MGMT_MANY_VMS = 64
SCENARIOS += [
    {
        "name": "bios-mgmt-metrics-many-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt",
        "nic": MGMT_NIC,
        "memory": 512,
        "modules": [("{build}/guests/busy.elf", f"vm-with-a-long-name-number-{i:02d}.elf mem=2M "
                     "-- ms=600000") for i in range(MGMT_MANY_VMS)],
        "timeout": SEABIOS_TIMEOUT + 60,
        "stop": rf"^shunt: running {MGMT_MANY_VMS} VMs",
        "api_test": "metrics_many",
        "key_text": open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "mgmt-test.key")).read(),
        "expect": [BANNER, MGMT_DHCP_LINE, rf"^shunt: running {MGMT_MANY_VMS} VMs"],
        "api_expect": [rf"^api: {n}: ok$" for n in ["metrics-many", "metrics-many-promtool",
                                                      "metrics-many-vms", "metrics-many-twice",
                                                      "metrics-many-after"]],
        "forbid": [r"FATAL", r"(?i)panic", r"^error: "],
    },
]

# The smallest pool (mgmt.pool=64K): too small for eight connections' buffers at once and for
# a 64 KiB answer: whole answers or 503, never a cut one, and service again afterwards.
SCENARIOS += [
    {
        "name": "bios-mgmt-api-small-pool-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "on-all-stopped=halt mgmt.pool=64K",
        "nic": MGMT_NIC,
        "modules": [("{build}/guests/hello.elf", "hello.elf")],
        "key_text": SCENARIOS[-1]["key_text"],
        "timeout": SEABIOS_TIMEOUT,
        "stop": MGMT_STAYS_UP,
        "api_test": "small_pool",
        "expect": [BANNER, r"^mgmt: e1000 .* 10\.0\.2\.15/24 by DHCP", HALTED, MGMT_STAYS_UP],
        "api_expect": [r"^api: small-pool-vm: ok$", r"^api: small-pool-whole-answers: ok$",
                       r"^api: small-pool-after: ok$"],
        "forbid": [r"FATAL", r"(?i)panic", r"^error: "],
    },
]

# The same on VT-x in Bochs (its slirp forwards the port too): the admin's stop and start
# of a VM that is on the CPU when the request comes. Only when named: a minute of Bochs.
ACTIONS_QEMU = next(s for s in SCENARIOS if s["name"] == "bios-mgmt-api-actions-qemu")
SCENARIOS += [dict(ACTIONS_QEMU, name="bios-mgmt-api-actions-bochs", emulator="bochs",
                   explicit=True,
                   nic={"model": "e1000"}, timeout=BOCHS_TIMEOUT + 60,
                   expect=[BANNER, r"^mgmt: e1000 00:02\.0 52:54:00:12:34:56 link up; "
                           r"10\.0\.2\.15/24 by DHCP, gateway 10\.0\.2\.2$"]
                   + ACTIONS_QEMU["expect"][2:],
                   # shuntctl signs with this machine's clock: not Bochs's (in 2000).
                   api_expect=[r"^api: shuntctl: skipped \(Shunt's clock is -?\d+ s from ours\)$"
                               if n == "shuntctl-vms" else rf"^api: {n}: ok$"
                               for n in API_ACTION_CHECKS
                               if n == "shuntctl-vms" or not n.startswith("shuntctl")])]

# --- The management key (README.md, "Management network"; hv/net/API.md, "Authentication"):
# /shunt.key on the medium, loaded by GRUB and by Shunt's UEFI loader as a module of its own,
# never a VM; its fingerprint on the boot line and never its bytes; the boot's wall clock
# (the CMOS RTC: the host's time in QEMU, Bochs's fixed time0 of 1999-12-31 23:00 UTC).
MGMT_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
MGMT_KEY = ("# Shunt management key, tests/net/auth-vector.txt's\r\n"
            f"shunt-key-v1 {MGMT_KEY_HEX}\r\n"
            "metrics-token 9a1b2c3d4e5f60718293a4b5c6d7e8f9\r\n")
MGMT_KEY_LOADED = r"^mgmt: API on port 80, key loaded \(fingerprint 630dcd29\)$"
CLOCK_NOW = r"^clock: 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \(CMOS RTC\)$"
CLOCK_BOCHS = r"^clock: 1999-12-31 23:00:\d\d UTC \(CMOS RTC\)$"
# Neither the key nor the token ever reaches the console (any 16 of their digits).
KEY_FORBID = FORBID + [r"0405060708090a0b", r"5e5f60718293a4b5"]

SCENARIOS += [
    {
        "name": "bios-mgmt-key-qemu",
        "firmware": "bios", "emulator": "qemu",
        "cmdline": "test mgmt.metrics=token",
        "nic": MGMT_NIC,
        "key_text": MGMT_KEY,
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, CLOCK_NOW, MGMT_HW_OWN,
                   r"^mgmt: random: HMAC_DRBG seeded from RDRAND and TSC jitter$",
                   MGMT_DHCP_LINE, MGMT_KEY_LOADED, r"^shunt: no guests configured", POWER_OFF_OK],
        "forbid": KEY_FORBID + [r"^mgmt: .*metrics-token", r"^vm "],
    },
    {
        # Shunt's own UEFI loader reads \shunt.key too.
        "name": "uefi-mgmt-key-efiloader",
        "firmware": "uefi", "uefi_default": "efi",
        "nic": MGMT_NIC,
        "key_text": MGMT_KEY,
        "timeout": OVMF_TIMEOUT,
        "expect": [r"^shunt-efi: shunt\.key: 180 bytes$", BANNER,
                   r'^boot: firmware=UEFI/shunt-loader loader="Shunt UEFI loader', CLOCK_NOW,
                   MGMT_KEY_LOADED, POWER_OFF_OK],
        "forbid": KEY_FORBID + [r"^vm "],
    },
    {
        # A key file with a mistake: the line and what is wrong, never the line's text.
        "name": "bios-mgmt-bad-key-qemu",
        "firmware": "bios", "emulator": "qemu",
        "nic": MGMT_NIC,
        "key_text": f"# a key pasted short\nshunt-key-v1 {MGMT_KEY_HEX[:40]}\n",
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, CLOCK_NOW, MGMT_DHCP_LINE,
                   r"^error: mgmt: key: /shunt\.key:2: shunt-key-v1 is followed by the key, 64 "
                   r"lowercase hex digits \(shuntctl keygen writes them\); the API refuses "
                   r"every request$",
                   r"^shunt: powering off"],
        "forbid": [r"FATAL", r"(?i)panic", r"0405060708090a0b", r"^mgmt: API on", r"^vm "],
    },
    {
        # No key: the API refuses everything and says how to make one; a metrics token asked
        # for without a key file to hold it leaves /metrics signed. A CPU without RDRAND or
        # RDSEED: the random numbers come from TSC jitter alone, and the boot says so.
        "name": "bios-mgmt-no-key-qemu",
        "firmware": "bios", "emulator": "qemu", "cpu": "max,-rdrand,-rdseed",
        "cmdline": "test mgmt.metrics=token",
        "nic": MGMT_NIC,
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, CLOCK_NOW,
                   r"^warning: mgmt: random: TSC jitter only \(the CPU has neither RDSEED nor "
                   r"RDRAND\)$", MGMT_DHCP_LINE,
                   r"^mgmt: no key on the boot medium \(/shunt\.key\): the API refuses every "
                   r"request; shuntctl keygen writes one$",
                   r"^error: mgmt: mgmt\.metrics=token, but /shunt\.key has no metrics-token "
                   r"line: /metrics needs a signed request$",
                   r"^shunt: powering off"],
        "forbid": [r"FATAL", r"(?i)panic", r"^mgmt: API on"],
    },
    {
        # A GRUB menu of one's own, where every module is a VM: the key's is not, and the
        # run's exit code counts the one VM asked for. Bochs's clock is its fixed time0.
        "name": "bios-mgmt-key-legacy-bochs",
        "firmware": "bios", "emulator": "bochs", "legacy_menu": True,
        "nic": {"model": "e1000"},
        "key_text": MGMT_KEY,
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, CLOCK_BOCHS,
                   r"^mgmt: random: HMAC_DRBG seeded from RDSEED and TSC jitter$",
                   MGMT_KEY_LOADED, summary("hello", "stopped", "exit", 0),
                   r"^shunt: all 1 VMs exited cleanly$", POWER_OFF_OK],
        "expect_any": [r"^\[hello\] GUEST-PASS hello$"],
        "forbid": KEY_FORBID + [r"shunt\.key.*(refused|not used)", r"^vm module"],
    },
]


# --- The management API under attack and under load (tests/system/mgmtsuite.py), in QEMU with
# guests running, and an admin's session in Bochs on its slirp (VT-x). The suite starts when
# the VMs do and ends by stopping the long-running VMs through the API (the summary's reason
# "stopped by admin"); the guests that end by themselves must end as they do without it.
MGMT_API_GUESTS = [("{build}/guests/hello.elf", "hello.elf -- demo args"),
                   ("{build}/guests/counter.elf", "counter.elf"),
                   ("{build}/guests/busy.elf", "busy.elf name=busy -- ms=600000")]
MGMT_RUNNING = r"^shunt: running \d+ VMs"


def mgmt_suite(name, suite, extra_guests=(), cmdline="test", emulator="qemu", expect=(),
               expect_any=(), guests=None):
    guests = list(guests if guests is not None else MGMT_API_GUESTS) + list(extra_guests)
    return {
        "name": name,
        "firmware": "bios", "emulator": emulator,
        "cmdline": cmdline,
        "nic": MGMT_NIC if emulator == "qemu" else {"model": "e1000"},
        "key_text": MGMT_KEY, "mgmt_suite": suite,
        "modules": guests,
        "stop": MGMT_RUNNING,
        "timeout": 180,
        "expect": [BANNER, r"^mgmt: e1000 .* link up; 10\.0\.2\.15/24 by DHCP", MGMT_RUNNING]
        + list(expect) + [POWER_OFF_FAILED],
        "expect_any": [r"^\[hello\] GUEST-PASS hello$", COUNTER_DONE,
                       r"^\[counter\] GUEST-PASS counter$"] + list(expect_any),
        "forbid": GUEST_FORBID + KEY_FORBID[len(FORBID):],
        "net_expect": [rf"^mgmt-suite: {suite}: \d+ checks, 0 failed$"],
    }


BY_ADMIN = r"stopped by admin exit_code=-1$"
SCENARIOS += [
    mgmt_suite("bios-mgmt-security-qemu", "security", cmdline="test mgmt.metrics=token",
               expect=[r"^summary: vm=busy state=stopped reason=" + BY_ADMIN]),
    mgmt_suite("bios-mgmt-security-more-qemu", "security-more",
               cmdline="test mgmt.metrics=token",
               expect=[r"^summary: vm=busy state=stopped reason=" + BY_ADMIN]),
    mgmt_suite("bios-mgmt-bad-input-qemu", "bad-input",
               expect=[r"^summary: vm=busy state=stopped reason=" + BY_ADMIN]),
    mgmt_suite("bios-mgmt-load-qemu", "load",
               extra_guests=[("{build}/guests/worker.elf", "worker.elf -- flood_at_ms=5000")],
               expect=[r"^summary: vm=busy state=stopped reason=" + BY_ADMIN],
               expect_any=[r"^\[worker\] GUEST-PASS worker$",
                           r"^\[worker\] worker: slowdown in percent \d+$"]),
    mgmt_suite("bios-mgmt-api-bochs", "e2e", emulator="bochs",
               guests=MGMT_API_GUESTS[:2] + [
                   ("{build}/guests/busy.elf", "busy-a.elf name=busy-a -- ms=600000"),
                   ("{build}/guests/busy.elf", "busy-b.elf name=busy-b -- ms=600000")],
               expect=[r"^summary: vm=busy-a state=stopped reason=" + BY_ADMIN,
                       r"^summary: vm=busy-b state=stopped reason=" + BY_ADMIN]),
]
# --- SMP bring-up (issue 16, item 1): every CPU of the MADT comes up through INIT-SIPI-SIPI
# and enables VT-x (Bochs) or AMD-V (QEMU) on its own, then waits; guests still run on CPU 0.
SMP_STARTUP = r"^smp: startup: \d+ ticks from the first INIT to every CPU ready, \d+ per CPU; "


def smp_line(ids, ready, extra=""):
    up = len(ids)
    return (rf"^smp: {up} CPUs? up \(APIC ids? {' '.join(str(i) for i in ids)}\), "
            rf"{ready} ready for VMs{extra}$")


SCENARIOS += [
    {
        "name": "bios-smp2-bochs",
        "firmware": "bios", "emulator": "bochs", "cpus": 2,
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(VT-x\)$", smp_line([0, 1], 2),
                   SMP_STARTUP, summary("hello", "stopped", "exit", 0), POWER_OFF_OK],
        "forbid": FORBID + [r"^smp: CPU \d+ .*left out"],
    },
    {
        # Four CPUs, and the test word that makes CPU 1 fail its VT-x check: it is left out
        # with its reason, the other three are ready, and the guests run as before.
        "name": "bios-smp4-fail-bochs",
        "firmware": "bios", "emulator": "bochs", "cpus": 4,
        "cmdline": "test smp.fail=1",
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo"),
                    ("{build}/guests/counter.elf", "counter.elf mem=4M")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(VT-x\)$",
                   r"^warning: smp: CPU 1 \(APIC id 1\) left out: VT-x check failed on purpose "
                   r"\(test word smp\.fail=1\)$",
                   smp_line([0, 1, 2, 3], 3), SMP_STARTUP,
                   summary("hello", "stopped", "exit", 0),
                   summary("counter", "stopped", "exit", 0), POWER_OFF_OK],
        "expect_any": [COUNTER_DONE],
    },
    {
        # Bochs's AMD model: the AMD-V path on each CPU, and the xAPIC's ICR (no x2APIC here).
        "name": "bios-smp2-svm-bochs",
        "firmware": "bios", "emulator": "bochs", "cpu": "ryzen", "cpus": 2,
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(AMD-V\)$", smp_line([0, 1], 2),
                   SMP_STARTUP, summary("hello", "stopped", "exit", 0), POWER_OFF_OK],
        "forbid": FORBID + [r"^smp: CPU \d+ .*left out"],
    },
    {
        # QEMU's TCG with four CPUs: each enables AMD-V (EFER.SVME, its own host save area).
        "name": "bios-smp4-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 4,
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo")],
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(AMD-V\)$", smp_line([0, 1, 2, 3], 4),
                   SMP_STARTUP, summary("hello", "stopped", "exit", 0), POWER_OFF_OK],
        "forbid": FORBID + [r"^smp: CPU \d+ .*left out"],
    },
    {
        # The test word smp.fault=3: CPU 3 raises #UD while starting; it alone is left out,
        # with the exception as its reason, and the machine goes on.
        "name": "bios-smp4-fault-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 4,
        "cmdline": "test smp.fault=3",
        "modules": [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo")],
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^warning: smp: CPU 3 \(APIC id 3\) left out: exception #UD "
                   r"\(vector 6\) at 0x[0-9a-f]+ while starting$",
                   smp_line([0, 1, 2, 3], 3), summary("hello", "stopped", "exit", 0),
                   POWER_OFF_OK],
        "forbid": [r"FATAL", r"(?i)panic"],  # FORBID's /exception/ is this test's point
    },
    {
        # A fatal error on CPU 1 (crashtest=1: #UD in Shunt a second after the VMs start)
        # while a 2-vCPU guest hammers on CPU 0, printing a line each second: CPU 1 stops
        # CPU 0 by NMI before its dump, and in halt mode (no management network after a
        # fatal error) nothing more is printed. The run lasts until the timeout, so that a
        # CPU left running would show.
        "name": "bios-smp2-crash-ap-svm-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 2,
        "cmdline": "on-all-stopped=halt crashtest=1",
        "modules": [("{build}/guests/smp.elf",
                     "smp.elf mem=4M vcpus=2 cpus=0 -- ipis=10 hammer_ms=600000")],
        "timeout": 12,
        "stop": r"^(?!x)x$",  # none: the timeout ends it
        "expect": [BANNER, r"^virtualization: ready \(AMD-V\)$", smp_line([0, 1], 2),
                   r"^vm smp: 2 vCPUs on CPUs 0 0$",
                   r"^shunt: crashtest: raising #UD on CPU 1 on purpose$"] + EXCEPTION_DUMP + [
                   r"^shunt: 1 of 1 other CPU stopped, with the VMs they ran$",
                   r"^shunt: halted \(exit code 4\)$"],
        "forbid": [r"(?i)panic", r"GUEST-FAIL", r"(?s)^shunt: halted \(exit code 4\)\n."],
    },
    {
        # The same on VT-x in Bochs (the NMI reaches CPU 0 in the guest, as an NMI exit),
        # the fatal error a stack overflow on CPU 1: its guard page faults, and the #PF
        # that can not be pushed is a #DF, dumped from the CPU's own IST stack.
        "name": "bios-smp2-crash-ap-bochs",
        "firmware": "bios", "emulator": "bochs", "cpus": 2,
        "cmdline": "on-all-stopped=halt crashtest.stack=1",
        "modules": [("{build}/guests/smp.elf",
                     "smp.elf mem=4M vcpus=2 cpus=0 -- ipis=10 hammer_ms=600000")],
        "timeout": 30,
        "stop": r"^(?!x)x$",
        "expect": [BANNER, r"^virtualization: ready \(VT-x\)$", smp_line([0, 1], 2),
                   r"^vm smp: 2 vCPUs on CPUs 0 0$",
                   r"^shunt: crashtest: overflowing CPU 1's stack on purpose, into its guard "
                   r"page at 0x[0-9a-f]+000$",
                   r"FATAL: exception #DF \(vector 8\)", r"RIP=[0-9a-fA-Fx]+",
                   r"^shunt: 1 of 1 other CPU stopped, with the VMs they ran$",
                   r"^shunt: halted \(exit code 4\)$"],
        # The fault's address (CR2) is in that page: the overflow stopped there.
        "expect_any": [r"(?s)guard page at 0x([0-9a-f]+)000\n"
                       r".*^error: +CR0=\S+ CR2=0*\1[0-9a-f]{3} "],
        "forbid": [r"(?i)panic", r"GUEST-FAIL", r"(?s)^shunt: halted \(exit code 4\)\n.",
                   r"raising #UD"],
    },
    {
        # cpus=1 on a four-CPU machine: only the boot CPU runs, and the report says why.
        "name": "bios-smp-cpus1-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 4,
        "cmdline": "test cpus=1",
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^smp: cpus=1: 3 more CPUs in the MADT not started$",
                   smp_line([0], 1), POWER_OFF_OK],
        "forbid": FORBID + [r"^smp: startup:"],
    },
    {
        # QEMU with room for 4 CPUs but 2 present: its MADT lists the other 2 as not enabled,
        # and they are not started ("cpus" goes to QEMU's -smp as it is).
        "name": "bios-smp-hotplug-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": "2,maxcpus=4",
        "cmdline": "test loglevel=debug",
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^smp: the MADT lists 2 CPUs as disabled: not started$",
                   r"^smp: starting 1 CPUs through the x2?APIC, start-up code at 0x[0-9a-f]+$",
                   r"^smp: CPU 1: [12] SIPIs?, answered \d+ ticks after the first, its checks "
                   r"took \d+ ticks of its own$",
                   smp_line([0, 1], 2), SMP_STARTUP, POWER_OFF_OK],
        "forbid": FORBID + [r"^smp: CPU \d+ .*left out"],
    },
    {
        # No VMX or SVM at all: the CPUs still come up (and say so at once), none is ready.
        "name": "bios-smp-novirt-qemu",
        "firmware": "bios", "emulator": "qemu", "cpu": "max,-svm", "cpus": 2,
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, r"^virtualization: not available: CPU has neither VMX nor SVM$",
                   smp_line([0, 1], 0, r" \(no hardware virtualization\)"), SMP_STARTUP,
                   POWER_OFF],
        "forbid": FORBID + [r"^smp: CPU \d+ .*left out"],
    },
]
# UEFI: the memory map leaves Shunt a page below 1 MiB for the start-up code on both UEFI
# paths, Shunt's own loader and GRUB's multiboot2.
for default in ("efi", "multiboot2"):
    SCENARIOS.append({
        "name": f"uefi-smp2-{default.replace('efi', 'efiloader')}",
        "firmware": "uefi", "uefi_default": default, "cpus": 2,
        "timeout": OVMF_TIMEOUT,
        "expect": [BANNER, r"^virtualization: ready \(AMD-V\)$", smp_line([0, 1], 2),
                   SMP_STARTUP, POWER_OFF_OK],
    })
# --- Per-CPU scheduling (issue 16, item 3): each vCPU runs on the CPU it was placed on for
# good (cpus=LIST, or spread by load), every CPU ready for VMs runs its own run queue. Two
# compute-bound VMs on two CPUs each run alone (their steal time, the time they waited for
# their CPU, stays under 10% while they run side by side); the same two on one CPU wait about
# half the time, which is what tells the two cases apart.
PINNED_BUSY = "-- ms=200 steal_max_pct=10"
SCENARIOS += [
    {
        "name": "bios-smp2-pinned-bochs",
        "firmware": "bios", "emulator": "bochs", "cpus": 2,
        "modules": [("{build}/guests/busy.elf", f"left.elf cpus=0 {PINNED_BUSY}"),
                    ("{build}/guests/busy.elf", f"right.elf cpus=1 {PINNED_BUSY}")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, smp_line([0, 1], 2), r"^vm left: 1 vCPU on CPU 0$",
                   r"^vm right: 1 vCPU on CPU 1$",
                   summary("left", "stopped", "exit", 0), summary("right", "stopped", "exit", 0),
                   POWER_OFF_OK],
        "expect_any": [r"^\[left\] GUEST-PASS left$", r"^\[right\] GUEST-PASS right$"],
    },
    {
        # The same two VMs made to share CPU 0: each waits for the other.
        "name": "bios-smp2-shared-bochs",
        "firmware": "bios", "emulator": "bochs", "cpus": 2,
        "modules": [("{build}/guests/busy.elf",
                     "left.elf cpus=0 -- ms=200 steal_min_pct=30"),
                    ("{build}/guests/busy.elf",
                     "right.elf cpus=0 -- ms=200 steal_min_pct=30")],
        "timeout": BOCHS_TIMEOUT,
        "expect": [BANNER, smp_line([0, 1], 2), r"^vm left: 1 vCPU on CPU 0$",
                   r"^vm right: 1 vCPU on CPU 0$",
                   summary("left", "stopped", "exit", 0), summary("right", "stopped", "exit", 0),
                   POWER_OFF_OK],
    },
    {
        # Four CPUs on AMD-V, four VMs with no cpus=: spread one to a CPU; a fifth placed after
        # them shares CPU 0 (the least loaded, lowest number). QEMU's CPUs are threads the
        # host schedules (four on CI's two cores): steal time is checked in Bochs only.
        "name": "bios-smp4-spread-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 4,
        "modules": [("{build}/guests/busy.elf", f"b{i}.elf -- ms=200") for i in range(4)] +
                   [("{build}/guests/hello.elf", "hello.elf mem=4M -- demo")],
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, smp_line([0, 1, 2, 3], 4)] +
                  [rf"^vm b{i}: 1 vCPU on CPU {i}$" for i in range(4)] +
                  [r"^vm hello: 1 vCPU on CPU 0$"] +
                  [summary(f"b{i}", "stopped", "exit", 0) for i in range(4)] +
                  [summary("hello", "stopped", "exit", 0), POWER_OFF_OK],
    },
    {
        # cpus= that names no CPU ready for VMs refuses the VM, with the CPUs there are.
        "name": "bios-smp-cpus-refused-qemu",
        "firmware": "bios", "emulator": "qemu", "cpus": 2,
        "modules": [("{build}/guests/hello.elf", "hello.elf name=far cpus=5-6 -- demo"),
                    ("{build}/guests/counter.elf", "counter.elf name=near cpus=1,7")],
        "timeout": SEABIOS_TIMEOUT,
        "expect": [BANNER, smp_line([0, 1], 2),
                   r"^error: vm far: refused: .*cpus=5-6: none of those CPUs can run VMs "
                   r"\(ready: 0-1\)$",
                   r"^warning: vm near: cpus=1,7: only 1 of them can run VMs$",
                   r"^vm near: 1 vCPU on CPU 1$",
                   summary("far", "refused", "refused"), summary("near", "stopped", "exit", 0),
                   POWER_OFF],
        "forbid": [rx for rx in FORBID if rx != r"^error: "] + [r"^error: (?!vm far: )"],
    },
]

# --- Isolation across CPUs (issue 16, item 5): a flooder's storm of throttled hardware calls
# on CPU 0 does not slow a worker on CPU 1 (Bochs runs both CPUs in step: nothing is shared
# but Shunt itself, so the bound is tight), while the flooder is throttled as on one CPU.
SCENARIOS.append({
    "name": "bios-smp2-isolation-bochs",
    "firmware": "bios", "emulator": "bochs", "cpus": 2,
    "modules": [
        ("{build}/guests/flooder.elf",
         "flooder.elf grant=ports:0x2f8-0x2ff:io rate=hw:2000:10 cpus=0"),
        ("{build}/guests/worker.elf", "worker.elf cpus=1 -- bound_pct=115"),
    ],
    "com_files": [2],
    "timeout": BOCHS_TIMEOUT,
    "expect": [BANNER, smp_line([0, 1], 2), r"^vm flooder: 1 vCPU on CPU 0$",
               r"^vm worker: 1 vCPU on CPU 1$",
               summary("flooder", "stopped", "exit", 0), summary("worker", "stopped", "exit", 0),
               POWER_OFF_OK],
    "expect_any": [r"^\[worker\] GUEST-PASS worker$",
                   r"^\[worker\] worker: slowdown in percent \d+$",
                   # Its hardware calls as it counted them; the summary's throttles also count
                   # its YIELDs while it waits alone on its CPU (the "other" class's limit).
                   r"(?ms)^\[flooder\] flooder: ok (\d+) throttled ([1-9]\d*)$.*"
                   r"^summary: vm=flooder .*?^  hw: calls \1, port operations \1, refused 0, "],
    "forbid": GUEST_FORBID,
})

# --- Shunt guests with two vCPUs (issue 16, item 4; ABI 1.5): tests/guests/smp.c has vCPU 0
# check VCPU_START's refusals, start vCPU 1 (which checks its own), both work at once, then
# 100 PV IPIs each way in ping-pong. The guest prints each vCPU's work as PV clock time
# stamps, their overlap, and "parallel" when each vCPU saw the other's progress during its
# own work often enough that only two CPUs at once explain it ("interleaved": one CPU took
# turns). Where Shunt's log places the VM's vCPUs on CPUs 0 and 1 ("vm smp: 2 vCPUs on CPUs
# 0 1") the run must say "parallel" once vCPUs run on the CPU they are placed on:
# SMP_VCPUS_RUN_ON_THEIR_CPUS says whether they do (False while one CPU still runs every
# vCPU; the per-CPU scheduler sets it True). Placed on one CPU (cpus=0) either word passes.
SMP_VCPUS_RUN_ON_THEIR_CPUS = True
SMP_GUEST_WORK = r"^\[smp\] smp: vCPU [01] worked from \d+ to \d+ ns \(PV clock\)$"
SMP_GUEST_OVERLAP = r"^\[smp\] smp: overlap (\d+) ns; progress of the other seen \d+ and \d+ times: "


def smp_guest_ran(placed_apart, strict=True):
    """The regex that ties the guest's verdict to where Shunt placed its vCPUs (strict: apart,
    they must have run at the same time)."""
    if placed_apart and strict and SMP_VCPUS_RUN_ON_THEIR_CPUS:
        return (r"(?s)^vm smp: 2 vCPUs on CPUs 0 1$.*" + SMP_GUEST_OVERLAP.replace(r"(\d+)", r"[1-9]\d*")
                + r"parallel$")
    placed = "0 1" if placed_apart else "0 0"
    return rf"(?s)^vm smp: 2 vCPUs on CPUs {placed}$.*" + SMP_GUEST_OVERLAP + r"(parallel|interleaved)$"


def smp_guest_scenario(name, emulator, cpus, options, ready, cpu=None):
    placed_apart = "cpus=0" not in options
    return {
        "name": name,
        "firmware": "bios", "emulator": emulator, "cpus": cpus,
        **({"cpu": cpu} if cpu else {}),
        "modules": [("{build}/guests/smp.elf", f"smp.elf mem=4M {options} -- ipis=100")],
        "timeout": BOCHS_TIMEOUT if emulator == "bochs" else SEABIOS_TIMEOUT,
        "expect": [BANNER, ready, r"^vm smp: 2 vCPUs on CPUs " + ("0 1" if placed_apart else "0 0") + "$",
                   r"^vm smp: opened ABI 1\.5 ",
                   r"^vm smp: vCPU 1 started by vCPU 0 at 0x[0-9a-f]+$",
                   SMP_GUEST_WORK, SMP_GUEST_WORK, SMP_GUEST_OVERLAP,
                   r"^\[smp\] smp: IPI round trips 100$",
                   r"^\[smp\] GUEST-PASS smp$",
                   summary("smp", "stopped", "exit", 0), POWER_OFF_OK],
        # "parallel" is required in Bochs, which runs its CPUs in step; QEMU's are threads
        # the host runs when it can (two on CI's two loaded cores): there only placement.
        "expect_any": [smp_guest_ran(placed_apart, strict=emulator == "bochs")],
        "forbid": GUEST_FORBID + [r"^vm smp: vCPU 1 could not be started", r"never started"],
    }


SCENARIOS += [
    # One CPU, both vCPUs on it, taking turns: today's case everywhere.
    smp_guest_scenario("bios-smp-guest-bochs", "bochs", 1, "vcpus=2 cpus=0", VTX_READY[-1]),
    # Two CPUs, one vCPU on each (the default spread).
    smp_guest_scenario("bios-smp2-guest-bochs", "bochs", 2, "vcpus=2", VTX_READY[-1]),
    smp_guest_scenario("bios-smp2-guest-svm-qemu", "qemu", 2, "vcpus=2", SVM_READY[-1]),
    # Bochs's AMD model: AMD-V with VMMCALL, on two CPUs.
    smp_guest_scenario("bios-smp2-guest-svm-bochs", "bochs", 2, "vcpus=2", SVM_READY[-1],
                       cpu="ryzen"),
]

# --- A guest hammering hypercalls from both its vCPUs (on CPUs 1 and 0) while the admin
# restarts, stops and starts a Linux VM on CPU 0 (issue 16): every call answered right (a
# progress line each second), then the hammering VM itself stopped mid-flight, Shunt healthy
# (tests/system/api_checks.py hammer_restart). The actions wait for the hammering, so they
# come during it however slow the machine; a Linux VM's reset is bios-linux-smp-reset-*.
HAMMER_RESTART_CHECKS = ["hammering", "linux-restart-2", "linux-up-2", "linux-stop-stopped",
                         "linux-start-3", "linux-up-3", "linux-restart-4", "linux-up-4",
                         "hammering-after-restarts", "hammering-goes-on", "both-vcpus-called",
                         "smp-running", "smp-stop", "linux-stop", "halted", "host-answers"]
SCENARIOS.append({
    "name": "bios-smp2-hammer-restart-svm-qemu",
    "firmware": "bios", "emulator": "qemu", "cpus": 2,
    "cmdline": "on-all-stopped=halt",
    "nic": MGMT_NIC,
    "key_text": open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  "mgmt-test.key")).read(),
    "modules": [("{build}/linux/vmlinux",
                 "vmlinux name=linux mem=128M cpus=0 initrd=initramfs.cpio -- "
                 "console=ttyS0 panic=-1 cryptomgr.notests shunt.idle=600"),
                ("{build}/guests/smp.elf", "smp.elf mem=4M vcpus=2 -- ipis=10 hammer_ms=600000")],
    "files": ["{build}/linux/initramfs.cpio"],
    "memory": 384,
    "timeout": 240,
    "stop": r"^\[smp\] smp: hammering: ",
    "api_test": "hammer_restart",
    "expect": [BANNER, r"^virtualization: ready \(AMD-V\)$", MGMT_DHCP_LINE,
               r"^vm linux: 1 vCPU on CPU 0$", r"^vm smp: 2 vCPUs on CPUs 1 0$",
               r"^mgmt: vm linux stopped by admin", r"^mgmt: vm linux started by admin",
               r"^mgmt: vm linux stopped by admin", r"^mgmt: vm linux started by admin",
               r"^mgmt: vm linux stopped by admin", r"^mgmt: vm linux started by admin",
               r"^mgmt: vm smp stopped by admin", r"^mgmt: vm linux stopped by admin",
               r"^summary: vm=linux state=stopped reason=stopped by admin exit_code=-1$",
               r"^summary: vm=smp state=stopped reason=stopped by admin exit_code=-1$",
               r"^shunt: halted \(exit code 1\)$", MGMT_STAYS_UP],
    "api_expect": [rf"^api: {n}: ok$" for n in HAMMER_RESTART_CHECKS],
    "forbid": [r"GUEST-FAIL", r"(?i)oops", r"^error: ", r"(?i)panic: ", r"FATAL"],
})
