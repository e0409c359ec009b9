/*
 * api_grid.c - GET /api/v1/dags/{dag}/grid?limit=25: a DAG's last runs x
 * all its tasks in one answer, what the dashboard's grid view draws
 * (DESIGN.md section 6). The rows are the loaded DAG's tasks in file order
 * (then tasks of old runs that the file no longer has); the cells come
 * from one store read (store_grid()). Shape: {"dag", "tasks": [names],
 * "runs": [{run fields, "cells": [[state, try_number, start, end] | null]}]
 * newest first, "total"}.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api_internal.h"
#include "daemon.h"
#include "dag.h"
#include "store.h"

/* Runs one grid answer may hold (?limit=): 1000 runs x 30 tasks is about
 * 2 MB of JSON, still drawn in well under a second. */
#define GRID_LIMIT_MAX 1000
#define GRID_LIMIT_DEFAULT 25

void api_grid(struct api *a, struct http_req *req, struct dag *dag)
{
	struct dagd *d = api_daemon(a);
	const char *lim = http_query(req, "limit");
	const char **names;
	int64_t limit = GRID_LIMIT_DEFAULT;
	json_t *out = NULL;
	int rc;

	if (lim && parse_i64(lim, 1, GRID_LIMIT_MAX, &limit) != 0) {
		char detail[96];
		snprintf(detail, sizeof(detail), "'limit' must be an integer from 1 to %d",
			 GRID_LIMIT_MAX);
		http_reply_error(req, 400, "bad_request", detail);
		return;
	}
	names = xcalloc(dag->n_tasks + 1, sizeof(*names));
	for (size_t i = 0; i < dag->n_tasks; i++)
		names[i] = dag->tasks[i].id;
	rc = store_grid(d->st, dag->id, names, dag->n_tasks, (int)limit, &out);
	free(names);
	if (rc != 0) {
		http_reply_error(req, 500, "store_error", "the grid could not be read");
		return;
	}
	if (json_object_set_new(out, "dag", json_string(dag->id)) != 0) {
		json_decref(out);
		out = NULL; /* http_reply_json answers 500 */
	}
	http_reply_json(req, 200, out);
}
