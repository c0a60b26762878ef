package redisx

import "github.com/redish/redish/retry"

// Retry returns the node-level retry policy runner, nil when commands make
// one attempt per node.
func (c *ClusterClient) Retry() *retry.Retry { return c.opts.Retry }

// SetRetry replaces the node-level retry policy runner for the next
// commands. It must not be called while a command runs.
func (c *ClusterClient) SetRetry(r *retry.Retry) { c.opts.Retry = r }

// OnRetry returns the function receiving node-level retry events.
func (c *ClusterClient) OnRetry() func(retry.Event) { return c.opts.OnRetry }

// SetOnRetry sets the function receiving node-level retry events; nil
// silences them. It must not be called while a command runs.
func (c *ClusterClient) SetOnRetry(f func(retry.Event)) { c.opts.OnRetry = f }
