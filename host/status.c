/* status.c: see status.h. */
#define _GNU_SOURCE
#include "status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab_ports.h"
#include "util.h"

const struct port_file arm64_ports[ARM64_NPORTS] = {
	{ "ktap", LAB_PORT_KTAP, LAB_FILE_KTAP },
	{ "rows", LAB_PORT_ROWS, LAB_FILE_ROWS },
	{ "facts", LAB_PORT_FACTS, LAB_FILE_FACTS },
	{ "status", LAB_PORT_STATUS, LAB_FILE_STATUS },
};

/* The size of dir/file, or -1. */
static long long file_size(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	struct stat st;
	long long size = stat(path, &st) ? -1 : (long long)st.st_size;

	free(path);
	return size;
}

void status_line_read(const char *dir, struct boot_result *r)
{
	char *path = xasprintf("%s/status.json", dir);
	size_t len = 0;
	char *text = read_file(path, &len);
	json_t *j = NULL;
	json_error_t jerr;
	json_int_t status, bytes[3];

	r->outcome = OUTCOME_NO_STATUS;
	if (!text || !len) {
		snprintf(r->reason, sizeof(r->reason),
			 "QEMU exited with 0 and no status from the guest (%s is %s)",
			 path, text ? "empty" : "missing");
		goto out;
	}
	if (text[len - 1] != '\n' || memchr(text, '\n', len - 1) ||
	    memchr(text, '\0', len - 1) ||
	    !(j = json_loadb(text, len - 1, JSON_REJECT_DUPLICATES, &jerr)) ||
	    json_unpack_ex(j, &jerr, JSON_STRICT, "{s:I, s:{s:I, s:I, s:I}}",
			   "status", &status, "bytes", "ktap", &bytes[0],
			   "rows", &bytes[1], "facts", &bytes[2]) ||
	    status < 0 || status > 255 || bytes[0] < 0 || bytes[1] < 0 || bytes[2] < 0) {
		snprintf(r->reason, sizeof(r->reason),
			 "the guest's status line is malformed (%s: want one line {\"status\":0-255,\"bytes\":{\"ktap\":N,\"rows\":N,\"facts\":N}}, N >= 0)",
			 path);
		goto out;
	}
	for (size_t i = 0; i < 3; i++) {
		long long have = file_size(dir, arm64_ports[i].file);

		if (have != (long long)bytes[i]) {
			r->outcome = OUTCOME_LOST;
			snprintf(r->reason, sizeof(r->reason),
				 "the guest sent %lld bytes on %s, the host has %lld in %s: output lost",
				 (long long)bytes[i], arm64_ports[i].port, have,
				 arm64_ports[i].file);
			goto out;
		}
	}
	r->guest_status = (int)status;
	r->outcome = status ? OUTCOME_FAILED : OUTCOME_OK;
	if (status)
		snprintf(r->reason, sizeof(r->reason),
			 "the guest said status %d: a step failed", (int)status);
out:
	json_decref(j);
	free(text);
	free(path);
}
