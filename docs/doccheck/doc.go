// Package doccheck holds the test that keeps the README and docs/*.md true to the
// repository: every relative link leads to a file that exists (and to a heading there when it
// names one), and every repository path they quote in backquotes exists.
package doccheck
