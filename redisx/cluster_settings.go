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

// OnEvent returns the function receiving cluster events (redirects,
// topology reads, cluster-level attempts).
func (c *ClusterClient) OnEvent() func(ClusterEvent) { return c.opts.OnEvent }

// SetOnEvent sets the function receiving cluster events; nil silences
// them. It must not be called while a command runs.
func (c *ClusterClient) SetOnEvent(f func(ClusterEvent)) { c.opts.OnEvent = f }

// ErrorAttempts returns the number of cluster-level attempts made after
// the first one fails (--cluster-error-attempts).
func (c *ClusterClient) ErrorAttempts() int { return c.opts.ErrorAttempts }

// SetErrorAttempts sets the number of cluster-level attempts made after
// the first one fails; a negative n counts as 0. It must not be called
// while a command runs.
func (c *ClusterClient) SetErrorAttempts(n int) { c.opts.ErrorAttempts = max(0, n) }
