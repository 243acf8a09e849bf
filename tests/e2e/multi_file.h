/* multi_file.h - the functions the three parts of the multi_file test share.
 *   multi_file.c       main; compiled and linked in one gscc invocation
 *   multi_file_util.c  compiled alone with gscc -c
 *   multi_file_lib.c   compiled with gscc -c and packed into libmulti_file_lib.a,
 *                      linked with -L/-l (gscc must scan it for thunk names)
 */
#ifndef MULTI_FILE_H
#define MULTI_FILE_H

/* multi_file_util.c */
long multi_util_sum(int n);                 /* 1 + 2 + ... + n, recursively */
long multi_util_ping(int depth, long acc);  /* ping-pong with multi_lib_pong */
long multi_util_scale(long x);              /* called back by the archive   */
extern long (*multi_util_fnptr)(int n);     /* = multi_util_sum             */

/* multi_file_lib.c (the archive) */
long multi_lib_pong(int depth, long acc);
long multi_lib_parse(const char *s);        /* strtol: referenced only here */
int multi_lib_count_calls(void);

#endif
