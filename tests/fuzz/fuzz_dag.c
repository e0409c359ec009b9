/*
 * fuzz_dag.c - libFuzzer harness for the DAG loader: any bytes as a DAG
 * file. Invariants: a load either returns a DAG with no errors or fails
 * with at least one error; a loaded DAG's edges are consistent (every up
 * edge has its down edge), its topological order lists each task once
 * with upstreams first; every diagnostic has a positive line and column.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dag.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_dag(const struct dag *dag)
{
	size_t *pos = calloc(dag->n_tasks + 1, sizeof(*pos));

	for (size_t k = 0; k < dag->n_tasks; k++) {
		assert(dag->topo[k] < dag->n_tasks);
		assert(pos[dag->topo[k]] == 0);
		pos[dag->topo[k]] = k + 1;
	}
	for (size_t i = 0; i < dag->n_tasks; i++) {
		const struct task *t = &dag->tasks[i];
		assert(valid_id(t->id));
		for (size_t j = 0; j < t->n_up; j++) {
			const struct task *u = &dag->tasks[t->up[j]];
			int found = 0;
			assert(pos[t->up[j]] < pos[i]);
			for (size_t k = 0; k < u->n_down; k++)
				found |= u->down[k] == i;
			assert(found);
		}
	}
	free(pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	struct dag *dag = NULL;
	int rc;

	diags_init(&d);
	rc = dag_load("fuzz.yaml", (const char *)data, size, NULL, &dag, &d);
	if (rc == 0) {
		assert(dag && d.errors == 0);
		check_dag(dag);
		dag_free(dag);
	} else {
		assert(!dag && d.errors > 0);
	}
	for (size_t i = 0; i < d.n; i++)
		assert(d.v[i].line >= 1 && d.v[i].col >= 1);
	diags_release(&d);
	return 0;
}
