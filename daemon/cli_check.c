/*
 * cli_check.c - `dagd check [FILE|DIR...]`: load and validate DAG files,
 * print every problem as FILE:LINE:COL: error: MESSAGE and a one-line
 * summary. Exit 0 when every file loads, 1 otherwise, 2 on usage errors.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "diag.h"

static const char check_usage[] =
	"usage: dagd check [--config FILE] [--quiet] [FILE|DIR...]\n"
	"  with no argument, checks the dags_folder of the config\n";

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the .yaml/.yml files of dir (sorted) or the file itself. */
static int collect(const char *arg, struct strlist *files)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	size_t first = files->n;

	if (stat(arg, &st) != 0) {
		fprintf(stderr, "dagd: %s: no such file or directory\n", arg);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		strlist_push(files, arg);
		return 0;
	}
	dir = opendir(arg);
	if (!dir) {
		fprintf(stderr, "dagd: %s: cannot open directory\n", arg);
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		if ((n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) ||
		    (n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0)) {
			char *p = xasprintf("%s%s%s", arg, arg[strlen(arg) - 1] == '/' ? "" : "/",
					    e->d_name);
			strlist_push(files, p);
			free(p);
		}
	}
	closedir(dir);
	qsort(files->v + first, files->n - first, sizeof(char *), name_cmp);
	return 0;
}

struct seen_id {
	char *id;
	char *file;
};

int cli_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	struct strlist files = {0};
	struct config *cfg;
	struct diags all;
	struct seen_id *ids;
	size_t n_ids = 0, bad_files = 0, ok = 0;
	bool quiet = false;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("%s", check_usage);
			return 0;
		default:
			return cli_usage(check_usage);
		}
	}
	cfg = cli_config(config_path);
	if (!cfg)
		return 1;
	if (optind == argc) {
		if (collect(cfg->dags_folder, &files) != 0)
			rc = 1;
	}
	for (int i = optind; i < argc; i++)
		if (collect(argv[i], &files) != 0)
			rc = 1;
	diags_init(&all);
	ids = xcalloc(files.n + 1, sizeof(*ids));
	for (size_t i = 0; i < files.n; i++) {
		struct diags d;
		struct dag *dag = NULL;

		diags_init(&d);
		if (dag_load_file(files.v[i], cfg, &dag, &d) == 0) {
			ok++;
			for (size_t j = 0; j < n_ids; j++) {
				if (strcmp(ids[j].id, dag->id) == 0) {
					diags_add(&d, DIAG_ERROR, files.v[i], 1, 1,
						  "DAG id '%s' is already used by %s", dag->id,
						  ids[j].file);
					ok--;
					break;
				}
			}
			ids[n_ids].id = xstrdup(dag->id);
			ids[n_ids].file = xstrdup(files.v[i]);
			n_ids++;
		}
		if (d.errors)
			bad_files++;
		diags_sort(&d);
		diags_move(&all, &d);
		dag_free(dag);
	}
	for (size_t i = 0; i < all.n; i++) {
		char *s = diag_format(&all.v[i]);
		printf("%s\n", s);
		free(s);
	}
	if (!quiet)
		printf("%zu file%s checked: %zu ok, %zu with errors (%zu error%s, %zu warning%s)\n",
		       files.n, files.n == 1 ? "" : "s", ok, bad_files, all.errors,
		       all.errors == 1 ? "" : "s", all.warnings, all.warnings == 1 ? "" : "s");
	if (all.errors)
		rc = 1;
	for (size_t i = 0; i < n_ids; i++) {
		free(ids[i].id);
		free(ids[i].file);
	}
	free(ids);
	diags_release(&all);
	strlist_release(&files);
	config_free(cfg);
	return rc;
}
