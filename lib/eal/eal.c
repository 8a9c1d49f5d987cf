/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL options and bring-up.
 *
 * The parser is a table, not getopt: getopt keeps global state (optind) that
 * the application's own option parsing after "--" would inherit, and it
 * permutes argv. Each table row names an option, says whether it takes a
 * value, and gives the handler that checks and stores it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"
#include "rf_eal.h"

#define STR_(x)	       #x
#define STR(x)	       STR_(x)
#define EAL_DEFAULT_MB 256
#define EAL_MAX_MB     4194304 /* 4 TB: far above any machine, far below overflow */

struct eal_parse {
	struct rf_eal_config *cfg;
	bool lcores_given;
	bool main_given;
};

struct eal_opt {
	const char *name; /* long name, without "--"; NULL if none */
	char short_name;  /* 0 if none */
	const char *arg;  /* value placeholder for --help; NULL: takes no value */
	const char *help;
	/* Checks and stores val (NULL for a flag). On error logs one message, returns -EINVAL. */
	int (*handle)(struct eal_parse *p, const struct eal_opt *o, const char *val);
};

#define EAL_MAX_BUS 4

static pthread_mutex_t eal_lock = PTHREAD_MUTEX_INITIALIZER;
/* Written by constructors before main, read-only afterwards. */
static const struct rf_eal_bus *buses[EAL_MAX_BUS];
static unsigned nb_buses;
static bool eal_up;		     /* (eal_lock) */
static struct rf_eal_config eal_cfg; /* (eal_lock) valid while eal_up */

/* "-l/--lcores", "-m", "--vdev": how the user may have spelled the option. */
static const char *opt_spelling(const struct eal_opt *o, char *buf, size_t len)
{
	if (o->short_name != 0 && o->name != NULL)
		snprintf(buf, len, "-%c/--%s", o->short_name, o->name);
	else if (o->short_name != 0)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

static int bad_value(const struct eal_opt *o, const char *val, const char *expected)
{
	char name[48];

	RF_LOG(ERR, EAL, "%s '%s': expected %s", opt_spelling(o, name, sizeof(name)), val,
	       expected);
	return -EINVAL;
}

/* A whole decimal number in [1, max]; no sign, no suffix, no spaces. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int opt_lcores(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	if (rf_lcore_parse_map(val, p->cfg->lcores, p->cfg->lcore_cpu, RF_MAX_LCORE) < 0)
		return bad_value(
		    o, val, "a list like 0-3,5 or 0@0,1-2@1 (lcores below " STR(RF_MAX_LCORE) ")");
	p->lcores_given = true;
	return 0;
}

static int opt_main_lcore(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	unsigned long v;

	/* parse_uint rejects 0, which is a valid lcore here. */
	if (strcmp(val, "0") == 0)
		v = 0;
	else if (parse_uint(val, RF_MAX_LCORE - 1, &v) != 0)
		return bad_value(o, val, "a CPU number below " STR(RF_MAX_LCORE));
	p->cfg->main_lcore = (unsigned)v;
	p->main_given = true;
	return 0;
}

static int opt_mem(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	unsigned long mb;

	if (parse_uint(val, EAL_MAX_MB, &mb) != 0)
		return bad_value(o, val, "megabytes, a whole number from 1 to " STR(EAL_MAX_MB));
	p->cfg->mem.initial_len = (size_t)mb << 20;
	return 0;
}

static int opt_no_huge(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	(void)o;
	(void)val;
	p->cfg->mem.no_huge = 1;
	return 0;
}

static int opt_huge_dir(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	if (*val == '\0')
		return bad_value(o, val, "the directory of a hugetlbfs mount");
	p->cfg->mem.huge_dir = val;
	return 0;
}

static int opt_file_prefix(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	/* It becomes part of file names: keep it one short path component. */
	if (*val == '\0' || strchr(val, '/') != NULL || strlen(val) > 32)
		return bad_value(o, val, "a name of 1 to 32 characters without '/'");
	p->cfg->mem.prefix = val;
	return 0;
}

static int opt_iova_mode(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	if (strcmp(val, "va") == 0)
		p->cfg->iova_asked = RF_IOVA_VA;
	else if (strcmp(val, "pa") == 0)
		p->cfg->iova_asked = RF_IOVA_PA;
	else
		return bad_value(o, val, "va or pa");
	return 0;
}

static bool pci_listed(const struct rf_eal_pci_arg *list, unsigned n, const struct rf_pci_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (rf_pci_addr_cmp(&list[i].addr, a) == 0)
			return true;
	return false;
}

/* -a BDF[,devargs]: the devargs are the driver's, checked when it probes. */
static int opt_allow(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	struct rf_eal_pci_arg *arg;
	const char *end;

	if (p->cfg->nb_allow == RF_EAL_MAX_PCI)
		return bad_value(o, val, "at most " STR(RF_EAL_MAX_PCI) " -a options");
	arg = &p->cfg->allow[p->cfg->nb_allow];
	if (rf_pci_addr_parse_prefix(val, &arg->addr, &end) != 0)
		return bad_value(o, val,
				 "a PCI address like 0000:00:03.0 or 00:03.0, then ,key=value "
				 "device arguments if any");
	if (pci_listed(p->cfg->allow, p->cfg->nb_allow, &arg->addr))
		return bad_value(o, val, "each device once");
	arg->devargs = *end == ',' ? end + 1 : NULL;
	p->cfg->nb_allow++;
	return 0;
}

static int opt_block(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	struct rf_eal_pci_arg *arg;

	if (p->cfg->nb_block == RF_EAL_MAX_PCI)
		return bad_value(o, val, "at most " STR(RF_EAL_MAX_PCI) " -b options");
	arg = &p->cfg->block[p->cfg->nb_block];
	if (rf_pci_addr_parse(val, &arg->addr) != 0)
		return bad_value(o, val, "a PCI address like 0000:00:03.0 or 00:03.0");
	arg->devargs = NULL;
	p->cfg->nb_block++;
	return 0;
}

static int opt_no_pci(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	(void)o;
	(void)val;
	p->cfg->no_pci = true;
	return 0;
}

static int opt_vdev(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	if (*val == '\0')
		return bad_value(o, val, "device arguments like net_virtio_user0,path=/tmp/sock");
	if (p->cfg->nb_vdevs == RF_EAL_MAX_VDEV)
		return bad_value(o, val, "at most " STR(RF_EAL_MAX_VDEV) " --vdev options");
	p->cfg->vdevs[p->cfg->nb_vdevs++] = val;
	return 0;
}

static int opt_log_level(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	if (rf_log_parse_level(val, &p->cfg->log_level) != 0)
		return bad_value(o, val, "err, warning, notice, info, debug or 1..8");
	return 0;
}

static int opt_no_telemetry(struct eal_parse *p, const struct eal_opt *o, const char *val)
{
	(void)o;
	(void)val;
	p->cfg->no_telemetry = true;
	return 0;
}

static const struct eal_opt eal_opts[] = {
    {"lcores", 'l', "LIST",
     "lcores to use, e.g. 0-3,5; L@CPU pins lcore L to CPU (default: the first two CPUs)",
     opt_lcores},
    {"main-lcore", 0, "N", "the lcore that runs main() (default: first in the list)",
     opt_main_lcore},
    {NULL, 'm', "MB", "memory to reserve at start-up (default: " STR(EAL_DEFAULT_MB) ")", opt_mem},
    {"no-huge", 0, NULL, "use a plain memfd with 4 KB pages", opt_no_huge},
    {"huge-dir", 0, "DIR", "the hugetlbfs mount to use (default: the first mounted)", opt_huge_dir},
    {"file-prefix", 0, "NAME", "names our memory files and telemetry dir (default: rf)",
     opt_file_prefix},
    {"iova-mode", 0, "va|pa",
     "how devices address our memory (default: va when every PCI device is behind an IOMMU, "
     "else pa)",
     opt_iova_mode},
    {"vdev", 0, "DEVARGS",
     "add a virtual device, e.g. net_virtio_user0,path=SOCK "
     "(repeatable)",
     opt_vdev},
    {"log-level", 0, "LEVEL", "err, warning, notice, info or debug (default: notice)",
     opt_log_level},
    {"allow", 'a', "BDF[,ARGS]",
     "probe only these PCI devices, e.g. 0000:00:03.0 (repeatable; ARGS go to the driver)",
     opt_allow},
    {"block", 'b', "BDF", "never probe this PCI device (repeatable)", opt_block},
    {"no-pci", 0, NULL, "do not scan the PCI bus", opt_no_pci},
    {"no-telemetry", 0, NULL,
     "no telemetry socket (default: DPDK's v2 protocol at <runtime dir>/dpdk_telemetry.v2)",
     opt_no_telemetry},
};

static const struct eal_opt *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < RF_DIM(eal_opts); i++) {
		const char *n = eal_opts[i].name;

		if (n != NULL && strncmp(n, name, len) == 0 && n[len] == '\0')
			return &eal_opts[i];
	}
	return NULL;
}

static const struct eal_opt *find_short(char c)
{
	for (size_t i = 0; i < RF_DIM(eal_opts); i++)
		if (eal_opts[i].short_name == c)
			return &eal_opts[i];
	return NULL;
}

/* The first two CPUs we may run on: 0 and 1 on an unrestricted machine. */
static void default_lcores(struct rf_eal_config *cfg)
{
	cpu_set_t allowed;
	unsigned found = 0;

	if (rf_eal_allowed_cpus(&allowed) != 0 || CPU_COUNT(&allowed) == 0) {
		cfg->lcores[0] = true;
		return;
	}
	for (unsigned i = 0; i < RF_MAX_LCORE && i < CPU_SETSIZE && found < 2; i++) {
		if (CPU_ISSET(i, &allowed)) {
			cfg->lcores[i] = true;
			found++;
		}
	}
	if (found == 0)
		cfg->lcores[0] = true;
}

/*
 * An lcore on a CPU that is not there (-l 7 on a 2-CPU machine, -l 0@9) is a
 * wrong option value: said here, before anything is set up, with the CPUs
 * that can be used. Reading the affinity changes nothing.
 */
static int check_lcore_cpus(const struct rf_eal_config *cfg)
{
	char cpus[128];
	int bad =
	    rf_eal_lcore_unusable(cfg->lcores, cfg->lcore_cpu, RF_MAX_LCORE, cpus, sizeof(cpus));

	if (bad < 0)
		return 0;
	if (cfg->lcore_cpu[bad] == (unsigned)bad)
		RF_LOG(ERR, EAL,
		       "-l/--lcores: lcore %d would run on CPU %d, which does not exist or is "
		       "outside this process's CPU affinity (usable CPUs: %s); list lcores "
		       "from %s, or pin it to one with %d@CPU",
		       bad, bad, cpus, cpus, bad);
	else
		RF_LOG(ERR, EAL,
		       "-l/--lcores: lcore %d is pinned to CPU %u, which does not exist or is "
		       "outside this process's CPU affinity (usable CPUs: %s); pin it to one of "
		       "those with %d@CPU",
		       bad, cfg->lcore_cpu[bad], cpus, bad);
	return -EINVAL;
}

/*
 * One argument (and maybe the next) at argv[*i]. "--name", "--name=value",
 * "--name value", "-x", "-xvalue", "-x value". Advances *i past what it used.
 */
static int parse_one(struct eal_parse *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	const struct eal_opt *o = NULL;
	const char *val = NULL;
	bool inline_val = false;

	if (arg[0] == '-' && arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');

		o = find_long(arg + 2, eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (eq != NULL) {
			val = eq + 1;
			inline_val = true;
		}
	} else if (arg[0] == '-' && arg[1] != '\0') {
		o = find_short(arg[1]);
		if (arg[2] != '\0') {
			val = arg + 2;
			inline_val = true;
		}
	} else {
		RF_LOG(ERR, EAL, "unexpected argument '%s' (application options go after --)", arg);
		return -EINVAL;
	}
	if (o == NULL) {
		RF_LOG(ERR, EAL, "unknown option '%s' (see --help)", arg);
		return -EINVAL;
	}
	(*i)++;
	if (o->arg == NULL) {
		if (inline_val) {
			RF_LOG(ERR, EAL, "--%s takes no value, got '%s'", o->name, arg);
			return -EINVAL;
		}
		return o->handle(p, o, NULL);
	}
	if (!inline_val) {
		if (*i >= argc || strcmp(argv[*i], "--") == 0) {
			RF_LOG(ERR, EAL, "%s needs a value: %s", arg, o->arg);
			return -EINVAL;
		}
		val = argv[(*i)++];
	}
	return o->handle(p, o, val);
}

int rf_eal_parse_args(int argc, char **argv, struct rf_eal_config *cfg)
{
	struct eal_parse p = {.cfg = cfg};
	int i, ret;

	if (cfg == NULL || argc < 0 || (argc > 0 && argv == NULL))
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	for (unsigned c = 0; c < RF_MAX_LCORE; c++)
		cfg->lcore_cpu[c] = c;
	cfg->mem.prefix = "rf";
	cfg->mem.iova_mode = RF_IOVA_VA;
	cfg->iova_asked = RF_IOVA_DC;
	cfg->log_level = RF_LOG_NOTICE;

	/* argv[0] is the program name. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0;) {
		ret = parse_one(&p, argc, argv, &i);
		if (ret != 0)
			return ret;
	}
	if (argc == 0)
		i = 0;

	if (!p.lcores_given)
		default_lcores(cfg);
	if (!p.main_given) {
		for (unsigned c = 0; c < RF_MAX_LCORE; c++) {
			if (cfg->lcores[c]) {
				cfg->main_lcore = c;
				break;
			}
		}
	} else if (!cfg->lcores[cfg->main_lcore]) {
		RF_LOG(ERR, EAL, "--main-lcore %u is not in the lcore list", cfg->main_lcore);
		return -EINVAL;
	}
	if (p.lcores_given && check_lcore_cpus(cfg) != 0)
		return -EINVAL;
	if (cfg->no_pci && cfg->nb_allow > 0) {
		RF_LOG(ERR, EAL, "-a/--allow and --no-pci contradict each other: drop one");
		return -EINVAL;
	}
	for (unsigned a = 0; a < cfg->nb_allow; a++) {
		if (pci_listed(cfg->block, cfg->nb_block, &cfg->allow[a].addr)) {
			char bdf[RF_PCI_ADDR_LEN];

			rf_pci_addr_format(&cfg->allow[a].addr, bdf, sizeof(bdf));
			RF_LOG(ERR, EAL, "%s is both allowed (-a) and blocked (-b): drop one", bdf);
			return -EINVAL;
		}
	}
	if (cfg->iova_asked == RF_IOVA_PA && cfg->mem.no_huge) {
		RF_LOG(ERR, EAL,
		       "--iova-mode pa needs hugepages (4 KB pages can move under a device): "
		       "drop --no-huge, or use --iova-mode va with devices bound to vfio-pci");
		return -EINVAL;
	}
	if (cfg->iova_asked != RF_IOVA_DC)
		cfg->mem.iova_mode = cfg->iova_asked;
	return i;
}

void rf_eal_usage(FILE *out)
{
	char opt[48];

	fprintf(out, "EAL options (before --):\n");
	for (size_t i = 0; i < RF_DIM(eal_opts); i++) {
		const struct eal_opt *o = &eal_opts[i];

		if (o->short_name != 0 && o->name != NULL)
			snprintf(opt, sizeof(opt), "-%c, --%s %s", o->short_name, o->name,
				 o->arg != NULL ? o->arg : "");
		else if (o->short_name != 0)
			snprintf(opt, sizeof(opt), "-%c %s", o->short_name, o->arg);
		else
			snprintf(opt, sizeof(opt), "    --%s %s", o->name,
				 o->arg != NULL ? o->arg : "");
		fprintf(out, "  %-28s %s\n", opt, o->help);
	}
}

static const char *mem_kind_name(enum rf_mem_kind kind)
{
	switch (kind) {
	case RF_MEM_HUGE_MEMFD:
		return "2 MB hugepages (memfd)";
	case RF_MEM_HUGETLBFS:
		return "hugepages (hugetlbfs)";
	case RF_MEM_PLAIN_MEMFD:
		break;
	}
	return "4 KB pages";
}

static int first_seg(const struct rf_memseg *seg, void *arg)
{
	*(const struct rf_memseg **)arg = seg;
	return 1;
}

static void log_summary(const struct rf_eal_config *cfg)
{
	const struct rf_memseg *seg = NULL;

	rf_memseg_walk(first_seg, &seg);
	RF_LOG(INFO, EAL, "%u lcores, main lcore %u; %zu MB of %s; iova %s; %u vdevs",
	       rf_lcore_count(), cfg->main_lcore, seg != NULL ? seg->len >> 20 : 0,
	       seg != NULL ? mem_kind_name(seg->kind) : "no memory",
	       cfg->mem.iova_mode == RF_IOVA_VA ? "va" : "pa", cfg->nb_vdevs);
}

void rf_eal_bus_register(const struct rf_eal_bus *bus)
{
	if (bus == NULL || bus->scan == NULL || nb_buses == EAL_MAX_BUS)
		return;
	buses[nb_buses++] = bus;
}

static void buses_cleanup(void)
{
	for (unsigned b = nb_buses; b-- > 0;)
		if (buses[b]->cleanup != NULL)
			buses[b]->cleanup();
}

/*
 * Scan every bus, then settle the IOVA mode as DPDK does: what the devices
 * need wins; a device behind an IOMMU (vfio-pci) needs va, one without
 * (uio_pci_generic, or no driver) needs pa, and with none, va. An explicit
 * --iova-mode that a device cannot work with is refused, with the device.
 */
static int buses_scan_and_choose_iova(struct rf_eal_config *cfg)
{
	enum rf_iova_mode need = RF_IOVA_DC;
	char why[160] = "";

	for (unsigned b = 0; b < nb_buses; b++) {
		int ret = buses[b]->scan(cfg);

		if (ret != 0)
			return ret;
	}
	for (unsigned b = 0; b < nb_buses && need == RF_IOVA_DC; b++)
		if (buses[b]->iova_mode != NULL)
			need = buses[b]->iova_mode(why, sizeof(why));
	if (cfg->iova_asked != RF_IOVA_DC && need != RF_IOVA_DC && need != cfg->iova_asked) {
		RF_LOG(ERR, EAL, "--iova-mode %s: %s, so it needs --iova-mode %s",
		       cfg->iova_asked == RF_IOVA_VA ? "va" : "pa", why,
		       need == RF_IOVA_VA ? "va" : "pa");
		return -EINVAL;
	}
	if (cfg->iova_asked != RF_IOVA_DC)
		return 0;
	cfg->mem.iova_mode = need == RF_IOVA_PA ? RF_IOVA_PA : RF_IOVA_VA;
	if (cfg->mem.iova_mode == RF_IOVA_PA && cfg->mem.no_huge) {
		RF_LOG(ERR, EAL,
		       "%s, so devices address memory by physical address (iova-mode pa), which "
		       "needs hugepages: drop --no-huge, or bind the device to vfio-pci",
		       why);
		return -EINVAL;
	}
	if (cfg->mem.iova_mode == RF_IOVA_PA)
		RF_LOG(INFO, EAL, "iova-mode pa: %s", why);
	return 0;
}

int rf_eal_init(int argc, char **argv)
{
	struct rf_eal_config cfg;
	int consumed, ret;

	pthread_mutex_lock(&eal_lock);
	if (eal_up) {
		RF_LOG(ERR, EAL, "rf_eal_init called twice");
		ret = -EALREADY;
		goto out;
	}
	consumed = rf_eal_parse_args(argc, argv, &cfg);
	if (consumed < 0) {
		ret = consumed;
		goto out;
	}
	rf_log_set_level(cfg.log_level);
	ret = rf_time_init();
	if (ret != 0)
		goto out;
	ret = buses_scan_and_choose_iova(&cfg);
	if (ret != 0) {
		buses_cleanup();
		goto out;
	}
	ret = rf_heap_init(&cfg.mem);
	if (ret != 0) {
		buses_cleanup();
		/* rf_memseg_create has said why, with what to do, in one line. */
		if (ret == -EALREADY)
			RF_LOG(ERR, EAL,
			       "the heap is already up: rf_heap_init was called directly");
		goto out;
	}
	ret = rf_lcore_init_map(cfg.lcores, cfg.lcore_cpu, RF_MAX_LCORE, cfg.main_lcore);
	if (ret != 0) {
		buses_cleanup();
		rf_heap_fini();
		goto out;
	}
	eal_cfg = cfg;
	eal_up = true;
	ret = consumed;
	log_summary(&cfg);
out:
	pthread_mutex_unlock(&eal_lock);
	return ret;
}

void rf_eal_cleanup(void)
{
	pthread_mutex_lock(&eal_lock);
	if (eal_up) {
		rf_lcore_fini();
		/* Devices first: none may still reach memory that is about to go. */
		buses_cleanup();
		rf_heap_fini();
		eal_up = false;
	}
	pthread_mutex_unlock(&eal_lock);
}

const struct rf_eal_config *rf_eal_config_get(void)
{
	return eal_up ? &eal_cfg : NULL;
}
