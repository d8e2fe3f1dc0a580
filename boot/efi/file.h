/*
 * Files on the volume the loader was started from, found relative to the loader's own
 * directory (the directory of LoadedImage->FilePath, e.g. \EFI\SHUNT for \EFI\SHUNT\BOOTX64.EFI).
 */
#ifndef BOOT_EFI_FILE_H
#define BOOT_EFI_FILE_H

#include <efi.h>

#define FILE_PATH_MAX 260 /* characters in a full path, NUL included */

struct volume {
	EFI_FILE_HANDLE root;
	CHAR16 dir[FILE_PATH_MAX];    /* "\EFI\SHUNT", or "" for the root directory */
	char dir_name[FILE_PATH_MAX]; /* the same in ASCII, for messages */
};

/* Opens the loader's volume and works out its directory. Prints the reason on failure. */
EFI_STATUS file_open_volume(EFI_HANDLE image, struct volume *vol);
void file_close_volume(struct volume *vol);

/*
 * Reads <dir>\<name> (ASCII; '/' works as a separator) whole into EfiLoaderData pages below
 * 4 GiB, and returns them in *data (page aligned) and the file's length in *size. Prints the
 * reason on failure, except EFI_NOT_FOUND when the file is optional.
 */
EFI_STATUS file_read(struct volume *vol, const char *name, int optional, void **data, UINT64 *size);

/* Gives back what file_read() returned. */
void file_free(void *data, UINT64 size);

#endif
