// The Go anchor of the echo benchmark (docs/bench/echo.md): one goroutine per connection,
// package net, the blocking-style loop Go programmers write. The runtime's netpoller (epoll,
// edge-triggered) parks each goroutine in Read; its stack starts at the runtime's minimum
// and grows by copying - the model growstack's transparent mode follows.
//
//	echo_go [-port P] [-max-seconds S]
//
// Same protocol and conventions as the C servers (bench/echo/echo_common.h): 127.0.0.1 only,
// a 512-byte buffer per connection (ECHO_BUF_BYTES), one ready line, exit 0 on SIGTERM or
// SIGINT or after -max-seconds. GOMAXPROCS is Go's default: the CPUs in the affinity mask
// (run.sh pins the server to one CPU unless told not to). Go 1.19 raises the soft
// RLIMIT_NOFILE to the hard limit by itself when package os is imported.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

const bufBytes = 512 // ECHO_BUF_BYTES in echo_common.h

var live, maxLive, accepted, ioErrors int64

func serve(c net.Conn) {
	defer func() {
		c.Close()
		atomic.AddInt64(&live, -1)
	}()
	buf := make([]byte, bufBytes)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				if !errors.Is(werr, syscall.EPIPE) && !errors.Is(werr, syscall.ECONNRESET) {
					atomic.AddInt64(&ioErrors, 1)
				}
				return
			}
		}
		if err != nil {
			if err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
				atomic.AddInt64(&ioErrors, 1)
			}
			return
		}
	}
}

func main() {
	port := flag.Int("port", 0, "port on 127.0.0.1 (0: any)")
	maxSeconds := flag.Int("max-seconds", 900, "exit after this many seconds")
	flag.Parse()

	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo-go: listen: %v\n", err)
		os.Exit(1)
	}
	var rl syscall.Rlimit
	maxConns := int64(-1)
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		maxConns = int64(rl.Cur) - 16
	}
	fmt.Printf("echo-server ready impl=go pid=%d port=%d max_conns=%d\n", os.Getpid(),
		ln.Addr().(*net.TCPAddr).Port, maxConns)
	os.Stdout.Sync()

	done := make(chan string, 2)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; done <- "signal" }()
	time.AfterFunc(time.Duration(*maxSeconds)*time.Second, func() { done <- "max-seconds" })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				fmt.Fprintf(os.Stderr, "echo-go: accept: %v\n", err)
				time.Sleep(10 * time.Millisecond) // EMFILE: do not spin
				continue
			}
			atomic.AddInt64(&accepted, 1)
			if n := atomic.AddInt64(&live, 1); n > atomic.LoadInt64(&maxLive) {
				atomic.StoreInt64(&maxLive, n)
			}
			go serve(c)
		}
	}()
	why := <-done
	fmt.Printf("echo-server exit impl=go reason=%s accepted=%d max_live=%d io_errors=%d\n",
		why, atomic.LoadInt64(&accepted), atomic.LoadInt64(&maxLive), atomic.LoadInt64(&ioErrors))
	os.Stdout.Sync()
	os.Exit(0)
}
