#!/bin/sh
# In the guest: ping.sh ADDR/LEN PEER COUNT. Give the first NIC's kernel
# interface ADDR, ping PEER, and print the peer's MAC from the neighbour table.
set -e
d=/sys/bus/pci/devices/$RF_NIC0
ifname=$(basename "$(ls -d "$d"/virtio*/net/* | head -n 1)")
ip addr add "$1" dev "$ifname"
ip link set "$ifname" up
ping -c "$3" -W 10 "$2"
echo "neigh $(ip neigh show "$2" dev "$ifname")"
