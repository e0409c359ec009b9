/* cli_check.c - placeholder until the module lands */
typedef int cli_check_placeholder;
