using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Theory]
    [InlineData("--model", "resnet-9000", "train", "--model", "resnet-9000")]
    [InlineData("--optimizer", "adam'", "train", "--optimizer", "adam'")]
    [InlineData("--schedule", "linear", "train", "--schedule", "linear")]
    [InlineData("--alpha", "1", "train", "--alpha", "1")]
    [InlineData("--batch-size", "0", "train", "--batch-size", "0")]
    [InlineData("--validation-fraction", "1.5", "train", "--validation-fraction", "1.5")]
    [InlineData("--resume", "--checkpoint-dir", "train", "--resume")]
    [InlineData("--depth", "21", "train", "--depth", "21")]
    [InlineData("--epochs", "expected an integer", "train", "--epochs", "abc")]
    [InlineData("--size", "3", "summary", "--size", "3")]
    [InlineData("--initial-weights", "there is no file", "train", "--initial-weights", "no-such-octaveml-weights.safetensors")]
    [InlineData("--fine-tune", "needs --initial-weights", "train", "--fine-tune", "head")]
    public void A_bad_option_is_one_line_naming_the_option_with_exit_code_2(string option, string expected, params string[] args)
    {
        var (code, output, err) = Run(args);
        code.Should().Be(Cli.UsageError);
        output.Should().BeEmpty();
        err.TrimEnd().Should().NotContain("\n").And.StartWith("error: ").And.Contain(option);
        err.Should().Contain(expected);
        err.Should().NotContain("   at "); // no stack trace
    }

    [Fact]
    public void A_missing_data_folder_names_data_and_the_path()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-octaveml-data-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = Run("train", "--data", missing);
        code.Should().Be(2);
        err.Should().StartWith("error: --data: ").And.Contain(missing).And.Contain("expected");
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error()
    {
        var (code, _, err) = Run("fly");
        code.Should().Be(2);
        err.Should().StartWith("error: ");
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("--help");
        code.Should().Be(0);
        output.Should().Contain("train").And.Contain("summary").And.Contain("pipeline");
    }

    [Fact]
    public void Summary_prints_layers_and_totals()
    {
        var (code, output, err) = Run("summary", "--model", "oct-cifar-resnet", "--depth", "20", "--size", "32", "--classes", "10");
        err.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("fc").And.Contain("Total params: ").And.Contain("Total MACs: ");
    }

    [Fact]
    public void Train_settings_defaults_are_valid()
    {
        var act = () => new TrainSettings().Validate();
        act.Should().NotThrow();
    }
}
