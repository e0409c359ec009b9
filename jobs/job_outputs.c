/*
 * job_outputs.c - collects a try's outputs after its task exited: first
 * the `::set-output NAME=VALUE` lines of the try's log, then the top-level
 * members of the JSON object in the $DAGD_OUTPUT file; a later name wins.
 * The log is fd 1 when it is a regular file (the daemon creates it fresh
 * per try), read with pread from offset 0 up to its size at that moment,
 * through a read-only reopen when fd 1 is write-only. A VALUE is the rest
 * of its line without the newline (and one CR before it), as a JSON string.
 * Sets r->outputs (NULL when none), r->outputs_too_big, or r->error.
 */
#include "job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SET_OUTPUT "::set-output "
#define SET_OUTPUT_LEN (sizeof(SET_OUTPUT) - 1)
/* Log bytes read at once; a line longer than this has a value too big for
 * the outputs anyway. */
#define LOG_CHUNK (2u * RESULT_OUTPUTS_MAX)
/* A $DAGD_OUTPUT file larger than this is not read: too big. */
#define OUTPUT_FILE_MAX (16u * RESULT_OUTPUTS_MAX)

struct collect {
	struct omap map;
	struct jbuf key, val; /* scratch */
};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

/* One log line p[0..n) (no newline) that starts with SET_OUTPUT; cut
 * means it went on past what was read, so its value is too big. */
static void set_output_line(struct collect *c, const char *p, size_t n, bool cut)
{
	size_t i = SET_OUTPUT_LEN;

	while (i < n && name_char(p[i]))
		i++;
	if (i == SET_OUTPUT_LEN || i == n || p[i] != '=')
		return; /* not an output line after all */
	c->key.len = 0;
	jbuf_addc(&c->key, '"');
	jbuf_add(&c->key, p + SET_OUTPUT_LEN, i - SET_OUTPUT_LEN);
	jbuf_addc(&c->key, '"');
	p += i + 1;
	n -= i + 1;
	if (cut) {
		/* longer than the cap on its own: omap_set() keeps only the name */
		omap_set(&c->map, c->key.p, c->key.len, p, RESULT_OUTPUTS_MAX);
		return;
	}
	if (n && p[n - 1] == '\r')
		n--;
	c->val.len = 0;
	job_json_str(&c->val, p, n);
	omap_set(&c->map, c->key.p, c->key.len, c->val.p, c->val.len);
}

/* Output lines among the whole lines of buf[0..n); returns the bytes
 * consumed (up to the last newline). buf starts at a line start. */
static size_t scan_lines(struct collect *c, const char *buf, size_t n)
{
	const char *end, *p = buf;

	end = memrchr(buf, '\n', n);
	if (!end)
		return 0;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), SET_OUTPUT, SET_OUTPUT_LEN);
		const char *nl;
		if (!hit)
			break;
		nl = memchr(hit, '\n', (size_t)(end - hit) + 1);
		if (hit == buf || hit[-1] == '\n')
			set_output_line(c, hit, (size_t)(nl - hit), false);
		p = nl + 1;
	}
	return (size_t)(end - buf) + 1;
}

/* A readable fd on the log: fd 1 itself if it was opened for reading,
 * else the same file opened again read-only through /proc (the daemon
 * opens logs O_WRONLY|O_APPEND). -1 with r->error set on failure. */
static int open_log(struct result *r, const struct stat *st)
{
	struct stat st2;
	int fl = fcntl(1, F_GETFL), fd;

	if (fl >= 0 && (fl & O_ACCMODE) != O_WRONLY)
		return 1;
	fd = open("/proc/self/fd/1", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		job_fail(r, "cannot read the log for outputs: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st2) != 0 || st2.st_dev != st->st_dev || st2.st_ino != st->st_ino) {
		job_fail(r, "cannot read the log for outputs: /proc/self/fd/1 is another file");
		(void)close(fd); /* read-only */
		return -1;
	}
	return fd;
}

/* Scan size bytes of the log open on fd for ::set-output lines. */
static void scan_fd(struct collect *c, struct result *r, int fd, off_t size)
{
	static char buf[LOG_CHUNK];
	size_t have = 0;
	off_t off = 0;
	bool skip = false; /* in the rest of a line longer than buf */

	while (off < size) {
		size_t want = LOG_CHUNK - have, used;
		ssize_t got;

		if ((off_t)want > size - off)
			want = (size_t)(size - off);
		got = pread(fd, buf + have, want, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			job_fail(r, "cannot read the log for outputs: %s", strerror(errno));
			have = 0;
			break;
		}
		if (got == 0)
			break; /* truncated meanwhile */
		off += got;
		have += (size_t)got;
		used = 0;
		if (skip) {
			const char *nl = memchr(buf, '\n', have);
			used = nl ? (size_t)(nl - buf) + 1 : have;
			skip = !nl;
		}
		used += scan_lines(c, buf + used, have - used);
		if (used == 0 && have == LOG_CHUNK) {
			/* one line fills the buffer */
			if (memcmp(buf, SET_OUTPUT, SET_OUTPUT_LEN) == 0)
				set_output_line(c, buf, have, true);
			used = have;
			skip = true;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	/* the last line, without a newline */
	if (have && !skip && have >= SET_OUTPUT_LEN &&
	    memcmp(buf, SET_OUTPUT, SET_OUTPUT_LEN) == 0)
		set_output_line(c, buf, have, false);
}


static void scan_log(struct collect *c, struct result *r)
{
	struct stat st;
	int fd;

	if (fstat(1, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	fd = open_log(r, &st);
	if (fd < 0)
		return;
	scan_fd(c, r, fd, st.st_size);
	if (fd != 1)
		(void)close(fd); /* read-only */
}

static int member_cb(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct collect *c = ctx;

	omap_set(&c->map, key, klen, val, vlen);
	return 0;
}

/* Line and column (from 1) of byte off of text, for the error message. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t start = 0;

	*line = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = off - start + 1;
}

static void read_output_file(struct collect *c, struct result *r, const char *path)
{
	const char *msg;
	struct stat st;
	char *text = NULL;
	size_t n = 0, off, line, col;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			job_fail(r, "cannot open DAGD_OUTPUT file '%s': %s", path, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		job_fail(r, "DAGD_OUTPUT file '%s' is not a regular file", path);
		goto out;
	}
	if (st.st_size == 0)
		goto out;
	if (st.st_size > (off_t)OUTPUT_FILE_MAX) {
		c->map.too_big = true;
		goto out;
	}
	text = job_xmalloc((size_t)st.st_size);
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, text + n, (size_t)st.st_size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			job_fail(r, "cannot read DAGD_OUTPUT file '%s': %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	/* check it all first, so a bad file adds no members */
	if (job_json_object(text, n, NULL, NULL, &msg, &off) != 0) {
		line_col(text, off, &line, &col);
		job_fail(r, "DAGD_OUTPUT file is not a JSON object: %s at line %zu, column %zu", msg,
			 line, col);
		goto out;
	}
	if (job_json_object(text, n, member_cb, c, &msg, &off) != 0)
		job_fail(r, "DAGD_OUTPUT file changed while read"); /* it was valid a moment ago */
out:
	free(text);
	(void)close(fd); /* read-only */
}

static void collect(struct result *r, const char *log_path, const char *path)
{
	struct collect c = {0};
	bool too_big;

	omap_init(&c.map);
	if (!log_path) {
		scan_log(&c, r);
	} else {
		struct stat st;
		int fd = open(log_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			scan_fd(&c, r, fd, st.st_size);
		if (fd >= 0)
			(void)close(fd); /* read-only */
	}
	if (path && *path)
		read_output_file(&c, r, path);
	free(r->outputs);
	r->outputs = omap_render(&c.map, &too_big);
	r->outputs_too_big = too_big;
	if (too_big)
		job_msg("outputs are larger than %u bytes: none kept", RESULT_OUTPUTS_MAX);
	omap_release(&c.map);
	jbuf_release(&c.key);
	jbuf_release(&c.val);
}

void job_outputs_collect(struct result *r)
{
	collect(r, NULL, getenv("DAGD_OUTPUT"));
}

void job_outputs_collect_at(struct result *r, const char *log_path, const char *output_path)
{
	collect(r, log_path, output_path);
}
