/* dag.c - placeholder until the module lands */
typedef int dag_placeholder;
