/* template.c - placeholder until the module lands */
typedef int template_placeholder;
