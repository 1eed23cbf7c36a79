# mitigations.gp: per switch, the instructions its mitigation adds to the
# null system call through `syscall`, stacked by kind. lab mitigations
# writes the data and calls
#   gnuplot -e "datafile='..'; outfile='..'; ncols=N" report/mitigations.gp
# datafile: tab-separated, a header row (the kinds), one switch a row.
set terminal pngcairo size 1200,650 font ",10" noenhanced
set output outfile
set title "Instructions each mitigation adds to lab_null() through syscall (traced, by kind)"
set ylabel "instructions"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set datafile separator "\t"
set bmargin 9
set xtics rotate by -40 left
set key top right
plot for [c=2:ncols] datafile using c:xtic(1) title columnheader(c)
