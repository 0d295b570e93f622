// Command dockerfile-check parses Dockerfiles with BuildKit's own parser and runs BuildKit's
// build checks on them (the rules of `docker build --check`), without a Docker engine. For
// each file it prints one JSON line: the stages with their base image and the instructions,
// and every check warning. Exit status 1 when a file does not parse or a check warns.
// Used by deploy/docker's tests; built by scripts/install-go-tools.sh.
//
//	dockerfile-check FILE...
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

type stage struct {
	Name         string     `json:"name"`
	BaseName     string     `json:"base"`
	Instructions [][]string `json:"instructions"`
}

type report struct {
	File     string   `json:"file"`
	Stages   []stage  `json:"stages"`
	Warnings []string `json:"warnings"`
	Error    string   `json:"error,omitempty"`
}

func check(file string) report {
	out := report{File: file, Stages: []stage{}, Warnings: []string{}}
	source, err := os.Open(file)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	defer source.Close()
	ast, err := parser.Parse(source)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	for _, warning := range ast.Warnings {
		out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: %s", warning.Location.Start.Line, warning.Short))
	}
	lint := linter.New(&linter.Config{
		Warn: func(rule, description, url, message string, location []parser.Range) {
			line := 0
			if len(location) > 0 {
				line = location[0].Start.Line
			}
			out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: %s: %s", line, rule, message))
		},
	})
	stages, _, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	for _, parsed := range stages {
		entry := stage{Name: parsed.Name, BaseName: parsed.BaseName, Instructions: [][]string{}}
		for _, command := range parsed.Commands {
			entry.Instructions = append(entry.Instructions, []string{command.Name(), fmt.Sprint(command)})
			// BuildKit applies this check while converting to LLB, which needs no engine but
			// more of BuildKit: the same condition here (shell form of CMD and ENTRYPOINT,
			// whose process would not receive SIGTERM).
			if shellForm(command) {
				out.Warnings = append(out.Warnings, fmt.Sprintf("line %d: JSONArgsRecommended: JSON arguments recommended for %s to prevent unintended behavior related to OS signals", command.Location()[0].Start.Line, command.Name()))
			}
		}
		out.Stages = append(out.Stages, entry)
	}
	return out
}

func shellForm(command instructions.Command) bool {
	switch typed := command.(type) {
	case *instructions.CmdCommand:
		return typed.PrependShell
	case *instructions.EntrypointCommand:
		return typed.PrependShell
	}
	return false
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check FILE...")
		os.Exit(2)
	}
	failed := false
	encoder := json.NewEncoder(os.Stdout)
	for _, file := range os.Args[1:] {
		result := check(file)
		if result.Error != "" || len(result.Warnings) > 0 {
			failed = true
		}
		if err := encoder.Encode(result); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if failed {
		os.Exit(1)
	}
}
