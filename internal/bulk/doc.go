// Package bulk is redish's bulk loading: PipeInput reads the input of
// --pipe (RESP arrays and inline commands, by the server's own rules)
// with memory bounded by the command being read.
package bulk
