/* dag_validate.c - placeholder until the module lands */
typedef int dag_validate_placeholder;
