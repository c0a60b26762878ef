package bulk

import "bytes"

// cmdCounter counts the complete commands in a stream of bytes fed in
// pieces, as a server splits them: RESP arrays of bulk strings, or inline
// commands ending at a newline (an empty line, or an array of zero or
// negative length, is no command). It only looks at the headers: bulk
// payloads are skipped by their length. --pipe feeds it what it wrote, to
// say how many commands went out without a reply when the connection is
// lost. Input the server would refuse as a protocol error stops the
// count: the server closes the connection there.
type cmdCounter struct {
	n     int64
	state counterState
	num   int64 // the number being read (array count or bulk length)
	neg   bool
	left  int64 // bulk strings left in the array, or payload bytes to skip
	bulks int64
	blank bool // the inline line so far is blank
}

type counterState uint8

const (
	csStart    counterState = iota // at the start of a command
	csInline                       // inside an inline line
	csArrayLen                     // after '*', reading the count
	csBulkHead                     // expecting '$'
	csBulkLen                      // after '$', reading the length
	csBulkBody                     // skipping the payload and its CRLF
	csBroken                       // not a stream the server accepts
)

// count returns the complete commands seen so far.
func (c *cmdCounter) count() int64 { return c.n }

// feed scans b, the next bytes of the stream.
func (c *cmdCounter) feed(b []byte) {
	for len(b) > 0 {
		switch c.state {
		case csBroken:
			return
		case csStart:
			if b[0] == '*' {
				c.state, c.num, c.neg = csArrayLen, 0, false
				b = b[1:]
				continue
			}
			c.state, c.blank = csInline, true
		case csInline:
			i := bytes.IndexByte(b, '\n')
			line := b
			if i >= 0 {
				line = b[:i]
			}
			if c.blank && len(bytes.TrimSpace(line)) > 0 {
				c.blank = false
			}
			if i < 0 {
				return
			}
			if !c.blank {
				c.n++
			}
			c.state = csStart
			b = b[i+1:]
		case csArrayLen, csBulkLen:
			ch := b[0]
			b = b[1:]
			switch {
			case ch == '-' && c.num == 0 && !c.neg:
				c.neg = true
			case ch >= '0' && ch <= '9':
				c.num = c.num*10 + int64(ch-'0')
				if c.num > 1<<40 {
					c.state = csBroken
				}
			case ch == '\r':
			case ch == '\n':
				c.header()
			default:
				c.state = csBroken
			}
		case csBulkHead:
			if b[0] != '$' {
				c.state = csBroken
				return
			}
			c.state, c.num, c.neg = csBulkLen, 0, false
			b = b[1:]
		case csBulkBody:
			k := min(int64(len(b)), c.left)
			c.left -= k
			b = b[k:]
			if c.left == 0 {
				c.bulks--
				c.next()
			}
		}
	}
}

// header acts on a complete count or length line.
func (c *cmdCounter) header() {
	switch c.state {
	case csArrayLen:
		if c.neg || c.num == 0 {
			c.state = csStart
			return
		}
		c.bulks = c.num
		c.state = csBulkHead
	case csBulkLen:
		if c.neg {
			c.state = csBroken
			return
		}
		c.left = c.num + 2 // the payload and its CRLF
		c.state = csBulkBody
	}
}

// next moves on after a bulk string: to the next one, or to the next
// command.
func (c *cmdCounter) next() {
	if c.bulks > 0 {
		c.state = csBulkHead
		return
	}
	c.n++
	c.state = csStart
}
