/* user_functioncall: the baseline, an ordinary library function call. */
#include <stdio.h>

#include "labfunc.h"

/* The call site that make asm shows and make trace follows. */
__attribute__((noinline)) long lab_call_site_function(void)
{
	long ret = lab_null_function();

	__asm__ volatile("" ::: "memory"); /* a real call, not a tail-call jump */
	return ret;
}

int main(void)
{
	long ret = lab_hello_function();

	printf("user_functioncall: lab_call_site_function() returned %ld\n",
	       lab_call_site_function());
	printf("user_functioncall: lab_hello_function() returned %ld\n", ret);
	return ret == 0 ? 0 : 1;
}
