package repl

// word is one argument of a line as the shell's highlighting and
// completion see it: where it is in the line, and what it unquotes to.
type word struct {
	// Start and End are the byte offsets of the word in the line, quotes
	// included.
	Start, End int
	// Value is the argument the word gives, quotes and escapes removed.
	Value string
	// Quoted is set when the word has a quoted part.
	Quoted bool
	// Open is set when the line ends inside a quote of this word.
	Open bool
	// Bad is set when a closing quote is followed by something other than
	// white space: the line does not split (redis-cli's "Invalid
	// argument(s)"), and this is the last word.
	Bad bool
}

// lexLine splits line as cliargs.SplitArgs does, but keeps where each word
// is and does not stop at a quote left open (the line being typed): the
// last word is then Open. Words after a Bad word are not returned.
func lexLine(line string) []word {
	var words []word
	p := 0
	for {
		for p < len(line) && isCSpaceByte(line[p]) {
			p++
		}
		if p == len(line) {
			return words
		}
		w := lexWord(line, p)
		words = append(words, w)
		if w.Open || w.Bad {
			return words
		}
		p = w.End
	}
}

// lexWord reads the word starting at line[p], which is not white space.
func lexWord(line string, p int) word {
	const (
		plain = iota
		double
		single
	)
	w := word{Start: p}
	var cur []byte
	state := plain
	for {
		if p == len(line) {
			w.End, w.Value, w.Open = p, string(cur), state != plain
			return w
		}
		c := line[p]
		switch state {
		case double:
			switch {
			case c == '\\' && p+3 < len(line) && line[p+1] == 'x' && isHexByte(line[p+2]) && isHexByte(line[p+3]):
				cur = append(cur, unhexByte(line[p+2])<<4|unhexByte(line[p+3]))
				p += 3
			case c == '\\' && p+1 < len(line):
				p++
				cur = append(cur, unescapeByte(line[p]))
			case c == '"':
				state = plain
				if p+1 < len(line) && !isCSpaceByte(line[p+1]) {
					w.End, w.Value, w.Bad = p+1, string(cur), true
					return w
				}
				w.End, w.Value = p+1, string(cur)
				return w
			default:
				cur = append(cur, c)
			}
		case single:
			switch {
			case c == '\\' && p+1 < len(line) && line[p+1] == '\'':
				p++
				cur = append(cur, '\'')
			case c == '\'':
				state = plain
				if p+1 < len(line) && !isCSpaceByte(line[p+1]) {
					w.End, w.Value, w.Bad = p+1, string(cur), true
					return w
				}
				w.End, w.Value = p+1, string(cur)
				return w
			default:
				cur = append(cur, c)
			}
		default:
			switch c {
			case ' ', '\n', '\r', '\t':
				w.End, w.Value = p, string(cur)
				return w
			case '"':
				state, w.Quoted = double, true
			case '\'':
				state, w.Quoted = single, true
			default:
				cur = append(cur, c)
			}
		}
		p++
	}
}

// values returns the arguments of words.
func values(words []word) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Value
	}
	return out
}

func isCSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhexByte(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// unescapeByte is what a backslash and c give inside double quotes.
func unescapeByte(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}
