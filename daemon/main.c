/*
 * main.c - entry point of the dagd binary; everything is in cli.c.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
