/*
 * Files on the volume the loader was started from, named from its root: the boot medium's
 * layout (README.md, "The boot medium") puts the loader in \EFI\SHUNT and everything it
 * reads elsewhere on the same volume.
 */
#ifndef BOOT_EFI_FILE_H
#define BOOT_EFI_FILE_H

#include <efi.h>

#define FILE_PATH_MAX 260 /* characters in a full path, NUL included */

/* The files a boot medium holds for the loader, from the volume's root. */
#define FILE_HYPERVISOR "boot/shunt/shunt.elf"
#define FILE_CONFIG "shunt.cfg"
#define FILE_KEY "shunt.key"	     /* the management key, when there is one */
#define FILE_KEY_MODULE "/shunt.key" /* its module's name: hv/net/auth.h's AUTH_KEY_NAME */
#define FILE_GUEST_DIR "guests/"

struct volume {
	EFI_FILE_HANDLE root;
};

/* Opens the loader's volume. Prints the reason on failure. */
EFI_STATUS file_open_volume(EFI_HANDLE image, struct volume *vol);
void file_close_volume(struct volume *vol);

/*
 * Reads \<name> (ASCII; '/' works as a separator) whole into EfiLoaderData pages below
 * 4 GiB, and returns them in *data (page aligned) and the file's length in *size. Prints the
 * reason on failure, except EFI_NOT_FOUND when the file is optional.
 */
EFI_STATUS file_read(struct volume *vol, const char *name, int optional, void **data, UINT64 *size);

/* Gives back what file_read() returned. */
void file_free(void *data, UINT64 size);

#endif
