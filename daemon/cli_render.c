/* cli_render.c - placeholder until the module lands */
typedef int cli_render_placeholder;
