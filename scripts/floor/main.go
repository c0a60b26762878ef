// Command floor is the start-up floor scripts/bench.sh measures redish's
// one-shot commands against: the least a Go program can do to answer
// "redish -p PORT PING". It dials, sends PING, reads one reply line and
// prints it, with no flags package, no configuration and no reply parser.
// Built static (CGO_ENABLED=0), its run time is what any Go client pays
// for the runtime, one TCP connection and one round trip.
//
// Usage:
//
//	go build -o floor ./scripts/floor && ./floor [-h HOST] [-p PORT]
package main

import (
	"bufio"
	"net"
	"os"
)

func main() {
	host, port := "127.0.0.1", "6379"
	for i := 1; i+1 < len(os.Args); i += 2 {
		switch os.Args[i] {
		case "-h":
			host = os.Args[i+1]
		case "-p":
			port = os.Args[i+1]
		}
	}
	c, err := net.Dial("tcp", net.JoinHostPort(host, port))
	if err != nil {
		os.Stderr.WriteString("floor: " + err.Error() + "\n")
		os.Exit(1)
	}
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		os.Stderr.WriteString("floor: " + err.Error() + "\n")
		os.Exit(1)
	}
	line, err := bufio.NewReader(c).ReadSlice('\n')
	if err != nil || len(line) < 3 {
		os.Stderr.WriteString("floor: no reply\n")
		os.Exit(1)
	}
	// "+PONG\r\n" prints as "PONG", as redis-cli prints a status reply.
	os.Stdout.Write(append(line[1:len(line)-2:len(line)-2], '\n'))
}
