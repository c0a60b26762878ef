package repl

import (
	"fmt"
	"strings"
)

// settings are the shell's preferences, which :set shows and changes.
type settings struct {
	// hints draws the syntax hint after the line being typed.
	hints bool
	// keys completes key names and other data from the server.
	keys bool
	// theme colours the line being typed (see themes).
	theme string
	// decode shows bulk strings that are valid UTF-8 as text.
	decode bool
	// pager is "on" (the $PAGER or less), "off" or a command.
	pager string
	// confirm asks before the commands of guardedCommand.
	confirm bool
}

// Values of the settings.
const (
	pagerOn  = "on"
	pagerOff = "off"
	// DecodeUTF8 and DecodeNone are the values of :set decode and of
	// Config.Decode.
	DecodeUTF8 = "utf-8"
	DecodeNone = "none"
)

// setWords are the words :set takes.
var setWords = []string{"hints", "nohints", "keys", "nokeys", "theme", "decode", "pager", "confirm"}

// setValues are the values each :set setting takes, for completion.
var setValues = map[string][]string{
	"hints":   {"on", "off"},
	"keys":    {"on", "off"},
	"theme":   themeNames(),
	"decode":  {DecodeUTF8, DecodeNone},
	"pager":   {pagerOn, pagerOff, "less", "more"},
	"confirm": {"on", "off"},
}

// settingsText is what :set alone prints.
func (s *Shell) settingsText() string {
	st := s.opts()
	theme := st.theme
	if !s.cfg.Color {
		theme += " (colour is off)"
	}
	decode := DecodeNone
	if st.decode {
		decode = DecodeUTF8
	}
	return fmt.Sprintf("hints    %s\nkeys     %s\ntheme    %s\ndecode   %s\npager    %s\nconfirm  %s\n",
		onOff(st.hints), onOff(st.keys), theme, decode, s.pagerText(st), onOff(st.confirm))
}

// set is :set: alone it shows the settings; "hints", "nohints", "keys",
// "nokeys" and "NAME VALUE" pairs change them, each change confirmed by a
// line saying what is now in force (silently when from the start-up
// file). "pager" takes the rest of the line: ":set pager less -S".
func (s *Shell) set(words []string, prefix string) {
	if len(words) == 0 {
		s.print(s.settingsText())
		return
	}
	var said []string
	for i := 0; i < len(words); i++ {
		name := strings.ToLower(words[i])
		var msg string
		var err error
		switch name {
		case "hints", "nohints", "keys", "nokeys":
			on := !strings.HasPrefix(name, "no")
			name = strings.TrimPrefix(name, "no")
			if i+1 < len(words) && isOnOff(words[i+1]) {
				i++
				on = strings.EqualFold(words[i], "on")
			}
			msg = s.setBool(name, on)
		case "theme", "decode", "confirm":
			if i+1 >= len(words) {
				err = fmt.Errorf(":set %s takes one of: %s", name, strings.Join(setValues[name], ", "))
				break
			}
			i++
			msg, err = s.setValue(name, words[i])
		case "pager":
			if i+1 >= len(words) {
				err = fmt.Errorf(":set pager takes on, off or a command")
				break
			}
			msg = s.setPager(strings.Join(words[i+1:], " "))
			i = len(words)
		default:
			err = fmt.Errorf("unknown redish preference '%s' (%s)", words[i], strings.Join(setWords, ", "))
		}
		if err != nil {
			s.print(prefix + err.Error() + "\n")
			continue
		}
		said = append(said, msg)
	}
	if prefix == "" {
		for _, m := range said {
			s.print(m + "\n")
		}
	}
}

// setBool turns hints or keys on or off and says so.
func (s *Shell) setBool(name string, on bool) string {
	s.update(func(st *settings) {
		switch name {
		case "hints":
			st.hints = on
		case "keys":
			st.keys = on
		}
	})
	switch {
	case name == "hints" && on:
		return "hints on: syntax hints after the cursor"
	case name == "hints":
		return "hints off: no syntax hints"
	case on:
		return "keys on: Tab completes keys, fields, members and other names from the server"
	}
	return "keys off: Tab completes command names and option words only"
}

// setValue sets theme, decode or confirm.
func (s *Shell) setValue(name, value string) (string, error) {
	switch name {
	case "theme":
		t, ok := lookupTheme(value)
		if !ok {
			return "", fmt.Errorf("unknown theme '%s' (%s)", value, strings.Join(themeNames(), ", "))
		}
		s.update(func(st *settings) { st.theme = t.name })
		s.pal = newPalette(s.cfg.Color && t.name != "none", s.cfg.ErrColor)
		if !s.cfg.Color {
			return "theme " + t.name + " (colour is off: --no-color, NO_COLOR, CLICOLOR=0 or not a terminal)", nil
		}
		return "theme " + t.name, nil
	case "decode":
		on, ok := parseDecode(value)
		if !ok {
			return "", fmt.Errorf("unknown decoding '%s' (%s or %s)", value, DecodeUTF8, DecodeNone)
		}
		s.update(func(st *settings) { st.decode = on })
		if on {
			return "decode utf-8: strings that are valid UTF-8 print as text", nil
		}
		return "decode none: strings print as redis-cli prints them", nil
	case "confirm":
		if !isOnOff(value) {
			return "", fmt.Errorf(":set confirm takes on or off")
		}
		on := strings.EqualFold(value, "on")
		s.update(func(st *settings) { st.confirm = on })
		if on {
			return "confirm on: dangerous commands ask before they run", nil
		}
		return "confirm off: dangerous commands run without asking", nil
	}
	return "", fmt.Errorf("unknown redish preference '%s'", name)
}

// setPager sets the pager: on, off or a command.
func (s *Shell) setPager(value string) string {
	v := strings.TrimSpace(value)
	switch strings.ToLower(v) {
	case pagerOn, pagerOff:
		v = strings.ToLower(v)
	}
	s.update(func(st *settings) { st.pager = v })
	return "pager " + s.pagerText(s.opts())
}

// parseDecode reads a value of :set decode and --decode.
func parseDecode(v string) (utf8, ok bool) {
	switch strings.ToLower(v) {
	case "utf-8", "utf8":
		return true, true
	case "none", "off", "bytes":
		return false, true
	}
	return false, false
}

func isOnOff(w string) bool { return strings.EqualFold(w, "on") || strings.EqualFold(w, "off") }

// opts returns the settings in force.
func (s *Shell) opts() settings { return *s.settings.Load() }

// update changes the settings.
func (s *Shell) update(f func(*settings)) {
	st := s.opts()
	f(&st)
	s.settings.Store(&st)
}
