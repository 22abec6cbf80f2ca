package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// envName is the environment variable that sets a flag: --data-dir → ECSD_DATA_DIR.
func envName(flagName string) string {
	return "ECSD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyLayeredConfig gives every flag of fs that was not set on the command line its
// value from, in order of precedence, the environment (ECSD_<FLAG>) and the YAML
// config file named by the "config" flag (keys are flag names). Defaults come last.
func applyLayeredConfig(fs *flag.FlagSet, lookupEnv func(string) (string, bool)) error {
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })

	fileValues := map[string]string{}
	configPath := ""
	if f := fs.Lookup("config"); f != nil {
		configPath = f.Value.String()
		if !explicit["config"] {
			if v, ok := lookupEnv(envName("config")); ok {
				configPath = v
			}
		}
	}
	if configPath != "" {
		var err error
		if fileValues, err = readConfigFile(configPath, fs); err != nil {
			return err
		}
	}
	var firstErr error
	fs.VisitAll(func(f *flag.Flag) {
		if explicit[f.Name] || firstErr != nil {
			return
		}
		value, ok := lookupEnv(envName(f.Name))
		source := envName(f.Name)
		if !ok {
			value, ok = fileValues[f.Name]
			source = configPath
		}
		if ok {
			if err := fs.Set(f.Name, value); err != nil {
				firstErr = fmt.Errorf("%s: invalid value %q for %s: %w", source, value, f.Name, err)
			}
		}
	})
	return firstErr
}

// readConfigFile reads a flat YAML mapping of flag names to values.
func readConfigFile(path string, fs *flag.FlagSet) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	raw := map[string]any{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse config file %s: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if fs.Lookup(k) == nil || k == "config" {
			return nil, fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		out[k] = fmt.Sprint(v)
	}
	return out, nil
}
