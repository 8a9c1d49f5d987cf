/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user protocol, front-end side: the Unix socket, the messages and
 * the file descriptors that travel with them. The spec is QEMU's
 * docs/interop/vhost-user.rst ("Message Specification", "Front-end message
 * types"). This layer knows nothing of ethdev or of our queues; virtio_user.c
 * decides what to send and when.
 *
 * Everything the back-end sends is untrusted: a reply must carry the request
 * id we sent, the reply flag, version 1, exactly the payload size that request
 * has, and no file descriptors. Anything else, a short read, or no reply
 * within the timeout, is an error with a message in conn->err; the caller then
 * closes the connection. Nothing a back-end sends can make us read past our
 * buffers or wait forever.
 */
#ifndef VIRTIO_VHOST_USER_H
#define VIRTIO_VHOST_USER_H

#include <stdint.h>
#include <linux/vhost_types.h>

#include "rf_common.h"

/* Request ids ("Front-end message types"). Only those we send. */
enum rf_vhost_user_request {
	RF_VHOST_USER_GET_FEATURES = 1,
	RF_VHOST_USER_SET_FEATURES = 2,
	RF_VHOST_USER_SET_OWNER = 3,
	RF_VHOST_USER_SET_MEM_TABLE = 5,
	RF_VHOST_USER_SET_VRING_NUM = 8,
	RF_VHOST_USER_SET_VRING_ADDR = 9,
	RF_VHOST_USER_SET_VRING_BASE = 10,
	RF_VHOST_USER_GET_VRING_BASE = 11,
	RF_VHOST_USER_SET_VRING_KICK = 12,
	RF_VHOST_USER_SET_VRING_CALL = 13,
	RF_VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	RF_VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	RF_VHOST_USER_GET_QUEUE_NUM = 17,
	RF_VHOST_USER_SET_VRING_ENABLE = 18,
	RF_VHOST_USER_SET_STATUS = 39,
	RF_VHOST_USER_GET_STATUS = 40,
};

/* Header flags ("Header"): version in bits 0-1, reply bit 2, need_reply bit 3. */
#define RF_VHOST_USER_VERSION_MASK    0x3u
#define RF_VHOST_USER_VERSION	      0x1u
#define RF_VHOST_USER_FLAG_REPLY      0x4u
#define RF_VHOST_USER_FLAG_NEED_REPLY 0x8u

/* Virtio feature bit 30, reused by vhost-user: the back-end speaks protocol features. */
#define RF_VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol feature bits ("Protocol features"): only those we may negotiate. */
#define RF_VHOST_USER_PROTOCOL_F_MQ	   0
#define RF_VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define RF_VHOST_USER_PROTOCOL_F_STATUS	   16

/* SET_VRING_KICK/CALL payload: vring index in bits 0-7, bit 8 = no fd. */
#define RF_VHOST_USER_VRING_IDX_MASK 0xffu

/* SET_MEM_TABLE carries at most this many regions (and as many fds). */
#define RF_VHOST_USER_MAX_REGIONS 8

/* "Memory regions description": one region. */
struct rf_vhost_user_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct rf_vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct rf_vhost_user_mem_region regions[RF_VHOST_USER_MAX_REGIONS];
};

/* request | flags | size, then the payload; native byte order, no padding. */
struct rf_vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

struct rf_vhost_user_msg {
	struct rf_vhost_user_hdr hdr;
	union {
		uint64_t u64;
		struct vhost_vring_state state;
		struct vhost_vring_addr addr;
		struct rf_vhost_user_memory memory;
	} payload;
} RF_PACKED;

_Static_assert(sizeof(struct rf_vhost_user_hdr) == 12, "vhost-user header is 3 x u32");
_Static_assert(sizeof(struct rf_vhost_user_mem_region) == 32, "region is 4 x u64");
_Static_assert(offsetof(struct rf_vhost_user_mem_region, mmap_offset) == 24, "mmap offset");
_Static_assert(offsetof(struct rf_vhost_user_memory, regions) == 8, "regions after 2 x u32");
_Static_assert(sizeof(struct rf_vhost_user_memory) == 8 + 8 * 32, "memory table size");
_Static_assert(sizeof(struct vhost_vring_state) == 8, "vring state is 2 x u32");
_Static_assert(sizeof(struct vhost_vring_addr) == 40, "vring addr is 2 x u32 + 4 x u64");
_Static_assert(offsetof(struct rf_vhost_user_msg, payload) == 12, "payload follows header");

#define RF_VHOST_USER_ERR_LEN 256

/* One connection to a back-end. Not thread-safe: the caller serialises. */
struct rf_vhost_user_conn {
	int fd;				 /* connected socket, -1 when none */
	int timeout_ms;			 /* for each reply, and for a send that would block */
	uint64_t protocol_features;	 /* negotiated; REPLY_ACK here makes every SET_* acked */
	char err[RF_VHOST_USER_ERR_LEN]; /* why the last call failed */
};

void rf_vhost_user_conn_init(struct rf_vhost_user_conn *c, int timeout_ms);
/* Close the socket (if any) and forget the negotiated protocol features. */
void rf_vhost_user_close(struct rf_vhost_user_conn *c);

/* Client mode: connect to path. 0 or -errno ("cannot connect to PATH: ..." in c->err). */
int rf_vhost_user_connect(struct rf_vhost_user_conn *c, const char *path);
/*
 * Server mode: listen on path. A stale socket file that nobody listens on is
 * replaced; any other existing file is an error. Returns the listening fd
 * (non-blocking) or -errno with the reason in err.
 */
int rf_vhost_user_listen(const char *path, char *err, size_t errlen);
/* Accept one connection from a listening fd. 0, -EAGAIN if none is pending, or -errno. */
int rf_vhost_user_accept(struct rf_vhost_user_conn *c, int listen_fd);

/* The name of a request, for messages ("SET_VRING_ADDR"). */
const char *rf_vhost_user_req_name(uint32_t request);

/* Messages. Each returns 0 or -errno with the reason in c->err. */
int rf_vhost_user_set_owner(struct rf_vhost_user_conn *c);
/* GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, GET_STATUS: a u64 reply. */
int rf_vhost_user_get_u64(struct rf_vhost_user_conn *c, uint32_t request, uint64_t *val);
/* SET_FEATURES, SET_PROTOCOL_FEATURES, SET_STATUS: a u64 request. */
int rf_vhost_user_set_u64(struct rf_vhost_user_conn *c, uint32_t request, uint64_t val);
int rf_vhost_user_set_mem_table(struct rf_vhost_user_conn *c,
				const struct rf_vhost_user_mem_region *regions, const int *fds,
				unsigned n);
/* SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ENABLE. */
int rf_vhost_user_set_vring_state(struct rf_vhost_user_conn *c, uint32_t request, uint32_t index,
				  uint32_t num);
int rf_vhost_user_set_vring_addr(struct rf_vhost_user_conn *c, const struct vhost_vring_addr *addr);
/* SET_VRING_KICK, SET_VRING_CALL: fd goes in SCM_RIGHTS; we keep our copy. */
int rf_vhost_user_set_vring_fd(struct rf_vhost_user_conn *c, uint32_t request, uint32_t index,
			       int fd);
/* Stops the ring in the back-end and returns where it had got to. */
int rf_vhost_user_get_vring_base(struct rf_vhost_user_conn *c, uint32_t index, uint32_t *num);

/*
 * Is the connection still alive? Called only when no request is in flight:
 * 1 if alive, 0 if the back-end closed it or sent something unasked (which
 * the protocol never does on this channel; reason in c->err).
 */
int rf_vhost_user_check_alive(struct rf_vhost_user_conn *c);

#endif /* VIRTIO_VHOST_USER_H */
