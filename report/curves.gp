# curves.gp: cost per operation against N, the operations one crossing into
# the kernel carries, log-log, one panel per series. lab report writes the
# data (host/report_write.c) and calls
#   gnuplot -e "files='A.dat B.dat'; names='host icount-default';
#               modes='host icount'; units='ns instructions'; outfile='..'" report/curves.gp
# files, names, modes, units: one word per panel, in the same order. Each
# file is tab-separated: a header row, N in column 1, one approach per
# further column (the same columns in every file, so that an approach has
# the same colour in every panel), then two flat lines: one getppid() call
# (for scale, where a series has no lab_null() calls: the host) and the
# floor (the call's body inside the kernel); NaN where the series has no
# figure (a column of nothing but NaN is left out, key and all).
n = words(files)
cols = (n > 1) ? 2 : 1
rows = (n + cols - 1) / cols
set terminal pngcairo size 640*cols, 560*rows font ",9" noenhanced
set output outfile
set datafile separator "\t"
set datafile missing "NaN"
set logscale x 2
set logscale y 10
set xrange [0.8:1300]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64, "128" 128, "256" 256, "512" 512, "1024" 1024)
set format y "%g"
set ytics ("1" 1, "2" 2, "3" 3, "5" 5, "10" 10, "20" 20, "30" 30, "50" 50, \
	"100" 100, "200" 200, "300" 300, "500" 500, "1000" 1000, "2000" 2000, \
	"3000" 3000, "5000" 5000, "10000" 10000, "20000" 20000, "30000" 30000, \
	"50000" 50000, "100000" 100000)
set autoscale yfix
set offsets 0, 0, graph 0.05, graph 0.05
set grid xtics ytics mytics
set xlabel "N: operations per crossing into the kernel"
set key below maxrows 4 samplen 2 font ",8"
# An approach's colour by its column; getppid() grey and dotted, the floor
# black and dashed.
colours = "#9400d3 #009e73 #56b4e9 #e69f00 #0072b2 #d55e00 #cc79a7 #808080"
colour(c, nc) = (c == nc) ? "black" : (c == nc - 1) ? "gray40" : word(colours, (c - 2) % 8 + 1)
dashed(c, nc) = (c == nc) ? 2 : (c == nc - 1) ? 3 : 1
set multiplot layout rows, cols title "Cost per operation against operations per crossing (median, log-log)"
do for [i = 1:n] {
	f = word(files, i)
	nc = int(system("head -1 '" . f . "' | awk -F'\t' '{print NF}'"))
	set title word(names, i) . " (" . word(modes, i) . ")"
	set ylabel word(units, i) . " per operation" . (word(modes, i) eq "tcg" ? " (TCG: emulation time)" : "")
	plot for [c = 2:nc] f using 1:c with linespoints lw 1.5 pt 7 ps 0.6 \
		lc rgb colour(c, nc) dashtype dashed(c, nc) title columnheader(c)
}
unset multiplot
