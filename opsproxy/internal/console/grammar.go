package console

// The grammar of the commands the console accepts: etcdctl 3.7's names, flags and defaults,
// minus what opsproxy decides for the caller (endpoints, TLS, etcd users), plus the bounds a
// console watch needs. The engine builds its flag sets from it and completion offers it.

import "github.com/etcd-monitor/etcd-monitor/benchrunner/slo"

// FlagKind is how a flag's value is read.
type FlagKind int

// Flag kinds, as etcdctl's cobra flags declare them.
const (
	FlagBool FlagKind = iota
	FlagString
	FlagInt
	FlagDuration
)

// Choice is one value a flag or argument may take, with what it means.
type Choice struct {
	Text        string `json:"text"`
	Description string `json:"description"`
}

// Flag is one command-line flag, spelled as etcdctl spells it.
type Flag struct {
	Name    string
	Short   string // one letter, or empty
	Kind    FlagKind
	Default string
	Usage   string
	// Choices are the values the flag accepts (nil: any value of its kind).
	Choices []Choice
	// ConsoleOnly marks flags etcdctl does not have.
	ConsoleOnly bool
}

// ArgKind says what a positional argument names, for completion and for RBAC.
type ArgKind int

// Argument kinds.
const (
	ArgFree ArgKind = iota
	ArgKey
	ArgRangeEnd
	ArgValue
	ArgRevision
	ArgMemberID
	ArgMemberName
	ArgLeaseID
	ArgTTL
	ArgFile
	ArgSnapshot
)

// Arg is one positional argument.
type Arg struct {
	Name     string
	Kind     ArgKind
	Optional bool
}

// Command is a command or subcommand.
type Command struct {
	Name  string
	Usage string // etcdctl's "Use" line
	Short string
	Flags []Flag
	Args  []Arg
	Sub   []*Command
}

var (
	consistencyChoices = []Choice{{"l", "linearizable: read through the leader's quorum"}, {"s", "serializable: read from the member that answers"}}
	sortTargetChoices  = []Choice{{"CREATE", "create revision"}, {"KEY", "key"}, {"MODIFY", "mod revision"}, {"VALUE", "value"}, {"VERSION", "version"}}
	orderChoices       = []Choice{{"ASCEND", "ascending"}, {"DESCEND", "descending"}}
	writeOutChoices    = []Choice{{"simple", "etcdctl's plain text"}, {"json", "JSON"}, {"table", "a table"}, {"fields", "one field per line"}}
)

// loadChoices are check perf's --load values: the built-in benchmark profiles, etcdctl's four
// workloads first, with what each runs.
func loadChoices() []Choice {
	var out []Choice
	for _, p := range slo.Builtin() {
		out = append(out, Choice{p.Name, p.Description})
	}
	return out
}

// GlobalFlags are the flags every command takes. etcdctl's connection flags (endpoints,
// TLS, --user, discovery) are refused: the cluster's configuration in opsproxy supplies them.
var GlobalFlags = []Flag{
	{Name: "write-out", Short: "w", Kind: FlagString, Default: "simple", Usage: "set the output format (fields, json, simple, table)", Choices: writeOutChoices},
	{Name: "hex", Kind: FlagBool, Default: "false", Usage: "print byte strings as hex encoded strings"},
	{Name: "command-timeout", Kind: FlagDuration, Default: "5s", Usage: "timeout for short running command"},
}

// RefusedGlobalFlags are etcdctl global flags the console names in its refusal.
var RefusedGlobalFlags = []string{
	"endpoints", "debug", "dial-timeout", "keepalive-time", "keepalive-timeout", "max-request-bytes",
	"max-recv-bytes", "insecure-transport", "insecure-discovery", "insecure-skip-tls-verify", "cert",
	"key", "cacert", "auth-jwt-token", "user", "password", "discovery-srv", "discovery-srv-name",
}

// Commands is every command the console runs.
var Commands = []*Command{
	{Name: "get", Usage: "get [options] <key> [range_end]", Short: "Gets the key or a range of keys",
		Args: []Arg{{"key", ArgKey, false}, {"range_end", ArgRangeEnd, true}},
		Flags: []Flag{
			{Name: "consistency", Kind: FlagString, Default: "l", Usage: "Linearizable(l) or Serializable(s)", Choices: consistencyChoices},
			{Name: "order", Kind: FlagString, Usage: "Order of results; ASCEND or DESCEND (ASCEND by default)", Choices: orderChoices},
			{Name: "sort-by", Kind: FlagString, Usage: "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION", Choices: sortTargetChoices},
			{Name: "limit", Kind: FlagInt, Default: "0", Usage: "Maximum number of results"},
			{Name: "prefix", Kind: FlagBool, Default: "false", Usage: "Get keys with matching prefix"},
			{Name: "from-key", Kind: FlagBool, Default: "false", Usage: "Get keys that are greater than or equal to the given key using byte compare"},
			{Name: "rev", Kind: FlagInt, Default: "0", Usage: "Specify the kv revision"},
			{Name: "keys-only", Kind: FlagBool, Default: "false", Usage: "Get only the keys"},
			{Name: "count-only", Kind: FlagBool, Default: "false", Usage: "Get only the count"},
			{Name: "print-value-only", Kind: FlagBool, Default: "false", Usage: `Only write values when using the "simple" output format`},
			{Name: "min-create-rev", Kind: FlagInt, Default: "0", Usage: "Minimum create revision"},
			{Name: "max-create-rev", Kind: FlagInt, Default: "0", Usage: "Maximum create revision"},
			{Name: "min-mod-rev", Kind: FlagInt, Default: "0", Usage: "Minimum modification revision"},
			{Name: "max-mod-rev", Kind: FlagInt, Default: "0", Usage: "Maximum modification revision"},
		}},
	{Name: "put", Usage: "put [options] <key> <value> (<value> can also be given from stdin)", Short: "Puts the given key into the store",
		Args: []Arg{{"key", ArgKey, false}, {"value", ArgValue, true}},
		Flags: []Flag{
			{Name: "lease", Kind: FlagString, Default: "0", Usage: "lease ID (in hexadecimal) to attach to the key"},
			{Name: "prev-kv", Kind: FlagBool, Default: "false", Usage: "return the previous key-value pair before modification"},
			{Name: "ignore-value", Kind: FlagBool, Default: "false", Usage: "updates the key using its current value"},
			{Name: "ignore-lease", Kind: FlagBool, Default: "false", Usage: "updates the key using its current lease"},
		}},
	{Name: "del", Usage: "del [options] <key> [range_end]", Short: "Removes the specified key or range of keys [key, range_end)",
		Args: []Arg{{"key", ArgKey, false}, {"range_end", ArgRangeEnd, true}},
		Flags: []Flag{
			{Name: "prefix", Kind: FlagBool, Default: "false", Usage: "delete keys with matching prefix"},
			{Name: "prev-kv", Kind: FlagBool, Default: "false", Usage: "return deleted key-value pairs"},
			{Name: "from-key", Kind: FlagBool, Default: "false", Usage: "delete keys that are greater than or equal to the given key using byte compare"},
			{Name: "range", Kind: FlagBool, Default: "false", Usage: "delete range of keys"},
		}},
	{Name: "watch", Usage: "watch [options] [key or prefix] [range_end]", Short: "Watches events stream on keys or prefixes (bounded in the console)",
		Args: []Arg{{"key", ArgKey, false}, {"range_end", ArgRangeEnd, true}},
		Flags: []Flag{
			{Name: "prefix", Kind: FlagBool, Default: "false", Usage: "Watch on a prefix if prefix is set"},
			{Name: "rev", Kind: FlagInt, Default: "0", Usage: "Revision to start watching"},
			{Name: "prev-kv", Kind: FlagBool, Default: "false", Usage: "get the previous key-value pair before the event happens"},
			{Name: "progress-notify", Kind: FlagBool, Default: "false", Usage: "get periodic watch progress notification from server"},
			{Name: "interactive", Short: "i", Kind: FlagBool, Default: "false", Usage: "Interactive mode (refused in the console: a console watch is bounded; the Watch page is for long watches)"},
			{Name: "max-events", Kind: FlagInt, Default: "10", Usage: "stop after this many events (at most 1000)", ConsoleOnly: true},
			{Name: "max-wait", Kind: FlagDuration, Default: "10s", Usage: "stop after this long (at most 60s)", ConsoleOnly: true},
		}},
	{Name: "txn", Usage: "txn [options]", Short: "Txn processes all the requests in one transaction (compares, success and failure requests on the following lines, as etcdctl reads them from stdin)",
		Flags: []Flag{{Name: "interactive", Short: "i", Kind: FlagBool, Default: "false", Usage: "Input transaction in interactive mode"}}},
	{Name: "compaction", Usage: "compaction [options] <revision>", Short: "Compacts the event history in etcd",
		Args:  []Arg{{"revision", ArgRevision, false}},
		Flags: []Flag{{Name: "physical", Kind: FlagBool, Default: "false", Usage: "'true' to wait for compaction to physically remove all old revisions"}}},
	{Name: "defrag", Usage: "defrag", Short: "Defragments the storage of the etcd members (as a job in the console)",
		Flags: []Flag{{Name: "cluster", Kind: FlagBool, Default: "false", Usage: "use all endpoints from the cluster member list"}}},
	{Name: "snapshot", Usage: "snapshot <subcommand>", Short: "Manages etcd node snapshots", Sub: []*Command{
		{Name: "save", Usage: "save <filename>", Short: "Stores an etcd node backend snapshot to a given file (a job in the web console)",
			Args: []Arg{{"filename", ArgFile, false}}},
		{Name: "status", Usage: "status <filename>", Short: "Gets backend snapshot status of a given file (a snapshot opsproxy keeps)",
			Args: []Arg{{"filename", ArgSnapshot, false}}},
	}},
	{Name: "check", Usage: "check <subcommand>", Short: "commands for checking properties of the etcd cluster", Sub: []*Command{
		{Name: "perf", Usage: "perf [options]", Short: "Check the performance of the etcd cluster (a benchmark job in the console)",
			Flags: []Flag{
				{Name: "load", Kind: FlagString, Default: "s", Usage: "The performance check's workload model. Accepted workloads: s(small), m(medium), l(large), xl(xLarge); in the console also k8s-large and the profiles configured in opsproxy", Choices: loadChoices()},
				{Name: "prefix", Kind: FlagString, Default: "/etcdctl-check-perf/", Usage: "The prefix for writing the performance check's keys (refused in the console: the job writes under its own prefix)"},
				{Name: "auto-compact", Kind: FlagBool, Default: "false", Usage: "Compact storage with last revision after test is finished (refused in the console: run compaction afterwards)"},
				{Name: "auto-defrag", Kind: FlagBool, Default: "false", Usage: "Defragment storage after test is finished (refused in the console: run defrag afterwards)"},
				{Name: "force", Kind: FlagBool, Default: "false", Usage: "run on a cluster configured as protected", ConsoleOnly: true},
			}},
	}},
	{Name: "member", Usage: "member <subcommand>", Short: "Membership related commands", Sub: []*Command{
		{Name: "add", Usage: "add <memberName> [options]", Short: "Adds a member into the cluster",
			Args: []Arg{{"memberName", ArgMemberName, false}},
			Flags: []Flag{
				{Name: "peer-urls", Kind: FlagString, Usage: "comma separated peer URLs for the new member."},
				{Name: "learner", Kind: FlagBool, Default: "false", Usage: "indicates if the new member is raft learner"},
			}},
		{Name: "remove", Usage: "remove <memberID>", Short: "Removes a member from the cluster", Args: []Arg{{"memberID", ArgMemberID, false}}},
		{Name: "list", Usage: "list", Short: "Lists all members in the cluster",
			Flags: []Flag{{Name: "consistency", Kind: FlagString, Default: "l", Usage: "Linearizable(l) or Serializable(s)", Choices: consistencyChoices}}},
		{Name: "promote", Usage: "promote <memberID>", Short: "Promotes a non-voting member in the cluster", Args: []Arg{{"memberID", ArgMemberID, false}}},
	}},
	{Name: "endpoint", Usage: "endpoint <subcommand>", Short: "Endpoint related commands", Sub: []*Command{
		{Name: "health", Usage: "health", Short: "Checks the healthiness of the cluster's endpoints",
			Flags: []Flag{{Name: "cluster", Kind: FlagBool, Default: "false", Usage: "use all endpoints from the cluster member list"}}},
		{Name: "status", Usage: "status", Short: "Prints out the status of the cluster's endpoints",
			Flags: []Flag{{Name: "cluster", Kind: FlagBool, Default: "false", Usage: "use all endpoints from the cluster member list"}}},
		{Name: "hashkv", Usage: "hashkv", Short: "Prints the KV history hash for each endpoint",
			Flags: []Flag{
				{Name: "cluster", Kind: FlagBool, Default: "false", Usage: "use all endpoints from the cluster member list"},
				{Name: "rev", Kind: FlagInt, Default: "0", Usage: "maximum revision to hash (default: latest revision)"},
			}},
	}},
	{Name: "alarm", Usage: "alarm <subcommand>", Short: "Alarm related commands", Sub: []*Command{
		{Name: "disarm", Usage: "disarm", Short: "Disarms all alarms"},
		{Name: "list", Usage: "list", Short: "Lists all alarms"},
	}},
	{Name: "lease", Usage: "lease <subcommand>", Short: "Lease related commands", Sub: []*Command{
		{Name: "grant", Usage: "grant <ttl>", Short: "Creates leases", Args: []Arg{{"ttl", ArgTTL, false}}},
		{Name: "revoke", Usage: "revoke <leaseID>", Short: "Revokes leases", Args: []Arg{{"leaseID", ArgLeaseID, false}}},
		{Name: "timetolive", Usage: "timetolive <leaseID> [options]", Short: "Get lease information",
			Args:  []Arg{{"leaseID", ArgLeaseID, false}},
			Flags: []Flag{{Name: "keys", Kind: FlagBool, Default: "false", Usage: "Get keys attached to this lease"}}},
		{Name: "list", Usage: "list", Short: "List all active leases"},
		{Name: "keep-alive", Usage: "keep-alive [options] <leaseID>", Short: "Keeps leases alive (renew); only --once in the console",
			Args:  []Arg{{"leaseID", ArgLeaseID, false}},
			Flags: []Flag{{Name: "once", Kind: FlagBool, Default: "false", Usage: "Resets the keep-alive time to its original value and exits immediately"}}},
	}},
	{Name: "move-leader", Usage: "move-leader <transferee-member-id>", Short: "Transfers leadership to another etcd cluster member.",
		Args: []Arg{{"transferee-member-id", ArgMemberID, false}}},
	{Name: "version", Usage: "version", Short: "Prints the version of etcdctl"},
}

// Lookup finds the command that words name (a command, or a command and its subcommand) and
// returns it with the number of words its name took; nil when the first word names none.
// A group command (one with Sub) is returned itself when the second word names no subcommand.
func Lookup(words []string) (*Command, int) {
	if len(words) == 0 {
		return nil, 0
	}
	for _, c := range Commands {
		if c.Name != words[0] {
			continue
		}
		if len(words) > 1 {
			for _, s := range c.Sub {
				if s.Name == words[1] {
					return s, 2
				}
			}
		}
		return c, 1
	}
	return nil, 0
}
