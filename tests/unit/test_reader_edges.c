// SPDX-License-Identifier: MIT
/*
 * The native trace reader, one record at a time: a table of well-formed
 * records, each field kind with every value the reader tells apart
 * (wrong kinds, names and numbers, absent leaders, duplicate keys, keys
 * in odd orders), each with the event it must give, as the writer
 * writes it back; and of the records it must skip or refuse, each with
 * its exact "FILE:LINE: reason".
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "jsonw.h"
#include "reader.h"
#include "util.h"
#include "writer.h"

#define HEADER                                                                 \
	"{\"type\":\"header\",\"format\":\"fsrace-trace\",\"version\":1}\n"

/* a syscall record's frame, then its fields and the closing brace */
#define SC(name)                                                               \
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,"                 \
	"\"syscall\":\"" name "\","
/* what the writer writes for that frame (no timestamps given: 0) */
#define SC_OUT(name)                                                           \
	"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,"                 \
	"\"ts_enter\":0,\"ts_exit\":0,\"syscall\":\"" name "\""
#define EXIT "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,"
#define EXIT_OUT "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0"
#define FORK "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,"
#define FORK_OUT "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0"

static char tmpdir[] = "/tmp/fsrace-reader-edges-XXXXXX";
static char path[64];

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/t.jsonl", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

static void write_file(const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

/*
 * RECORD alone on line 2 must give WANT: the event as the writer writes
 * it, "skip" for a record skipped (and counted), or "error: REASON" for
 * the error "FILE:2: REASON".
 */
struct row {
	const char *record, *want;
};

static void check_rows(const struct row *rows, size_t n)
{
	bool print = getenv("PRINT") != NULL;
	struct jsonw w;
	int bad = 0;

	jsonw_init(&w);
	for (size_t i = 0; i < n; i++) {
		struct trace_reader r;
		struct event ev;
		char err[512], got[4096];
		size_t len = strlen(HEADER) + strlen(rows[i].record) + 2;
		char *file = xmalloc(len);
		int ret;

		snprintf(file, len, "%s%s\n", HEADER, rows[i].record);
		write_file(file, strlen(file));
		free(file);
		assert_int_equal(trace_reader_open(&r, path, err, sizeof(err)),
				 0);
		ret = trace_reader_next(&r, &ev, err, sizeof(err));
		if (ret == 1) {
			/* the writer needs a parent's path: show its absence */
			if (ev.parent.valid && !ev.parent.path)
				ev.parent.path = "(none)";
			if (ev.parent2.valid && !ev.parent2.path)
				ev.parent2.path = "(none)";
			jsonw_reset(&w);
			event_to_json(&w, &ev);
			snprintf(got, sizeof(got), "%.*s", (int)w.len, w.buf);
			ret = trace_reader_next(&r, &ev, err, sizeof(err));
			if (ret != 0)
				snprintf(got, sizeof(got), "more: %d", ret);
		} else if (ret == 0) {
			snprintf(got, sizeof(got),
				 r.skipped == 1 ? "skip" : "skip?");
		} else {
			size_t p = strlen(path);

			if (ret == -EINVAL && !strncmp(err, path, p) &&
			    !strncmp(err + p, ":2: ", 4))
				snprintf(got, sizeof(got), "error: %s",
					 err + p + 4);
			else
				snprintf(got, sizeof(got), "%d %s", ret, err);
		}
		trace_reader_close(&r);
		if (print) {
			printf("%s\n  => %s\n", rows[i].record, got);
		} else if (strcmp(got, rows[i].want)) {
			printf("# row %zu: %s\n#  want %s\n#  got  %s\n", i,
			       rows[i].record, rows[i].want, got);
			bad++;
		}
	}
	jsonw_release(&w);
	assert_int_equal(bad, 0);
}

static const struct row syscall_rows[] = {

	/* the frame: timestamps, duplicates (the last wins), order, space */
	{SC("close") "\"ts\":5}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":5,"
	 "\"ts_exit\":5,\"syscall\":\"close\"}"},
	{SC("close") "\"ts\":5,\"ts_enter\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":3,"
	 "\"ts_exit\":5,\"syscall\":\"close\"}"},
	{SC("close") "\"ts\":5,\"ts_exit\":9}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":5,"
	 "\"ts_exit\":9,\"syscall\":\"close\"}"},
	{SC("close") "\"ts_enter\":3,\"ts_exit\":4,\"ts\":5}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":3,"
	 "\"ts_exit\":4,\"syscall\":\"close\"}"},
	{SC("close") "\"ts\":\"5\",\"ts_enter\":1.5,\"ts_exit\":null}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\"}"},
	{SC("close") "\"pid\":1,\"tid\":2,\"seq\":3,\"pid\":4}",
	 "{\"type\":\"syscall\",\"seq\":3,\"pid\":4,\"tid\":2,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\"}"},
	{"{\"tid\":8,\"syscall\":\"close\",\"seq\":1,\"pid\":7,\"type\":"
	 "\"syscall\",\"fd\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}"},
	{" { \"type\" : \"syscall\" , \"seq\" : 1 , \"pid\" : 7 , \"tid\" : 8 ,"
	 " \"syscall\" : \"close\" , \"fd\" : 3 } ",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}"},
	{"{\"type\":\"syscall\",\"seq\":18446744073709551615,\"pid\":-1,"
	 "\"tid\":2147483647,\"syscall\":\"close\"}",
	 "{\"type\":\"syscall\",\"seq\":18446744073709551615,\"pid\":-1,"
	 "\"tid\":2147483647,\"ts_enter\":0,\"ts_exit\":0,\"syscall\":"
	 "\"close\"}"},
	{"{\"t\\u0079pe\":\"sys\\u0063all\",\"seq\":1,\"pid\":7,\"tid\":8,"
	 "\"syscall\":\"cl\\u006fse\",\"\\u0066d\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}"},
	/* leaders and members */
	{SC("openat") "\"dirfd\":-100,\"dirfd_path\":\"/d\",\"path\":\"a\","
		      "\"abspath\":\"/d/a\",\"flags\":[]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"dirfd\":-100,\"dirfd_path\":"
	 "\"/d\",\"path\":\"a\",\"abspath\":\"/d/"
	 "a\",\"flags\":[\"O_RDONLY\"]}"},
	{SC("openat") "\"dirfd\":\"-100\",\"dirfd_path\":\"/d\",\"path\":\"a\","
		      "\"flags\":[]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"path\":\"a\",\"flags\":[\"O_"
	 "RDONLY\"]}"},
	{SC("openat") "\"dirfd_path\":\"/d\",\"abspath\":\"/d/a\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\"}"},
	{SC("openat") "\"dirfd\":3,\"dirfd_path\":4,\"path\":null,"
		      "\"abspath\":\"/x\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"dirfd\":3}"},
	{SC("openat") "\"path\":\"a\",\"abspath\":[\"/x\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"path\":\"a\"}"},
	{SC("renameat2") "\"dirfd\":1,\"dirfd_path\":\"/1\",\"path\":\"a\","
			 "\"abspath\":\"/1/a\",\"dirfd2\":2,\"dirfd2_path\":\"/"
			 "2\","
			 "\"path2\":\"b\",\"abspath2\":\"/2/"
			 "b\",\"flags\":[\"RENAME_NOREPLACE\","
			 "\"RENAME_WHITEOUT\"],\"ret\":0}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"renameat2\",\"dirfd\":1,\"dirfd_path\":"
	 "\"/1\",\"path\":\"a\",\"abspath\":\"/1/"
	 "a\",\"dirfd2\":2,\"dirfd2_path\":\"/"
	 "2\",\"path2\":\"b\",\"abspath2\":\"/2/"
	 "b\",\"flags\":[\"RENAME_NOREPLACE\",\"RENAME_WHITEOUT\"],\"ret\":0}"},
	{SC("renameat2") "\"dirfd2_path\":\"/2\",\"abspath2\":\"/2/b\","
			 "\"path2\":7}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"renameat2\"}"},
	{SC("dup3") "\"fd\":3,\"fd_path\":\"/f\",\"fd2\":4,\"fd2_path\":\"/g\","
		    "\"flags\":[\"O_CLOEXEC\"],\"ret\":4}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"dup3\",\"fd\":3,\"fd_path\":\"/"
	 "f\",\"fd2\":4,\"fd2_path\":\"/"
	 "g\",\"flags\":[\"O_CLOEXEC\"],\"ret\":4}"},
	{SC("dup3") "\"fd_path\":\"/f\",\"fd2_path\":\"/g\",\"fd\":true,"
		    "\"fd2\":1e3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"dup3\"}"},
	/* flags: names, hex, each set of names its syscall takes */
	{SC("openat") "\"flags\":[\"O_WRONLY\",\"O_CREAT\",\"O_EXCL\","
		      "\"O_NOFOLLOW\",\"O_CLOEXEC\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":[\"O_WRONLY\",\"O_"
	 "CREAT\",\"O_EXCL\",\"O_NOFOLLOW\",\"O_CLOEXEC\"]}"},
	{SC("openat") "\"flags\":[\"O_RDWR\",\"0x40000000\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":[\"O_RDWR\","
	 "\"0x40000000\"]}"},
	{SC("linkat") "\"flags\":[\"AT_SYMLINK_FOLLOW\",\"AT_EMPTY_PATH\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"linkat\",\"flags\":[\"AT_SYMLINK_"
	 "FOLLOW\",\"AT_EMPTY_PATH\"]}"},
	{SC("openat2") "\"flags\":[\"O_RDONLY\"],\"mode\":0,\"resolve\":"
		       "[\"RESOLVE_NO_SYMLINKS\",\"RESOLVE_BENEATH\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat2\",\"flags\":[\"O_RDONLY\"],"
	 "\"mode\":0,\"resolve\":[\"RESOLVE_NO_SYMLINKS\",\"RESOLVE_BENEATH\"]"
	 "}"},
	{SC("faccessat2") "\"path\":\"p\",\"access\":[\"R_OK\",\"X_OK\"],"
			  "\"flags\":[\"AT_EACCESS\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"faccessat2\",\"path\":\"p\",\"flags\":["
	 "\"AT_EACCESS\"],\"access\":[\"R_OK\",\"X_OK\"]}"},
	{SC("faccessat2") "\"path\":\"p\",\"access\":[]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"faccessat2\",\"path\":\"p\",\"access\":["
	 "\"F_OK\"]}"},
	{SC("openat") "\"flags\":[\"O_RDONLY\",\"O_FROB\"]}",
	 "error: unknown flag or errno name"},
	{SC("openat") "\"flags\":[null]}", "error: unknown flag or errno name"},
	{SC("openat") "\"flags\":{}}", "error: unknown flag or errno name"},
	{SC("openat") "\"flags\":[\"AT_SYMLINK_FOLLOW\"]}",
	 "error: unknown flag or errno name"},
	{SC("faccessat2") "\"access\":\"R_OK\"}",
	 "error: unknown flag or errno name"},
	{SC("faccessat2") "\"access\":[\"R_OK\",\"O_RDONLY\"]}",
	 "error: unknown flag or errno name"},
	{SC("openat2") "\"resolve\":[\"RESOLVE_FROB\"]}",
	 "error: unknown flag or errno name"},
	{SC("openat2") "\"resolve\":[1]}", "error: unknown flag or errno name"},
	/* integers of each width */
	{SC("openat") "\"mode\":420}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"mode\":420}"},
	{SC("openat") "\"mode\":-1}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"mode\":4294967295}"},
	{SC("openat") "\"mode\":4294967296}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"mode\":0}"},
	{SC("openat") "\"mode\":\"0644\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\"}"},
	{SC("fchownat") "\"uid\":-1,\"gid\":4294967296}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fchownat\",\"uid\":-1,\"gid\":"
	 "4294967296}"},
	{SC("fchownat") "\"gid\":5}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fchownat\"}"},
	{SC("fchownat") "\"uid\":5,\"gid\":\"6\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fchownat\",\"uid\":5,\"gid\":0}"},
	{SC("ftruncate") "\"fd\":3,\"length\":9223372036854775807}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"ftruncate\",\"fd\":3,\"length\":"
	 "9223372036854775807}"},
	{SC("ftruncate") "\"length\":false}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"ftruncate\"}"},
	{SC("close") "\"fd\":2147483648}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":-2147483648}"},
	/* fcntl commands: a name, a number, what is neither */
	{SC("fcntl") "\"fd\":3,\"cmd\":\"F_SETFD\",\"arg\":1}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"fd\":3,\"cmd\":\"F_SETFD\","
	 "\"arg\":1}"},
	{SC("fcntl") "\"fd\":3,\"cmd\":\"F_SETFL\",\"arg\":2048}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"fd\":3,\"cmd\":-22,\"arg\":"
	 "2048}"},
	{SC("fcntl") "\"fd\":3,\"cmd\":1030,\"arg\":-1}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"fd\":3,\"cmd\":\"F_DUPFD_"
	 "CLOEXEC\",\"arg\":-1}"},
	{SC("fcntl") "\"cmd\":\"F_FROB\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"cmd\":-22,\"arg\":0}"},
	{SC("fcntl") "\"cmd\":null,\"arg\":5}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"cmd\":\"F_DUPFD\",\"arg\":5}"},
	{SC("fcntl") "\"arg\":5}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\"}"},
	{SC("fcntl") "\"cmd\":4,\"arg\":\"x\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"fcntl\",\"cmd\":4,\"arg\":0}"},
	/* strings */
	{SC("setxattr") "\"path\":\"p\",\"xattr\":\"user.a\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"setxattr\",\"path\":\"p\",\"xattr\":"
	 "\"user.a\"}"},
	{SC("symlinkat") "\"target\":\"t\\n\\u00e9\",\"path\":\"l\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"symlinkat\",\"path\":\"l\",\"target\":"
	 "\"t\\n\xc3\xa9\"}"},
	{SC("setxattr") "\"xattr\":1,\"target\":null}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"setxattr\"}"},
	{SC("openat") "\"ret\":3,\"ret_path\":\"/r\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"ret\":3,\"ret_path\":\"/r\"}"},
	{SC("openat") "\"ret_path\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\"}"},
	/* argv */
	{SC("execve") "\"path\":\"/bin/x\",\"argv\":[\"x\",\"-a\",\"\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"path\":\"/bin/"
	 "x\",\"argv\":[\"x\",\"-a\",\"\"]}"},
	{SC("execve") "\"argv\":[\"x\",1,null,[\"y\"],{\"z\":1},\"w\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"argv\":[\"x\",\"\",\"\",\"\","
	 "\"\",\"w\"]}"},
	{SC("execve") "\"argv\":[]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"argv\":[]}"},
	{SC("execve") "\"argv\":\"x\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"argv\":[]}"},
	{SC("execve") "\"argv\":[\"a\"],\"argv\":[\"b\",\"c\"]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"argv\":[\"b\",\"c\"]}"},
	{SC("clone") "\"old_tid\":9}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"clone\",\"old_tid\":9}"},
	{SC("clone") "\"old_tid\":\"9\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"clone\"}"},
	/* ret and errno */
	{SC("unlink") "\"path\":\"u\",\"ret\":-1,\"errno\":\"ENOENT\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\",\"path\":\"u\",\"ret\":-1,"
	 "\"errno\":\"ENOENT\"}"},
	{SC("unlink") "\"ret\":-1,\"errno\":13}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1,\"errno\":"
	 "\"EACCES\"}"},
	/* an errno name no table here has: kept as a name (issue 12) */
	{SC("unlink") "\"ret\":-1,\"errno\":\"EFROB\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1,\"errno\":"
	 "\"EFROB\"}"},
	{SC("unlink") "\"ret\":-1,\"errno\":\"efrob\"}",
	 "error: unknown flag or errno name"},
	{SC("unlink") "\"ret\":-1,\"errno\":-2}",
	 "error: unknown flag or errno name"},
	/* a failure with no errno has none */
	{SC("unlink") "\"ret\":-1,\"errno\":null}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1}"},
	{SC("unlink") "\"errno\":\"ENOENT\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\"}"},
	{SC("unlink") "\"ret\":\"0\",\"errno\":\"EFROB\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\"}"},
	{SC("unlink") "\"ret\":0,\"errno\":\"ENOENT\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":0}"},
	/* stat, parent, creds */
	{SC("newfstatat") "\"stat\":{\"dev\":1,\"ino\":2,\"mode\":33188,"
			  "\"nlink\":3,\"uid\":4,\"gid\":5,\"size\":6}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\":{\"dev\":1,\"ino\":"
	 "2,\"mode\":33188,\"nlink\":3,\"uid\":4,\"gid\":5,\"size\":6}}"},
	{SC("newfstatat") "\"stat\":{\"size\":-6,\"gid\":5,\"uid\":4,"
			  "\"nlink\":18446744073709551615,\"mode\":16877,"
			  "\"ino\":2,\"dev\":1}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\":{\"dev\":1,\"ino\":"
	 "2,\"mode\":16877,\"nlink\":18446744073709551615,\"uid\":4,\"gid\":5,"
	 "\"size\":-6}}"},
	{SC("newfstatat") "\"stat\":{}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\":{\"dev\":0,\"ino\":"
	 "0,\"mode\":0,\"nlink\":0,\"uid\":0,\"gid\":0,\"size\":0}}"},
	{SC("newfstatat") "\"stat\":{\"dev\":\"1\",\"ino\":2.5,\"mode\":null,"
			  "\"nlink\":true,\"uid\":[1],\"gid\":{\"a\":1},"
			  "\"size\":-0,"
			  "\"path\":\"/p\",\"zz\":1,\"euid\":2}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\":{\"dev\":0,\"ino\":"
	 "0,\"mode\":0,\"nlink\":0,\"uid\":0,\"gid\":0,\"size\":0}}"},
	{SC("newfstatat") "\"stat\":{\"ino\":1,\"ino\":2}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\":{\"dev\":0,\"ino\":"
	 "2,\"mode\":0,\"nlink\":0,\"uid\":0,\"gid\":0,\"size\":0}}"},
	{SC("newfstatat") "\"stat\":[1]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\"}"},
	{SC("newfstatat") "\"stat\":{\"ino\":1},\"stat\":null}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"newfstatat\"}"},
	{SC("unlinkat") "\"parent\":{\"path\":\"/d\",\"uid\":1000,"
			"\"mode\":17407},\"parent2\":{\"mode\":1,\"uid\":2,"
			"\"path\":\"/e\"}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlinkat\",\"parent\":{\"path\":\"/"
	 "d\",\"uid\":1000,\"mode\":17407},\"parent2\":{\"path\":\"/"
	 "e\",\"uid\":2,\"mode\":1}}"},
	{SC("unlinkat") "\"parent\":{\"uid\":\"1\",\"mode\":2,\"dev\":3,"
			"\"path\":\"/d\",\"secure\":true}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlinkat\",\"parent\":{\"path\":\"/"
	 "d\",\"uid\":0,\"mode\":2}}"},
	{SC("unlinkat") "\"parent\":{},\"parent2\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"unlinkat\",\"parent\":{\"path\":\"(none)"
	 "\",\"uid\":0,\"mode\":0}}"},
	{SC("execve") "\"creds\":{\"uid\":1,\"euid\":0,\"secure\":true}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"creds\":{\"uid\":1,\"euid\":0,"
	 "\"secure\":true}}"},
	{SC("execve") "\"creds\":{\"secure\":1,\"euid\":\"0\",\"uid\":2,"
		      "\"mode\":4,\"path\":\"x\"}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"creds\":{\"uid\":2,\"euid\":0,"
	 "\"secure\":false}}"},
	{SC("execve") "\"creds\":{\"secure\":false}}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\",\"creds\":{\"uid\":0,\"euid\":0,"
	 "\"secure\":false}}"},
	{SC("execve") "\"creds\":[]}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"execve\"}"},
	{SC("openat") "\"existed\":true}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"existed\":true}"},
	{SC("openat") "\"existed\":false}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\",\"existed\":false}"},
	{SC("openat") "\"existed\":1}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"openat\"}"},
	/* source */
	{SC("close") "\"source\":\"s.log:12\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:12\"}"},
	{SC("close") "\"source\":\"a:b:3\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"a:b:3\"}"},
	{SC("close") "\"source\":\"s.log\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:0\"}"},
	{SC("close") "\"source\":\"s.log:\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log::0\"}"},
	{SC("close") "\"source\":\"s.log:1x\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:1x:0\"}"},
	{SC("close") "\"source\":\"s.log:x1\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:x1:0\"}"},
	{SC("close") "\"source\":\"s.log:18446744073709551615\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:"
	 "18446744073709551615\"}"},
	{SC("close") "\"source\":\"s.log:18446744073709551616\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:"
	 "18446744073709551616:0\"}"},
	{SC("close") "\"source\":\"s.log:99999999999999999999\"}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"source\":\"s.log:"
	 "99999999999999999999:0\"}"},
	{SC("close") "\"source\":12}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\"}"},
	/* keys it does not know, or too long to be any */
	{SC("close") "\"zz\":{\"a\":[1,{\"b\":null}]},\"fd\":3,\"fdx\":4}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}"},
	{SC("close") "\"abcdefghijklmnopqrstuvwxyz\":1,\"fd\":3,"
		     "\"abcdefghijklmno\":2,\"abcdefghijklmnop\":3}",
	 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":8,\"ts_enter\":0,"
	 "\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}"},
};

static void test_syscall_fields(void **state)
{
	check_rows(syscall_rows, ARRAY_SIZE(syscall_rows));
}

static const struct row other_rows[] = {
	{EXIT "\"status\":3}", "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":"
			       "7,\"ts\":0,\"status\":3}"},
	{EXIT "\"status\":\"3\"}", "{\"type\":\"exit\",\"seq\":2,\"pid\":7,"
				   "\"tid\":7,\"ts\":0,\"status\":0}"},
	{EXIT "\"ts\":4,\"ts_enter\":5,\"status\":0}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":4,\"status\":"
	 "0}"},
	{EXIT "\"signal\":\"SIGKILL\"}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"signal\":"
	 "\"SIGKILL\"}"},
	{EXIT "\"signal\":\"SIGSEGV\",\"core_dumped\":true,\"status\":1}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"signal\":"
	 "\"SIGSEGV\",\"core_dumped\":true}"},
	{EXIT "\"signal\":6,\"core_dumped\":1}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"signal\":"
	 "\"SIGABRT\"}"},
	{EXIT "\"signal\":11,\"core_dumped\":false}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"signal\":"
	 "\"SIGSEGV\"}"},
	{EXIT "\"core_dumped\":true,\"status\":2}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"status\":"
	 "2}"},
	{EXIT "\"signal\":\"SIGRTMIN\"}",
	 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts\":0,\"signal\":"
	 "\"SIGRT_0\"}"},
	{EXIT "\"signal\":64}", "{\"type\":\"exit\",\"seq\":2,\"pid\":7,"
				"\"tid\":7,\"ts\":0,\"signal\":\"SIGRT_32\"}"},
	{EXIT "\"signal\":\"SIGFROB\"}", "error: unknown signal"},
	{EXIT "\"signal\":0}", "error: unknown signal"},
	{EXIT "\"signal\":-1}", "error: unknown signal"},
	{EXIT "\"signal\":null}", "error: unknown signal"},
	{FORK "\"syscall\":\"clone3\",\"child_pid\":9,\"child_tid\":10,"
	      "\"kind\":\"thread\",\"shares\":[\"files\",\"fs\"]}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,"
	 "\"syscall\":\"clone3\",\"child_pid\":9,\"child_tid\":10,\"kind\":"
	 "\"thread\",\"shares\":[\"files\",\"fs\"]}"},
	{FORK "\"kind\":\"vfork\",\"shares\":[\"fs\"]}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"vfork\",\"shares\":[\"fs\"]}"},
	{FORK "\"kind\":\"process\",\"shares\":[\"files\"]}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"process\",\"shares\":[\"files\"]"
	 "}"},
	{FORK "\"kind\":\"threads\",\"shares\":[\"file\",\"f\",\"fss\","
	      "\"FILES\",1,null]}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"process\",\"shares\":[]}"},
	{FORK "\"kind\":1,\"shares\":\"files\",\"child_pid\":\"9\"}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"process\",\"shares\":[]}"},
	{FORK "\"shares\":[\"files\"],\"shares\":[]}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":0,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"process\",\"shares\":[]}"},
	{FORK "\"syscall\":5,\"ts\":6}",
	 "{\"type\":\"fork\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts\":6,\"child_"
	 "pid\":0,\"child_tid\":0,\"kind\":\"process\",\"shares\":[]}"},
	{"{\"type\":\"warning\",\"seq\":4,\"pid\":7,\"tid\":7,\"message\":"
	 "\"w \\\"x\\\"\"}",
	 "{\"type\":\"warning\",\"seq\":4,\"pid\":7,\"tid\":7,\"ts\":0,"
	 "\"message\":\"w \\\"x\\\"\"}"},
	{"{\"type\":\"warning\",\"seq\":4,\"pid\":7,\"tid\":7,\"message\":[],"
	 "\"source\":\"l:1\"}",
	 "{\"type\":\"warning\",\"seq\":4,\"pid\":7,\"tid\":7,\"ts\":0,"
	 "\"source\":\"l:1\"}"},
	/* skipped */
	{"{\"type\":\"future\",\"seq\":1,\"pid\":7,\"tid\":7}", "skip"},
	{"{\"type\":\"header\",\"seq\":1,\"pid\":7,\"tid\":7}", "skip"},
	{SC("frobnicate") "\"fd\":3}", "skip"},
	{SC("") "\"fd\":3}", "skip"},
	/* refused */
	{"{}", "error: record lacks type, seq, pid or tid"},
	{"{\"seq\":1,\"pid\":7,\"tid\":7}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"exit\",\"pid\":7,\"tid\":7}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"exit\",\"seq\":1,\"tid\":7}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"exit\",\"seq\":1,\"pid\":7}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"exit\",\"seq\":1,\"pid\":7,\"tid\":\"7\"}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"exit\",\"seq\":1.0,\"pid\":7,\"tid\":7}",
	 "error: record lacks type, seq, pid or tid"},
	{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7}",
	 "error: syscall record without \"syscall\""},
	{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"syscall\":"
	 "null}",
	 "error: syscall record without \"syscall\""},
	{SC("openat") "\"flags\":[\"O_FROB\"],\"ret\":-1,\"errno\":\"efrob\"}",
	 "error: unknown flag or errno name"},
	{EXIT "\"signal\":\"SIGFROB\",\"status\":\"x\"}",
	 "error: unknown signal"},
	{"[]", "error: malformed record: not a JSON object at column 1"},
	{"\"x\"", "error: malformed record: not a JSON object at column 1"},
	{"{\"type\":\"exit\"}}",
	 "error: malformed record: garbage after the record at column 16"},
	{"{\"type\":\"exit\",}",
	 "error: malformed record: expected a string key at column 16"},
	{"{\"type\" \"exit\"}",
	 "error: malformed record: expected ':' at column 9"},
	{"{\"type\":\"exit\"",
	 "error: malformed record: expected ',' or '}' at column 15"},
	{"{\"type\":\"exit\",\"seq\":1,\"pid\":7,\"tid\":7,\"status\":01}",
	 "error: malformed record: expected ',' or '}' at column 50"},
};

static void test_other_records(void **state)
{
	check_rows(other_rows, ARRAY_SIZE(other_rows));
}

/*
 * BODY, records one a line, read in one file: one line of GOT per event
 * as the writer writes it, then "skipped N" when N were skipped, then
 * "error at LINE: REASON" for an error.
 */
static void read_body(const char *body, char *got, size_t size)
{
	struct trace_reader r;
	struct event ev;
	struct jsonw w;
	char err[512];
	size_t len = strlen(HEADER) + strlen(body) + 1, used = 0;
	char *file = xmalloc(len);
	int ret;

	snprintf(file, len, "%s%s", HEADER, body);
	write_file(file, strlen(file));
	free(file);
	got[0] = '\0';
	jsonw_init(&w);
	assert_int_equal(trace_reader_open(&r, path, err, sizeof(err)), 0);
	while ((ret = trace_reader_next(&r, &ev, err, sizeof(err))) == 1) {
		jsonw_reset(&w);
		event_to_json(&w, &ev);
		used += (size_t)snprintf(got + used, size - used, "%.*s\n",
					 (int)w.len, w.buf);
		assert_true(used < size);
	}
	if (r.skipped)
		used += (size_t)snprintf(got + used, size - used,
					 "skipped %lu\n", r.skipped);
	if (ret < 0) {
		size_t p = strlen(path);

		assert_int_equal(ret, -EINVAL);
		assert_memory_equal(err, path, p);
		snprintf(got + used, size - used, "error at %s\n", err + p + 1);
	}
	trace_reader_close(&r);
	jsonw_release(&w);
}

/*
 * The names a reader looked up once it remembers: the same name again
 * gives the same answer, a name of another kind (a flag of another set,
 * an errno where a signal goes) or one that differs past its 16th byte
 * is not taken for it.
 */
static void test_names_remembered(void **state)
{
	static const struct {
		const char *body, *want;
	} cases[] = {
		/* the same names again, and hex that is not remembered */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"linkat\",\"flags\":[\"AT_SYMLINK_FOLLOW\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"O_WRONLY\",\"O_CREAT\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"linkat\",\"flags\":[\"AT_SYMLINK_FOLLOW\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":4,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"O_CREAT\",\"O_WRONLY\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":5,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"0x40000000\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":6,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"0x40000000\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":7,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"unlink\",\"ret\":-1,\"errno\":\"ENOENT\"}\n"
		 "{\"type\":\"syscall\",\"seq\":8,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"unlink\",\"ret\":-1,\"errno\":\"ENOENT\"}\n"
		 "{\"type\":\"exit\",\"seq\":9,\"pid\":7,\"tid\":7,\"signal"
		 "\":\"SIGKILL\"}\n"
		 "{\"type\":\"exit\",\"seq\":10,\"pid\":7,\"tid\":7,\"signal"
		 "\":\"SIGKILL\"}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"linkat\",\"flags\":["
		 "\"AT_SYMLINK_FOLLOW\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":["
		 "\"O_WRONLY\",\"O_CREAT\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"linkat\",\"flags\":["
		 "\"AT_SYMLINK_FOLLOW\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":4,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":["
		 "\"O_WRONLY\",\"O_CREAT\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":5,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":["
		 "\"O_RDONLY\",\"0x40000000\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":6,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":["
		 "\"O_RDONLY\",\"0x40000000\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":7,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1,"
		 "\"errno\":\"ENOENT\"}\n"
		 "{\"type\":\"syscall\",\"seq\":8,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1,"
		 "\"errno\":\"ENOENT\"}\n"
		 "{\"type\":\"exit\",\"seq\":9,\"pid\":7,\"tid\":7,\"ts\":0,"
		 "\"signal\":\"SIGKILL\"}\n"
		 "{\"type\":\"exit\",\"seq\":10,\"pid\":7,\"tid\":7,\"ts\":0"
		 ",\"signal\":\"SIGKILL\"}\n"},
		/* 17 bytes, the first 16 those of a name looked up before */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"linkat\",\"flags\":[\"AT_SYMLINK_FOLLOW\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"linkat\",\"flags\":[\"AT_SYMLINK_FOLLOX\"]}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"linkat\",\"flags\":["
		 "\"AT_SYMLINK_FOLLOW\"]}\n"
		 "error at 3: unknown flag or errno name\n"},
		/* the same name, of another set */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"O_RDONLY\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"faccessat2\",\"access\":[\"O_RDONLY\"]}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"openat\",\"flags\":["
		 "\"O_RDONLY\"]}\n"
		 "error at 3: unknown flag or errno name\n"},
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"faccessat2\",\"access\":[\"R_OK\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"R_OK\"]}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"faccessat2\",\"access"
		 "\":[\"R_OK\"]}\n"
		 "error at 3: unknown flag or errno name\n"},
		/* an errno is not a signal, nor a signal an errno */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"unlink\",\"ret\":-1,\"errno\":\"ENOENT\"}\n"
		 "{\"type\":\"exit\",\"seq\":2,\"pid\":7,\"tid\":7,\"signal"
		 "\":\"ENOENT\"}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"unlink\",\"ret\":-1,"
		 "\"errno\":\"ENOENT\"}\n"
		 "error at 3: unknown signal\n"},
		{"{\"type\":\"exit\",\"seq\":1,\"pid\":7,\"tid\":7,\"signal"
		 "\":\"SIGTERM\"}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"unlink\",\"ret\":-1,\"errno\":\"SIGTERM\"}\n",
		 "{\"type\":\"exit\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts\":0,"
		 "\"signal\":\"SIGTERM\"}\n"
		 "error at 3: unknown flag or errno name\n"},
		/* a syscall's name is not a flag's */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"close\",\"fd\":3}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"close\"]}\n",
		 "{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"close\",\"fd\":3}\n"
		 "error at 3: unknown flag or errno name\n"},
		/* an unknown syscall stays unknown */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"frob\",\"fd\":3}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"frob\",\"fd\":3}\n"
		 "{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"close\",\"fd\":4}\n",
		 "{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts_e"
		 "nter\":0,\"ts_exit\":0,\"syscall\":\"close\",\"fd\":4}\n"
		 "skipped 2\n"},
		/* a name too long to remember */
		{"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"O_AAAAAAAAAAAAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAA\"]}\n"
		 "{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		 "all\":\"openat\",\"flags\":[\"O_AAAAAAAAAAAAAAAAAAAAAAAAAA"
		 "AAAAAAAAAAAAAAAAAAAAAAAA\"]}\n",
		 "error at 2: unknown flag or errno name\n"},
	};
	char got[8192];
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		read_body(cases[i].body, got, sizeof(got));
		if (strcmp(got, cases[i].want)) {
			printf("# case %zu:\n%s#  want\n%s#  got\n%s", i,
			       cases[i].body, cases[i].want, got);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/*
 * Records whose keys come in another order than the record before: the
 * key that followed last time is tried first, and must not be taken for
 * one it only begins like ("abspath" for "abspath2", "path" for "path2").
 */
static void test_key_orders(void **state)
{
	static const char body[] =
		"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"renameat2\",\"path\":\"a\",\"abspath\":\"/a\",\"di"
		"rfd2\":1,\"dirfd2_path\":\"/1\",\"ret\":0}\n"
		"{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"renameat2\",\"path\":\"b\",\"abspath2\":\"/b\",\"d"
		"irfd2_path\":\"/2\",\"dirfd2\":2,\"ret\":1}\n"
		"{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"renameat2\",\"path2\":\"c\",\"abspath2\":\"/c\",\""
		"ret\":2,\"path\":\"d\",\"abspath\":\"/d\"}\n"
		"{\"type\":\"syscall\",\"seq\":4,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"renameat2\",\"path\":\"e\",\"abspath\":\"/e\",\"di"
		"rfd2\":3,\"dirfd2_path\":\"/3\",\"ret\":3}\n"
		"{\"type\":\"syscall\",\"seq\":5,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"newfstatat\",\"stat\":{\"dev\":1,\"ino\":2,\"mode"
		"\":3},\"parent\":{\"path\":\"/p\",\"uid\":4,\"mode\":5},\""
		"creds\":{\"uid\":6,\"euid\":7,\"secure\":true}}\n"
		"{\"type\":\"syscall\",\"seq\":6,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"newfstatat\",\"stat\":{\"ino\":8,\"dev\":9,\"mode"
		"\":10},\"parent\":{\"mode\":11,\"uid\":12,\"path\":\"/q\"}"
		",\"creds\":{\"secure\":true,\"euid\":13,\"uid\":14}}\n"
		"{\"type\":\"syscall\",\"seq\":7,\"pid\":7,\"tid\":7,\"sysc"
		"all\":\"newfstatat\",\"stat\":{\"dev\":15,\"ino\":16,\"mod"
		"e\":17},\"parent\":{\"path\":\"/r\",\"uid\":18,\"mode\":19"
		"},\"creds\":{\"uid\":20,\"euid\":21,\"secure\":false}}\n";
	static const char want[] =
		"{\"type\":\"syscall\",\"seq\":1,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"renameat2\",\"path\":"
		"\"a\",\"abspath\":\"/a\",\"dirfd2\":1,\"dirfd2_path\":\"/1"
		"\",\"ret\":0}\n"
		"{\"type\":\"syscall\",\"seq\":2,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"renameat2\",\"path\":"
		"\"b\",\"dirfd2\":2,\"dirfd2_path\":\"/2\",\"ret\":1}\n"
		"{\"type\":\"syscall\",\"seq\":3,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"renameat2\",\"path\":"
		"\"d\",\"abspath\":\"/d\",\"path2\":\"c\",\"abspath2\":\"/c"
		"\",\"ret\":2}\n"
		"{\"type\":\"syscall\",\"seq\":4,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"renameat2\",\"path\":"
		"\"e\",\"abspath\":\"/e\",\"dirfd2\":3,\"dirfd2_path\":\"/3"
		"\",\"ret\":3}\n"
		"{\"type\":\"syscall\",\"seq\":5,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\""
		":{\"dev\":1,\"ino\":2,\"mode\":3,\"nlink\":0,\"uid\":0,\"g"
		"id\":0,\"size\":0},\"parent\":{\"path\":\"/p\",\"uid\":4,"
		"\"mode\":5},\"creds\":{\"uid\":6,\"euid\":7,\"secure\":tru"
		"e}}\n"
		"{\"type\":\"syscall\",\"seq\":6,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\""
		":{\"dev\":9,\"ino\":8,\"mode\":10,\"nlink\":0,\"uid\":0,\""
		"gid\":0,\"size\":0},\"parent\":{\"path\":\"/q\",\"uid\":12"
		",\"mode\":11},\"creds\":{\"uid\":14,\"euid\":13,\"secure\""
		":true}}\n"
		"{\"type\":\"syscall\",\"seq\":7,\"pid\":7,\"tid\":7,\"ts_e"
		"nter\":0,\"ts_exit\":0,\"syscall\":\"newfstatat\",\"stat\""
		":{\"dev\":15,\"ino\":16,\"mode\":17,\"nlink\":0,\"uid\":0,"
		"\"gid\":0,\"size\":0},\"parent\":{\"path\":\"/r\",\"uid\":"
		"18,\"mode\":19},\"creds\":{\"uid\":20,\"euid\":21,\"secure"
		"\":false}}\n";
	char got[8192];

	read_body(body, got, sizeof(got));
	assert_string_equal(got, want);
}

/* The header a writer writes for H, read back. */
static void header_round_trip(const struct trace_header *h, const char *want,
			      struct trace_reader *r)
{
	struct trace_writer w;
	char err[256], line[1024];
	FILE *f;

	unlink(path);
	assert_int_equal(trace_writer_open(&w, path, 0), 0);
	trace_writer_header(&w, h);
	assert_int_equal(trace_writer_close(&w), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_null(fgets(line + strlen(line), 2, f)); /* one line */
	fclose(f);
	assert_string_equal(line, want);
	assert_int_equal(trace_reader_open(r, path, err, sizeof(err)), 0);
}

/* Each mode of the header's options, written and read back. */
static void test_header_modes(void **state)
{
	static const char *const argv[] = {"./p", "a b", NULL};
	static const char *const none[] = {NULL};
	static const char *const logs[] = {"/l/1", "/l/2", NULL};
	struct trace_header h = {
		.version = 1,
		.fsrace_version = "9.9",
		.argv = argv,
		.cwd = "/w",
		.start_ns = 1764082800123456789ULL,
		.host = "h",
		.kernel = "k",
		.seccomp = true,
	};
	struct trace_reader r;
	struct event ev;
	char err[256];

	header_round_trip(
		&h,
		"{\"type\":\"header\",\"format\":\"fsrace-trace\",\"version\":"
		"1,"
		"\"fsrace_version\":\"9.9\",\"argv\":[\"./p\",\"a b\"],"
		"\"cwd\":\"/w\",\"start_ns\":1764082800123456789,"
		"\"start_time\":\"2025-11-25T15:00:00Z\",\"host\":\"h\","
		"\"kernel\":\"k\",\"options\":{\"mode\":\"spawn\","
		"\"seccomp\":true,\"pid\":null}}\n",
		&r);
	assert_int_equal(r.header.version, 1);
	assert_string_equal(r.header.fsrace_version, "9.9");
	assert_string_equal(r.header.argv[0], "./p");
	assert_string_equal(r.header.argv[1], "a b");
	assert_null(r.header.argv[2]);
	assert_string_equal(r.header.cwd, "/w");
	assert_int_equal(r.header.start_ns, 1764082800123456789ULL);
	assert_string_equal(r.header.host, "h");
	assert_string_equal(r.header.kernel, "k");
	assert_false(r.header.attach);
	assert_int_equal(r.header.attach_pid, 0);
	assert_true(r.header.seccomp);
	assert_null(r.header.seccomp_reason);
	assert_int_equal(trace_reader_next(&r, &ev, err, sizeof(err)), 0);
	trace_reader_close(&r);

	h.argv = none;
	h.attach = true;
	h.attach_pid = 4242;
	h.seccomp = false;
	h.seccomp_reason = "--no-seccomp";
	h.start_ns = 0;
	header_round_trip(
		&h,
		"{\"type\":\"header\",\"format\":\"fsrace-trace\",\"version\":"
		"1,"
		"\"fsrace_version\":\"9.9\",\"argv\":[],\"cwd\":\"/w\","
		"\"start_ns\":0,\"start_time\":\"1970-01-01T00:00:00Z\","
		"\"host\":\"h\",\"kernel\":\"k\",\"options\":{\"mode\":"
		"\"attach\",\"seccomp\":false,\"seccomp_reason\":"
		"\"--no-seccomp\",\"pid\":4242}}\n",
		&r);
	assert_null(r.header.argv[0]);
	assert_true(r.header.attach);
	assert_int_equal(r.header.attach_pid, 4242);
	assert_false(r.header.seccomp);
	assert_string_equal(r.header.seccomp_reason, "--no-seccomp");
	trace_reader_close(&r);

	h.attach = false;
	h.seccomp_reason = NULL;
	h.sources = logs;
	header_round_trip(
		&h,
		"{\"type\":\"header\",\"format\":\"fsrace-trace\",\"version\":"
		"1,"
		"\"fsrace_version\":\"9.9\",\"argv\":[],\"cwd\":\"/w\","
		"\"start_ns\":0,\"start_time\":\"1970-01-01T00:00:00Z\","
		"\"host\":\"h\",\"kernel\":\"k\",\"options\":{\"mode\":"
		"\"import\",\"sources\":[\"/l/1\",\"/l/2\"],\"seccomp\":false,"
		"\"pid\":null}}\n",
		&r);
	assert_false(r.header.attach);
	assert_int_equal(r.header.attach_pid, 0);
	trace_reader_close(&r);
}

/* A header with only what is required, or odd kinds where the values go:
 * what is not there reads as absent. */
static void test_header_odd_values(void **state)
{
	static const char *const files[] = {
		"{\"format\":\"fsrace-trace\",\"version\":1}\n",
		"{\"format\":\"fsrace-trace\",\"version\":1,\"argv\":[1,\"x\","
		"null],\"cwd\":5,\"start_ns\":\"1\",\"host\":[],\"options\":"
		"{\"mode\":\"attach\",\"pid\":\"7\",\"seccomp\":1}}\n",
		"{\"format\":\"fsrace-trace\",\"version\":1,\"argv\":\"x\","
		"\"options\":[],\"start_ns\":12}\n",
	};
	struct trace_reader r;
	char err[256];

	write_file(files[0], strlen(files[0]));
	assert_int_equal(trace_reader_open(&r, path, err, sizeof(err)), 0);
	assert_null(r.header.fsrace_version);
	assert_null(r.header.argv[0]);
	assert_null(r.header.cwd);
	assert_int_equal(r.header.start_ns, 0);
	assert_null(r.header.host);
	assert_null(r.header.kernel);
	assert_false(r.header.attach);
	assert_false(r.header.seccomp);
	trace_reader_close(&r);

	write_file(files[1], strlen(files[1]));
	assert_int_equal(trace_reader_open(&r, path, err, sizeof(err)), 0);
	assert_string_equal(r.header.argv[0], "");
	assert_string_equal(r.header.argv[1], "x");
	assert_string_equal(r.header.argv[2], "");
	assert_null(r.header.argv[3]);
	assert_null(r.header.cwd);
	assert_int_equal(r.header.start_ns, 0);
	assert_null(r.header.host);
	assert_true(r.header.attach);
	assert_int_equal(r.header.attach_pid, 0);
	assert_false(r.header.seccomp);
	trace_reader_close(&r);

	write_file(files[2], strlen(files[2]));
	assert_int_equal(trace_reader_open(&r, path, err, sizeof(err)), 0);
	assert_null(r.header.argv[0]);
	assert_int_equal(r.header.start_ns, 12);
	assert_false(r.header.attach);
	trace_reader_close(&r);
}

static off_t file_size(const char *name)
{
	struct stat st;

	return stat(name, &st) < 0 ? -1 : st.st_size;
}

/*
 * The writer keeps lines until 64 KiB are buffered, writes them out at
 * that line, on flush and on close; trace_writer_pending() tells. A
 * stream is written in place, so the file shows what was written.
 */
static void test_writer_buffers(void **state)
{
	struct trace_writer w;
	struct event ev;
	char msg[1000];
	size_t total = 0;
	int n = 0;

	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	unlink(path);
	assert_int_equal(trace_writer_open(&w, path, ATOMIC_FILE_STREAM), 0);
	assert_false(trace_writer_pending(&w));
	assert_int_equal(trace_writer_flush(&w), 0);
	event_init(&ev, EV_WARNING);
	ev.message = msg;
	for (;;) {
		size_t before = w.out.len;

		ev.seq = (uint64_t)n++;
		trace_writer_event(&w, &ev);
		if (w.out.len < before) {
			/* this line reached 64 KiB: all of it went out */
			assert_int_equal(w.out.len, 0);
			break;
		}
		total = w.out.len;
		assert_true(total < 64 * 1024);
		assert_true(trace_writer_pending(&w));
		assert_int_equal(file_size(path), 0);
	}
	assert_true(file_size(path) >= 64 * 1024);
	assert_true(file_size(path) < 64 * 1024 + (off_t)sizeof(msg) + 100);
	assert_true((size_t)file_size(path) > total);
	assert_false(trace_writer_pending(&w));
	trace_writer_event(&w, &ev);
	assert_true(trace_writer_pending(&w));
	total = (size_t)file_size(path) + w.out.len;
	assert_int_equal(trace_writer_flush(&w), 0);
	assert_false(trace_writer_pending(&w));
	assert_int_equal(file_size(path), (off_t)total);
	trace_writer_event(&w, &ev);
	total += w.out.len;
	assert_int_equal(trace_writer_close(&w), 0);
	assert_int_equal(file_size(path), (off_t)total);
	unlink(path);
}

/* A write error is the flush's and the close's, and the first one is
 * kept: a FIFO whose reader went away (EPIPE, SIGPIPE ignored). */
static void test_writer_error(void **state)
{
	char fifo[128];
	struct trace_writer w;
	struct event ev;
	int rd;

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rd >= 0);
	assert_int_equal(trace_writer_open(&w, fifo, 0), 0);
	event_init(&ev, EV_EXIT);
	trace_writer_event(&w, &ev);
	assert_int_equal(trace_writer_flush(&w), 0);
	close(rd);
	signal(SIGPIPE, SIG_IGN);
	trace_writer_event(&w, &ev);
	assert_int_equal(trace_writer_flush(&w), -EPIPE);
	assert_int_equal(w.err, -EPIPE);
	assert_false(trace_writer_pending(&w));
	/* nothing more is written, and the error stays */
	trace_writer_event(&w, &ev);
	assert_int_equal(trace_writer_flush(&w), -EPIPE);
	assert_int_equal(trace_writer_close(&w), -EPIPE);
	signal(SIGPIPE, SIG_DFL);
	/* the FIFO is not removed */
	assert_int_equal(access(fifo, F_OK), 0);
	unlink(fifo);
	/* a trace that cannot be opened */
	snprintf(fifo, sizeof(fifo), "%s/no/t.jsonl", tmpdir);
	assert_int_equal(trace_writer_open(&w, fifo, 0), -ENOENT);
	trace_writer_discard(&w);
	assert_int_equal(trace_writer_close(&w), 0);
}

/* With standard input closed the trace is opened as fd 0: a file like
 * any other, read to its end and closed. */
static void test_trace_on_fd_zero(void **state)
{
	static const char body[] = "{\"type\":\"exit\",\"seq\":1,\"pid\":7,"
				   "\"tid\":7,\"status\":4}\n";
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	struct trace_reader r;
	struct event ev;
	char err[256], file[256];
	int ret, ret2 = -1, fd;

	assert_true(saved >= 0);
	snprintf(file, sizeof(file), "%s%s", HEADER, body);
	write_file(file, strlen(file));
	close(0);
	ret = trace_reader_open(&r, path, err, sizeof(err));
	fd = r.fd;
	if (ret == 0) {
		ret2 = trace_reader_next(&r, &ev, err, sizeof(err));
		if (ret2 == 1)
			ret2 = ev.exit_status;
	}
	trace_reader_close(&r);
	/* the reader closed fd 0: it is free again */
	assert_int_equal(fcntl(0, F_GETFD), -1);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(ret, 0);
	assert_int_equal(fd, 0);
	assert_int_equal(ret2, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_fields),
		cmocka_unit_test(test_other_records),
		cmocka_unit_test(test_names_remembered),
		cmocka_unit_test(test_key_orders),
		cmocka_unit_test(test_header_modes),
		cmocka_unit_test(test_header_odd_values),
		cmocka_unit_test(test_writer_buffers),
		cmocka_unit_test(test_writer_error),
		cmocka_unit_test(test_trace_on_fd_zero),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
