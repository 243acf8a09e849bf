// A small stand-in for Google Benchmark, so that the Go anchor's output is read by the same
// report generator as the C++ anchors: the same flags (the subset run.sh uses), the same
// naming (BM_<Subject>_<Variant>/<args>[/iterations:N][/repeats:N][/manual_time]), the same
// JSON layout (context + benchmarks, with mean/median/stddev/cv aggregates when repeated).
//
// Differences a reader should know: cpu_time is the process's CPU time (user + system, all
// threads, GC included) per iteration, since Go cannot attribute CPU to a goroutine; and
// there is no DoNotOptimize - every workload returns a checksum that is checked instead.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type result struct {
	iters    int64
	realNs   float64 // over all iterations: manual time when the benchmark sets it, else wall
	cpuNs    float64 // process CPU over the run
	counters map[string]float64
	err      string
}

type benchmark struct {
	name       string // BM_<Subject>_<Variant>/<args>
	fixedIters int64  // 0: grow the count until min_time is reached, as Google Benchmark does
	repeats    int    // 0: the -benchmark_repetitions flag
	manualTime bool
	run        func(iters int64) result
}

func (b *benchmark) fullName() string {
	n := b.name
	if b.fixedIters > 0 {
		n += fmt.Sprintf("/iterations:%d", b.fixedIters)
	}
	if b.repeats > 0 {
		n += fmt.Sprintf("/repeats:%d", b.repeats)
	}
	if b.manualTime {
		n += "/manual_time"
	}
	return n
}

type options struct {
	filter        *regexp.Regexp
	out           string
	repetitions   int
	minTime       float64
	aggregatesOut bool // --benchmark_report_aggregates_only
	aggregatesCon bool // --benchmark_display_aggregates_only
	list          bool
	quick         bool
}

// parseFlags accepts Google Benchmark's spelling (--flag=value, or -flag=value).
func parseFlags(args []string) (options, error) {
	o := options{filter: regexp.MustCompile("."), repetitions: 1, minTime: 0.5}
	for _, a := range args {
		k, v, hasV := strings.Cut(strings.TrimLeft(a, "-"), "=")
		boolean := func() bool { return !hasV || v == "true" || v == "1" }
		var err error
		switch k {
		case "benchmark_filter":
			o.filter, err = regexp.Compile(v)
		case "benchmark_out":
			o.out = v
		case "benchmark_out_format":
			if v != "json" {
				err = fmt.Errorf("only json output is supported")
			}
		case "benchmark_repetitions":
			o.repetitions, err = strconv.Atoi(v)
		case "benchmark_min_time":
			o.minTime, err = strconv.ParseFloat(strings.TrimSuffix(v, "s"), 64)
		case "benchmark_report_aggregates_only":
			o.aggregatesOut = boolean()
		case "benchmark_display_aggregates_only":
			o.aggregatesCon = boolean()
		case "benchmark_list_tests":
			o.list = boolean()
		case "anchors_quick":
			o.quick = boolean()
		default:
			err = fmt.Errorf("unrecognized flag %q", a)
		}
		if err != nil {
			return o, fmt.Errorf("%s: %v", a, err)
		}
	}
	return o, nil
}

func processCPUNs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs b once: a fixed count, or growing counts until min_time (Google Benchmark's
// rule: multiply by 1.4 x min_time / elapsed, or by 10 while elapsed < 10% of min_time).
func measure(b *benchmark, minTime float64) result {
	if b.fixedIters > 0 {
		return timed(b, b.fixedIters)
	}
	iters := int64(1)
	for {
		r := timed(b, iters)
		secs := r.realNs / 1e9
		if r.err != "" || secs >= minTime || iters >= 1e9 {
			return r
		}
		mult := minTime * 1.4 / math.Max(secs, 1e-9)
		if secs/minTime <= 0.1 {
			mult = 10
		}
		next := int64(float64(iters) * mult)
		if next <= iters {
			next = iters + 1
		}
		if next > 1e9 {
			next = 1e9
		}
		iters = next
	}
}

func timed(b *benchmark, iters int64) result {
	c0 := processCPUNs()
	r := b.run(iters)
	r.cpuNs = processCPUNs() - c0
	r.iters = iters
	return r
}

// ---- JSON in Google Benchmark's layout --------------------------------------------------

type kv struct {
	k string
	v interface{}
}

type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func cpuMHz() int {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "cpu MHz") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return int(f)
			}
		}
	}
	return 0
}

func loadAvg() []float64 {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	out := []float64{}
	for i := 0; i < 3 && i < len(f); i++ {
		v, _ := strconv.ParseFloat(f[i], 64)
		out = append(out, v)
	}
	return out
}

func contextJSON(extra ordered) ordered {
	host, _ := os.Hostname()
	c := ordered{
		{"date", time.Now().Format(time.RFC3339)},
		{"host_name", host},
		{"executable", os.Args[0]},
		{"num_cpus", runtime.NumCPU()},
		{"mhz_per_cpu", cpuMHz()},
		{"cpu_scaling_enabled", false},
		{"caches", []int{}},
		{"load_avg", loadAvg()},
		{"library_build_type", "release"},
	}
	return append(c, extra...)
}

type run struct {
	b      *benchmark
	family int
	rep    int
	reps   int
	r      result
}

func counterKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func iterationJSON(x run) ordered {
	name := x.b.fullName()
	e := ordered{
		{"name", name}, {"family_index", x.family}, {"per_family_instance_index", 0},
		{"run_name", name}, {"run_type", "iteration"}, {"repetitions", x.reps},
		{"repetition_index", x.rep}, {"threads", 1},
	}
	if x.r.err != "" {
		return append(e, kv{"error_occurred", true}, kv{"error_message", x.r.err})
	}
	it := float64(x.r.iters)
	e = append(e, kv{"iterations", x.r.iters}, kv{"real_time", x.r.realNs / it},
		kv{"cpu_time", x.r.cpuNs / it}, kv{"time_unit", "ns"})
	for _, k := range counterKeys(x.r.counters) {
		e = append(e, kv{k, x.r.counters[k]})
	}
	return e
}

func stats(v []float64) (mean, median, stddev float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		median = s[len(s)/2]
	} else {
		median = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	if len(v) > 1 {
		for _, x := range v {
			stddev += (x - mean) * (x - mean)
		}
		stddev = math.Sqrt(stddev / (n - 1))
	}
	return
}

// aggregateJSON mirrors Google Benchmark's mean/median/stddev/cv entries.
func aggregateJSON(runs []run) []ordered {
	first := runs[0]
	var realT, cpuT []float64
	ctr := map[string][]float64{}
	for _, x := range runs {
		if x.r.err != "" {
			return nil
		}
		realT = append(realT, x.r.realNs/float64(x.r.iters))
		cpuT = append(cpuT, x.r.cpuNs/float64(x.r.iters))
		for k, v := range x.r.counters {
			ctr[k] = append(ctr[k], v)
		}
	}
	pick := func(v []float64, which string) float64 {
		mean, median, sd := stats(v)
		switch which {
		case "mean":
			return mean
		case "median":
			return median
		case "stddev":
			return sd
		}
		if mean == 0 {
			return 0
		}
		return sd / mean
	}
	name := first.b.fullName()
	var out []ordered
	for _, which := range []string{"mean", "median", "stddev", "cv"} {
		unit := "time"
		if which == "cv" {
			unit = "percentage"
		}
		e := ordered{
			{"name", name + "_" + which}, {"family_index", first.family},
			{"per_family_instance_index", 0}, {"run_name", name}, {"run_type", "aggregate"},
			{"repetitions", len(runs)}, {"threads", 1}, {"aggregate_name", which},
			{"aggregate_unit", unit}, {"iterations", len(runs)},
			{"real_time", pick(realT, which)}, {"cpu_time", pick(cpuT, which)},
			{"time_unit", "ns"},
		}
		keys := make([]string, 0, len(ctr))
		for k := range ctr {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			e = append(e, kv{k, pick(ctr[k], which)})
		}
		out = append(out, e)
	}
	return out
}

func printRun(name string, r result, reps int) {
	if r.err != "" {
		fmt.Printf("%-62s ERROR OCCURRED: '%s'\n", name, r.err)
		return
	}
	it := float64(r.iters)
	var sb strings.Builder
	for _, k := range counterKeys(r.counters) {
		fmt.Fprintf(&sb, " %s=%.4g", k, r.counters[k])
	}
	fmt.Printf("%-62s %14.1f ns %14.1f ns %10d%s\n", name, r.realNs/it, r.cpuNs/it, r.iters, sb.String())
}

// runAll runs the selected benchmarks in order, prints a table and writes the JSON file.
func runAll(o options, benches []*benchmark, ctx ordered) int {
	var entries []ordered
	family := 0
	fmt.Printf("%-62s %17s %17s %10s\n", "Benchmark", "Time", "CPU", "Iterations")
	for _, b := range benches {
		if !o.filter.MatchString(b.fullName()) {
			continue
		}
		if o.list {
			fmt.Println(b.fullName())
			continue
		}
		reps := o.repetitions
		if b.repeats > 0 {
			reps = b.repeats
		}
		var runs []run
		for rep := 0; rep < reps; rep++ {
			x := run{b: b, family: family, rep: rep, reps: reps, r: measure(b, o.minTime)}
			runs = append(runs, x)
			if !(o.aggregatesCon && reps > 1) {
				printRun(b.fullName(), x.r, reps)
			}
			if !(o.aggregatesOut && reps > 1) {
				entries = append(entries, iterationJSON(x))
			}
			if x.r.err != "" {
				break
			}
		}
		if reps > 1 {
			for _, a := range aggregateJSON(runs) {
				entries = append(entries, a)
				if o.aggregatesCon {
					fmt.Printf("%-62s (aggregate)\n", a[0].v)
				}
			}
		}
		family++
	}
	if o.list || o.out == "" {
		return 0
	}
	doc := ordered{{"context", contextJSON(ctx)}, {"benchmarks", entries}}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err == nil {
		err = os.WriteFile(o.out, append(data, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go anchor:", err)
		return 1
	}
	return 0
}
