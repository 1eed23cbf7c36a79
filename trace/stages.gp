# stages.gp: make trace's chart, stacked bars: one bar per path and
# mitigation setting, one colour per stage. lab trace (host/trace.c) runs
#   gnuplot -e "datafile='DIR/chart-stages.dat'; outfile='DIR/chart-stages.png'" trace/stages.gp
# datafile: tab separated, a header row (stage names), the first column the
# bar's label, one column per stage. charttitle (optional): another title;
# lab compare-kernels draws its chart (a path's bars, one per kernel
# version) with this script too.
if (!exists("charttitle")) charttitle = "Instructions per stage, one call each (traced with QEMU's gdbstub)"
set terminal pngcairo size 1200,650 font ",10" noenhanced
set output outfile
set title charttitle
set ylabel "instructions"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key outside right
set xtics rotate by -25 left
set grid ytics
set datafile separator "\t"
set datafile missing "NaN"
set bmargin 9
plot for [c=2:*] datafile using c:xtic(1) title columnheader(c)
