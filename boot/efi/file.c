/*
 * Reading files from the loader's own volume (see file.h): the Simple File System protocol
 * of LoadedImage->DeviceHandle (or of the partition below it), paths from its root.
 */
#include "file.h"

#include <stddef.h>

#include <efilib.h>

#include "console.h"

#define PAGE_SIZE 4096
#define BELOW_4G 0xffffffffull /* highest address AllocateMaxAddress may hand out */
#define READ_CHUNK (4u << 20)  /* some firmware fails single reads of many megabytes */
#define FILE_INFO_SIZE offsetof(EFI_FILE_INFO, FileName)

static UINTN pages_for(UINT64 size)
{
	return size ? (UINTN)((size + PAGE_SIZE - 1) / PAGE_SIZE) : 1;
}

static EFI_STATUS make_path(const struct volume *vol, const char *name, CHAR16 *path, char *shown);

static EFI_STATUS open_root(EFI_HANDLE handle, EFI_FILE_HANDLE *root)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st = BS->HandleProtocol(handle, &FileSystemProtocol, (void **)&fs);

	return EFI_ERROR(st) ? st : fs->OpenVolume(fs, root);
}

/* 1 if the hypervisor image can be opened on the volume whose root is root. */
static int volume_has_hypervisor(struct volume *vol, EFI_FILE_HANDLE root)
{
	CHAR16 path[FILE_PATH_MAX];
	char shown[FILE_PATH_MAX];
	EFI_FILE_HANDLE file;

	if (EFI_ERROR(make_path(vol, FILE_HYPERVISOR, path, shown)) ||
	    EFI_ERROR(root->Open(root, &file, path, EFI_FILE_MODE_READ, 0)))
		return 0;
	file->Close(file);
	return 1;
}

/*
 * Boot managers may start the loader with the whole disk (or CD) as its device, which has
 * no file system itself: GRUB's chainloader does. Then the volume is the partition below
 * that device (a partition, or the El Torito image of a CD) that holds the hypervisor image.
 */
static EFI_STATUS open_partition_below(EFI_HANDLE device, struct volume *vol)
{
	EFI_DEVICE_PATH *dev_path = DevicePathFromHandle(device);
	EFI_HANDLE *handles;
	UINTN count, prefix;
	EFI_STATUS st;

	if (!dev_path)
		return EFI_NOT_FOUND;
	prefix = DevicePathSize(dev_path) - END_DEVICE_PATH_LENGTH;
	st = BS->LocateHandleBuffer(ByProtocol, &FileSystemProtocol, NULL, &count, &handles);
	if (EFI_ERROR(st))
		return st;
	st = EFI_NOT_FOUND;
	for (UINTN i = 0; i < count && EFI_ERROR(st); i++) {
		EFI_DEVICE_PATH *p = DevicePathFromHandle(handles[i]);
		EFI_FILE_HANDLE root;

		if (!p || DevicePathSize(p) <= prefix + END_DEVICE_PATH_LENGTH ||
		    CompareMem(p, dev_path, prefix) != 0 || EFI_ERROR(open_root(handles[i], &root)))
			continue;
		if (volume_has_hypervisor(vol, root)) {
			vol->root = root;
			st = EFI_SUCCESS;
		} else {
			root->Close(root);
		}
	}
	FreePool(handles);
	return st;
}

EFI_STATUS file_open_volume(EFI_HANDLE image, struct volume *vol)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st;

	vol->root = NULL;
	st = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st)) {
		console_error("no LoadedImage protocol on the loader's handle: %s",
			      console_status_name(st));
		return st;
	}
	if (!EFI_ERROR(open_root(li->DeviceHandle, &vol->root)))
		return EFI_SUCCESS;
	vol->root = NULL;
	st = open_partition_below(li->DeviceHandle, vol);
	if (EFI_ERROR(st))
		console_error("the loader's device has no file system (Simple File System "
			      "protocol), and no partition below it holds \\%s: %s",
			      FILE_HYPERVISOR, console_status_name(st));
	return st;
}

void file_close_volume(struct volume *vol)
{
	if (vol->root)
		vol->root->Close(vol->root);
	vol->root = NULL;
}

/* path = \<name> in UCS-2 ('/' turned into '\'), shown = the same in ASCII for messages. */
static EFI_STATUS make_path(const struct volume *vol, const char *name, CHAR16 *path, char *shown)
{
	size_t len = 0;

	(void)vol;
	path[len++] = L'\\';
	for (const char *p = name; *p; p++) {
		if (len + 1 >= FILE_PATH_MAX)
			return EFI_BUFFER_TOO_SMALL;
		path[len++] = *p == '/' ? L'\\' : (CHAR16)(unsigned char)*p;
	}
	path[len] = 0;
	for (size_t i = 0; i <= len; i++)
		shown[i] = path[i] < 0x80 ? (char)path[i] : '?';
	return EFI_SUCCESS;
}

static EFI_STATUS file_size(EFI_FILE_HANDLE fh, const char *shown, UINT64 *size)
{
	/* Room for the info and a file name as long as any path we open; UINT64 aligns it. */
	UINT64 info_buf[(FILE_INFO_SIZE + FILE_PATH_MAX * sizeof(CHAR16)) / 8 + 1];
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	UINTN info_size = sizeof(info_buf);
	EFI_STATUS st;

	st = fh->GetInfo(fh, &GenericFileInfo, &info_size, info);
	if (EFI_ERROR(st)) {
		console_error("can not get the size of %s: %s", shown, console_status_name(st));
		return st;
	}
	if (info->Attribute & EFI_FILE_DIRECTORY) {
		console_error("%s is a directory, not a file", shown);
		return EFI_UNSUPPORTED;
	}
	*size = info->FileSize;
	return EFI_SUCCESS;
}

static EFI_STATUS read_all(EFI_FILE_HANDLE fh, const char *shown, UINT8 *buf, UINT64 size)
{
	UINT64 done = 0;
	EFI_STATUS st;

	while (done < size) {
		UINTN chunk = size - done < READ_CHUNK ? (UINTN)(size - done) : READ_CHUNK;

		st = fh->Read(fh, &chunk, buf + done);
		if (EFI_ERROR(st)) {
			console_error("reading %s failed at byte %llu of %llu: %s", shown,
				      (unsigned long long)done, (unsigned long long)size,
				      console_status_name(st));
			return st;
		}
		if (chunk == 0) {
			console_error("%s ended after %llu of its %llu bytes", shown,
				      (unsigned long long)done, (unsigned long long)size);
			return EFI_END_OF_FILE;
		}
		done += chunk;
	}
	return EFI_SUCCESS;
}

EFI_STATUS file_read(struct volume *vol, const char *name, int optional, void **data, UINT64 *size)
{
	CHAR16 path[FILE_PATH_MAX];
	char shown[FILE_PATH_MAX];
	EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
	EFI_FILE_HANDLE fh;
	EFI_STATUS st;

	st = make_path(vol, name, path, shown);
	if (EFI_ERROR(st)) {
		console_error("path \\%s is longer than %u characters", name, FILE_PATH_MAX - 1);
		return st;
	}
	st = vol->root->Open(vol->root, &fh, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		if (!(optional && st == EFI_NOT_FOUND))
			console_error("can not open %s: %s", shown, console_status_name(st));
		return st;
	}
	st = file_size(fh, shown, size);
	if (EFI_ERROR(st))
		goto out_close;
	st = BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages_for(*size), &addr);
	if (EFI_ERROR(st)) {
		console_error("no memory below 4 GiB for %s (%llu bytes): %s", shown,
			      (unsigned long long)*size, console_status_name(st));
		goto out_close;
	}
	st = read_all(fh, shown, (UINT8 *)(UINTN)addr, *size);
	if (EFI_ERROR(st)) {
		BS->FreePages(addr, pages_for(*size));
		goto out_close;
	}
	*data = (void *)(UINTN)addr;
out_close:
	fh->Close(fh);
	return st;
}

void file_free(void *data, UINT64 size)
{
	if (data)
		BS->FreePages((EFI_PHYSICAL_ADDRESS)(UINTN)data, pages_for(size));
}
