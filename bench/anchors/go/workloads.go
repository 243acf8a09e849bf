// The DeepRecursion workload in Go: the transcription of common/workloads.h.
//
// A Go frame of F bytes is F - goFrameOverhead bytes of pad plus the return address, the
// saved frame pointer and the spill slot of the argument (the compiler's frame for
// rec128 is "$120-8": 120 bytes of locals + 8 of return address = 128). Unlike the C
// version, Go zeroes the whole pad on entry (a var is always initialised), so a Go frame
// writes all of its F bytes where the C frame writes one.
package main

import "unsafe"

const goFrameOverhead = 24

//go:noinline
func rec32(d uint64) uint64 {
	var pad [32 - goFrameOverhead]byte
	pad[0] = byte(d)
	if d == 0 {
		return 0
	}
	return rec32(d-1) + uint64(pad[0])
}

//go:noinline
func rec128(d uint64) uint64 {
	var pad [128 - goFrameOverhead]byte
	pad[0] = byte(d)
	if d == 0 {
		return 0
	}
	return rec128(d-1) + uint64(pad[0])
}

//go:noinline
func rec1024(d uint64) uint64 {
	var pad [1024 - goFrameOverhead]byte
	pad[0] = byte(d)
	if d == 0 {
		return 0
	}
	return rec1024(d-1) + uint64(pad[0])
}

func recurse(frame int, depth uint64) uint64 {
	switch frame {
	case 32:
		return rec32(depth)
	case 128:
		return rec128(depth)
	case 1024:
		return rec1024(depth)
	}
	return ^uint64(0)
}

// recursionChecksum is what a correct recurse(_, depth) returns.
func recursionChecksum(depth uint64) uint64 {
	full, rest := depth/256, depth%256
	return full*(255*256/2) + rest*(rest+1)/2
}

// ---- probes: twins of the recursions that report where their frames are ----------------
//
// Used only outside the timed runs, to measure the real frame size and the stack size at
// the deepest point. probeNote records the pad address of the last three levels and, at
// the bottom, calls probeHook. probeNote takes a single argument (the depth goes through
// probeDepth) because every argument of a callee costs its caller a spill slot: with one,
// a probe frame is exactly as large as its twin's (go build -gcflags=-S: locals
// 0x18/0x78/0x3f8 for both).

var (
	probeAddr  [3]uintptr
	probeDepth uint64
	probeHook  func()
)

//go:noinline
func probeNote(p unsafe.Pointer) {
	d := probeDepth
	if d < 3 {
		probeAddr[d] = uintptr(p)
	}
	if d == 0 && probeHook != nil {
		probeHook()
	}
}

//go:noinline
func probe32(d uint64) uint64 {
	var pad [32 - goFrameOverhead]byte
	pad[0] = byte(d)
	probeDepth = d
	probeNote(unsafe.Pointer(&pad[0]))
	if d == 0 {
		return 0
	}
	return probe32(d-1) + uint64(pad[0])
}

//go:noinline
func probe128(d uint64) uint64 {
	var pad [128 - goFrameOverhead]byte
	pad[0] = byte(d)
	probeDepth = d
	probeNote(unsafe.Pointer(&pad[0]))
	if d == 0 {
		return 0
	}
	return probe128(d-1) + uint64(pad[0])
}

//go:noinline
func probe1024(d uint64) uint64 {
	var pad [1024 - goFrameOverhead]byte
	pad[0] = byte(d)
	probeDepth = d
	probeNote(unsafe.Pointer(&pad[0]))
	if d == 0 {
		return 0
	}
	return probe1024(d-1) + uint64(pad[0])
}

func probe(frame int, depth uint64) uint64 {
	switch frame {
	case 32:
		return probe32(depth)
	case 128:
		return probe128(depth)
	case 1024:
		return probe1024(depth)
	}
	return ^uint64(0)
}
