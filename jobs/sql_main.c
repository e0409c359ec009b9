/*
 * sql_main.c - dagd-sql, the program a try of a data task runs:
 *   dagd-sql SPEC_FILE
 * Reads the JSON spec the daemon wrote (sql_spec.h: format and exit codes),
 * deletes it at once (it holds passwords), arms the task timeout and runs
 * the sql, load or sensor kind. The keeper that started it writes the
 * try's result record from its exit code and $DAGD_OUTPUT, as for a shell
 * task. Exit 2 for usage and spec errors, before anything runs.
 */
#include "sql.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "usage: dagd-sql SPEC_FILE"
/* A spec holds the SQL text of a file: generous, but capped. */
#define SPEC_MAX (64u * 1024u * 1024u)

/* Read path whole into *buf (NUL-terminated) and delete it. 0 or -1. */
static int read_spec(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		sql_error("cannot open spec '%s': %s", path, strerror(errno));
		return -1;
	}
	if (unlink(path) != 0)
		sql_warn("cannot delete spec '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SPEC_MAX) {
		sql_error("spec '%s' is not a regular file of at most %u bytes", path, SPEC_MAX);
		(void)close(fd); /* read-only */
		return -1;
	}
	if (st.st_mode & 077)
		sql_warn("spec '%s' was readable by other users (mode %03o)", path,
			 (unsigned)(st.st_mode & 0777));
	p = sql_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sql_error("cannot read spec '%s': %s", path,
				  n ? strerror(errno) : "file shrank");
			free(p);
			(void)close(fd); /* read-only */
			return -1;
		}
		got += (size_t)n;
	}
	(void)close(fd); /* read-only */
	p[got] = '\0';
	*buf = p;
	*len = got;
	return 0;
}

int main(int argc, char **argv)
{
	struct spec s;
	char err[512], *buf;
	size_t len;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		sql_error("%s", USAGE);
		return SQL_EXIT_SPEC;
	}
	if (read_spec(argv[1], &buf, &len) != 0)
		return SQL_EXIT_SPEC;
	rc = spec_parse(buf, len, &s, err, sizeof(err));
	/* the text held passwords: do not leave them in freed memory */
	explicit_bzero(buf, len);
	free(buf);
	if (rc != 0) {
		sql_error("bad spec: %s", err);
		return SQL_EXIT_SPEC;
	}
	sql_cancel_init(s.timeout_ms);
	switch (s.kind) {
	case SPEC_SQL:
		rc = sql_run(&s);
		break;
	case SPEC_LOAD:
		rc = load_run(&s);
		break;
	case SPEC_SENSOR_SQL:
	case SPEC_SENSOR_FILE:
		rc = sensor_run(&s);
		break;
	default:
		rc = SQL_EXIT_SPEC; /* spec_parse() allows no other kind */
	}
	spec_release(&s);
	return rc;
}
