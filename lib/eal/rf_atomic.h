/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one place that names memory orders.
 *
 * Software rings and pools keep their shared state in _Atomic members and use
 * <stdatomic.h> directly. Memory shared with a device (virtqueues) is laid out
 * by the Linux UAPI structs, whose fields are plain integers; the helpers below
 * give those fields acquire/release semantics by accessing them through an
 * _Atomic lvalue of the same size and alignment (true on every ABI we build
 * for, checked below). No volatile, no architecture #ifdef.
 *
 * Every caller states, next to the call, what must be visible before what and
 * which access it pairs with.
 */
#ifndef RF_ATOMIC_H
#define RF_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>

_Static_assert(sizeof(_Atomic uint16_t) == sizeof(uint16_t), "atomic u16 layout");
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "atomic u32 layout");
_Static_assert(_Alignof(_Atomic uint16_t) == _Alignof(uint16_t), "atomic u16 align");

static inline uint16_t rf_load_acquire_u16(const uint16_t *p)
{
	return atomic_load_explicit((const _Atomic uint16_t *)p, memory_order_acquire);
}

static inline void rf_store_release_u16(uint16_t *p, uint16_t v)
{
	atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_release);
}

static inline uint16_t rf_load_relaxed_u16(const uint16_t *p)
{
	return atomic_load_explicit((const _Atomic uint16_t *)p, memory_order_relaxed);
}

static inline void rf_store_relaxed_u16(uint16_t *p, uint16_t v)
{
	atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_relaxed);
}

static inline uint32_t rf_load_acquire_u32(const uint32_t *p)
{
	return atomic_load_explicit((const _Atomic uint32_t *)p, memory_order_acquire);
}

static inline void rf_store_release_u32(uint32_t *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}

/* Orders earlier loads before later loads and stores. */
static inline void rf_fence_acquire(void)
{
	atomic_thread_fence(memory_order_acquire);
}

/* Orders earlier loads and stores before later stores. */
static inline void rf_fence_release(void)
{
	atomic_thread_fence(memory_order_release);
}

/*
 * Full fence: a store before it is visible before a load after it. Needed only
 * where we publish an index and then read the peer's notification flag
 * (virtio 1.x §2.7.10: avail idx before reading used->flags / avail_event).
 */
static inline void rf_fence_seq_cst(void)
{
	atomic_thread_fence(memory_order_seq_cst);
}

#endif /* RF_ATOMIC_H */
