# Mpps per scenario and frame size, ringfwd and DPDK side by side, the bar the
# median of the pairs and the whisker min..max. Called by run.sh:
#   gnuplot -e "dat='plot.dat'; base='results'; subtitle='...'" plot.gp
# plot.dat columns: label rf_median rf_min rf_max dpdk_median dpdk_min dpdk_max
if (!exists("subtitle")) subtitle = ""
set title "ringfwd vs DPDK net_virtio_user as DUT, same testpmd net_vhost peer (peer's counter)\n" . subtitle
set ylabel "Mpps (median of pairs, whiskers min..max)"
set style data histogram
set style histogram errorbars gap 1.5 lw 1.5
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top right
set xtics rotate by -30 nomirror
set bars front

do for [fmt in "pngcairo svg"] {
	if (fmt eq "pngcairo") {
		set terminal pngcairo noenhanced size 1100,600 font "Sans,10"
		set output base . ".png"
	} else {
		set terminal svg noenhanced size 1100,600 font "Sans,10" dynamic
		set output base . ".svg"
	}
	plot dat using 2:3:4:xtic(1) title "ringfwd" lc rgb "#1f77b4", \
	     ''  using 5:6:7 title "DPDK 22.11 net_virtio_user" lc rgb "#ff7f0e"
	unset output
}
