/* render.c - placeholder until the module lands */
typedef int render_placeholder;
