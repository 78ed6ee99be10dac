package verify

import (
	"flag"
	"os"
	"testing"
)

// fuzzMinimize bounds how long the fuzzer minimizes one input when
// -fuzzminimizetime is not given. Go's default is 60 s, and its byte
// minimizer ends with a pass that tries removing every span of the input,
// quadratic in its length: the FuzzClr seeds are signed learner records
// of several kilobytes, so each input that reached new code was minimized
// for the full minute, with the workers reporting no executions the
// while (the fuzzer "stalled" after a handful of runs, though no single
// verification took as long as 200 ms). A few seconds still shortens the
// inputs worth keeping.
const fuzzMinimize = "5s"

// defaultFuzzMinimize sets -test.fuzzminimizetime in fs to fuzzMinimize
// unless the command line gave it.
func defaultFuzzMinimize(fs *flag.FlagSet) error {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "test.fuzzminimizetime" {
			given = true
		}
	})
	if given {
		return nil
	}
	return fs.Set("test.fuzzminimizetime", fuzzMinimize)
}

func TestMain(m *testing.M) {
	flag.Parse()
	if err := defaultFuzzMinimize(flag.CommandLine); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// TestFuzzMinimizeBounded checks that the bound is set when the command
// line leaves it out, and that a value given on the command line stands.
func TestFuzzMinimizeBounded(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, fuzzMinimize},
		{[]string{"-test.fuzzminimizetime=60s"}, "60s"},
		{[]string{"-test.fuzzminimizetime=100x"}, "100x"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		v := fs.String("test.fuzzminimizetime", "1m0s", "")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if err := defaultFuzzMinimize(fs); err != nil {
			t.Fatal(err)
		}
		if *v != tc.want {
			t.Errorf("%v: minimize time %q, want %q", tc.args, *v, tc.want)
		}
	}
	// And in this very run: the testing package's flag is no longer at
	// Go's one-minute default unless the command line asked for it.
	if f := flag.Lookup("test.fuzzminimizetime"); f == nil {
		t.Error("no -test.fuzzminimizetime flag")
	}
}
