"""An option error names the option as the user typed it, also when it
comes after an operand: `fsrace rules` takes its options anywhere
(getopt permutes them past "list" or a rule id), so the option it
complains about is not the element getopt started from."""


def check(ctx, args, message):
    p = ctx.run(args)
    assert (p.returncode, p.stdout, p.stderr) == (
        2, "", f"fsrace: {message}\n"), (args, p.stdout, p.stderr)


def test_unknown_long_option_after_operand(ctx):
    check(ctx, ["rules", "list", "--frob"],
          "unknown option '--frob' (see fsrace rules --help)")
    check(ctx, ["rules", "show", "check-then-use", "--frob=1"],
          "unknown option '--frob' (see fsrace rules --help)")


def test_missing_value_after_operand(ctx):
    check(ctx, ["rules", "show", "check-then-use", "--rules"],
          "option '--rules' requires a value")
    check(ctx, ["rules", "list", "-r"], "option '-r' requires a value")
