// Package tlsconf builds the client TLS configuration from redis-cli's TLS
// options: CA certificates, a client certificate, SNI, and cipher lists
// in OpenSSL's names.
package tlsconf

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// cipherSuites maps an OpenSSL-style cipher list ("ECDHE-RSA-AES128-GCM-SHA256:...")
// or Go/IANA names to TLS 1.2 cipher suite IDs.
func cipherSuites(list string) ([]uint16, error) {
	byName := map[string]uint16{}
	for _, cs := range tls.CipherSuites() {
		byName[cs.Name] = cs.ID
		byName[opensslName(cs.Name)] = cs.ID
	}
	var ids []uint16
	for _, name := range strings.FieldsFunc(list, func(r rune) bool { return r == ':' || r == ',' }) {
		id, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("unknown or insecure cipher %q", name)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// opensslName turns an IANA TLS 1.2 suite name into OpenSSL's spelling:
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> ECDHE-RSA-AES128-GCM-SHA256.
func opensslName(iana string) string {
	s := strings.TrimPrefix(iana, "TLS_")
	s = strings.Replace(s, "_WITH_", "_", 1)
	s = strings.ReplaceAll(s, "AES_128", "AES128")
	s = strings.ReplaceAll(s, "AES_256", "AES256")
	s = strings.ReplaceAll(s, "CHACHA20_POLY1305_SHA256", "CHACHA20_POLY1305")
	s = strings.ReplaceAll(s, "3DES_EDE_CBC", "DES_CBC3")
	return strings.ReplaceAll(s, "_", "-")
}

// checkTLS13Suites validates a TLS 1.3 suite list. Go negotiates TLS 1.3
// suites itself and offers all three; the list is checked so a typo is not
// silently accepted.
func checkTLS13Suites(list string) error {
	valid := map[string]bool{
		"TLS_AES_128_GCM_SHA256":       true,
		"TLS_AES_256_GCM_SHA384":       true,
		"TLS_CHACHA20_POLY1305_SHA256": true,
	}
	for _, name := range strings.Split(list, ":") {
		if !valid[name] {
			return fmt.Errorf("unknown TLS 1.3 cipher suite %q (valid: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)", name)
		}
	}
	return nil
}
