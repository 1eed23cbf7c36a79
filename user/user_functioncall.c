/* user_functioncall: the baseline, an ordinary library function call. */
#include <stdio.h>

#include "labfunc.h"

int main(void)
{
	long ret = lab_hello_function();

	printf("user_functioncall: lab_hello_function() returned %ld\n", ret);
	return ret == 0 ? 0 : 1;
}
