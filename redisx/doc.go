// Package redisx is redish's embedded Redis client: connections with the
// redis-cli handshake (AUTH, HELLO, SELECT, CLIENT SETNAME), a standalone
// client that retries under a retry.Policy, a cluster client, pipelines,
// the replication stream (SYNC) and URIs.
//
// The wire protocol (replies, their reader and writer, protocol errors) is
// in package resp, the command table in package redisx/commands.
package redisx
