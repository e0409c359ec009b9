/* dag_parse.c - placeholder until the module lands */
typedef int dag_parse_placeholder;
