# tests/evaluate_live_work.sh - the workload of evaluate_live.sh: what a
# developer does in a day, scripted.  evaluate_live.sh runs it in a
# mount namespace where the programs it uses are private copies (so
# that their profiles are this workload's alone); run by hand it is
# harmless, and only writes under DIR.
#
#   sh evaluate_live_work.sh DIR train|test ROUND
#
# One round is a build (make and gcc), git, coreutils pipelines (and a
# perl one-liner), python3, tar, find and a shell script.  train and test do the same
# work on other inputs: other files and sizes, and the options a user
# varies from day to day (-O2 or -O0, git log --stat, sort -k, tar -z,
# find -size...).  Nothing in either runs find -exec, spawns a process
# from python, or opens a socket: the attacks of evaluate_live.sh do.
# The program the mprotect attack uses ($LIVE_JIT) runs here on its
# benign path.

set -e
dir=$1 mode=$2 round=$3
export HOME="$dir/home" LC_ALL=C PATH=/usr/bin:/bin
export GIT_CONFIG_NOSYSTEM=1 GIT_PAGER=cat PAGER=cat
mkdir -p "$HOME"

# $n lines of words, the same for the same seed: the text the pipelines,
# the build and git work on.
text() { # text SEED N
	awk -v s="$1" -v n="$2" 'BEGIN {
		split("alpha beta gamma delta epsilon zeta eta theta iota " \
		      "kappa lambda mu nu xi omicron pi rho sigma tau", w)
		srand(s)
		for (i = 1; i <= n; i++) {
			line = ""
			for (j = int(rand() * 8) + 2; j > 0; j--)
				line = line w[int(rand() * 19) + 1] " "
			print i "," int(rand() * 1000) "," line
		}
	}'
}

build() { # build NFILES CFLAGS
	mkdir -p build && cd build
	i=1
	: >objs
	while [ "$i" -le "$1" ]; do
		cat >f$i.c <<-EOF
		#include <stdio.h>
		int f$i(int x)
		{
			int s = 0;
			for (int k = 0; k < x * $i; k++)
				s += k % ($i + 2);
			return s;
		}
		EOF
		printf ' f%s.o' "$i" >>objs
		i=$((i + 1))
	done
	{
		echo '#include <stdio.h>'
		i=1
		while [ "$i" -le "$1" ]; do echo "int f$i(int);"; i=$((i + 1)); done
		echo 'int main(void) { int t = 0;'
		i=1
		while [ "$i" -le "$1" ]; do echo "t += f$i($round);"; i=$((i + 1)); done
		printf '%s\n' 'printf("%d\n", t); return 0; }'
	} >main.c
	printf 'CFLAGS = %s\nOBJS = main.o%s\nprog: $(OBJS)\n\t$(CC) $(CFLAGS) -o $@ $(OBJS)\nclean:\n\trm -f prog $(OBJS)\n' \
		"$2" "$(cat objs)" >Makefile
	make -s -j2 CC=gcc
	./prog >out
	touch f1.c
	make -s CC=gcc
	make -s clean
	cd ..
}

gitwork() { # gitwork SEED LOGOPTS DIFFOPTS
	mkdir -p repo && cd repo
	git init -q
	git config user.email dev@example.org
	git config user.name Dev
	text "$1" 40 >notes.csv
	cp ../build/main.c . 2>/dev/null || echo 'int main(void) { return 0; }' >main.c
	git add .
	git commit -q -m "first $1"
	text "$(($1 + 1))" 45 >notes.csv
	echo "/* round $round */" >>main.c
	git diff $3 >/dev/null
	git commit -q -a -m "second $1"
	git log $2 >/dev/null
	git status --short >/dev/null
	git branch -q topic
	cd ..
}

pipelines() { # pipelines SEED N SORTOPTS FIELD HEADN
	text "$1" "$2" >data.csv
	tr -cs 'A-Za-z' '\n' <data.csv | tr 'A-Z' 'a-z' | sort | uniq -c |
		sort -rn | head -n "$5" >top.txt
	cut -d, -f"$4" data.csv | sort $3 | uniq | wc -l >count.txt
	sort -t, $3 -k2 data.csv | head -n "$5" | cut -d, -f1,2 >low.txt
	wc -l -w -c data.csv top.txt >sizes.txt
	perl -F, -lane '$s += $F[1]; END { print $s }' data.csv >sum.txt
}

pywork() { # pywork SEED N
	cat >stats.py <<-'EOF'
	import json, random, sys
	seed, n = int(sys.argv[1]), int(sys.argv[2])
	random.seed(seed)
	rows = [(i, random.gauss(50, 10)) for i in range(n)]
	with open("rows.csv", "w") as f:
	    for i, v in rows:
	        f.write("%d,%.3f\n" % (i, v))
	with open("rows.csv") as f:
	    vals = [float(line.split(",")[1]) for line in f]
	mean = sum(vals) / len(vals)
	with open("stats.json", "w") as f:
	    json.dump({"n": len(vals), "mean": mean, "max": max(vals)}, f)
	EOF
	/usr/bin/python3 stats.py "$1" "$2"
	/usr/bin/python3 -c 'import json; print(json.load(open("stats.json"))["n"])' >/dev/null
}

tarwork() { # tarwork CREATEOPTS EXTRACTOPTS
	tar $1 -cf archive.tar build repo/notes.csv data.csv stats.json
	mkdir -p unpacked
	tar $2 -xf archive.tar -C unpacked
	tar -tf archive.tar >/dev/null
	rm -rf unpacked
}

findwork() { # findwork SIZE NAME
	find . -name "$2" -type f >found.txt
	find . -type f -size "$1" | sort >big.txt
	find . -name '*.csv' -print0 | xargs -0 wc -l >/dev/null
	find . -maxdepth 2 -type d -newer data.csv >/dev/null || true
}

script() { # script COUNT WORD
	cat >report.sh <<-'EOF'
	#!/bin/bash
	# a user's report script: functions, loops, arithmetic, case
	count=$1 word=$2 total=0
	declare -A seen
	tally() { seen[$1]=$(( ${seen[$1]:-0} + 1 )); }
	while IFS=, read -r id val rest; do
		[ "$id" -gt "$count" ] && break
		total=$(( total + val ))
		for w in $rest; do tally "$w"; done
	done <data.csv
	case $word in
	alpha|beta) n=${seen[$word]:-0} ;;
	*) n=$(grep -c "$word" data.csv || true) ;;
	esac
	printf '%s %d %d\n' "$word" "$n" "$total" >report.txt
	EOF
	chmod +x report.sh
	"$PWD/report.sh" "$1" "$2"	# by its path, which strace shows
}

# The benign path of the binary the mprotect attack uses.
jit() {
	seq 1 $((n / 20)) >nums.txt
	"$LIVE_JIT" nums.txt >/dev/null
}

# Day to day a user varies the options: odd and even rounds differ.
# Training rounds cycle through five sizes (k); test rounds use other
# seeds (so other files), sizes between those, and some other options.
work() { # work train|test
	w="$dir/$mode.$round"
	rm -rf "$w" && mkdir -p "$w" && cd "$w"
	odd=$((round % 2))
	if [ "$1" = train ]; then
		k=$((round % 5)) seed=$round
		n=$((400 + 600 * k)) files=$((2 + k))
	else
		k=$((round % 4)) seed=$((100 + round))
		n=$((700 + 600 * k)) files=$((3 + k))
	fi
	pywork "$seed" $((2 * n))
	if [ "$1" = train ] && [ "$odd" = 1 ]; then
		build "$files" "-O2"
		gitwork "$seed" "--oneline" ""
		pipelines "$seed" "$n" "" 3 10
		tarwork "" ""
		findwork "+2k" '*.c'
		script $((n / 10)) alpha
	elif [ "$1" = train ]; then
		build "$files" "-O0 -g"
		gitwork "$seed" "--stat -n 2" "--stat"
		pipelines "$seed" "$n" "-n" 2 5
		tarwork "-z" "-z"
		findwork "-1k" '*.csv'
		script $((n / 10)) kappa
	elif [ "$odd" = 1 ]; then
		build "$files" "-O2 -Wall"
		gitwork "$seed" "--oneline -n 1" "--name-only"
		pipelines "$seed" "$n" "-r" 2 7
		tarwork "-z --exclude=*.o" "-z"
		findwork "+1k" '*.o'
		script $((n / 7)) beta
	else
		build "$files" "-O1 -g"
		gitwork "$seed" "-p -n 1" "--stat"
		pipelines "$seed" "$n" "-n -r" 3 7
		tarwork "" ""
		findwork "+1k" '*.json'
		script $((n / 7)) theta
	fi
	[ -n "$LIVE_JIT" ] && jit
	# $w stays: evaluate_live.sh reads the #! of the scripts it ran.
}

case $mode in
train|test) work "$mode" ;;
*) echo 'usage: evaluate_live_work.sh DIR train|test ROUND' >&2; exit 2 ;;
esac
