/*
 * sensor.c - the file and sql sensors (the daemon runs time and
 * external_task sensors itself). A poke checks once: a glob match big
 * enough and not modified for stable_for (by its mtime: a reschedule poke
 * needs no memory of earlier ones), or the query's first value truthy.
 * Mode poke sleeps poke_interval between pokes until the deadline; mode
 * reschedule pokes once and exits 100 when not yet. A timeout (deadline or
 * task timeout) exits 1, or the skip code with soft_fail; a query error
 * fails at once.
 */
#include "sql.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 1: a match (*match set, malloc'd), 0: none yet, -1: error (logged). */
static int check_file(const struct spec_sensor *ss, uint64_t poke, char **match)
{
	glob_t g;
	int64_t now_us = sql_now_us();
	size_t i;
	int rc = glob(ss->path, 0, NULL, &g);

	if (rc == GLOB_NOMATCH) {
		sql_info("poke %llu: no file matches %s", (unsigned long long)poke, ss->path);
		return 0;
	}
	if (rc != 0) {
		sql_error("cannot expand '%s': %s", ss->path,
			  rc == GLOB_NOSPACE ? "out of memory" : "read error");
		return -1;
	}
	rc = 0;
	for (i = 0; i < g.gl_pathc && !rc; i++) {
		struct stat st;
		int64_t age_ms;
		if (stat(g.gl_pathv[i], &st) != 0)
			continue; /* gone since the glob */
		age_ms = (now_us - ((int64_t)st.st_mtim.tv_sec * 1000000 +
				    st.st_mtim.tv_nsec / 1000)) / 1000;
		if (S_ISREG(st.st_mode) && st.st_size < ss->min_size) {
			sql_info("poke %llu: %s has %lld bytes, fewer than %lld",
				 (unsigned long long)poke, g.gl_pathv[i], (long long)st.st_size,
				 (long long)ss->min_size);
		} else if (ss->stable_for_ms && age_ms < ss->stable_for_ms) {
			sql_info("poke %llu: %s was modified %lld ms ago, not yet stable for %lld ms",
				 (unsigned long long)poke, g.gl_pathv[i], (long long)age_ms,
				 (long long)ss->stable_for_ms);
		} else {
			sql_info("poke %llu: %s is there (%lld bytes)", (unsigned long long)poke,
				 g.gl_pathv[i], (long long)st.st_size);
			*match = sql_xstrdup(g.gl_pathv[i]);
			rc = 1;
		}
	}
	globfree(&g);
	return rc;
}

/* 1: true, 0: not yet, -1: error (logged). Connects on first use and
 * again after the connection broke. */
static int check_sql(const struct spec *s, PGconn **c, uint64_t poke)
{
	PGresult *r;
	uint64_t n;
	bool yes;

	if (*c && PQstatus(*c) == CONNECTION_BAD) {
		sql_warn("poke %llu: the connection broke; connecting again",
			 (unsigned long long)poke);
		sql_disconnect(*c, 0);
		*c = NULL;
	}
	if (!*c && !(*c = sql_connect(s->conn, "conn", 0)))
		return -1;
	if (sql_first_row(*c, s->sensor->query, "sensor query", &r, &n) != 0)
		return -1;
	yes = n > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0) &&
	      sql_truthy(PQgetvalue(r, 0, 0), PQftype(r, 0));
	sql_info("poke %llu: %s -> %s", (unsigned long long)poke,
		 n == 0 || PQnfields(r) == 0 ? "no row" :
		 PQgetisnull(r, 0, 0)        ? "NULL" :
					       PQgetvalue(r, 0, 0),
		 yes ? "true" : "not yet");
	PQclear(r);
	return yes ? 1 : 0;
}

static int timed_out(const struct spec *s)
{
	if (s->sensor->soft_fail) {
		sql_info("sensor timed out: skipped (soft_fail)");
		return s->skip_exit_code;
	}
	sql_error("sensor timed out");
	return SQL_EXIT_FAIL;
}

/* Output of a satisfied sensor; the exit code. */
static int done(const char *match)
{
	struct sbuf b = {0};
	int rc;

	if (!match)
		return SQL_EXIT_OK;
	sbuf_adds(&b, "{\"path\":");
	sbuf_json_str(&b, match, strlen(match));
	sbuf_addc(&b, '}');
	rc = sql_write_outputs(b.p) == 0 ? SQL_EXIT_OK : SQL_EXIT_FAIL;
	sbuf_release(&b);
	return rc;
}

int sensor_run(const struct spec *s)
{
	const struct spec_sensor *ss = s->sensor;
	PGconn *c = NULL;
	char *match = NULL;
	uint64_t poke;
	int rc = SQL_EXIT_FAIL;

	for (poke = 1;; poke++) {
		int64_t now, wait = ss->poke_interval_ms;
		int hit = s->kind == SPEC_SENSOR_FILE ? check_file(ss, poke, &match) :
							check_sql(s, &c, poke);
		if (hit < 0) {
			if (sql_timed_out()) /* the poke's query was cancelled */
				rc = timed_out(s);
			break;
		}
		if (hit > 0) {
			rc = done(match);
			break;
		}
		now = sql_now_us();
		if (ss->deadline_us && now >= ss->deadline_us) {
			rc = timed_out(s);
			break;
		}
		if (ss->mode == SPEC_RESCHEDULE) {
			sql_info("not yet: poke again later (reschedule)");
			rc = SQL_EXIT_NOT_YET;
			break;
		}
		if (ss->deadline_us && (ss->deadline_us - now) / 1000 + 1 < wait)
			wait = (ss->deadline_us - now) / 1000 + 1;
		sql_sleep_ms(wait);
		if (sql_timed_out()) {
			/* the task timeout is the sensor's timeout: soft_fail applies */
			sql_info("%s", sql_stop_reason());
			rc = timed_out(s);
			break;
		}
		if (sql_stopping()) {
			sql_error("%s", sql_stop_reason());
			break;
		}
	}
	free(match);
	sql_disconnect(c, 0);
	return rc;
}
