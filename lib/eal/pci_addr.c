/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI address parsing. Written out field by field rather than with sscanf:
 * sscanf accepts signs, spaces and overlong fields that a BDF must not have.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rf_pci_addr.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1..maxdigits hex digits at *s, value at most max; advances *s. */
static int hex_field(const char **s, unsigned maxdigits, unsigned max, unsigned *out)
{
	unsigned v = 0, n = 0;
	int d;

	while (n < maxdigits && (d = hex_digit(**s)) >= 0) {
		v = v * 16 + (unsigned)d;
		(*s)++;
		n++;
	}
	if (n == 0 || v > max || hex_digit(**s) >= 0)
		return -EINVAL;
	*out = v;
	return 0;
}

int rf_pci_addr_parse_prefix(const char *s, struct rf_pci_addr *out, const char **end)
{
	unsigned a, b, dev, fn, domain = 0, bus;
	const char *p = s;

	if (s == NULL || out == NULL)
		return -EINVAL;
	if (hex_field(&p, 4, 0xffff, &a) != 0 || *p++ != ':')
		return -EINVAL;
	if (hex_field(&p, 2, 0xff, &b) != 0)
		return -EINVAL;
	if (*p == ':') {
		/* DDDD:BB:DD.F: the first field was the domain. */
		p++;
		domain = a;
		bus = b;
		if (hex_field(&p, 2, 0x1f, &dev) != 0)
			return -EINVAL;
	} else {
		/* BB:DD.F */
		if (a > 0xff || b > 0x1f)
			return -EINVAL;
		bus = a;
		dev = b;
	}
	if (*p++ != '.' || hex_field(&p, 1, 7, &fn) != 0)
		return -EINVAL;
	if (*p != '\0' && *p != ',')
		return -EINVAL;
	out->domain = domain;
	out->bus = (uint8_t)bus;
	out->devid = (uint8_t)dev;
	out->function = (uint8_t)fn;
	if (end != NULL)
		*end = p;
	return 0;
}

int rf_pci_addr_parse(const char *s, struct rf_pci_addr *out)
{
	const char *end;
	struct rf_pci_addr a;

	if (rf_pci_addr_parse_prefix(s, &a, &end) != 0 || *end != '\0')
		return -EINVAL;
	*out = a;
	return 0;
}

void rf_pci_addr_format(const struct rf_pci_addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus, a->devid, a->function);
}

int rf_pci_addr_cmp(const struct rf_pci_addr *a, const struct rf_pci_addr *b)
{
	uint64_t x = ((uint64_t)a->domain << 24) | ((uint64_t)a->bus << 16) |
		     ((uint64_t)a->devid << 8) | a->function;
	uint64_t y = ((uint64_t)b->domain << 24) | ((uint64_t)b->bus << 16) |
		     ((uint64_t)b->devid << 8) | b->function;

	return x < y ? -1 : x > y;
}
