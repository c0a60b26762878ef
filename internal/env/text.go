package env

import "strconv"

// Count returns "1 primary", "3 primaries": n and the word for it.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Plural returns one when n is 1 and many otherwise.
func Plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
