# bars.gp: clustered log-scale bars of the benchmark's medians, one cluster
# per path, one bar per series. lab report writes the data and calls
#   gnuplot -e "datafile='..'; outfile='..'; charttitle='..'; ylabel='..'; ncols=N" report/bars.gp
# datafile: tab-separated, a header row, the paths in column 1, one series
# per further column (ncols columns in all), NaN where a series has none.
set terminal pngcairo size 1200,650 font ",10" noenhanced
set output outfile
set title charttitle
set ylabel ylabel
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set logscale y
set datafile separator "\t"
set datafile missing "NaN"
set bmargin 9
set rmargin 8
set xtics rotate by -40 left
set key top left
plot for [c=2:ncols] datafile using c:xtic(1) title columnheader(c)
