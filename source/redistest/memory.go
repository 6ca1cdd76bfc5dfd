package redistest

// Setup is a named way to start a server and reach it, for tests that must hold for
// each of several server configurations.
type Setup struct {
	Options []Option
	// URL is how a client reaches the started server (with the setup's credentials).
	URL func(*Server) string
}

// The setup names MemoryOff returns.
const (
	MemoryRenamed = "renamed away"
	MemoryDenied  = "denied by ACL"
)

// MemoryOff are the two ways a server withholds the MEMORY command: renamed away in
// redis.conf, and denied to an ACL user that may run everything else.
func MemoryOff() map[string]Setup {
	return map[string]Setup{
		MemoryRenamed: {
			Options: []Option{WithConfig(`rename-command MEMORY ""`)},
			URL:     func(s *Server) string { return s.URL() },
		},
		MemoryDenied: {
			Options: []Option{WithConfig("user viewer on >viewer-pw ~* &* +@all -memory")},
			URL:     func(s *Server) string { return "redis://viewer:viewer-pw@" + s.Addr + "/0" },
		},
	}
}
