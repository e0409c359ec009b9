/* cli.c - placeholder until the module lands */
typedef int cli_placeholder;
