/* dag_task.c - placeholder until the module lands */
typedef int dag_task_placeholder;
