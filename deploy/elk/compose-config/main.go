// Command compose-config loads a compose file the way `docker compose config` does (the
// compose-spec loader: interpolation from the environment and env files, JSON-schema
// validation, normalisation, cross-reference checks) and prints the resolved project as JSON.
// It needs no Docker engine. Used by deploy/elk's tests; built by scripts/install-go-tools.sh.
//
//	compose-config [--env-file FILE]... COMPOSE_FILE
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

type envFiles []string

func (files *envFiles) String() string        { return fmt.Sprint(*files) }
func (files *envFiles) Set(file string) error { *files = append(*files, file); return nil }

func main() {
	var files envFiles
	flag.Var(&files, "env-file", "environment file for interpolation (repeatable; default: .env beside the compose file)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-config [--env-file FILE]... COMPOSE_FILE")
		os.Exit(2)
	}
	options := []cli.ProjectOptionsFn{cli.WithOsEnv, cli.WithConsistency(true), cli.WithResolvedPaths(true)}
	if len(files) > 0 {
		options = append(options, cli.WithEnvFiles(files...))
	} else {
		options = append(options, cli.WithEnvFiles())
	}
	options = append(options, cli.WithDotEnv)
	projectOptions, err := cli.NewProjectOptions([]string{flag.Arg(0)}, options...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-config: %v\n", err)
		os.Exit(1)
	}
	project, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-config: %v\n", err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-config: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
	os.Stdout.WriteString("\n")
}
