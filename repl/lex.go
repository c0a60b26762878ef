package repl

import "github.com/redish/redish/internal/cliargs"

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
		for p < len(line) && cliargs.IsSpace(line[p]) {
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
	cur, end, quoted, how := cliargs.Scan(nil, line, p)
	return word{Start: p, End: end, Value: string(cur), Quoted: quoted, Open: how == cliargs.WordOpen, Bad: how == cliargs.WordBad}
}

// values returns the arguments of words.
func values(words []word) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w.Value
	}
	return out
}
