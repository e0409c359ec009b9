/* cli_next.c - placeholder until the module lands */
typedef int cli_next_placeholder;
