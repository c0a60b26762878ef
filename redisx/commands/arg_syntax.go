package commands

// Syntax renders one argument the way Command.Syntax renders each of a
// command's arguments: "[EX seconds|PX milliseconds|KEEPTTL]" for SET's
// expiration, "key [key ...]" for DEL's keys. The shell's hints render
// what is left of a command line with it.
func (a *Arg) Syntax() string { return renderArg(a) }
