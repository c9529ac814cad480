package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// modulePath is the module every documented type lives in.
const modulePath = "github.com/etcd-monitor/etcd-monitor"

// comments holds the doc comments of types and their fields, by package path and type name.
type comments struct {
	root   string
	types  map[string]string            // "pkg.Type" -> doc
	fields map[string]map[string]string // "pkg.Type" -> field name -> doc
	parsed map[string]bool
}

func newComments(root string) *comments {
	return &comments{root: root, types: map[string]string{}, fields: map[string]map[string]string{}, parsed: map[string]bool{}}
}

// load parses the non-test Go files of a package of this module once.
func (c *comments) load(pkgPath string) error {
	if c.parsed[pkgPath] {
		return nil
	}
	c.parsed[pkgPath] = true
	rel, ok := strings.CutPrefix(pkgPath, modulePath)
	if pkgPath == "main" { // this command's own types
		rel, ok = "/docs/gen", true
	}
	if !ok {
		return nil // types of other modules (model.Duration, config.Secret) carry no fields here
	}
	dir := filepath.Join(c.root, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read package %s: %w", pkgPath, err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				key := pkgPath + "." + ts.Name.Name
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				c.types[key] = text(doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				fm := map[string]string{}
				for _, fld := range st.Fields.List {
					d := text(fld.Doc)
					if d == "" {
						d = text(fld.Comment)
					}
					for _, n := range fld.Names {
						fm[n.Name] = d
					}
				}
				c.fields[key] = fm
			}
		}
	}
	return nil
}

// text is a comment group as one line, with code blocks left out.
func text(g *ast.CommentGroup) string {
	if g == nil {
		return ""
	}
	var out []string
	for _, line := range strings.Split(g.Text(), "\n") {
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ") {
			continue // an example block: the reference shows the fields one by one instead
		}
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	s := strings.Join(out, " ")
	return strings.TrimSuffix(s, ":")
}
