/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK --vdev syntax: "net_virtio_user0,path=/tmp/vhost.sock,queues=2".
 * The first token is the device name; the rest are key=value pairs.
 */
#ifndef RF_DEVARGS_H
#define RF_DEVARGS_H

#include <stddef.h>
#include <stdint.h>

#define RF_DEVARGS_MAX_KV 32

struct rf_devargs {
	char name[64];     /* "net_virtio_user0" */
	char driver[64];   /* "net_virtio_user" (trailing digits stripped) */
	unsigned nb_kv;
	struct {
		char *key;
		char *value;
	} kv[RF_DEVARGS_MAX_KV];
	char *buf;         /* owns the strings */
};

/* 0 or -EINVAL with a message in err ("empty device name", "key 'x' has no value", ...). */
int rf_devargs_parse(const char *s, struct rf_devargs *out, char *err, size_t errlen);
void rf_devargs_free(struct rf_devargs *da);
/* Every key must be in valid (NULL-terminated): else -EINVAL naming the unknown key. */
int rf_devargs_check_keys(const struct rf_devargs *da, const char *const *valid, char *err,
			  size_t errlen);
/* NULL if absent. A key given twice: the last one wins. */
const char *rf_devargs_get(const struct rf_devargs *da, const char *key);
/* Parse a numeric value in [min, max]; absent -> def. -EINVAL naming key and value. */
int rf_devargs_get_u32(const struct rf_devargs *da, const char *key, uint32_t def, uint32_t min,
		       uint32_t max, uint32_t *out, char *err, size_t errlen);
/* 0/1 (also "true"/"false", "on"/"off"). */
int rf_devargs_get_bool(const struct rf_devargs *da, const char *key, int def, int *out,
			char *err, size_t errlen);

#endif /* RF_DEVARGS_H */
