"""Option errors where the subcommand takes options after its operands
(getopt permutes them): the message names the option as written, and a
known option given a value it does not take says so, wherever it is."""


def err(ctx, *args):
    p = ctx.run(list(args))
    return p.returncode, p.stdout, p.stderr


def test_value_given_to_a_flag_after_the_operand(ctx):
    assert err(ctx, "rules", "list", "--help=x") == (
        2, "", "fsrace: option '--help' takes no value\n")
    assert err(ctx, "rules", "show", "check-then-use",
               "--no-default-rules=1") == (
        2, "", "fsrace: option '--no-default-rules' takes no value\n")


def test_value_given_to_a_flag_before_the_operand(ctx):
    assert err(ctx, "rules", "--help=x", "list") == (
        2, "", "fsrace: option '--help' takes no value\n")


def test_unknown_and_missing_after_the_operand(ctx):
    assert err(ctx, "rules", "list", "--bogus=1") == (
        2, "", "fsrace: unknown option '--bogus' (see fsrace rules "
        "--help)\n")
    assert err(ctx, "rules", "show", "check-then-use", "--rules") == (
        2, "", "fsrace: option '--rules' requires a value\n")
    assert err(ctx, "rules", "list", "-Z") == (
        2, "", "fsrace: unknown option '-Z' (see fsrace rules --help)\n")
