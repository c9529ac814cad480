// Package markdown splits a Markdown document into the blocks a PRD is made of: headings,
// list items with their nesting, tables and paragraphs, each with its source line. Code
// fences, HTML comments and front matter are skipped; it never fails on any input.
package markdown
