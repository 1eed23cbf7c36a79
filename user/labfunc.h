/* The baseline: an ordinary library function, called the ordinary way. */
#ifndef LABFUNC_H
#define LABFUNC_H

/* Does in user space what hello() does in the kernel: says hello, returns 0. */
long lab_hello_function(void);

/* Does nothing and returns 0, like lab_null(); never inlined into callers. */
long lab_null_function(void);

#endif
