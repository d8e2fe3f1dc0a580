# The USB stick image for tools/mkimage: an MBR disk with one FAT32 partition that holds the
# staged files, GRUB's BIOS boot code in the MBR and the gap before the partition, and GRUB for
# UEFI as \EFI\BOOT\BOOTX64.EFI. Regular files only: no loop device, no mount, no root; the
# partition is made and filled with mtools at its offset in the image (IMAGE@@OFFSET).
"""Disk layout (sectors of 512 bytes):
  LBA 0          MBR: boot.img's code (bytes 0-439), disk signature, one partition entry
  LBA 1..        core.img (grub-mkimage -O i386-pc): diskboot.img, which reads the rest of
                 core.img from LBA 2 on (its blocklist, filled by grub-mkimage), then GRUB
  LBA 2048..end  the FAT32 partition, type 0x0C (LBA), active

Both GRUB images carry the same early config: find the FAT volume by its serial number
(`search --fs-uuid`), which mkimage derives from the image's contents, and read the menu from
($root)/boot/grub. The module directories GRUB loads the rest from are copied there, as
grub-install does.
"""

import os
import struct
import subprocess

SECTOR = 512
PART_START = 2048                # LBA of the partition: 1 MiB, the usual alignment
HEADS, SPT = 255, 63             # the CHS geometry written into the MBR and the FAT's BPB
FAT32_MIN_CLUSTERS = 65525       # fewer and every FAT driver takes it for FAT16 (FAT spec)
MAX_SECTORS = 0xFFFFFFFF         # an MBR counts sectors in 32 bits
GRUB_LIB = "/usr/lib/grub"

# GRUB 2.06 boot.S and diskboot.S, the fields grub-bios-setup writes.
BOOT_KERNEL_SECTOR = 0x5C        # boot.img: LBA of core.img's first sector, 8 bytes
BOOT_DRIVE_CHECK = 0x66          # boot.img: a jmp that skips the fix for BIOSes passing a bad DL
MBR_CODE_END = 440               # boot.img's code; the disk signature and table follow
DISKBOOT_LIST = SECTOR - 12      # diskboot.img: blocklist (start 8, length 2, segment 2 bytes)

# What each GRUB image needs before it can read the partition's /boot/grub.
CORE_MODULES = {"i386-pc": ["biosdisk", "part_msdos", "fat", "search"],
                "x86_64-efi": ["part_msdos", "fat", "search"]}


class StickError(Exception):
    """The image can not be made as asked (too small, a tool failed, ...)."""


def run(argv, env):
    res = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    if res.returncode != 0:
        raise StickError(f"{' '.join(argv[:3])} ... failed (status {res.returncode}):\n"
                         + res.stdout.strip())
    return res.stdout


def cluster_sectors(part_sectors):
    """Sectors per cluster for a FAT32 volume of that size, as Microsoft's table has it."""
    size = part_sectors * SECTOR
    for limit, sectors in ((260 << 20, 1), (8 << 30, 8), (16 << 30, 16), (32 << 30, 32)):
        if size <= limit:
            return sectors
    return 64


def fat32_clusters(part_sectors, per_cluster, reserved=32):
    """Data clusters of a FAT32 volume with two FATs (the FATs' size solved by iteration)."""
    fat = 1
    while True:
        clusters = (part_sectors - reserved - 2 * fat) // per_cluster
        need = -(-(clusters + 2) * 4 // SECTOR)
        if need <= fat:
            return clusters
        fat = need


def min_size():
    """The smallest image (bytes, whole MiB) whose partition is still a FAT32 volume."""
    mib = 1 << 20
    size = 2 * mib
    while fat32_clusters(size // SECTOR - PART_START, 1) < FAT32_MIN_CLUSTERS + 64:
        size += mib
    return size


def check_size(size):
    """Refuses a size that can not be an MBR disk with a FAT32 partition from 1 MiB on."""
    if size % SECTOR:
        raise StickError(f"--size {size}: not a whole number of {SECTOR}-byte sectors")
    if size // SECTOR > MAX_SECTORS:
        raise StickError(f"--size {size >> 30}G: an MBR disk holds at most 2 TiB")
    if size < min_size():
        raise StickError(f"--size {size / (1 << 20):g}M is too small: a FAT32 partition needs "
                         f"at least {FAT32_MIN_CLUSTERS} clusters, so the image needs at least "
                         f"{min_size() >> 20}M")


def clusters_needed(tree, cluster):
    """Clusters the files and directories of tree take on a FAT volume."""
    need = 0
    for top, dirs, files in os.walk(tree):
        entries = len(dirs) + len(files) + 2
        need += -(-entries * 3 * 32 // cluster)  # a long name takes up to 3 entries here
        need += sum(-(-os.path.getsize(os.path.join(top, f)) // cluster) for f in files)
    return need


def fits(size, tree):
    """Whether tree fits in a stick of size bytes, with 5% to spare."""
    part = size // SECTOR - PART_START
    per = cluster_sectors(part)
    return clusters_needed(tree, per * SECTOR) <= fat32_clusters(part, per) * 0.95


def check_room(size, tree):
    """Refuses a size whose FAT32 volume can not hold the files of tree."""
    if fits(size, tree):
        return
    mib = size >> 20
    while not fits(mib << 20, tree):
        mib += 1
    raise StickError(f"--size {size / (1 << 20):g}M is too small for these files: "
                     f"they need --size {mib}M or more")


def chs(lba):
    """The 3 CHS bytes of an MBR entry; past what CHS can say, the usual 1023/254/63."""
    c, rest = divmod(lba, HEADS * SPT)
    h, s = divmod(rest, SPT)
    if c > 1023:
        c, h, s = 1023, 254, 62
    return bytes([h, ((c >> 2) & 0xC0) | (s + 1), c & 0xFF])


def mbr(boot_img, serial, total_sectors):
    """Sector 0: GRUB's boot code, pointed at core.img in LBA 1, and the partition table."""
    code = bytearray(boot_img[:MBR_CODE_END])
    struct.pack_into("<Q", code, BOOT_KERNEL_SECTOR, 1)
    # As grub-bios-setup does for a hard disk: always fix a boot drive outside 0x80-0x8f.
    code[BOOT_DRIVE_CHECK:BOOT_DRIVE_CHECK + 2] = b"\x90\x90"
    last = total_sectors - 1
    entry = (bytes([0x80]) + chs(PART_START) + bytes([0x0C]) + chs(last)
             + struct.pack("<II", PART_START, total_sectors - PART_START))
    return bytes(code) + struct.pack("<IH", serial, 0) + entry + bytes(48) + b"\x55\xaa"


def grub_images(work, early_cfg, env):
    """core.img for BIOS and BOOTX64.EFI for UEFI, both with early_cfg embedded."""
    cfg = os.path.join(work, "early.cfg")
    with open(cfg, "w") as f:
        f.write(early_cfg)
    out = {}
    for platform, name in (("i386-pc", "core.img"), ("x86_64-efi", "BOOTX64.EFI")):
        path = os.path.join(work, name)
        run(["grub-mkimage", "-O", platform, "-d", os.path.join(GRUB_LIB, platform),
             "-o", path, "-c", cfg, "-p", "/boot/grub"] + CORE_MODULES[platform], env)
        out[platform] = path
    with open(out["i386-pc"], "rb") as f:
        core = f.read()
    start, length = struct.unpack_from("<QH", core, DISKBOOT_LIST)
    rest = -(-(len(core) - SECTOR) // SECTOR)
    if start != 2 or length != rest:
        raise StickError(f"core.img's blocklist reads {length} sectors from LBA {start}, not "
                         f"{rest} from LBA 2: grub-mkimage's layout changed?")
    if 1 + rest >= PART_START:
        raise StickError(f"core.img is {len(core)} bytes: more than the gap before the "
                         "partition holds")
    return core, out["x86_64-efi"]


def grub_module_dirs(tree):
    """/boot/grub/<platform>/ as grub-install fills it: the modules and their lists."""
    for platform in CORE_MODULES:
        src, dst = os.path.join(GRUB_LIB, platform), os.path.join(tree, "boot", "grub", platform)
        os.makedirs(dst, exist_ok=True)
        for name in sorted(os.listdir(src)):
            if name.endswith((".mod", ".lst")):
                with open(os.path.join(src, name), "rb") as s, \
                        open(os.path.join(dst, name), "wb") as d:
                    d.write(s.read())


def fill_fat(image, tree, size, serial, env):
    """Makes the FAT32 file system of the partition and copies tree into it."""
    target = f"{image}@@{PART_START * SECTOR}"
    part = size // SECTOR - PART_START
    run(["mformat", "-i", target, "-F", "-T", str(part), "-h", str(HEADS), "-s", str(SPT),
         "-H", str(PART_START), "-c", str(cluster_sectors(part)), "-N", f"{serial:08x}",
         "-v", "SHUNT", "::"], env)
    with open(image, "r+b") as f:
        # The BPB's drive number says "hard disk" (0x80), as other systems' FAT32 tools write
        # it, in the boot sector and its backup (sector 6).
        for sector in (0, 6):
            f.seek((PART_START + sector) * SECTOR + 0x40)
            f.write(b"\x80")
        f.seek(PART_START * SECTOR)
        bpb = f.read(SECTOR)
    per, reserved, fats = bpb[13], *struct.unpack_from("<HB", bpb, 14)
    fat_len, = struct.unpack_from("<I", bpb, 36)
    clusters = (part - reserved - fats * fat_len) // per
    if clusters < FAT32_MIN_CLUSTERS:
        raise StickError(f"mformat made a FAT32 volume of {clusters} clusters only")
    dirs, files = [], {}
    for top, subdirs, names in os.walk(tree):
        subdirs.sort()
        rel = os.path.relpath(top, tree).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        if rel:
            dirs.append("::/" + rel)
        files[rel] = [os.path.join(top, n) for n in sorted(names)]
    if dirs:
        run(["mmd", "-i", target] + dirs, env)
    for rel, paths in files.items():
        if paths:
            try:
                run(["mcopy", "-m", "-i", target] + paths + [f"::/{rel}/".replace("//", "/")],
                    env)
            except StickError as e:
                if "Disk full" in str(e):
                    raise StickError(f"the files do not fit in {size >> 20}M: give a bigger "
                                     "--size") from None
                raise


def build(out, tree, size, serial, work, env):
    """Writes the stick image to out (a new sparse file of size bytes) from the staged tree,
    whose FAT volume gets serial; returns the early config GRUB starts with."""
    uuid = f"{serial >> 16:04x}-{serial & 0xFFFF:04x}"  # as GRUB's FAT driver spells it
    # GRUB runs it before its normal mode: simple commands only, no comments.
    early = (f"search --no-floppy --fs-uuid --set=root {uuid}\n"
             f"set prefix=($root)/boot/grub\n")
    grub_module_dirs(tree)
    core, grub_efi = grub_images(work, early, env)
    boot = os.path.join(tree, "EFI", "BOOT")
    os.makedirs(boot, exist_ok=True)
    os.replace(grub_efi, os.path.join(boot, "BOOTX64.EFI"))
    epoch = int(env["SOURCE_DATE_EPOCH"])
    for top, dirs, files in os.walk(tree):
        for name in dirs + files:
            os.utime(os.path.join(top, name), (epoch, epoch))
    check_size(size)
    check_room(size, tree)
    with open(out, "wb") as f:
        f.truncate(size)
    with open(os.path.join(GRUB_LIB, "i386-pc", "boot.img"), "rb") as f:
        boot_img = f.read()
    with open(out, "r+b") as f:
        f.write(mbr(boot_img, serial, size // SECTOR))
        f.write(core + bytes(-len(core) % SECTOR))
    fill_fat(out, tree, size, serial, env)
    return early
