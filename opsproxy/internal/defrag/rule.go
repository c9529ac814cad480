package defrag

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultRule defragments a member when more than half of its database file is free pages,
// or when the file has grown past 80% of the quota (etcd raises NOSPACE at the quota).
const DefaultRule = "dbSize - dbSizeInUse > 0.5*dbSize || dbSize > 0.8*dbQuota"

// MaxRuleLength caps a rule's text.
const MaxRuleLength = 1024

// DefaultQuotaBytes is etcd's default --quota-backend-bytes, taken as dbQuota when a member
// (older than etcd 3.6) does not report its quota.
const DefaultQuotaBytes = 2 << 30

// Sizes are a member's figures a rule reads, in bytes.
type Sizes struct {
	// DBSize is the size of the database file (dbSize).
	DBSize int64
	// DBSizeInUse is the part of it in use, the rest being free pages (dbSizeInUse).
	DBSizeInUse int64
	// DBQuota is the member's backend quota (dbQuota); 0 means DefaultQuotaBytes.
	DBQuota int64
}

// Rule is a parsed defragmentation rule: a boolean expression over the variables dbSize,
// dbSizeInUse, dbQuota and dbSizeFree (dbSize - dbSizeInUse), with numbers (123, 0.5, 1e9),
// + - * /, comparisons (< <= > >= == !=), && || ! and parentheses. It is parsed into a tree
// and evaluated by this package; nothing in it is run as code.
type Rule struct {
	text string
	root expr
}

// String returns the rule's text.
func (r *Rule) String() string { return r.text }

// Holds evaluates the rule for a member's sizes.
func (r *Rule) Holds(s Sizes) bool {
	if s.DBQuota <= 0 {
		s.DBQuota = DefaultQuotaBytes
	}
	return r.root.eval(s) != 0
}

// ParseRule parses a rule; an error gives the position (from 1) of what is wrong.
func ParseRule(text string) (*Rule, error) {
	if len(text) > MaxRuleLength {
		return nil, fmt.Errorf("longer than %d characters", MaxRuleLength)
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	root, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEnd {
		return nil, fmt.Errorf("position %d: unexpected %q", t.pos, t.text)
	}
	if !root.boolean() {
		return nil, fmt.Errorf("position 1: the rule is a number, want a condition (e.g. %q)", "dbSizeFree > 100000000")
	}
	return &Rule{text: text, root: root}, nil
}

// variables are the names a rule may use.
var variables = map[string]func(Sizes) float64{
	"dbSize":      func(s Sizes) float64 { return float64(s.DBSize) },
	"dbSizeInUse": func(s Sizes) float64 { return float64(s.DBSizeInUse) },
	"dbQuota":     func(s Sizes) float64 { return float64(s.DBQuota) },
	"dbSizeFree":  func(s Sizes) float64 { return float64(s.DBSize - s.DBSizeInUse) },
}

type tokKind int

const (
	tokEnd tokKind = iota
	tokNum
	tokIdent
	tokOp
)

type token struct {
	kind tokKind
	text string
	pos  int // from 1
	num  float64
}

// lex splits text into tokens.
func lex(text string) ([]token, error) {
	var out []token
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(text) && (isDigit(text[j]) || text[j] == '.' || text[j] == 'e' || text[j] == 'E' ||
				(text[j] == '+' || text[j] == '-') && (text[j-1] == 'e' || text[j-1] == 'E')) {
				j++
			}
			n, err := strconv.ParseFloat(text[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("position %d: bad number %q", i+1, text[i:j])
			}
			out = append(out, token{kind: tokNum, text: text[i:j], pos: i + 1, num: n})
			i = j
		case isLetter(c):
			j := i
			for j < len(text) && (isLetter(text[j]) || isDigit(text[j])) {
				j++
			}
			out = append(out, token{kind: tokIdent, text: text[i:j], pos: i + 1})
			i = j
		default:
			op := ""
			for _, o := range []string{"&&", "||", "<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "!", "(", ")"} {
				if strings.HasPrefix(text[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("position %d: unexpected character %q", i+1, string(c))
			}
			out = append(out, token{kind: tokOp, text: op, pos: i + 1})
			i += len(op)
		}
	}
	return append(out, token{kind: tokEnd, text: "end of rule", pos: len(text) + 1}), nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// binaryPrecedence is how tightly each binary operator binds.
var binaryPrecedence = map[string]int{
	"||": 1, "&&": 2,
	"<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3, "!=": 3,
	"+": 4, "-": 4, "*": 5, "/": 5,
}

// parser is a precedence-climbing parser that checks types as it goes: arithmetic and
// comparisons take numbers, && || ! take conditions.
type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) parse(minPrec int) (expr, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec, ok := binaryPrecedence[t.text]
		if t.kind != tokOp || !ok || prec <= minPrec {
			return left, nil
		}
		p.next()
		right, err := p.parse(prec)
		if err != nil {
			return nil, err
		}
		if err := checkOperands(t, left, right); err != nil {
			return nil, err
		}
		if prec == 3 {
			if n := p.peek(); n.kind == tokOp && binaryPrecedence[n.text] == 3 {
				return nil, fmt.Errorf("position %d: comparisons do not chain; use && between them", n.pos)
			}
		}
		left = binary{op: t.text, l: left, r: right}
	}
}

func checkOperands(op token, l, r expr) error {
	wantBool := op.text == "&&" || op.text == "||"
	for _, e := range []expr{l, r} {
		if e.boolean() != wantBool {
			if wantBool {
				return fmt.Errorf("position %d: %q joins conditions, not numbers", op.pos, op.text)
			}
			return fmt.Errorf("position %d: %q takes numbers, not conditions", op.pos, op.text)
		}
	}
	return nil
}

func (p *parser) unary() (expr, error) {
	t := p.next()
	switch {
	case t.kind == tokNum:
		return number(t.num), nil
	case t.kind == tokIdent:
		v, ok := variables[t.text]
		if !ok {
			return nil, fmt.Errorf("position %d: unknown variable %q (want dbSize, dbSizeInUse, dbQuota or dbSizeFree)", t.pos, t.text)
		}
		return variable(v), nil
	case t.kind == tokOp && t.text == "(":
		e, err := p.parse(0)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.text != ")" || c.kind != tokOp {
			return nil, fmt.Errorf("position %d: want ')' to close the '(' at position %d, got %q", c.pos, t.pos, c.text)
		}
		return e, nil
	case t.kind == tokOp && (t.text == "!" || t.text == "-"):
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		if e.boolean() != (t.text == "!") {
			return nil, fmt.Errorf("position %d: %q does not apply to what follows it", t.pos, t.text)
		}
		return negation{op: t.text, e: e}, nil
	}
	return nil, fmt.Errorf("position %d: unexpected %q", t.pos, t.text)
}

// expr is a node of a parsed rule; a condition evaluates to 1 (true) or 0 (false).
type expr interface {
	eval(Sizes) float64
	boolean() bool
}

type number float64

func (n number) eval(Sizes) float64 { return float64(n) }
func (number) boolean() bool        { return false }

type variable func(Sizes) float64

func (v variable) eval(s Sizes) float64 { return v(s) }
func (variable) boolean() bool          { return false }

type negation struct {
	op string
	e  expr
}

func (n negation) eval(s Sizes) float64 {
	if n.op == "-" {
		return -n.e.eval(s)
	}
	return truth(n.e.eval(s) == 0)
}
func (n negation) boolean() bool { return n.op == "!" }

type binary struct {
	op   string
	l, r expr
}

func (b binary) boolean() bool { return binaryPrecedence[b.op] <= 3 }

func (b binary) eval(s Sizes) float64 {
	switch b.op {
	case "||":
		return truth(b.l.eval(s) != 0 || b.r.eval(s) != 0)
	case "&&":
		return truth(b.l.eval(s) != 0 && b.r.eval(s) != 0)
	}
	l, r := b.l.eval(s), b.r.eval(s)
	switch b.op {
	case "<":
		return truth(l < r)
	case "<=":
		return truth(l <= r)
	case ">":
		return truth(l > r)
	case ">=":
		return truth(l >= r)
	case "==":
		return truth(l == r)
	case "!=":
		return truth(l != r)
	case "+":
		return l + r
	case "-":
		return l - r
	case "*":
		return l * r
	}
	if r == 0 { // a rule over a member that reports zeros must not divide by them
		return 0
	}
	return l / r
}

func truth(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
