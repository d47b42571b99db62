/*
 * The workload of tb-profile.py, "swapops [PAGES [CGROUP [DEVICE]]]": page
 * out PAGES anonymous pages (MADV_PAGEOUT), drop them from the swap cache
 * (memory.reclaim of CGROUP, the cgroup v2 directory it runs in; the root
 * by default), swapoff(DEVICE) if a DEVICE is named, read each page back
 * with one fault, then unmap them. Each of the timed phases (pageout,
 * swapoff if asked, swapin, free) is bracketed by two
 * personality(0xffffffff) calls, which change nothing and which nothing
 * else in the guest makes, so the profiler finds the phases in QEMU's
 * execution log. TBPROF-ON/OFF on stdout tell the host when to log.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define WORDS (PAGE / sizeof(unsigned long))

static unsigned long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Opens, then closes, the phase of that name. The phase's thread CPU time
 * is printed too, to be read against its instruction count when the guest
 * runs with --icount (8 ns an instruction) rather than under the profiler.
 */
static void mark(const char *phase, unsigned long pages)
{
	static unsigned long long start;
	static int open;

	/* The clock is read outside the phase: reading it is a system call. */
	if (!open)
		start = thread_cpu_ns();
	personality(0xffffffff);
	if (open)
		printf("swapops: %s: %.0f ns of thread CPU per page\n", phase,
		       (double)(thread_cpu_ns() - start) / pages);
	open = !open;
}

static unsigned long resident(void *p, unsigned long pages, unsigned char *vec)
{
	unsigned long i, n = 0;

	if (mincore(p, pages * PAGE, vec))
		return 0;
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

/*
 * Reclaim, a little at a time, until none of the pages is left in the swap
 * cache (mincore() sees it there): asking for much more at once would
 * also shrink the swap cache's shadow nodes, and refaults would go
 * undetected on the unpatched kernel.
 */
static void drop_swap_cache(const char *cgroup, void *p, unsigned long pages)
{
	char path[4096];
	unsigned char *vec = malloc(pages);
	char amount[32];
	int fd, tries, len;

	snprintf(path, sizeof(path), "%s/memory.reclaim", cgroup);
	fd = open(path, O_WRONLY);
	if (fd < 0 || !vec) {
		perror("swapops: memory.reclaim");
		exit(1);
	}
	len = snprintf(amount, sizeof(amount), "%lu", pages * PAGE / 4);
	for (tries = 0; tries < 64 && resident(p, pages, vec); tries++)
		(void)!write(fd, amount, len); /* EAGAIN: less was reclaimed */
	printf("swapops: %lu of %lu pages still in the swap cache\n", resident(p, pages, vec), pages);
	close(fd);
	free(vec);
}

int main(int argc, char **argv)
{
	unsigned long pages = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	const char *cgroup = argc > 2 && *argv[2] ? argv[2] : "/sys/fs/cgroup";
	const char *device = argc > 3 ? argv[3] : NULL;
	unsigned long i, j, sum = 0;
	unsigned long *p;

	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("swapops: mmap");
		return 1;
	}
	/*
	 * Like the benchmark's "compressible" pages: one unique word per
	 * 64-byte line, a small counter in the others. Neither zero nor one
	 * repeated word, so every page is stored and compressed.
	 */
	for (i = 0; i < pages; i++)
		for (j = 0; j < WORDS; j++)
			p[i * WORDS + j] = j % 8 == 0 ?
				(i * 0x9e3779b97f4a7c15UL) ^ (j * 0xbf58476d1ce4e5b9UL) :
				(i & 0xffff) << 16 | (j & 0xff);
	printf("TBPROF-ON\n");
	fflush(stdout);
	sleep(3); /* the host turns logging on */

	mark("pageout", pages);
	if (madvise(p, pages * PAGE, MADV_PAGEOUT))
		perror("swapops: MADV_PAGEOUT");
	mark("pageout", pages);

	sleep(1); /* writeback completes */
	drop_swap_cache(cgroup, p, pages);

	if (device) {
		mark("swapoff", pages);
		if (swapoff(device))
			perror("swapops: swapoff");
		mark("swapoff", pages);
	}

	mark("swapin", pages);
	for (i = 0; i < pages; i++)
		sum += p[i * WORDS + 7];
	mark("swapin", pages);

	mark("free", pages);
	munmap(p, pages * PAGE);
	mark("free", pages);

	printf("TBPROF-OFF %lu\n", sum);
	fflush(stdout);
	sleep(2); /* the host turns logging off */
	return 0;
}
