/* cron.c - placeholder until the module lands */
typedef int cron_placeholder;
