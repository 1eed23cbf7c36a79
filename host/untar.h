/*
 * untar.h: a tar stream (POSIX ustar, as busybox tar writes it) unpacked
 * into a directory: regular files and directories only, each name checked
 * (no absolute path, no "..", no other kind of entry), each header's
 * checksum checked, the end-of-archive blocks required. make test-kvm's L1
 * carries its run directory back to the host so (cmd_nested.c).
 */
#ifndef LAB_UNTAR_H
#define LAB_UNTAR_H

#include <stddef.h>

/* Unpacks data[0..len) under dir (made if need be). 0, or -1 with why
 * (malloc'd, one line) in *err; what was written before an error stays. */
int untar(const char *data, size_t len, const char *dir, char **err);

#endif
