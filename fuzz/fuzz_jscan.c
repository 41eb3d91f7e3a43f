// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the trace reader's JSON scanner (format/jscan.h).
 * The input is one line, as the reader hands it over: NUL-terminated,
 * JSCAN_PAD bytes after it, NUL bytes inside allowed. A scan must stay in
 * the line and, as the reader promises, accept exactly the arrays and
 * objects jansson accepts, but for integers of 2^63 to 2^64-1, which only
 * it accepts, and for a NUL byte, which only jansson sometimes skips.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether LINE is one JSON value; what the scan gives stays in it. */
static bool scan(char *line, size_t size)
{
	struct jp j = {.p = line, .end = line + size};
	struct jv v;
	bool ok;

	jp_ws(&j);
	ok = jp_value(&j, &v);
	if (!ok && (!j.why || j.at < line || j.at > line + size))
		abort(); /* a failure says why and where */
	if (j.p < line || j.p > line + size)
		abort();
	if (ok && v.kind == JV_STRING &&
	    (v.s < line || v.s + v.len > line + size || v.s[v.len]))
		abort();
	if (ok)
		jp_ws(&j);
	return ok && j.p == j.end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1 + JSCAN_PAD);
	json_error_t je;
	json_t *doc;
	bool ours;
	size_t i;

	if (!line)
		abort();
	memcpy(line, data, size);
	memset(line + size, 0, 1 + JSCAN_PAD);
	ours = scan(line, size);
	free(line);
	/*
	 * A NUL byte is never JSON; jansson skips one after a number or a
	 * literal ("[1\0]" is [1] to it), the scanner does not.
	 */
	if (memchr(data, '\0', size)) {
		if (ours)
			abort();
		return 0;
	}
	/* records are objects: compare arrays and objects only */
	for (i = 0; i < size && strchr(" \t\r\n", data[i]); i++)
		;
	if (i == size || (data[i] != '{' && data[i] != '['))
		return 0;
	doc = json_loadb((const char *)data, size, 0, &je);
	json_decref(doc);
	if (ours != (doc != NULL) &&
	    !(ours && strstr(je.text, "too big integer")))
		abort();
	return 0;
}
