package repl

import "testing"

func TestHomeDir(t *testing.T) {
	for _, tc := range []struct {
		name, goos string
		env        map[string]string
		want       string
	}{
		{"HOME", "linux", map[string]string{"HOME": "/home/u", "USERPROFILE": `C:\Users\u`}, "/home/u"},
		{"none", "linux", map[string]string{"USERPROFILE": `C:\Users\u`}, ""},
		{"windows USERPROFILE", "windows", map[string]string{"USERPROFILE": `C:\Users\u`}, `C:\Users\u`},
		{"windows HOME first", "windows", map[string]string{"HOME": `D:\home`, "USERPROFILE": `C:\Users\u`}, `D:\home`},
		{"windows none", "windows", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := homeDir(func(k string) string { return tc.env[k] }, tc.goos); got != tc.want {
				t.Errorf("homeDir = %q, want %q", got, tc.want)
			}
		})
	}
}
