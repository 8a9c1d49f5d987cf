/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * no_memfd PROGRAM [ARGS...]: run PROGRAM with memfd_create(2) failing with
 * ENOSYS, as on a kernel built without it or a sandbox that filters it.
 *
 * Together with a machine that has no hugetlbfs mount, this leaves the EAL no
 * source of memory at all (lib/eal/memseg.c tries a hugetlb memfd, then
 * hugetlbfs, then a plain memfd): the start-up failure under test.
 *
 * A seccomp-BPF filter (Documentation/userspace-api/seccomp_filter.rst)
 * survives execve, so the filter is installed here and PROGRAM inherits it.
 * PR_SET_NO_NEW_PRIVS lets an unprivileged process install one.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH_NR AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH_NR AUDIT_ARCH_AARCH64
#else
#error "no_memfd: add this architecture's AUDIT_ARCH value"
#endif

int main(int argc, char **argv)
{
	struct sock_filter prog[] = {
	    /* A foreign-ABI syscall could bypass the number check: refuse it. */
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH_NR, 1, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_memfd_create, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {.len = (unsigned short)(sizeof(prog) / sizeof(prog[0])),
				   .filter = prog};

	if (argc < 2) {
		fprintf(stderr, "usage: no_memfd PROGRAM [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
		fprintf(stderr, "no_memfd: cannot install the seccomp filter: %s\n",
			strerror(errno));
		return 77;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no_memfd: cannot run %s: %s\n", argv[1], strerror(errno));
	return 127;
}
