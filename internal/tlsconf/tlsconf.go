package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"

	"github.com/redish/redish/internal/env"
)

// Options are redis-cli's TLS options.
type Options struct {
	SNI          string // --sni; "" uses host when it is a name
	CACert       string // --cacert: a PEM file of CA certificates
	CACertDir    string // --cacertdir: a directory of them
	Cert, Key    string // --cert and --key: the client's certificate
	Insecure     bool   // --insecure: no verification of the server
	Ciphers      string // --tls-ciphers: TLS 1.2 suites, OpenSSL names
	CipherSuites string // --tls-ciphersuites: TLS 1.3 suites, checked only
}

// Config returns the client TLS configuration for a server at host. Its
// errors name the option at fault ("--cacert: open ca.pem: no such file
// or directory") and end the run with exit code 1.
func Config(host string, o Options) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.SNI != "" {
		cfg.ServerName = o.SNI
	} else if net.ParseIP(host) == nil {
		// Improvement over redis-cli: SNI defaults to the host when it is
		// a name.
		cfg.ServerName = host
	}
	if o.CACert != "" || o.CACertDir != "" {
		pool := x509.NewCertPool()
		if o.CACert != "" {
			pem, err := os.ReadFile(o.CACert)
			if err != nil {
				return nil, env.Fail("--cacert: " + err.Error())
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, env.Fail("--cacert: no PEM certificate found in " + o.CACert)
			}
		}
		if o.CACertDir != "" {
			entries, err := os.ReadDir(o.CACertDir)
			if err != nil {
				return nil, env.Fail("--cacertdir: " + err.Error())
			}
			for _, e := range entries {
				if e.IsDir() {
					continue
				}
				pem, err := os.ReadFile(filepath.Join(o.CACertDir, e.Name()))
				if err == nil {
					pool.AppendCertsFromPEM(pem)
				}
			}
		}
		cfg.RootCAs = pool
	}
	if o.Cert != "" || o.Key != "" {
		if o.Cert == "" || o.Key == "" {
			return nil, env.Fail("--cert and --key must be given together.")
		}
		pair, err := tls.LoadX509KeyPair(o.Cert, o.Key)
		if err != nil {
			return nil, env.Fail("--cert/--key: " + err.Error())
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	cfg.InsecureSkipVerify = o.Insecure
	if o.Ciphers != "" {
		ids, err := cipherSuites(o.Ciphers)
		if err != nil {
			return nil, env.Fail("--tls-ciphers: " + err.Error())
		}
		cfg.CipherSuites = ids
	}
	if o.CipherSuites != "" {
		if err := checkTLS13Suites(o.CipherSuites); err != nil {
			return nil, env.Fail("--tls-ciphersuites: " + err.Error())
		}
	}
	return cfg, nil
}
