#include "labfunc.h"

#include <stdio.h>

long lab_hello_function(void)
{
	puts("Hello world");
	return 0;
}

__attribute__((noinline)) long lab_null_function(void)
{
	__asm__ volatile("" ::: "memory"); /* keep the call and the body */
	return 0;
}
