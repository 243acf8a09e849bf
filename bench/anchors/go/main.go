// anchor_go - the Go runtime (Go 1.19, standard library only) on the anchor workloads:
// DeepRecursion cold and warm on goroutines (contiguous stacks that double and copy),
// spawn (go + WaitGroup), switch (unbuffered channel ping-pong) and memory per idle
// goroutine. Output: Google Benchmark JSON (see harness.go).
//
// Usage:
//
//	anchor_go [--anchors_quick] [--benchmark_filter=RE] [--benchmark_repetitions=N]
//	          [--benchmark_min_time=S] [--benchmark_out=FILE --benchmark_out_format=json]
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// ---- process measurements (the same sources as common/anchor_util.h) --------------------

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func rssBytes() float64 {
	f := strings.Fields(readFile("/proc/self/statm"))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize())
}

func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func peakRSS() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) * 1024
}

const rusageThread = 1 // RUSAGE_THREAD

func threadMinorFaults() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(rusageThread, &ru)
	return float64(ru.Minflt)
}

func meminfoBytes(key string) float64 {
	for _, line := range strings.Split(readFile("/proc/meminfo"), "\n") {
		if strings.HasPrefix(line, key+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v * 1024
			}
		}
	}
	return 0
}

// startingStackSize is the size new goroutines start with. Go 1.19 adapts it at every GC
// to the average stack size the GC scanned (debug.adaptivestackstart=1 by default).
func startingStackSize() float64 {
	s := []metrics.Sample{{Name: "/gc/stack/starting-size:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return float64(s[0].Value.Uint64())
}

// median of per-iteration values, as anchors::median.
func median(v []float64) float64 {
	_, m, _ := stats(v)
	return m
}

// ---- DeepRecursion --------------------------------------------------------------------

// iterationsFor mirrors anchors::iterations_for in common/anchor_util.h.
func iterationsFor(depth uint64, frame int, quick bool) int64 {
	budget, lo, hi := 64e6, int64(3), int64(1000)
	if quick {
		budget, hi = 16e6, 300
	}
	n := int64(budget / float64(depth*uint64(frame)))
	if n < lo {
		return lo
	}
	if n > hi {
		return hi
	}
	return n
}

type depthFrame struct {
	depth uint64
	frame int
}

// recursionGrid mirrors anchors::recursion_grid.
func recursionGrid(quick bool) []depthFrame {
	var g []depthFrame
	for _, f := range []int{32, 128, 1024} {
		for _, d := range []uint64{1000, 10000, 100000, 1000000} {
			if d == 1000000 && f == 1024 {
				continue
			}
			if quick && d == 1000000 && f != 128 {
				continue
			}
			g = append(g, depthFrame{d, f})
		}
	}
	return g
}

type recRun struct {
	ns     time.Duration
	sum    uint64
	faults float64
}

// oneRecursion runs the workload on a new goroutine: once untimed first when warm (to grow
// the stack), then timed. The goroutine is locked to its thread while it runs so that the
// thread's page-fault count belongs to it.
func oneRecursion(frame int, depth uint64, warm bool) recRun {
	done := make(chan recRun)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var first uint64
		if warm {
			first = recurse(frame, depth)
		}
		f0 := threadMinorFaults()
		t0 := time.Now()
		sum := recurse(frame, depth)
		d := time.Since(t0)
		f1 := threadMinorFaults()
		if warm && first != sum {
			sum = 0
		}
		done <- recRun{d, sum, f1 - f0}
	}()
	return <-done
}

// probeStack measures, outside any timed run, the real frame size and the goroutine's
// stack size at the deepest point of the recursion.
func probeStack(frame int, depth uint64) (frameBytes, stackBytes float64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.StackInuse
	var atBottom uint64
	done := make(chan struct{})
	go func() {
		probeHook = func() {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			atBottom = m.StackInuse
		}
		probe(frame, depth)
		probeHook = nil
		probe(frame, depth) // second run: no stack moves, so the addresses are comparable
		close(done)
	}()
	<-done
	if depth >= 2 {
		frameBytes = float64(probeAddr[1] - probeAddr[0])
	}
	return frameBytes, float64(atBottom) - float64(before)
}

func deepRecursion(frame int, depth uint64, warm bool) func(int64) result {
	return func(iters int64) result {
		runtime.GC() // start every benchmark from the same heap and starting stack size
		start := startingStackSize()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		gc0 := ms.NumGC
		resetPeakRSS()
		rss0 := rssBytes()
		want := recursionChecksum(depth)
		var total time.Duration
		var faults float64
		perFrame := make([]float64, 0, iters)
		for i := int64(0); i < iters; i++ {
			r := oneRecursion(frame, depth, warm)
			if r.sum != want {
				return result{err: "wrong checksum: the recursion did not run as written"}
			}
			total += r.ns
			perFrame = append(perFrame, float64(r.ns.Nanoseconds())/float64(depth))
			faults += r.faults
		}
		peak := peakRSS()
		runtime.ReadMemStats(&ms)
		gcs := float64(ms.NumGC - gc0)
		frameBytes, stackBytes := probeStack(frame, depth)
		it := float64(iters)
		c := map[string]float64{
			"ns_per_frame":          float64(total.Nanoseconds()) / (it * float64(depth)),
			"ns_per_frame_median":   median(perFrame),
			"items_per_second":      it * float64(depth) / total.Seconds(),
			"depth":                 float64(depth),
			"frame":                 float64(frame),
			"frame_bytes":           frameBytes,
			"stack_bytes":           stackBytes,
			"starting_stack_bytes":  start,
			"peak_rss":              peak,
			"peak_rss_delta":        peak - rss0,
			"minor_faults_per_iter": faults / it,
			"gc_cycles":             gcs,
		}
		if start > 0 && stackBytes > start {
			c["stack_doublings"] = math.Round(math.Log2(stackBytes / start))
		}
		return result{realNs: float64(total.Nanoseconds()), counters: c}
	}
}

// ---- Spawn, Switch --------------------------------------------------------------------

func spawn(iters int64) result {
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := int64(0); i < iters; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
		wg.Wait()
	}
	d := time.Since(t0)
	return result{realNs: float64(d.Nanoseconds()), counters: map[string]float64{
		"ns_per_spawn": float64(d.Nanoseconds()) / float64(iters),
	}}
}

func switchChan(procs int) func(int64) result {
	return func(iters int64) result {
		prev := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(prev)
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		ping <- 0 // warm-up round trip
		<-pong
		t0 := time.Now()
		for i := int64(0); i < iters; i++ {
			ping <- 1
			<-pong
		}
		d := time.Since(t0)
		close(ping)
		return result{realNs: float64(d.Nanoseconds()), counters: map[string]float64{
			"ns_per_switch":    float64(d.Nanoseconds()) / (2 * float64(iters)),
			"items_per_second": 2 * float64(iters) / d.Seconds(),
			"gomaxprocs":       float64(procs),
		}}
	}
}

// ---- IdleMemory (in a child process: a fresh heap, and exit instead of teardown) -------

const idleChildEnv = "ANCHORS_GO_IDLE_CHILD"

type idleReport struct {
	Created     float64 `json:"created"`
	CreateNs    float64 `json:"create_ns"`
	RSSDelta    float64 `json:"rss_delta"`
	StackDelta  float64 `json:"stack_inuse_delta"`
	SysDelta    float64 `json:"sys_delta"`
	PageTables  float64 `json:"page_tables"`
	StartingStk float64 `json:"starting_stack"`
}

func idleChild(n int) {
	runtime.GC()
	debug.FreeOSMemory()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	rss0, pt0 := rssBytes(), meminfoBytes("PageTables")
	block := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			wg.Done()
			<-block // parked forever
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	time.Sleep(20 * time.Millisecond)
	runtime.ReadMemStats(&m1)
	r := idleReport{
		Created: float64(n), CreateNs: float64(d.Nanoseconds()),
		RSSDelta:    rssBytes() - rss0,
		StackDelta:  float64(m1.StackInuse) - float64(m0.StackInuse),
		SysDelta:    float64(m1.Sys) - float64(m0.Sys),
		PageTables:  meminfoBytes("PageTables") - pt0,
		StartingStk: startingStackSize(),
	}
	json.NewEncoder(os.Stdout).Encode(r)
	os.Exit(0)
}

func idleMemory(n int) func(int64) result {
	return func(iters int64) result {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", idleChildEnv, n))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		var r idleReport
		if err == nil {
			err = json.Unmarshal(out, &r)
		}
		if err != nil || r.Created == 0 {
			return result{err: fmt.Sprintf("idle child failed: %v", err)}
		}
		return result{realNs: r.CreateNs, counters: map[string]float64{
			"contexts":                       r.Created,
			"contexts_requested":             float64(n),
			"bytes_per_context":              r.RSSDelta / r.Created,
			"go_stack_bytes_per_context":     r.StackDelta / r.Created,
			"go_sys_bytes_per_context":       r.SysDelta / r.Created,
			"page_table_bytes_per_context":   r.PageTables / r.Created,
			"kernel_stack_bytes_per_context": 0,
			"ns_per_spawn":                   r.CreateNs / r.Created,
			"starting_stack_bytes":           r.StartingStk,
		}}
	}
}

// ---- registration ---------------------------------------------------------------------

func benchmarks(quick bool) []*benchmark {
	var bs []*benchmark
	// DeepRecursion_Cold: what does a first D-deep recursion cost per frame on a new
	// goroutine (growth by doubling and copying, plus whatever page faults Go's reuse of
	// freed stack memory leaves)? DeepRecursion_Warm: and a second one on the same goroutine?
	for _, warm := range []bool{false, true} {
		variant := "Cold"
		if warm {
			variant = "Warm"
		}
		for _, g := range recursionGrid(quick) {
			bs = append(bs, &benchmark{
				name:       fmt.Sprintf("BM_DeepRecursion_%s/%d/%d", variant, g.depth, g.frame),
				fixedIters: iterationsFor(g.depth, g.frame, quick),
				manualTime: true,
				run:        deepRecursion(g.frame, g.depth, warm),
			})
		}
	}
	// Spawn_Go: what do `go f()` and waiting for it (WaitGroup) cost?
	bs = append(bs, &benchmark{name: "BM_Spawn_Go", run: spawn})
	// Switch_GoChan/P: what does one hand-off over an unbuffered channel cost, one way,
	// with GOMAXPROCS=P (1: both goroutines on one P; 2: the machine's default here)?
	for _, p := range []int{1, runtime.NumCPU()} {
		bs = append(bs, &benchmark{name: fmt.Sprintf("BM_Switch_GoChan/%d", p), run: switchChan(p)})
		if runtime.NumCPU() == 1 {
			break
		}
	}
	// IdleMemory_Go/N: resident bytes per goroutine parked on a channel receive?
	sizes := []int{100000, 1000000}
	if quick {
		sizes = sizes[:1]
	}
	for _, n := range sizes {
		bs = append(bs, &benchmark{
			name: fmt.Sprintf("BM_IdleMemory_Go/%d", n), fixedIters: 1, manualTime: true,
			repeats: 1, // bytes per context are deterministic: once is enough
			run:     idleMemory(n),
		})
	}
	return bs
}

func main() {
	if s := os.Getenv(idleChildEnv); s != "" {
		n, _ := strconv.Atoi(s)
		idleChild(n)
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "go anchor:", err)
		os.Exit(1)
	}
	mode := "full"
	if o.quick {
		mode = "quick"
	}
	var uts syscall.Utsname
	syscall.Uname(&uts)
	release := make([]byte, 0, len(uts.Release))
	for _, c := range uts.Release {
		if c == 0 {
			break
		}
		release = append(release, byte(c))
	}
	thp := strings.TrimSpace(readFile("/sys/kernel/mm/transparent_hugepage/enabled"))
	ctx := ordered{
		{"anchor", "go"},
		{"anchor_toolchain", runtime.Version() + " " + runtime.Compiler + " (standard library only)"},
		{"anchors_mode", mode},
		{"kernel", "Linux " + string(release)},
		{"transparent_hugepage", thp},
		{"page_size", strconv.Itoa(os.Getpagesize())},
		{"gomaxprocs", strconv.Itoa(runtime.GOMAXPROCS(0))},
		{"godebug", os.Getenv("GODEBUG")},
		{"go_pointer_size", strconv.Itoa(int(unsafe.Sizeof(uintptr(0))))},
	}
	os.Exit(runAll(o, benchmarks(o.quick), ctx))
}
