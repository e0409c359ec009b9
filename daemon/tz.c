/* tz.c - placeholder until the module lands */
typedef int tz_placeholder;
