#include <stdio.h>
int main(void) { puts("dagd"); return 0; }
