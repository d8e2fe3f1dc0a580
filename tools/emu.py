# Starts Shunt's image in an emulator: Bochs (emulates VT-x; legacy BIOS), QEMU with OVMF (UEFI)
# or SeaBIOS (emulates AMD-V), or QEMU on KVM with nested VT-x or AMD-V when the host allows
# it. Used by tools/run (by hand) and tests/system/run-all (headless, time-bounded, serial output to a file).
"""Emulator launchers for Shunt.

A `Machine` says what to boot; `plan()` turns it into a command line and the files it needs
(in a per-run temporary directory); `Run` starts it, optionally copies the serial output to a
stream, stops it on a timeout or when a pattern appears in the serial output, and cleans up.

How the image is attached (`Machine.disk`, `Machine.usb`): as a CD (the default; the hybrid
ISO only), as a raw hard disk (Bochs: an ATA disk, from a sparse copy padded to whole cylinders;
QEMU: with snapshot=on) or as a USB stick (QEMU only: usb-storage on an xHCI controller, also
with snapshot=on). So a run never changes the image, unless `Machine.writable` (QEMU) says so.

Devices a guest may be given directly (Shunt's pass-through), both off unless asked for:
  com_files  {port: file} for COM2 (I/O 0x2F8), COM3 (0x3E8) and COM4 (0x2E8), 16550 UARTs whose
             output goes to the file; COM1 (`serial`) is always there and is Shunt's console.
  pci_vga    Bochs: a PCI VGA card (1234:1111 with VBE; BAR0 is its linear framebuffer) instead
             of the ISA one. QEMU's machine has that card already; it is then asked for by name.
  pci_serial QEMU: {"file": F, "slot": N}: a PCI 16550 (pci-serial, 1b36:0002, BAR0 I/O) at
             00:N.0, its output going to F (for Shunt's console=pci:00:N.0).

A network card (`Machine.nic`, default none: QEMU gets `-nic none`, not its machine's default
NIC), {"model": M, "mac": "52:54:00:..", "slot": N, "wire": (PEER, LOCAL), "hostfwd": PORT}:
QEMU `-device M`
(e1000, e1000e, rtl8139, ...) at 00:N.0 on user networking (slirp: DHCP, gateway 10.0.2.2);
with "wire" QEMU's hub also carries every frame to and from UDP port PEER on 127.0.0.1
(QEMU's socket netdev listens on LOCAL), so that a test can be another host on that network
without root; with "hostfwd" TCP port PORT of 127.0.0.1 is forwarded to port 80 of the
machine's DHCP address (Shunt's management API; Bochs too, through its slirp's config
file). Bochs: model e1000 only, on its slirp (`ethmod=slirp`), no wire.

With `serial_input` (Bochs, QEMU) COM1 is a pseudo-terminal the caller holds instead of a
file: what the machine writes is still copied to `serial` as it comes, and `Run.send(BYTES)`
types into it; `Run.wait(inputs=[(regex, bytes), ...])` types each text once its regex
matches the serial output (after the previous one's match), a byte at a time. `Run.attach()`
connects the terminal to it both ways instead (tools/run --interactive).

With `monitor` (QEMU, headless) the QEMU monitor listens on that Unix socket, and
`Run.monitor(COMMAND)` runs a command there (e.g. `screendump FILE`, `pmemsave ADDR SIZE FILE`);
`Run.wait(at_stop=...)` calls its argument before it ends the emulator on a stop pattern.

Choosing the emulator (`Machine.emulator`, `Machine.accel`):
  bios  -> Bochs 2.7 (the only emulator here that emulates VT-x), or QEMU+SeaBIOS on request
           or for a USB stick
  uefi  -> QEMU + OVMF (QEMU's TCG, `-cpu max`, emulates AMD-V: Shunt's SVM backend runs)
  With accel "auto" (the default), QEMU on KVM with `-cpu host,+vmx` (Intel) or `-cpu host,+svm`
  (AMD) is used for either firmware when /dev/kvm opens, answers the KVM API, the host CPU has
  vmx or svm, and kvm_intel or kvm_amd allows nested virtualisation; `kvm_status()` says why it
  is or is not used. An explicit Bochs request wins.

The emulator's exit status means nothing (Bochs exits 1 whatever happened): callers judge a run
by its serial output only.
"""

import fcntl
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

BOCHS_SHARE = "/usr/share/bochs"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
BOCHS_TIME0 = 946681200  # 2000-01-01: with `clock: sync=none` runs are repeatable
CYLINDER = 16 * 63 * 512  # bytes per cylinder of the geometry Bochs is given for a disk
KVM_GET_API_VERSION = 0xAE00  # _IO(KVMIO, 0x00)
KVM_CREATE_VM = 0xAE01        # _IO(KVMIO, 0x01)
KVM_API_VERSION = 12
COM_PORTS = {2: 0x2F8, 3: 0x3E8, 4: 0x2E8}  # the extra UARTs Machine.com_files may name


class EmuError(Exception):
    """A run can not be set up (missing firmware, bad combination of options, ...)."""


class Machine:
    """What to boot and how. Fields may be set by keyword."""

    def __init__(self, image, firmware="bios", disk=False, emulator=None, accel="auto",
                 memory_mib=256, cpus=1, serial=None, headless=True, emulator_log=None,
                 com_files=None, pci_vga=False, usb=False, writable=False, monitor=None,
                 pci_serial=None, serial_input=False, kernel=None, nic=None,
                 cpu=None, icount=None):
        self.image = image            # an image from tools/mkimage: hybrid ISO or USB stick
        self.firmware = firmware      # "bios" | "uefi"
        self.disk = disk              # False: boot it as a CD; True: as a raw hard disk
        self.usb = usb                # True: as a USB stick (QEMU: usb-storage on xHCI)
        self.writable = writable      # True: QEMU writes to the image (default: it never does)
        self.emulator = emulator      # None (choose), "bochs" or "qemu"
        self.accel = accel            # "auto" | "kvm" | "tcg"
        self.memory_mib = memory_mib
        self.cpus = cpus
        self.serial = serial          # file for COM1 output; None: a temporary file
        self.headless = headless      # False: QEMU's serial and monitor on the terminal
        self.emulator_log = emulator_log  # file for the emulator's own messages, or None
        self.com_files = dict(com_files or {})  # {2|3|4: file} extra UARTs, output to the file
        self.pci_vga = pci_vga        # True: a PCI VGA card with a framebuffer BAR (Bochs)
        self.monitor = monitor        # QEMU: True (or a Unix socket path) for a monitor
        self.pci_serial = pci_serial  # QEMU: {"file": F, "slot": N} a PCI 16550, or None
        self.serial_input = serial_input  # True: COM1 is a pty (Run.send, Run.attach)
        self.serial_pty = None        # set by Run: the pty's slave path when serial_input
        # QEMU: (kernel, initrd, command line) booted directly, no image and no Shunt (a
        # machine without Shunt, for what a guest does there); image is then ignored.
        self.kernel = kernel
        self.nic = nic                # a network card (see above), or None
        # The CPU model: Bochs's `cpu: model=` (default corei7_skylake_x, VT-x; ryzen has
        # AMD-V) or QEMU's TCG `-cpu` (default max, AMD-V with NPT; "max,-svm" has neither).
        self.cpu = cpu
        # QEMU's TCG: its clocks from the instructions run (`-icount ICOUNT`, e.g.
        # "shift=3,sleep=off") instead of the host's real time, as Bochs's are; None: real time.
        self.icount = icount


def _host_cpu_virt():
    """"vmx", "svm" or None: what hardware virtualization the host CPU shows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return "vmx" if "vmx" in flags else "svm" if "svm" in flags else None
    except OSError:
        pass
    return None


def kvm_status():
    """(usable, reason): whether QEMU can run Shunt on KVM with VT-x or AMD-V exposed to it."""
    if not os.path.exists("/dev/kvm"):
        return False, "no /dev/kvm"
    virt = _host_cpu_virt()
    if not virt:
        return False, "the host CPU has neither the vmx nor the svm flag"
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return False, f"can not open /dev/kvm ({e.strerror})"
    try:
        version = fcntl.ioctl(fd, KVM_GET_API_VERSION)
        if version != KVM_API_VERSION:
            return False, f"/dev/kvm speaks KVM API {version}, not {KVM_API_VERSION}"
        os.close(fcntl.ioctl(fd, KVM_CREATE_VM, 0))  # some /dev/kvm run only their own guests
    except OSError as e:
        return False, f"/dev/kvm can not create a VM ({e.strerror})"
    finally:
        os.close(fd)
    module, what = ("kvm_intel", "VT-x") if virt == "vmx" else ("kvm_amd", "AMD-V")
    nested = f"/sys/module/{module}/parameters/nested"
    try:
        with open(nested) as f:
            if f.read().strip() not in ("Y", "y", "1"):
                return False, f"nested {what} is off ({nested}; modprobe {module} nested=1)"
    except OSError:
        return False, f"{module} is not loaded"
    if not shutil.which("qemu-system-x86_64"):
        return False, "qemu-system-x86_64 not installed"
    return True, f"KVM with nested {what}"


def choose(machine):
    """Fill in machine.emulator and machine.accel; returns a one-line explanation."""
    if machine.firmware not in ("bios", "uefi"):
        raise EmuError(f"unknown firmware {machine.firmware!r} (bios or uefi)")
    if machine.emulator not in (None, "bochs", "qemu"):
        raise EmuError(f"unknown emulator {machine.emulator!r} (bochs or qemu)")
    if machine.accel not in ("auto", "kvm", "tcg"):
        raise EmuError(f"unknown accelerator {machine.accel!r} (auto, kvm or tcg)")
    if machine.emulator == "bochs":
        if machine.firmware == "uefi":
            raise EmuError("Bochs has no UEFI firmware here: use --emulator qemu for uefi")
        if machine.accel == "kvm":
            raise EmuError("Bochs can not use KVM")
        machine.accel = "tcg"
        return "Bochs, legacy BIOS, VT-x emulated"

    usable, why = kvm_status() if machine.accel != "tcg" else (False, "not asked for")
    if machine.accel == "kvm" and not usable:
        raise EmuError(f"KVM requested but not usable: {why}")
    fw = "OVMF (UEFI)" if machine.firmware == "uefi" else "SeaBIOS"
    if usable:
        machine.emulator, machine.accel = "qemu", "kvm"
        what = "VT-x (-cpu host,+vmx)" if _host_cpu_virt() == "vmx" else "AMD-V (-cpu host,+svm)"
        return f"QEMU on KVM, {fw}, {what} from the host"
    machine.accel = "tcg"
    if machine.emulator is None:
        machine.emulator = "bochs" if machine.firmware == "bios" and not machine.usb else "qemu"
    if machine.emulator == "bochs":
        return f"Bochs, legacy BIOS, VT-x emulated (KVM not used: {why})"
    return f"QEMU TCG, {fw}, AMD-V emulated (KVM not used: {why})"


def _need_file(path, what):
    if not os.path.isfile(path):
        raise EmuError(f"{what} {path} not found (run tools/install-deps)")


def _need_tool(name):
    if not shutil.which(name):
        raise EmuError(f"{name} not found (run tools/install-deps)")


def _sparse_copy(src, dst):
    """Copies src to dst with its holes left holes (a USB stick image is mostly empty)."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        pos = 0
        while pos < size:
            try:
                data = os.lseek(fin.fileno(), pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only a hole is left
                break
            hole = os.lseek(fin.fileno(), data, os.SEEK_HOLE)
            fin.seek(data)
            fout.seek(data)
            left = hole - data
            while left:
                chunk = fin.read(min(left, 1 << 20))
                fout.write(chunk)
                left -= len(chunk)
            pos = hole
        fout.truncate(size)


def _disk_copy(image, workdir):
    """Bochs writes to disk images and wants whole cylinders: boot a padded copy."""
    size = os.path.getsize(image)
    cylinders = -(-size // CYLINDER)
    if cylinders > 16383:
        raise EmuError(f"{image} is too big for an ATA disk geometry ({size} bytes)")
    copy = os.path.join(workdir, "disk.img")
    _sparse_copy(image, copy)
    os.truncate(copy, cylinders * CYLINDER)
    return copy, cylinders


def _bochs_plan(m, workdir):
    if m.usb:
        raise EmuError("Bochs' BIOS boots no USB stick: boot the image with --disk there "
                       "(the same bytes as an ATA disk), or use QEMU for --usb")
    if m.writable:
        raise EmuError("Bochs boots a copy of a disk image: --writable is for QEMU")
    _need_tool("bochs")
    bios = os.path.join(BOCHS_SHARE, "BIOS-bochs-latest")
    vgabios = os.path.join(BOCHS_SHARE, "VGABIOS-lgpl-latest")
    _need_file(bios, "Bochs BIOS")
    _need_file(vgabios, "Bochs VGA BIOS")
    image = os.path.abspath(m.image)
    if m.disk:
        path, cyl = _disk_copy(image, workdir)
        drive = (f"ata0-master: type=disk, path=\"{path}\", mode=flat, cylinders={cyl}, "
                 "heads=16, spt=63, translation=lba")
        boot = "disk"
    else:
        drive = f"ata0-slave: type=cdrom, path=\"{image}\", status=inserted"
        boot = "cdrom"
    log = os.path.join(workdir, "bochs.log")  # appended to machine.emulator_log at the end
    cpu = (f"model={m.cpu or 'corei7_skylake_x'}, count={m.cpus}, ips=50000000, "
           "reset_on_triple_fault=0, ignore_bad_msrs=1")
    devices = "".join(f'com{port}: enabled=1, mode=file, dev="{path}"\n'
                      for port, path in sorted(m.com_files.items()))
    panic = "fatal"
    slots = []
    if m.pci_vga:
        # The card replaces the ISA VGA; with the VBE extension its BAR0 is the framebuffer.
        slots.append("pcivga")
        devices += "vga: extension=vbe\n"
    if m.nic:
        if m.nic["model"] != "e1000" or m.nic.get("wire"):
            raise EmuError("Bochs has an e1000 on its own slirp only")
        slots.append("e1000")
        script = ""
        if m.nic.get("hostfwd"):  # Bochs's slirp reads its port forwards from a file
            script = os.path.join(workdir, "slirp.conf")
            with open(script, "w") as f:
                f.write(f"# slirp config\nhostfwd = tcp:127.0.0.1:{m.nic['hostfwd']}-:80\n")
        devices += (f"e1000: enabled=1, mac={m.nic.get('mac', '52:54:00:12:34:56')}, "
                    f"ethmod=slirp, script=\"{script}\"\n")
    if slots:
        devices += ("pci: enabled=1, chipset=i440fx, "
                    + ", ".join(f"slot{i + 1}={d}" for i, d in enumerate(slots)) + "\n")
    if m.pci_vga:
        # The rfb display shows 8-bit modes only and panics on a guest's 16- or 32-bit VBE
        # mode; nobody watches it, so that panic is only reported and the run goes on.
        panic += ", rfb=report"
    if m.serial_pty:  # Bochs reads and writes the terminal itself, raw
        com1 = f'com1: enabled=1, mode=term, dev="{m.serial_pty}"'
    else:
        com1 = f'com1: enabled=1, mode=file, dev="{m.serial}"'
    rc = f"""# Written by tools/emu.py for one run.
megs: {m.memory_mib}
cpu: {cpu}
romimage: file={bios}
vgaromimage: file={vgabios}
{drive}
boot: {boot}
{com1}
{devices}port_e9_hack: enabled=1
clock: sync=none, time0={BOCHS_TIME0}
display_library: rfb, options="timeout=0"
speaker: enabled=0
mouse: enabled=0
log: {log}
panic: action={panic}
"""
    rcfile, dbgfile = os.path.join(workdir, "bochsrc"), os.path.join(workdir, "bochs.dbg")
    with open(rcfile, "w") as f:
        f.write(rc)
    # Debian's Bochs has its debugger built in and stops before the first instruction.
    with open(dbgfile, "w") as f:
        f.write("c\nquit\n")
    return ["bochs", "-q", "-f", rcfile, "-rc", dbgfile]


def _q(path):
    """A path inside a QEMU option list, where a comma is written twice."""
    return path.replace(",", ",,")


def _qemu_plan(m, workdir):
    _need_tool("qemu-system-x86_64")
    image = _q(os.path.abspath(m.image))
    argv = ["qemu-system-x86_64", "-machine", "q35", "-m", str(m.memory_mib),
            "-smp", str(m.cpus), "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if m.accel == "kvm":
        argv += ["-enable-kvm", "-cpu", "host,+vmx" if _host_cpu_virt() == "vmx" else "host,+svm"]
    else:
        argv += ["-cpu", m.cpu or "max"]
        if m.icount:
            argv += ["-icount", m.icount]
    if m.firmware == "uefi":
        _need_file(OVMF_CODE, "OVMF firmware")
        _need_file(OVMF_VARS, "OVMF variable store")
        # A fresh variable store per run: a used one has a changed boot order.
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_copy)
        argv += ["-drive", f"if=pflash,format=raw,readonly=on,file={_q(OVMF_CODE)}",
                 "-drive", f"if=pflash,format=raw,file={_q(vars_copy)}"]
    # snapshot=on: the guest's writes go to a temporary file, never to the image.
    snapshot = "off" if m.writable else "on"
    if m.kernel:
        kernel, initrd, append = m.kernel
        argv += ["-kernel", kernel, "-initrd", initrd, "-append", append]
    elif m.usb:
        # A stick on a USB 3 controller, first in the boot order: SeaBIOS and OVMF both boot
        # from xHCI mass storage (UEFI from \EFI\BOOT\BOOTX64.EFI on removable media).
        argv += ["-device", "qemu-xhci,id=xhci",
                 "-drive", f"if=none,id=stick,format=raw,snapshot={snapshot},file={image}",
                 "-device", "usb-storage,bus=xhci.0,drive=stick,removable=on,bootindex=0"]
    elif m.disk:
        argv += ["-drive", f"format=raw,media=disk,snapshot={snapshot},file={image}"]
    else:
        argv += ["-drive", f"format=raw,media=cdrom,readonly=on,file={image}"]
    if m.headless:
        monitor = f"unix:{_q(m.monitor)},server=on,wait=off" if m.monitor else "none"
        com1 = (f"tty,id=com1,path={_q(m.serial_pty)}" if m.serial_pty
                else f"file,id=com1,path={_q(m.serial)}")
        argv += ["-display", "none", "-monitor", monitor, "-parallel", "none",
                 "-chardev", com1, "-serial", "chardev:com1"]
    else:
        # Serial and monitor share the terminal (Ctrl-A X quits, Ctrl-A C is the monitor);
        # the serial output is also logged.
        argv += ["-nographic", "-chardev", f"stdio,id=term,mux=on,logfile={_q(m.serial)}",
                 "-serial", "chardev:term", "-mon", "chardev=term,mode=readline",
                 "-parallel", "none"]
    # QEMU gives the -serial options COM1, COM2, ... in order: a gap is a disconnected UART.
    for port in range(2, max(m.com_files, default=1) + 1):
        if port in m.com_files:
            argv += ["-chardev", f"file,id=com{port},path={_q(m.com_files[port])}",
                     "-serial", f"chardev:com{port}"]
        else:
            argv += ["-serial", "null"]
    if m.pci_vga:
        argv += ["-vga", "std"]  # QEMU's default card already is one: say so explicitly
    if m.pci_serial:
        argv += ["-chardev", f"file,id=pciser,path={_q(m.pci_serial['file'])}",
                 "-device", f"pci-serial,chardev=pciser,addr={m.pci_serial['slot']:#x}.0"]
    argv += _qemu_nic(m.nic)
    return argv


def _qemu_nic(nic):
    if not nic:
        return ["-nic", "none"]
    device = f"{nic['model']},netdev=nic0,mac={nic.get('mac', '52:54:00:12:34:56')}"
    if "slot" in nic:
        device += f",addr={nic['slot']:#x}.0"
    # hostfwd: a TCP port of 127.0.0.1 forwarded to Shunt's port 80 (its management API).
    fwd = f",hostfwd=tcp:127.0.0.1:{nic['hostfwd']}-:80" if nic.get("hostfwd") else ""
    if not nic.get("wire"):
        return ["-netdev", f"user,id=nic0{fwd}", "-device", device]
    peer, local = nic["wire"]
    # One hub: the card, slirp and a UDP socket all see every frame.
    return ["-netdev", "hubport,id=nic0,hubid=0", "-device", device,
            "-netdev", f"user,id=slirp0{fwd}", "-netdev", "hubport,id=hub1,hubid=0,netdev=slirp0",
            "-netdev", f"socket,id=wire0,udp=127.0.0.1:{peer},localaddr=127.0.0.1:{local}",
            "-netdev", "hubport,id=hub2,hubid=0,netdev=wire0"]


def plan(machine, workdir):
    """The command line for machine (choose() must have run); writes its files to workdir."""
    if machine.kernel:
        if machine.emulator == "bochs" or machine.firmware != "bios":
            raise EmuError("a kernel booted directly is QEMU's only, with its BIOS")
        for path in machine.kernel[:2]:
            _need_file(path, "kernel or initrd")
    elif not os.path.isfile(machine.image):
        raise EmuError(f"image {machine.image} not found")
    bad = sorted(set(machine.com_files) - set(COM_PORTS), key=str)
    if bad:
        raise EmuError(f"no serial port COM{bad[0]} (extra ports: COM2, COM3, COM4)")
    if machine.emulator == "bochs":
        if machine.monitor or machine.pci_serial:
            raise EmuError("a monitor socket and a PCI serial port are QEMU's only")
        return _bochs_plan(machine, workdir)
    return _qemu_plan(machine, workdir)


class Result:
    def __init__(self, reason, elapsed, returncode):
        self.reason = reason          # "exited", "timeout", "stopped" (pattern) or "interrupted"
        self.elapsed = elapsed        # seconds from start to the end of the emulator
        self.returncode = returncode  # for information only


class Run:
    """One emulator run; use as a context manager so that the temporary files go away."""

    def __init__(self, machine):
        self.machine = machine
        self.proc = None
        self.explanation = choose(machine)
        self.workdir = tempfile.mkdtemp(prefix="shunt-emu.")
        try:
            if machine.serial is None:
                machine.serial = os.path.join(self.workdir, "serial.log")
            machine.serial = os.path.abspath(machine.serial)
            if machine.monitor is True:  # short: a Unix socket path holds 107 bytes at most
                machine.monitor = os.path.join(self.workdir, "monitor.sock")
            machine.com_files = {port: os.path.abspath(path)
                                 for port, path in machine.com_files.items()}
            self.pty_master = None
            if machine.serial_input:
                if not machine.headless:
                    raise EmuError("serial input is for headless runs")
                self.pty_master, slave = os.openpty()
                tty.setraw(slave)  # bytes as they are, both ways
                machine.serial_pty = os.ttyname(slave)
                self.pty_slave = slave  # held open: the master reads nothing but EIO without
                self.copier = None
            self.argv = plan(machine, self.workdir)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self._keep_bochs_log()
        if self.pty_master is not None:
            if self.copier is not None:
                self.copier.join(timeout=2)
            os.close(self.pty_master)
            os.close(self.pty_slave)
            self.pty_master = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _copy_serial(self, echo=None):
        """COM1's pty to the serial log file (and to echo), until the emulator is gone."""
        with open(self.machine.serial, "ab", buffering=0) as log:
            while True:
                ready, _, _ = select.select([self.pty_master], [], [], 0.1)
                if ready:
                    try:
                        data = os.read(self.pty_master, 4096)
                    except OSError:
                        data = b""
                    if data:
                        log.write(data)
                        if echo is not None:
                            echo.write(data)
                            echo.flush()
                        continue
                if self.proc is None or self.proc.poll() is not None:
                    return

    def send(self, data, pace=0.02):
        """Types data into COM1 (serial_input), a byte every pace seconds, as a person would:
        the emulated UART takes what comes at its own speed."""
        for i in range(len(data)):
            os.write(self.pty_master, data[i:i + 1])
            time.sleep(pace)

    QUIT_KEY = b"\x1d"  # Ctrl-]: ends an attached run (as telnet's escape)

    def attach(self, timeout=None):
        """Connects this terminal to COM1 (serial_input) both ways until the emulator ends,
        Ctrl-] is typed or timeout seconds pass: keys go in raw (Ctrl-C too: it belongs to
        the machine), output comes out and is logged. Returns the emulator's exit status."""
        if self.proc is None:
            self.start(copy_to=sys.stdout.buffer)
        deadline = None if timeout is None else self.started + timeout
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
        try:
            if saved is not None:
                tty.setraw(fd)
            while self.proc.poll() is None:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                ready, _, _ = select.select([fd], [], [], 0.1)
                if ready:
                    data = os.read(fd, 1024)
                    if not data or self.QUIT_KEY in data:
                        break
                    os.write(self.pty_master, data)
        finally:
            if saved is not None:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        self.stop()
        return self.proc.returncode

    def _keep_bochs_log(self):
        log = os.path.join(self.workdir, "bochs.log")
        if self.machine.emulator_log and os.path.exists(log):
            with open(log, "rb") as src, open(self.machine.emulator_log, "ab") as dst:
                dst.write(b"\n--- Bochs log ---\n")
                shutil.copyfileobj(src, dst)

    def emulator_output(self, lines=20):
        """The last lines the emulator printed (not the serial output), for error reports."""
        path = self.machine.emulator_log or os.path.join(self.workdir, "emulator.out")
        try:
            with open(path, "rb") as f:
                f.seek(max(0, os.path.getsize(path) - 16384))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip("\n").split("\n")[-lines:])

    def start(self, copy_to=None):
        for path in [self.machine.serial] + list(self.machine.com_files.values()):
            open(path, "wb").close()  # truncate: each log is this run's only
        interactive = not self.machine.headless and self.machine.emulator == "qemu"
        if self.machine.emulator_log:
            out = open(self.machine.emulator_log, "ab")
        else:
            out = open(os.path.join(self.workdir, "emulator.out"), "wb")
        with out:
            self.started = time.monotonic()
            self.proc = subprocess.Popen(
                self.argv, cwd=self.workdir,
                stdin=None if interactive else subprocess.DEVNULL,
                stdout=None if interactive else out, stderr=None if interactive else out,
                start_new_session=not interactive)
        if self.pty_master is not None:
            self.copier = threading.Thread(target=self._copy_serial, args=(copy_to,),
                                           daemon=True)
            self.copier.start()

    def stop(self):
        """End the emulator (and anything it started) if it still runs."""
        p = self.proc
        if p is None or p.poll() is not None:
            return
        for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
            try:
                if p.pid == os.getpgid(p.pid):
                    os.killpg(p.pid, sig)
                else:
                    p.send_signal(sig)
            except ProcessLookupError:
                return
            try:
                p.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def monitor(self, command, timeout=10.0):
        """Runs one QEMU monitor command (Machine.monitor must be set); returns its output."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(self.machine.monitor)
            self._monitor_read(sock)  # the greeting, up to the first prompt
            sock.sendall(command.encode() + b"\n")
            return self._monitor_read(sock)

    @staticmethod
    def _monitor_read(sock):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return clean_serial(data)

    def wait(self, timeout=None, stop_patterns=(), echo=None, poll=0.1, at_stop=None,
             inputs=()):
        """Run until the emulator exits, `timeout` seconds pass, or one of `stop_patterns`
        (compiled regexes) matches the serial output as cleaned by clean_serial(); copy the
        output to `echo` (a binary stream) as it comes. On a stop pattern, `at_stop(self)`
        runs while the emulator still does. `inputs` [(compiled regex, bytes)] are typed
        into COM1 (serial_input) in order, each when its regex matches the output after the
        previous one's match. Returns a Result."""
        if self.proc is None:
            self.start()
        deadline = None if timeout is None else self.started + timeout
        pos, text, reason = 0, "", None
        script, seen, seen_pos = list(inputs), "", 0
        try:
            while reason is None:
                exited = self.proc.poll() is not None
                chunk = self._read_serial(pos)
                pos += len(chunk)
                if chunk and echo is not None:
                    echo.write(chunk)
                    echo.flush()
                if script and chunk:
                    seen += clean_serial(chunk)
                    while script:
                        m = script[0][0].search(seen, seen_pos)
                        if not m:
                            break
                        seen_pos = m.end()
                        self.send(script.pop(0)[1])
                if stop_patterns and chunk:
                    text = text[-4096:] + clean_serial(chunk)
                    if any(p.search(text) for p in stop_patterns):
                        reason = "stopped"
                        time.sleep(poll)  # let the last line finish
                        self._drain(pos, echo)
                        if at_stop is not None:
                            at_stop(self)
                        break
                if exited:
                    reason = "exited"
                elif deadline is not None and time.monotonic() >= deadline:
                    reason = "timeout"
                else:
                    time.sleep(poll)
        except KeyboardInterrupt:
            reason = "interrupted"
        elapsed = time.monotonic() - self.started
        self.stop()
        return Result(reason, elapsed, self.proc.returncode)

    def _read_serial(self, pos):
        try:
            with open(self.machine.serial, "rb") as f:
                f.seek(pos)
                return f.read()
        except OSError:
            return b""

    def _drain(self, pos, echo):
        rest = self._read_serial(pos)
        if rest and echo is not None:
            echo.write(rest)
            echo.flush()


_ANSI = re.compile(r"\x1b(\[[0-9;?=]*[A-Za-z]|[()][A-Za-z0-9]|[=>cDEHM78])")


def clean_serial(data):
    """Serial bytes as text lines without firmware escape sequences and carriage returns."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return _ANSI.sub("", text).replace("\r", "")


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: handled like Ctrl-C, so that emulators and files go."""


def _terminate(signum, frame):
    raise Terminated(signal.Signals(signum).name)


def handle_termination():
    """Make SIGTERM and SIGHUP unwind like Ctrl-C (call once, from the main thread): the
    emulators run in their own sessions and would otherwise outlive their parent."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)


def main_die(prog, msg):
    sys.stderr.write(f"{prog}: {msg}\n")
    sys.exit(2)
