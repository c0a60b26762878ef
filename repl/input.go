package repl

// paint is the editor's painter: the line's colours in the theme in
// force, and its hint or what is wrong with it.
func (s *Shell) paint(line string) Painted {
	if s.plain.Load() {
		return Painted{}
	}
	st := s.opts()
	t, _ := lookupTheme(st.theme)
	if !s.cfg.Color {
		t, _ = lookupTheme("none")
	}
	return s.cmds.Load().painted(line, t, st.hints)
}

// complete is the editor's completer (see completer).
func (s *Shell) complete(line string) (string, []string) {
	if s.plain.Load() {
		return "", nil
	}
	st := s.opts()
	_, attempts := s.client.(AttemptsControl)
	c := completer{cmds: s.cmds.Load(), builtins: s.cfg.Builtins, cluster: attempts}
	if st.keys {
		c.keys = s.client.ScanKeys
		c.data, _ = s.client.(DataSource)
	}
	return c.complete(line)
}
