package main

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	yamlv2 "go.yaml.in/yaml/v2"
)

// row is one line of a section's table.
type row struct {
	Path, Type, Default, Description string
}

// walker turns a configuration type into rows.
type walker struct {
	docs *comments
	// defaults are the values a field takes when the file leaves it out, by path, for fields
	// whose default the loader computes (nil pointers, empty strings replaced when used).
	defaults map[string]string
	// keys names the keys of maps, by the map's path ("<cluster>").
	keys map[string]string
	// elems are values to take element defaults from, by element type (a list entry's own
	// defaults, which the list's default value cannot show).
	elems map[reflect.Type]reflect.Value
	// shared are types documented in a section of their own: a field of one links there
	// (Markdown) instead of repeating its fields.
	shared map[reflect.Type]string
	rows   []row
	err    error
}

var (
	durationType = reflect.TypeFor[model.Duration]()
	goDuration   = reflect.TypeFor[time.Duration]()
	secretType   = reflect.TypeFor[config.Secret]()
	mapSliceType = reflect.TypeFor[yamlv2.MapSlice]()
)

// walkStruct adds the rows of the fields of v (a struct) under prefix.
func (w *walker) walkStruct(prefix string, v reflect.Value) {
	t := v.Type()
	if err := w.docs.load(t.PkgPath()); err != nil && w.err == nil {
		w.err = err
	}
	fieldDocs := w.docs.fields[t.PkgPath()+"."+t.Name()]
	names := yamlNames(t)
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, inline := yamlName(f)
		if name == "-" {
			continue
		}
		if inline {
			w.walkStruct(prefix, v.Field(i))
			continue
		}
		path := join(prefix, name)
		desc := yamlize(fieldDocs[f.Name], names)
		if desc == "" {
			// A field without a comment of its own takes its type's, which opens with the
			// type's Go name (AuthConfig configures …): the reader knows the key instead.
			desc = w.typeDoc(f.Type)
			if rest, ok := strings.CutPrefix(desc, baseType(f.Type).Name()+" "); ok {
				desc = "`" + name + "` " + rest
			}
		}
		w.field(path, f.Type, v.Field(i), desc)
	}
}

// field adds the row of one field and, for sections, lists and maps of sections, the rows below.
func (w *walker) field(path string, t reflect.Type, v reflect.Value, desc string) {
	base := t
	for base.Kind() == reflect.Pointer || base.Kind() == reflect.Slice {
		base = base.Elem()
	}
	if link, ok := w.shared[base]; ok {
		typ := link
		if t.Kind() == reflect.Slice {
			typ = "list of " + link
		}
		w.rows = append(w.rows, row{Path: path, Type: typ, Description: desc})
		return
	}
	w.rows = append(w.rows, row{Path: path, Type: typeName(t), Default: w.defaultOf(path, v), Description: desc})
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v.IsValid() && !v.IsNil() {
			v = v.Elem()
		} else {
			v = w.elem(t)
		}
	}
	switch {
	case t == durationType || t == secretType:
	case t.Kind() == reflect.Struct:
		w.walkStruct(path, v)
	case t.Kind() == reflect.Slice && isSection(t.Elem()):
		w.walkStruct(path+"[]", w.elem(t.Elem()))
	case t.Kind() == reflect.Map && isSection(t.Elem()):
		key := path + "." + w.key(path)
		w.walkMapValue(key, t.Elem())
	case t.Kind() == reflect.Map && t.Elem() != mapSliceType && t.Elem().Kind() == reflect.Slice && isSection(t.Elem().Elem()):
		key := path + "." + w.key(path)
		w.walkMapValue(key+"[]", t.Elem().Elem())
	case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.Map && isSection(t.Elem().Elem()):
		key := path + "." + w.key(path)
		inner := key + "." + w.key(key)
		w.walkMapValue(inner, t.Elem().Elem())
	}
}

func (w *walker) walkMapValue(path string, t reflect.Type) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	w.walkStruct(path, w.elem(t))
}

// elem is the value element defaults are read from: the registered one, else the zero value.
func (w *walker) elem(t reflect.Type) reflect.Value {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v, ok := w.elems[t]; ok {
		return v
	}
	return reflect.Zero(t)
}

func (w *walker) key(path string) string {
	if k, ok := w.keys[path]; ok {
		return k
	}
	return "<name>"
}

// baseType is t without pointers and slices around it.
func baseType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

func (w *walker) typeDoc(t reflect.Type) string {
	t = baseType(t)
	if t.PkgPath() == "" {
		return ""
	}
	if err := w.docs.load(t.PkgPath()); err != nil && w.err == nil {
		w.err = err
	}
	return w.docs.types[t.PkgPath()+"."+t.Name()]
}

// defaultOf is what a field is when the file leaves it out.
func (w *walker) defaultOf(path string, v reflect.Value) string {
	if d, ok := w.defaults[path]; ok {
		if d == "" {
			return ""
		}
		return "`" + d + "`"
	}
	if !v.IsValid() {
		return ""
	}
	t := v.Type()
	switch {
	case t == secretType:
		return ""
	case t == durationType:
		return "`" + v.Interface().(model.Duration).String() + "`"
	case t == goDuration:
		return "`" + v.Interface().(time.Duration).String() + "`"
	}
	switch t.Kind() {
	case reflect.String:
		if v.String() == "" {
			return ""
		}
		return "`" + v.String() + "`"
	case reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return fmt.Sprintf("`%v`", v.Interface())
	case reflect.Slice:
		if v.Len() == 0 || !isScalar(t.Elem()) {
			return ""
		}
		parts := make([]string, v.Len())
		for i := range v.Len() {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return "`[" + strings.Join(parts, ", ") + "]`"
	}
	return ""
}

// typeName is a field's type as a YAML writer sees it.
func typeName(t reflect.Type) string {
	switch {
	case t == durationType:
		return "duration"
	case t == secretType:
		return "secret string"
	case t == mapSliceType:
		return "mapping"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Struct:
		return "section"
	case reflect.Slice:
		if isSection(t.Elem()) {
			return "list of sections"
		}
		return "list of " + plural(typeName(t.Elem()))
	case reflect.Map:
		if isSection(t.Elem()) {
			return "map of sections"
		}
		return "map of " + plural(typeName(t.Elem()))
	}
	return t.String()
}

func plural(s string) string {
	switch s {
	case "mapping":
		return "mappings"
	case "boolean", "integer", "number", "section", "duration":
		return s + "s"
	case "string":
		return "strings"
	}
	return s
}

func isSection(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t != durationType && t != secretType
}

func isScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Float64:
		return true
	}
	return false
}

// yamlName is the key of a field (yaml's default: the name in lower case) and whether the
// field is inlined.
func yamlName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("yaml")
	name, opts, _ := strings.Cut(tag, ",")
	inline := strings.Contains(","+opts+",", ",inline,")
	if name == "" && !inline {
		name = strings.ToLower(f.Name)
	}
	return name, inline
}

// yamlNames maps the Go names of t's fields to their YAML keys.
func yamlNames(t reflect.Type) map[string]string {
	out := map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, inline := yamlName(f); name != "-" && !inline && f.IsExported() {
			out[f.Name] = name
		}
	}
	return out
}

var goIdent = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*\b`)

// yamlize replaces the Go names of sibling fields in a description by their YAML keys.
func yamlize(desc string, names map[string]string) string {
	// A comment opens with its field's Go name, also one in capitals (DSN, URL, TLS), which
	// elsewhere in the text is more often the word than the field.
	if first, rest, ok := strings.Cut(desc, " "); ok {
		if key, ok := names[first]; ok {
			return "`" + key + "` " + yamlize(rest, names)
		}
	}
	return goIdent.ReplaceAllStringFunc(desc, func(word string) string {
		if key, ok := names[word]; ok && strings.ToUpper(word) != word {
			return "`" + key + "`"
		}
		return word
	})
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
