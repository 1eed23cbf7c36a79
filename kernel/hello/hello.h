/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers behind the syscall lab's system calls that touch no user memory,
 * shared with their KUnit tests.
 */
#ifndef _LAB_HELLO_H
#define _LAB_HELLO_H

#include <linux/types.h>

struct lab_batch_rec;

int lab_transform_check(size_t len, unsigned int flags);
void lab_transform_buf(char *buf, size_t len, unsigned int flags);
int lab_greeting_store(const char *msg, size_t len);
size_t lab_greeting_load(char *buf);
void lab_greeting_reset(void);
int lab_batch_check(unsigned int count, unsigned int flags);
int lab_batch_rec_check(const struct lab_batch_rec *rec);

#endif /* _LAB_HELLO_H */
